// Copyright 2026 The slipway Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package pipeline

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/pipeline/runner"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// keptRuns is how many runs' logs a pipeline keeps on disk.
const keptRuns = 10

// ErrNotApproved is the cause of a run stopped at an approval gate.
var ErrNotApproved = fmt.Errorf("not approved")

// Apply runs every instance of a pipeline block the plan says runs.
func (Kind) Apply(ctx context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	insts, diags := h.Expand(rc)
	if diags.HasErrors() {
		return diags
	}
	vals := make([]cty.Value, len(insts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, in := range insts {
		ch := h.Change(in.Addr)
		if ch == nil || ch.Action != plans.Run {
			vals[i] = cty.DynamicVal
			if ri := h.Prior(in.Addr); ri != nil {
				vals[i] = ri.Value
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, d := runInstance(ctx, h, rc, in)
			mu.Lock()
			vals[i] = v
			diags = append(diags, d...)
			mu.Unlock()
		}()
	}
	d := h.ApplyDeletes(ctx, rc)
	wg.Wait()
	diags = append(diags, d...)
	h.SetValues(rc, insts, vals)
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

// runInstance carries out one run: its stages, then its images, then its
// promotes. The run is in state from its start (as running) to its end,
// so a crash leaves a record that the next plan reads as "run again".
func runInstance(ctx context.Context, h kind.ApplyHost, rc *lang.Resource, in kind.Instance) (cty.Value, hcl.Diagnostics) {
	addr := in.Addr
	start := time.Now()
	prior := h.Prior(addr)
	priorVal := cty.NullVal(pipelineValueType)
	if prior != nil {
		priorVal = prior.Value
	}
	ectx, diags := h.EvalContext(rc, in)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	ws := workspaceOf(h.Dir(), h.Workspace(), addr)
	ps, d := decodePipeline(rc, addr, ectx, ws, nil)
	diags = append(diags, d...)
	if ps == nil {
		return cty.DynamicVal, diags
	}
	r := ps.decl
	if !ps.run {
		// Its when condition was unknown at plan (it reads what this
		// apply makes), and the plan ran it for that; it is false now:
		// nothing runs, and state keeps what it had.
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Pipeline skipped", Subject: &r,
			Detail: fmt.Sprintf("%s did not run: %s, now that what it reads is known (the plan could not tell, and showed it as a run).", addr, ps.skipWhy)})
		if prior != nil {
			return prior.Value, diags
		}
		return cty.DynamicVal, diags
	}
	// The directory is this instance's alone before anything is written
	// to it.
	own := ps.name
	if err := ownDirs(h.Dir(), h.Workspace(), own, filepath.Join(own, ownerFile), filepath.Join(own, "workspace"), filepath.Join(own, "runs")); err != nil {
		return cty.DynamicVal, append(diags, kind.Errorf("Pipeline directory not slipway's own", &r, "%s cannot run: %v.", addr, err))
	}
	if err := claimDir(h.Dir(), h.Workspace(), addr, ps.name, h.PriorOf); err != nil {
		return cty.DynamicVal, append(diags, kind.Errorf("Pipeline directory taken", &r, "%s cannot run: %v.", addr, err))
	}
	progress := func(format string, args ...any) { h.Progress(addr, fmt.Sprintf(format, args...)) }
	h.Started(addr, plans.Run)

	run := &pipelineRun{number: 1, status: "running", started: start, commit: kind.StrAttr(ps.source, builtin.SourceCommit)}
	if lr := kind.AttrOr(priorVal, "run", cty.NullVal(pipelineRunType)); !lr.IsNull() {
		if n := kind.AttrOr(lr, "number", cty.NullVal(cty.Number)); !n.IsNull() && n.IsKnown() {
			last, _ := n.AsBigFloat().Int64()
			run.number = int(last) + 1
		}
	}
	baseDir := h.Dir()
	runDir := filepath.Join(pipelineDir(baseDir, h.Workspace(), ps.name), "runs", strconv.Itoa(run.number))
	if err := ownDirs(baseDir, h.Workspace(), filepath.Join(own, "runs", strconv.Itoa(run.number))); err != nil {
		return cty.DynamicVal, append(diags, kind.Errorf("Pipeline directory not slipway's own", &r, "%s cannot run: %v.", addr, err))
	}
	run.logDir = filepath.ToSlash(filepath.Join(pipelinesDir(h.Workspace()), ps.name, "runs", strconv.Itoa(run.number)))

	// record writes the pipeline's entry: the last successful run's
	// inputs and effects (value), with this run as its last run.
	// The value may hold sensitive marks; state holds it without them,
	// and their paths beside it.
	record := func(value cty.Value, sens []cty.Path) cty.Value {
		m := value.AsValueMap()
		m["run"] = run.value()
		v, paths := unmarkSensitive(cty.ObjectVal(m))
		h.Record(&state.ResourceInstance{Addr: addr, Type: pipelineType, Value: v, Sensitive: append(paths, sens...)})
		return v
	}
	// What every command of the run sees, post commands included.
	env := append(os.Environ(), "CI=true",
		"SLIPWAY_PIPELINE="+addr.String(), "SLIPWAY_RUN="+strconv.Itoa(run.number), "SLIPWAY_WORKSPACE="+ws,
		"SLIPWAY_COMMIT="+kind.StrAttr(ps.source, builtin.SourceCommit), "SLIPWAY_SHORT_COMMIT="+kind.StrAttr(ps.source, builtin.SourceShortCommit))
	if b, _ := sourceRefName(ps.source, builtin.SourceBranch, "refs/heads/"); b != "" {
		env = append(env, "SLIPWAY_BRANCH="+b)
	}
	for k, v := range ps.env {
		env = append(env, k+"="+v)
	}
	// landed is what this run made that stays whatever comes after: the
	// images it pushed and the commits it promoted.
	var landed []string
	lastGood := priorVal
	if lastGood.IsNull() {
		lastGood = pipelineValue(&pipelineSpec{name: ps.name, source: cty.NullVal(cty.DynamicPseudoType)}, cty.NullVal(pipelineRunType), nil, nil)
	}
	fail := func(stage string, err error, tail []string) (cty.Value, hcl.Diagnostics) {
		run.status, run.failedStage, run.finished = "failed", stage, time.Now()
		runPost(ctx, ps, ws, runDir, env, false, progress)
		record(lastGood, priorSensitive(prior))
		detail := fmt.Sprintf("%s run #%d failed", addr, run.number)
		if stage != "" {
			detail += fmt.Sprintf(" at stage %q", stage)
		}
		detail += ": " + strings.TrimSuffix(err.Error(), ".") + "."
		if len(tail) > 0 {
			detail += "\n\nLast lines of its output:\n  " + strings.Join(tail, "\n  ")
		}
		detail += fmt.Sprintf("\n\nThe whole log is in %s (slipway logs %s). Nothing after this stage ran. %s", run.logDir, addr, landedNote(landed))
		d := append(diags, kind.ErrorDiag("Pipeline failed", detail, &r))
		h.Finished(addr, plans.Run, start, d)
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
	record(lastGood, priorSensitive(prior))
	h.Persist()

	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fail("", err, nil)
	}
	pruneRuns(filepath.Join(pipelineDir(baseDir, h.Workspace(), ps.name), "runs"), run.number)
	progress("run #%d in %s", run.number, ws)
	if err := runner.PrepareWorkspace(ws, kind.StrAttr(ps.source, builtin.SourceDir)); err != nil {
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
			ok, err := h.Approve(ctx, gate, st.message, func(s string) { progress("%s", s) })
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
		}, func(line string) { h.Progress(addr, "["+st.name+"] "+line) })
		if res.Err != nil {
			run.addStage(st.name, "failed", res.Attempts, res.Duration, logName)
			return fail(st.name, res.Err, res.Tail)
		}
		run.addStage(st.name, "succeeded", res.Attempts, res.Duration, logName)
		progress("[%s] succeeded after %s", st.name, res.Duration.Round(time.Millisecond))
	}

	images := map[string]cty.Value{}
	for _, im := range ps.images {
		v, wrote, err := pushImage(ctx, h, ps, im, progress)
		if err != nil {
			run.addStage("image "+im.name, "failed", 1, 0, "")
			if len(wrote) > 0 {
				// The push failed part way: these tags name the new
				// image now, and stay.
				if im.sensitive {
					landed = append(landed, fmt.Sprintf("image %s pushed under %d of its %d tags", im.name, len(wrote), len(im.tags)))
				} else {
					landed = append(landed, fmt.Sprintf("image %s pushed to %s as %s", im.name, im.repo, strings.Join(wrote, ", ")))
				}
			}
			return fail("image "+im.name, err, nil)
		}
		images[im.name] = v
		if im.sensitive {
			landed = append(landed, fmt.Sprintf("image %s pushed", im.name))
		} else {
			landed = append(landed, fmt.Sprintf("image %s pushed to %s", im.name, im.repo))
		}
	}

	// Promotes see the pushed images' digests.
	if len(ps.promotes) > 0 {
		ps2, d := decodePipeline(rc, addr, ectx, ws, images)
		if d.HasErrors() {
			return fail("promote", kind.DiagsErr(d), nil)
		}
		ps.promotes = ps2.promotes
	}
	var promotes []cty.Value
	for _, pr := range ps.promotes {
		v, err := commitPromote(ctx, h, ps, pr, progress)
		if err != nil {
			return fail(fmt.Sprintf("promote %d", pr.index), err, nil)
		}
		promotes = append(promotes, v)
		landed = append(landed, fmt.Sprintf("promote %d committed %s to %s", pr.index, shortCommit(kind.StrAttr(v, "commit")), withoutUserinfo(pr.repo)))
		if pr.source.Name != "" {
			if d := h.RereadSource(ctx, pr.source); d.HasErrors() {
				return fail(fmt.Sprintf("promote %d", pr.index), kind.DiagsErr(d), nil)
			}
		}
	}

	runPost(ctx, ps, ws, runDir, env, true, progress)
	run.status, run.finished = "succeeded", time.Now()
	// Its logs are kept until another run succeeds, however many fail.
	if err := markLastSuccessful(baseDir, h.Workspace(), ps.name, run.number); err != nil {
		progress("could not mark run #%d as the last successful (its logs may be pruned after ten more runs): %v", run.number, err)
	}
	val := record(pipelineValue(ps, run.value(), images, promotes), nil)
	h.Finished(addr, plans.Run, start, diags)
	return val, diags
}

func quoteMsg(s string) string { return strconv.Quote(s) }

// landedNote says what a failed run made before it failed, which stays:
// the images it pushed and the commits it promoted.
func landedNote(landed []string) string {
	if len(landed) == 0 {
		return "No image was pushed and nothing was promoted."
	}
	return fmt.Sprintf("Before it failed, this run made what stays: %s; a GitOps controller may deploy it. State keeps the last successful run, so the next apply runs the pipeline again.", strings.Join(landed, ", "))
}

// withoutUserinfo is a repository URL without the credentials it may
// carry (https://user:token@host/...).
func withoutUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// shortCommit is a commit as people write it, or "a commit" if unknown.
func shortCommit(c string) string {
	switch {
	case c == "":
		return "a commit"
	case len(c) > 7:
		return c[:7]
	}
	return c
}

// runPost runs the post commands of a run: success or failure, then
// always. Their failure is reported but does not change the outcome.
func runPost(ctx context.Context, ps *pipelineSpec, ws, runDir string, env []string, succeeded bool, progress func(string, ...any)) {
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
// When the push fails after some of the image's tags were written, it
// returns them too: the provider's new state names them (its tags), as a
// failed apply's new state says what exists.
func pushImage(ctx context.Context, h kind.ApplyHost, ps *pipelineSpec, im *imageSpec, progress func(string, ...any)) (cty.Value, []string, error) {
	cfg, resp, d := planImage(ctx, h, ps, im)
	if d.HasErrors() {
		return cty.NilVal, nil, kind.DiagsErr(d)
	}
	conn, _ := h.Provider(registryProvider)
	label := "image " + im.name
	progress("[%s] building %s:%s", label, im.repo, strings.Join(im.tags, ", "))
	ar, err := conn.Apply(ctx, sdk.ApplyRequest{
		Address: ps.addr.String() + ".image." + im.name, TypeName: builtin.RegistryImage, Config: cfg,
		PriorState: cty.NullVal(cfg.Type()), PlannedState: resp.PlannedState, PlannedPrivate: resp.PlannedPrivate,
	}, func(msg string) { progress("[%s] %s", label, msg) })
	if err != nil {
		return cty.NilVal, nil, err
	}
	if ar.Diagnostics.HasErrors() {
		return cty.NilVal, pushedTags(ar.NewState), kind.DiagsErr(kind.ProviderDiags(ar.Diagnostics, "", nil))
	}
	digest := kind.StrAttr(ar.NewState, builtin.ImageDigest)
	if digest == "" {
		return cty.NilVal, nil, fmt.Errorf("the registry provider pushed %s but reported no digest", im.repo)
	}
	v := plannedImageValue(im).AsValueMap()
	v["digest"] = sensitiveIf(cty.StringVal(digest), im.sensitive)
	v["ref"] = sensitiveIf(cty.StringVal(im.repo+"@"+digest), im.sensitive)
	if ref := kind.StrAttr(ar.NewState, builtin.ImageRef); ref != "" {
		v["ref"] = sensitiveIf(cty.StringVal(ref), im.sensitive)
	}
	return cty.ObjectVal(v), nil, nil
}

// pushedTags are the tags a registry_image's state says name its image:
// none when the state is null (nothing was pushed) or has no digest.
func pushedTags(st cty.Value) []string {
	if st == cty.NilVal || st.IsNull() || !st.IsWhollyKnown() || !st.Type().IsObjectType() ||
		!st.Type().HasAttribute(builtin.ImageTags) || kind.StrAttr(st, builtin.ImageDigest) == "" {
		return nil
	}
	tags := st.GetAttr(builtin.ImageTags)
	if tags.IsNull() || !tags.CanIterateElements() {
		return nil
	}
	var out []string
	for it := tags.ElementIterator(); it.Next(); {
		if _, v := it.Element(); !v.IsNull() && v.Type() == cty.String {
			out = append(out, v.AsString())
		}
	}
	return out
}

// commitPromote commits one promote through the git provider.
func commitPromote(ctx context.Context, h kind.ApplyHost, ps *pipelineSpec, pr *promoteSpec, progress func(string, ...any)) (cty.Value, error) {
	cfg, resp, d := planPromote(ctx, h, ps, pr)
	if d.HasErrors() {
		return cty.NilVal, kind.DiagsErr(d)
	}
	conn, _ := h.Provider(gitProvider)
	label := fmt.Sprintf("promote %d", pr.index)
	ar, err := conn.Apply(ctx, sdk.ApplyRequest{
		Address: fmt.Sprintf("%s.promote[%d]", ps.addr, pr.index), TypeName: builtin.GitPromote, Config: cfg,
		PriorState: cty.NullVal(cfg.Type()), PlannedState: resp.PlannedState, PlannedPrivate: resp.PlannedPrivate,
	}, func(msg string) { progress("[%s] %s", label, msg) })
	if err != nil {
		return cty.NilVal, err
	}
	if ar.Diagnostics.HasErrors() {
		return cty.NilVal, kind.DiagsErr(kind.ProviderDiags(ar.Diagnostics, "", nil))
	}
	_, val, _ := promoteChange(pr, ar.NewState, cty.NilVal)
	return val, nil
}

// pruneRuns removes the log directories of all but the last keptRuns
// runs, counting the run about to start, and the last successful run
// (lastSuccessfulFile), as Jenkins keeps its last successful build
// whatever its log rotation drops.
func pruneRuns(dir string, current int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	keep := LastSuccessful(dir)
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err == nil && e.IsDir() && n <= current-keptRuns && n != keep {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// lastSuccessfulFile, in a pipeline's runs directory, holds the number
// of its last successful run.
const lastSuccessfulFile = "last-successful"

// LastSuccessful is the number of the last successful run that the runs
// directory dir records, 0 when it records none.
func LastSuccessful(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, lastSuccessfulFile))
	if err != nil || len(b) > 20 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// markLastSuccessful records run number as the pipeline's last
// successful run. The file is written beside it and renamed over it, so
// that a link in its place is replaced, never followed.
func markLastSuccessful(cfgDir, ws, name string, number int) error {
	dir := filepath.Join(pipelineDir(cfgDir, ws, name), "runs")
	if err := ownDirs(cfgDir, ws, filepath.Join(name, "runs")); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".last-successful-*")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d\n", number)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, lastSuccessfulFile))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
