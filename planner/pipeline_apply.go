package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/runner"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// keptRuns is how many runs' logs a pipeline keeps on disk.
const keptRuns = 10

// ErrNotApproved is the cause of a run stopped at an approval gate.
var ErrNotApproved = fmt.Errorf("not approved")

// applyPipeline runs every instance of a pipeline block the plan says
// runs.
func (w *applyWalk) applyPipeline(ctx context.Context, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := w.expand(rc)
	if diags.HasErrors() {
		return diags
	}
	vals := make([]cty.Value, len(insts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, in := range insts {
		ch := w.changes[in.addr.String()]
		if ch == nil || ch.Action != plans.Run {
			vals[i] = cty.DynamicVal
			if ri := w.c.State.Resources[in.addr.String()]; ri != nil {
				vals[i] = ri.Value
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, d := w.runPipeline(ctx, rc, in)
			mu.Lock()
			vals[i] = v
			diags = append(diags, d...)
			mu.Unlock()
		}()
	}
	for _, ch := range w.deletes[rc.Addr] {
		diags = append(diags, w.applyDelete(ctx, ch)...)
	}
	wg.Wait()
	w.vals.setResource(rc.Addr, aggregate(rc, insts, vals))
	return diags
}

// pipelineRun is one run as it goes, for state.
type pipelineRun struct {
	number      int
	status      string // running, succeeded, failed
	commit      string
	started     time.Time
	finished    time.Time
	failedStage string
	logDir      string // relative to the configuration directory
	stages      []cty.Value
}

func (r *pipelineRun) value() cty.Value {
	fin := ""
	if !r.finished.IsZero() {
		fin = r.finished.UTC().Format(time.RFC3339)
	}
	stages := cty.ListValEmpty(pipelineStageRunType)
	if len(r.stages) > 0 {
		stages = cty.ListVal(r.stages)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"number": cty.NumberIntVal(int64(r.number)), "status": cty.StringVal(r.status), "commit": cty.StringVal(r.commit),
		"started": cty.StringVal(r.started.UTC().Format(time.RFC3339)), "finished": cty.StringVal(fin),
		"failed_stage": cty.StringVal(r.failedStage), "log_dir": cty.StringVal(r.logDir), "stages": stages,
	})
}

func (r *pipelineRun) addStage(name, status string, attempts int, d time.Duration, log string) {
	r.stages = append(r.stages, cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name), "status": cty.StringVal(status), "attempts": cty.NumberIntVal(int64(attempts)),
		"duration": cty.StringVal(d.Round(time.Millisecond).String()), "log": cty.StringVal(log),
	}))
}

// runPipeline carries out one run: its stages, then its images, then its
// promotes. The run is in state from its start (as running) to its end,
// so a crash leaves a record that the next plan reads as "run again".
func (w *applyWalk) runPipeline(ctx context.Context, rc *lang.Resource, in instance) (cty.Value, hcl.Diagnostics) {
	addr := in.addr
	start := time.Now()
	prior := w.c.State.Resources[addr.String()]
	priorVal := cty.NullVal(pipelineValueType)
	if prior != nil {
		priorVal = prior.Value
	}
	refs, diags := w.resourceRefs(rc)
	ws := w.workspaceOf(addr)
	ps, d := decodePipeline(rc, addr, w.scope.evalContext(refs, in.rep), ws, nil)
	diags = append(diags, d...)
	if ps == nil {
		return cty.DynamicVal, diags
	}
	r := ps.decl
	progress := func(format string, args ...any) { w.hooks.Progress(addr, fmt.Sprintf(format, args...)) }
	w.hooks.PreApply(addr, plans.Run)

	run := &pipelineRun{number: 1, status: "running", started: start, commit: strAttr(ps.source, "commit")}
	if lr := attrOr(priorVal, "run", cty.NullVal(pipelineRunType)); !lr.IsNull() {
		if n := attrOr(lr, "number", cty.NullVal(cty.Number)); !n.IsNull() && n.IsKnown() {
			last, _ := n.AsBigFloat().Int64()
			run.number = int(last) + 1
		}
	}
	baseDir := w.cfg.Dir
	runDir := filepath.Join(pipelineDir(baseDir, ps.name), "runs", strconv.Itoa(run.number))
	run.logDir = filepath.ToSlash(filepath.Join(".slipway", "pipelines", ps.name, "runs", strconv.Itoa(run.number)))

	// record writes the pipeline's entry: the last successful run's
	// inputs and effects (value), with this run as its last run.
	record := func(value cty.Value) cty.Value {
		m := value.AsValueMap()
		m["run"] = run.value()
		v := cty.ObjectVal(m)
		w.a.set(&state.ResourceInstance{Addr: addr, Type: pipelineType, Value: v})
		return v
	}
	// What every command of the run sees, post commands included.
	env := append(os.Environ(), "CI=true",
		"SLIPWAY_PIPELINE="+addr.String(), "SLIPWAY_RUN="+strconv.Itoa(run.number), "SLIPWAY_WORKSPACE="+ws,
		"SLIPWAY_COMMIT="+strAttr(ps.source, "commit"), "SLIPWAY_SHORT_COMMIT="+strAttr(ps.source, "short_commit"))
	if b, _ := sourceRefName(ps.source, "branch", "refs/heads/"); b != "" {
		env = append(env, "SLIPWAY_BRANCH="+b)
	}
	for k, v := range ps.env {
		env = append(env, k+"="+v)
	}
	lastGood := priorVal
	if lastGood.IsNull() {
		lastGood = pipelineValue(&pipelineSpec{name: ps.name, source: cty.NullVal(cty.DynamicPseudoType)}, cty.NullVal(pipelineRunType), nil, nil)
	}
	fail := func(stage string, err error, tail []string) (cty.Value, hcl.Diagnostics) {
		run.status, run.failedStage, run.finished = "failed", stage, time.Now()
		w.runPost(ctx, ps, ws, runDir, env, false, progress)
		record(lastGood)
		detail := fmt.Sprintf("%s run #%d failed", addr, run.number)
		if stage != "" {
			detail += fmt.Sprintf(" at stage %q", stage)
		}
		detail += ": " + err.Error() + "."
		if len(tail) > 0 {
			detail += "\n\nLast lines of its output:\n  " + strings.Join(tail, "\n  ")
		}
		detail += fmt.Sprintf("\n\nThe whole log is in %s (slipway logs %s). Nothing after this stage ran: no image was pushed by it and nothing was promoted.", run.logDir, addr)
		d := append(diags, errorDiag("Pipeline failed", detail, &r))
		w.finished(addr, plans.Run, start, d)
		return cty.DynamicVal, d
	}

	if ps.group != "" {
		dir, err := runner.DefaultLockDir()
		if err != nil {
			return fail("", fmt.Errorf("no directory for concurrency locks: %w", err), nil)
		}
		host, _ := os.Hostname()
		cwd, _ := filepath.Abs(baseDir)
		holder := runner.Holder{Pipeline: addr.String(), Run: run.number, Dir: cwd, Who: os.Getenv("USER"), Host: host, PID: os.Getpid(), Since: time.Now().UTC()}
		release, err := runner.Acquire(ctx, dir, ps.group, ps.limit, holder, func(hs []runner.Holder) {
			who := make([]string, len(hs))
			for i, h := range hs {
				who[i] = h.String()
			}
			progress("waiting for concurrency group %q (limit %d), held by %s", ps.group, ps.limit, strings.Join(who, "; "))
		})
		if err != nil {
			return fail("", err, nil)
		}
		defer release()
		progress("holds a slot of concurrency group %q (limit %d)", ps.group, ps.limit)
	}

	// The run is in state before anything runs.
	record(lastGood)
	w.persist(nil)

	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fail("", err, nil)
	}
	pruneRuns(filepath.Join(pipelineDir(baseDir, ps.name), "runs"), run.number)
	progress("run #%d in %s", run.number, ws)
	if err := runner.PrepareWorkspace(ws, strAttr(ps.source, "dir")); err != nil {
		return fail("", err, nil)
	}

	for _, st := range ps.stages {
		logName := st.name + ".log"
		if !st.when {
			progress("[%s] skipped: %s", st.name, st.whenWhy)
			run.addStage(st.name, "skipped", 0, 0, "")
			continue
		}
		if st.approval {
			gate := gateName(addr, st.name)
			ok, err := w.approve(ctx, gate, st.message, progress)
			if !ok {
				run.addStage(st.name, "not approved", 1, 0, "")
				if err == nil {
					err = ErrNotApproved
				}
				return fail(st.name, err, nil)
			}
			if len(st.run) == 0 {
				run.addStage(st.name, "approved", 1, 0, "")
				continue
			}
		}
		progress("[%s] started", st.name)
		res := runner.RunStage(ctx, ws, filepath.Join(runDir, logName), env, runner.Stage{
			Name: st.name, Run: st.run, Env: st.env, Dir: st.dir, Timeout: st.timeout, Retry: st.retry, Mask: ps.masks,
		}, func(line string) { w.hooks.Progress(addr, "["+st.name+"] "+line) })
		if res.Err != nil {
			run.addStage(st.name, "failed", res.Attempts, res.Duration, logName)
			return fail(st.name, res.Err, res.Tail)
		}
		run.addStage(st.name, "succeeded", res.Attempts, res.Duration, logName)
		progress("[%s] succeeded after %s", st.name, res.Duration.Round(time.Millisecond))
	}

	images := map[string]cty.Value{}
	for _, im := range ps.images {
		v, err := w.pushImage(ctx, ps, im, progress)
		if err != nil {
			run.addStage("image "+im.name, "failed", 1, 0, "")
			return fail("image "+im.name, err, nil)
		}
		images[im.name] = v
	}

	// Promotes see the pushed images' digests.
	if len(ps.promotes) > 0 {
		ps2, d := decodePipeline(rc, addr, w.scope.evalContext(refs, in.rep), ws, images)
		if d.HasErrors() {
			return fail("promote", diagsErr(d), nil)
		}
		ps.promotes = ps2.promotes
	}
	var promotes []cty.Value
	for _, pr := range ps.promotes {
		v, err := w.commitPromote(ctx, ps, pr, progress)
		if err != nil {
			return fail(fmt.Sprintf("promote %d", pr.index), err, nil)
		}
		promotes = append(promotes, v)
		if pr.source.Name != "" {
			if d := w.rereadSource(ctx, pr.source); d.HasErrors() {
				return fail(fmt.Sprintf("promote %d", pr.index), diagsErr(d), nil)
			}
		}
	}

	w.runPost(ctx, ps, ws, runDir, env, true, progress)
	run.status, run.finished = "succeeded", time.Now()
	val := record(pipelineValue(ps, run.value(), images, promotes))
	w.finished(addr, plans.Run, start, diags)
	return val, diags
}

// approve passes an approval gate: named with -approve, or answered yes by
// the person running apply. A run nobody can be asked in fails with how to
// pass the gate.
func (w *applyWalk) approve(ctx context.Context, gate, message string, progress func(string, ...any)) (bool, error) {
	for _, g := range w.c.Approved {
		if g == gate {
			progress("[%s] %s approved by -approve=%s", gate[strings.LastIndex(gate, ".")+1:], quoteMsg(message), gate)
			return true, nil
		}
	}
	if w.c.Ask == nil {
		return false, fmt.Errorf("approval gate %s (%s) needs approval, and this run is not interactive; pass -approve=%s to approve it", gate, quoteMsg(message), gate)
	}
	ok, err := w.c.Ask(ctx, gate, message)
	if err != nil {
		return false, fmt.Errorf("approval gate %s: %w", gate, err)
	}
	if !ok {
		return false, fmt.Errorf("approval gate %s (%s) was declined", gate, quoteMsg(message))
	}
	progress("[%s] approved at the terminal", gate[strings.LastIndex(gate, ".")+1:])
	return true, nil
}

func quoteMsg(s string) string { return strconv.Quote(s) }

// runPost runs the post commands of a run: success or failure, then
// always. Their failure is reported but does not change the outcome.
func (w *applyWalk) runPost(ctx context.Context, ps *pipelineSpec, ws, runDir string, env []string, succeeded bool, progress func(string, ...any)) {
	cmds := ps.post.failure
	kind := "failure"
	if succeeded {
		cmds, kind = ps.post.success, "success"
	}
	for _, step := range []struct {
		name string
		cmds []string
	}{{"post " + kind, cmds}, {"post always", ps.post.always}} {
		if len(step.cmds) == 0 {
			continue
		}
		res := runner.RunStage(ctx, ws, filepath.Join(runDir, strings.ReplaceAll(step.name, " ", "-")+".log"), env,
			runner.Stage{Name: step.name, Run: step.cmds, Mask: ps.masks}, func(line string) { progress("[%s] %s", step.name, line) })
		if res.Err != nil {
			progress("[%s] failed: %v", step.name, res.Err)
		}
	}
}

// pushImage builds and pushes one image through the registry provider.
func (w *applyWalk) pushImage(ctx context.Context, ps *pipelineSpec, im *imageSpec, progress func(string, ...any)) (cty.Value, error) {
	cfg, resp, d := w.planImage(ctx, ps, im, cty.NullVal(cty.DynamicPseudoType))
	if d.HasErrors() {
		return cty.NilVal, diagsErr(d)
	}
	conn := w.conns[registryProvider]
	label := "image " + im.name
	progress("[%s] building %s:%s", label, im.repo, strings.Join(im.tags, ", "))
	ar, err := conn.apply.Do(ctx, sdk.ApplyRequest{
		Address: ps.addr.String() + ".image." + im.name, TypeName: imageResourceType, Config: cfg,
		PriorState: cty.NullVal(cfg.Type()), PlannedState: resp.PlannedState, PlannedPrivate: resp.PlannedPrivate,
	}, func(msg string) { progress("[%s] %s", label, msg) })
	if err != nil {
		return cty.NilVal, err
	}
	if ar.Diagnostics.HasErrors() {
		return cty.NilVal, diagsErr(providerDiags(ar.Diagnostics, "", nil))
	}
	digest := strAttr(ar.NewState, "digest")
	if digest == "" {
		return cty.NilVal, fmt.Errorf("the registry provider pushed %s but reported no digest", im.repo)
	}
	v := plannedImageValue(im).AsValueMap()
	v["digest"] = cty.StringVal(digest)
	v["ref"] = cty.StringVal(im.repo + "@" + digest)
	if ref := strAttr(ar.NewState, "ref"); ref != "" {
		v["ref"] = cty.StringVal(ref)
	}
	return cty.ObjectVal(v), nil
}

// commitPromote commits one promote through the git provider.
func (w *applyWalk) commitPromote(ctx context.Context, ps *pipelineSpec, pr *promoteSpec, progress func(string, ...any)) (cty.Value, error) {
	cfg, resp, d := w.planPromote(ctx, ps, pr)
	if d.HasErrors() {
		return cty.NilVal, diagsErr(d)
	}
	conn := w.conns[gitProvider]
	label := fmt.Sprintf("promote %d", pr.index)
	ar, err := conn.apply.Do(ctx, sdk.ApplyRequest{
		Address: fmt.Sprintf("%s.promote[%d]", ps.addr, pr.index), TypeName: promoteResourceType, Config: cfg,
		PriorState: cty.NullVal(cfg.Type()), PlannedState: resp.PlannedState, PlannedPrivate: resp.PlannedPrivate,
	}, func(msg string) { progress("[%s] %s", label, msg) })
	if err != nil {
		return cty.NilVal, err
	}
	if ar.Diagnostics.HasErrors() {
		return cty.NilVal, diagsErr(providerDiags(ar.Diagnostics, "", nil))
	}
	_, val, _ := promoteChange(pr, ar.NewState)
	return val, nil
}

// rereadSource reads a source again after a promote moved it, so that
// whatever reads it later in this apply sees the new commit, and records
// the new value.
func (w *applyWalk) rereadSource(ctx context.Context, src addrs.Resource) hcl.Diagnostics {
	rc := w.cfg.Resources[src.String()]
	if rc == nil {
		return nil
	}
	schema, ok := w.schemaOf(rc.Addr, rc.Provider)
	conn := w.conns[rc.Provider]
	if !ok || conn == nil {
		return nil
	}
	addr := rc.Addr.Instance(addrs.NoKey)
	cfgVal, sens, diags := w.evalResourceConfig(rc, schema, instance{addr: addr})
	if diags.HasErrors() {
		return diags
	}
	prior := cty.NullVal(schema.ImpliedType())
	if ri := w.a.get(addr); ri != nil {
		prior = ri.Value
	}
	r := rc.DeclRange
	resps, err := conn.sources.Do(ctx, []sdk.SourceReadRequest{{Address: addr.String(), TypeName: typeOf(rc), Config: cfgVal, PriorState: prior}})
	if err != nil {
		return append(diags, errorf("Source read failed", &r, "Reading %s again after a promote: %v", addr, err))
	}
	diags = append(diags, providerDiags(resps[0].Diagnostics, addr.String(), &r)...)
	if diags.HasErrors() {
		return diags
	}
	after := fillObject(schema, resps[0].State)
	w.vals.setResource(rc.Addr, after)
	w.a.set(&state.ResourceInstance{Addr: addr, Provider: rc.Provider, Type: typeOf(rc), Value: after, Sensitive: sens})
	w.persist(nil)
	return diags
}

// pruneRuns removes the log directories of all but the last keptRuns
// runs, counting the run about to start.
func pruneRuns(dir string, current int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err == nil && e.IsDir() && n <= current-keptRuns {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}
