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
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

func TestInputsMoved(t *testing.T) {
	t.Parallel()
	digest := func(c byte) string { return "sha256:" + strings.Repeat(string(c), 64) }
	tests := map[string]struct {
		before, after map[string]string
		want          string
	}{
		"nothing moved": {
			before: map[string]string{"source.git.app": commitA, "stage.test": "sha256:1"},
			after:  map[string]string{"source.git.app": commitA, "stage.test": "sha256:1"},
			want:   "",
		},
		"a source's commit moved": {
			before: map[string]string{"source.git.app": commitA},
			after:  map[string]string{"source.git.app": commitB},
			want:   "source.git.app moved 1a2b3c4 -> 9f8e7d6",
		},
		"a digest is shortened to twelve digits": {
			before: map[string]string{"source.image.base": digest('1')},
			after:  map[string]string{"source.image.base": digest('2')},
			want:   "source.image.base moved sha256:111111111111 -> sha256:222222222222",
		},
		"an identity that is neither commit nor digest is shown whole": {
			before: map[string]string{"source.chart.web": "1.2.0"},
			after:  map[string]string{"source.chart.web": "1.2.1"},
			want:   "source.chart.web moved 1.2.0 -> 1.2.1",
		},
		"a stage changed": {
			before: map[string]string{"stage.test": "sha256:1"},
			after:  map[string]string{"stage.test": "sha256:2"},
			want:   `stage "test" changed`,
		},
		"an image was added": {
			before: map[string]string{},
			after:  map[string]string{"image.app": "sha256:1"},
			want:   `image "app" was added`,
		},
		"a promote was removed": {
			before: map[string]string{"promote.1": "sha256:1"},
			after:  map[string]string{},
			want:   "promote 1 was removed",
		},
		"a source was added": {
			before: map[string]string{},
			after:  map[string]string{"source.git.lib": commitA},
			want:   "source.git.lib was added",
		},
		"the pipeline's own settings changed": {
			before: map[string]string{"pipeline": "sha256:1"},
			after:  map[string]string{"pipeline": "sha256:2"},
			want:   "the pipeline's settings changed",
		},
		"sources come first, then the rest by name": {
			before: map[string]string{"stage.a": "1", "image.b": "1", "source.git.z": commitA},
			after:  map[string]string{"stage.a": "2", "image.b": "2", "source.git.z": commitB},
			want:   `source.git.z moved 1a2b3c4 -> 9f8e7d6; image "b" changed; stage "a" changed`,
		},
		"three are all named": {
			before: map[string]string{"stage.a": "1", "stage.b": "1", "stage.c": "1"},
			after:  map[string]string{"stage.a": "2", "stage.b": "2", "stage.c": "2"},
			want:   `stage "a" changed; stage "b" changed; stage "c" changed`,
		},
		"a fourth is counted": {
			before: map[string]string{"stage.a": "1", "stage.b": "1", "stage.c": "1", "stage.d": "1"},
			after:  map[string]string{"stage.a": "2", "stage.b": "2", "stage.c": "2", "stage.d": "2"},
			want:   `stage "a" changed; stage "b" changed; stage "c" changed; 1 more`,
		},
		"more than three are counted": {
			before: map[string]string{"stage.a": "1", "stage.b": "1", "stage.c": "1", "stage.d": "1", "stage.e": "1"},
			after:  map[string]string{"stage.a": "2", "stage.b": "2", "stage.c": "2", "stage.d": "2", "stage.e": "2"},
			want:   `stage "a" changed; stage "b" changed; stage "c" changed; 2 more`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, inputsMoved(tc.before, tc.after)); diff != "" {
				t.Errorf("inputsMoved (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPromoteChange(t *testing.T) {
	t.Parallel()
	gitops := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}
	change := func(file, field, before, after string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.ChangeFile: cty.StringVal(file), builtin.ChangeField: cty.StringVal(field),
			builtin.ChangeBefore: cty.StringVal(before), builtin.ChangeAfter: cty.StringVal(after),
		})
	}
	planned := func(changes, commit, diff cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.PromoteURL: cty.StringVal(gitopsURL), builtin.PromoteBranch: cty.StringVal("main"),
			builtin.PromotePath: cty.StringVal("apps/app"), builtin.PromoteBaseCommit: cty.StringVal(commitG),
			builtin.PromoteChanges: changes, builtin.PromoteCommit: commit, builtin.PromoteDiff: diff,
		})
	}
	changeList := cty.ListVal([]cty.Value{
		change("apps/app/kustomization.yaml", "images[registry.example.com/me/app].newTag", "v1", "v2"),
		change("apps/app/VERSION", "", "v1\n", "v2\n"),
	})
	const udiff = "--- a/apps/app/VERSION\n+++ b/apps/app/VERSION\n@@ -1 +1 @@\n-v1\n+v2\n"
	value := func(commit, changes cty.Value) cty.Value {
		v := map[string]cty.Value{
			"repo": cty.StringVal(gitopsURL), "branch": cty.StringVal("main"), "path": cty.StringVal("apps/app"),
			"commit": commit, "changes": changes,
		}
		// The fixtures set no inputs.
		for _, n := range promoteInputs {
			v[n] = cty.NullVal(cty.String)
		}
		return cty.ObjectVal(v)
	}
	type result struct {
		Address       string
		Action        plans.Action
		Before, After cty.Value
		Value         cty.Value
		Pending       bool
	}
	tests := map[string]struct {
		pr      *promoteSpec
		planned cty.Value
		want    result
	}{
		"nothing to change: no commit": {
			pr:      &promoteSpec{repo: gitopsURL, source: gitops},
			planned: planned(cty.ListValEmpty(pipelineChangeType), cty.StringVal(commitG), cty.StringVal("")),
			want: result{
				Address: "promote source.git.gitops apps/app", Action: plans.NoOp,
				Before: cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG)}),
				After:  cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG)}),
				Value:  value(cty.StringVal(commitG), cty.ListValEmpty(pipelineChangeType)),
			},
		},
		"each change from before to after, by file and field, with the diff": {
			pr:      &promoteSpec{repo: gitopsURL, source: gitops},
			planned: planned(changeList, cty.UnknownVal(cty.String), cty.StringVal(udiff)),
			want: result{
				Address: "promote source.git.gitops apps/app", Action: plans.Update, Pending: true,
				Before: cty.ObjectVal(map[string]cty.Value{
					"commit": cty.StringVal(commitG),
					"apps/app/kustomization.yaml images[registry.example.com/me/app].newTag": cty.StringVal("v1"),
					"apps/app/VERSION": cty.StringVal("v1\n"), "diff": cty.NullVal(cty.String),
				}),
				After: cty.ObjectVal(map[string]cty.Value{
					"commit": cty.UnknownVal(cty.String),
					"apps/app/kustomization.yaml images[registry.example.com/me/app].newTag": cty.StringVal("v2"),
					"apps/app/VERSION": cty.StringVal("v2\n"), "diff": cty.StringVal(udiff),
				}),
				Value: value(cty.UnknownVal(cty.String), changeList),
			},
		},
		"an empty diff is not shown": {
			pr:      &promoteSpec{repo: gitopsURL, source: gitops},
			planned: planned(cty.ListVal([]cty.Value{change("a.yaml", "x", "1", "2")}), cty.UnknownVal(cty.String), cty.StringVal("")),
			want: result{
				Address: "promote source.git.gitops apps/app", Action: plans.Update, Pending: true,
				Before: cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG), "a.yaml x": cty.StringVal("1")}),
				After:  cty.ObjectVal(map[string]cty.Value{"commit": cty.UnknownVal(cty.String), "a.yaml x": cty.StringVal("2")}),
				Value:  value(cty.UnknownVal(cty.String), cty.ListVal([]cty.Value{change("a.yaml", "x", "1", "2")})),
			},
		},
		"changes known only after apply may commit": {
			pr:      &promoteSpec{repo: gitopsURL, source: gitops},
			planned: planned(cty.UnknownVal(cty.List(pipelineChangeType)), cty.UnknownVal(cty.String), cty.UnknownVal(cty.String)),
			want: result{
				Address: "promote source.git.gitops apps/app", Action: plans.Update, Pending: true,
				Before: cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG)}),
				After:  cty.ObjectVal(map[string]cty.Value{"commit": cty.UnknownVal(cty.String), "changes": cty.DynamicVal}),
				Value:  value(cty.UnknownVal(cty.String), cty.UnknownVal(cty.List(pipelineChangeType))),
			},
		},
		"a repository that is no source is named by its URL": {
			pr:      &promoteSpec{repo: gitopsURL},
			planned: planned(cty.ListValEmpty(pipelineChangeType), cty.StringVal(commitG), cty.StringVal("")),
			want: result{
				Address: "promote " + gitopsURL + " apps/app", Action: plans.NoOp,
				Before: cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG)}),
				After:  cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal(commitG)}),
				Value:  value(cty.StringVal(commitG), cty.ListValEmpty(pipelineChangeType)),
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			nc, val, pending := promoteChange(tc.pr, tc.planned, cty.NilVal)
			got := result{Address: nc.Address, Action: nc.Action, Before: nc.Before, After: nc.After, Value: val, Pending: pending}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("promoteChange (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPromoteRepoSensitive: a promote's repository URL that came from a
// sensitive value (a token in it) is sensitive in the pipeline's value,
// which plans show and state records.
func TestPromoteRepoSensitive(t *testing.T) {
	t.Parallel()
	planned := cty.ObjectVal(map[string]cty.Value{
		builtin.PromotePath: cty.StringVal("apps/app"), builtin.PromoteBranch: cty.StringVal("main"),
		builtin.PromoteBaseCommit: cty.StringVal(commitG), builtin.PromoteCommit: cty.StringVal(commitG),
		builtin.PromoteChanges: cty.ListValEmpty(pipelineChangeType), builtin.PromoteDiff: cty.StringVal(""),
	})
	for _, sens := range []bool{false, true} {
		pr := &promoteSpec{repo: "https://x-access-token:s3cr3t@git.example/org/gitops.git", repoSensitive: sens, source: addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}}
		_, val, _ := promoteChange(pr, planned, cty.NilVal)
		_, paths := unmarkSensitive(val)
		found := false
		for _, p := range paths {
			if p.Equals(cty.GetAttrPath("repo")) {
				found = true
			}
		}
		if found != sens {
			t.Errorf("repository from a sensitive value %v: sensitive paths %#v", sens, paths)
		}
	}
}

// runValue is a pipeline's last run as state records it.
func runValue(number int, status, failedStage string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"number": cty.NumberIntVal(int64(number)), "status": cty.StringVal(status), "commit": cty.StringVal(commitA),
		"started": cty.StringVal("2025-01-02T03:04:05Z"), "finished": cty.StringVal("2025-01-02T03:05:05Z"),
		"failed_stage": cty.StringVal(failedStage), "log_dir": cty.StringVal(".slipway/pipelines/app/runs/1"),
		"stages": cty.ListValEmpty(pipelineStageRunType),
	})
}

func TestLastRunFailure(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		run  cty.Value
		want string
	}{
		"no run":                   {run: cty.NullVal(pipelineRunType), want: ""},
		"a run planned":            {run: cty.UnknownVal(pipelineRunType), want: ""},
		"a run that succeeded":     {run: runValue(3, "succeeded", ""), want: ""},
		"a run cut short":          {run: runValue(3, "running", ""), want: ""},
		"a run that failed":        {run: runValue(3, "failed", ""), want: "its last run #3 failed"},
		"a run that failed at one": {run: runValue(12, "failed", "test"), want: `its last run #12 failed at stage "test"`},
		"a run without a number": {
			run:  cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal("failed"), "failed_stage": cty.StringVal("build")}),
			want: `its last run failed at stage "build"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, lastRunFailure(tc.run)); diff != "" {
				t.Errorf("lastRunFailure (-want +got):\n%s", diff)
			}
		})
	}
}

// fakePlanHost is the engine as planInstance sees it. The embedded
// interface is nil: a call the test does not expect panics.
type fakePlanHost struct {
	kind.PlanHost
	dir       string
	replace   bool
	providers map[addrs.Provider]kind.Provider

	mu     sync.Mutex
	writes map[addrs.Resource][]kind.Write
}

func (h *fakePlanHost) Dir() string                                  { return h.dir }
func (h *fakePlanHost) Workspace() string                            { return state.DefaultWorkspace }
func (h *fakePlanHost) ReplaceRequested(addrs.ResourceInstance) bool { return h.replace }
func (h *fakePlanHost) RolloutRequest(addrs.ResourceInstance) string { return "" }
func (h *fakePlanHost) Provider(p addrs.Provider) (kind.Provider, bool) {
	pr, ok := h.providers[p]
	return pr, ok
}
func (h *fakePlanHost) AddWrite(src addrs.Resource, w kind.Write) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.writes == nil {
		h.writes = map[addrs.Resource][]kind.Write{}
	}
	h.writes[src] = append(h.writes[src], w)
}

// fakeProvider plans with plan and records what it was asked.
type fakeProvider struct {
	schemas *sdk.ProviderSchemas
	plan    func(req sdk.PlanRequest) cty.Value

	mu   sync.Mutex
	reqs []sdk.PlanRequest
}

func (p *fakeProvider) Schemas() *sdk.ProviderSchemas { return p.schemas }
func (p *fakeProvider) Plan(_ context.Context, req sdk.PlanRequest) (sdk.PlanResponse, error) {
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()
	return sdk.PlanResponse{PlannedState: p.plan(req)}, nil
}
func (p *fakeProvider) Apply(context.Context, sdk.ApplyRequest, func(string)) (sdk.ApplyResponse, error) {
	panic("a plan applies nothing")
}

// The schemas of the built-in providers' types, as far as pipelines use
// them.
var (
	imageSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.ImageRepository: {Type: cty.String, Required: true}, builtin.ImageTags: {Type: cty.List(cty.String), Required: true},
		builtin.ImageBase: {Type: cty.String, Optional: true}, builtin.ImagePlatform: {Type: cty.String, Optional: true},
		builtin.ImageContextDir: {Type: cty.String, Required: true}, builtin.ImageFiles: {Type: cty.Map(cty.String), Optional: true},
		builtin.ImageEntrypoint: {Type: cty.List(cty.String), Optional: true}, builtin.ImageCmd: {Type: cty.List(cty.String), Optional: true},
		builtin.ImageEnv: {Type: cty.Map(cty.String), Optional: true}, builtin.ImageLabels: {Type: cty.Map(cty.String), Optional: true},
		builtin.ImageUser: {Type: cty.String, Optional: true}, builtin.ImageWorkdir: {Type: cty.String, Optional: true},
		builtin.ImageDigest: {Type: cty.String, Computed: true}, builtin.ImageRef: {Type: cty.String, Computed: true},
	}}
	promoteSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.PromoteURL: {Type: cty.String, Required: true}, builtin.PromoteBranch: {Type: cty.String, Required: true},
		builtin.PromoteBaseCommit: {Type: cty.String, Optional: true}, builtin.PromotePath: {Type: cty.String, Required: true},
		builtin.PromoteImage: {Type: cty.String, Optional: true}, builtin.PromoteNewTag: {Type: cty.String, Optional: true},
		builtin.PromoteDigest: {Type: cty.String, Optional: true}, builtin.PromoteYAMLPath: {Type: cty.String, Optional: true},
		builtin.PromoteValue: {Type: cty.String, Optional: true}, builtin.PromoteContent: {Type: cty.String, Optional: true},
		builtin.PromoteMessage: {Type: cty.String, Required: true},
		builtin.PromoteChanges: {Type: cty.List(pipelineChangeType), Computed: true},
		builtin.PromoteDiff:    {Type: cty.String, Computed: true}, builtin.PromoteCommit: {Type: cty.String, Computed: true},
	}}
)

// priorState is a pipeline's state entry after a run.
func priorState(addr addrs.ResourceInstance, inputs map[string]string, run cty.Value, images map[string]cty.Value) *state.ResourceInstance {
	in := cty.MapValEmpty(cty.String)
	if len(inputs) > 0 {
		m := map[string]cty.Value{}
		for k, v := range inputs {
			m[k] = cty.StringVal(v)
		}
		in = cty.MapVal(m)
	}
	imgs := cty.MapValEmpty(pipelineImageType)
	if len(images) > 0 {
		imgs = cty.MapVal(images)
	}
	return &state.ResourceInstance{Addr: addr, Type: pipelineType, Value: cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("app"), "inputs": in, "commit": cty.StringVal(commitA),
		"stages": cty.ListVal([]cty.Value{cty.StringVal("test")}), "approvals": cty.ListValEmpty(cty.String),
		"run": run, "image": imgs, "promote": cty.ListValEmpty(pipelinePromoteType),
	})}
}

func TestPlanInstance(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  stage "test" {
    run = ["go test ./..."]
  }
}
`
	now := scope{Sources: map[string]cty.Value{"git.app": gitSource("app", "main", commitB)}}
	// inputsNow are the inputs of the fixture as it is now; prior
	// states are made from them.
	current, errs := decode(t, src, now, nil)
	if current == nil {
		t.Fatal(errs)
	}
	inputsNow := current.inputs
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range inputsNow {
			m[k] = v
		}
		m[k] = v
		return m
	}
	addr := current.addr
	type result struct {
		Action plans.Action
		Reason plans.Reason
		Detail string
	}
	tests := map[string]struct {
		src     string // the fixture when not src
		sc      scope  // now when zero
		prior   *state.ResourceInstance
		replace bool
		want    result
	}{
		"a pipeline that never ran runs": {
			prior: nil,
			want:  result{plans.Run, plans.ReasonNew, "it has never run successfully"},
		},
		"a pipeline that never succeeded runs, and its failure is told": {
			prior: priorState(addr, nil, runValue(1, "failed", "test"), nil),
			want:  result{plans.Run, plans.ReasonNew, `it has never run successfully; its last run #1 failed at stage "test"`},
		},
		"a pipeline whose source moved runs": {
			prior: priorState(addr, with("source.git.app", commitA), runValue(2, "succeeded", ""), nil),
			want:  result{plans.Run, plans.ReasonInputsChanged, "source.git.app moved 1a2b3c4 -> 9f8e7d6"},
		},
		"a pipeline whose stage changed runs": {
			prior: priorState(addr, with("stage.test", "sha256:0000000000000000"), runValue(2, "succeeded", ""), nil),
			want:  result{plans.Run, plans.ReasonInputsChanged, `stage "test" changed`},
		},
		"a pipeline whose last run failed says so after why it runs": {
			prior: priorState(addr, with("source.git.app", commitA), runValue(4, "failed", "test"), nil),
			want:  result{plans.Run, plans.ReasonInputsChanged, `source.git.app moved 1a2b3c4 -> 9f8e7d6; its last run #4 failed at stage "test"`},
		},
		"a pipeline whose inputs did not move but whose last run failed runs": {
			prior: priorState(addr, inputsNow, runValue(3, "failed", "build"), nil),
			want:  result{plans.Run, plans.ReasonLastRunFailed, `its last run #3 failed at stage "build"`},
		},
		"a pipeline whose inputs did not move is up to date": {
			prior: priorState(addr, inputsNow, runValue(2, "succeeded", ""), nil),
			want:  result{plans.NoOp, plans.ReasonNone, "up to date: source.git.app is still at 9f8e7d6"},
		},
		"a pipeline whose when does not hold is skipped": {
			src:   strings.Replace(src, "source.git.app\n", "source.git.app\n  when { branch = \"release/*\" }\n", 1),
			prior: nil,
			want:  result{plans.NoOp, plans.ReasonNone, `skipped: branch "main" does not match when.branch "release/*"`},
		},
		"-replace runs a pipeline that is up to date": {
			prior:   priorState(addr, inputsNow, runValue(2, "succeeded", ""), nil),
			replace: true,
			want:    result{plans.Run, plans.ReasonReplaceRequested, "-replace requested a run"},
		},
		"a pipeline whose inputs are known only after apply runs": {
			sc: scope{Sources: map[string]cty.Value{
				"git.app": withAttr(gitSource("app", "main", commitB), builtin.SourceCommit, cty.UnknownVal(cty.String)),
			}},
			prior: priorState(addr, inputsNow, runValue(2, "succeeded", ""), nil),
			want:  result{plans.Run, plans.ReasonInputsChanged, "its inputs are known only after apply"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, sc := src, now
			if tc.src != "" {
				s = tc.src
			}
			if tc.sc.Sources != nil {
				sc = tc.sc
			}
			ps, errs := decode(t, s, sc, nil)
			if ps == nil {
				t.Fatal(errs)
			}
			priorVal := cty.NullVal(pipelineValueType)
			if tc.prior != nil {
				priorVal = tc.prior.Value
			}
			h := &fakePlanHost{dir: t.TempDir(), replace: tc.replace}
			ch, diags := planInstance(context.Background(), h, ps, tc.prior, priorVal)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got := result{ch.Action, ch.Reason, ch.ReasonDetail}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("planInstance (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(priorVal, ch.Before, ctyCmp); diff != "" {
				t.Errorf("Before is not the prior value (-want +got):\n%s", diff)
			}
			// A run plans a new value: its inputs now, its run to come.
			// Anything else keeps the prior value.
			if ch.Action == plans.Run {
				after := []cty.Value{ch.After.GetAttr("inputs"), ch.After.GetAttr("run")}
				want := []cty.Value{kindMap(ps.inputs), cty.UnknownVal(pipelineRunType)}
				if diff := cmp.Diff(want, after, ctyCmp); diff != "" {
					t.Errorf("After's inputs and run (-want +got):\n%s", diff)
				}
			} else if diff := cmp.Diff(priorVal, ch.After, ctyCmp); diff != "" {
				t.Errorf("After is not the prior value (-want +got):\n%s", diff)
			}
		})
	}
}

func kindMap(m map[string]string) cty.Value {
	out := map[string]cty.Value{}
	for k, v := range m {
		out[k] = cty.StringVal(v)
	}
	return cty.MapVal(out)
}

// TestPlanRunEffects plans a run that pushes an image and promotes it,
// through fake registry and git providers.
func TestPlanRunEffects(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  image "app" {
    repository = "registry.example.com/me/app"
    tag        = "v2"
  }
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
  }
  promote {
    repo      = source.git.gitops
    path      = "apps/app/values.yaml"
    yaml_path = "replicas"
    value     = "3"
  }
}
`
	sc := scope{Sources: map[string]cty.Value{
		"git.app":    gitSource("app", "main", commitB),
		"git.gitops": gitSource("gitops", "main", commitG),
	}}
	gitops := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}
	oneChange := cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
		builtin.ChangeFile: cty.StringVal("f"), builtin.ChangeField: cty.StringVal("x"),
		builtin.ChangeBefore: cty.StringVal("1"), builtin.ChangeAfter: cty.StringVal("2"),
	})})
	type result struct {
		Nested []string
		Writes map[addrs.Resource][]kind.Write
	}
	tests := map[string]struct {
		changes     map[string]cty.Value // git_promote.changes by path
		priorImages map[string]cty.Value
		want        result
	}{
		"promotes that will commit record their writes": {
			changes: map[string]cty.Value{"apps/app": oneChange, "apps/app/values.yaml": oneChange},
			want: result{
				Nested: []string{"image.app create", "promote source.git.gitops apps/app update", "promote source.git.gitops apps/app/values.yaml update"},
				Writes: map[addrs.Resource][]kind.Write{gitops: {
					{Images: []string{"registry.example.com/me/app"}},
					{Other: true},
				}},
			},
		},
		"a promote with nothing to change records no write": {
			changes: map[string]cty.Value{"apps/app": oneChange, "apps/app/values.yaml": cty.ListValEmpty(pipelineChangeType)},
			want: result{
				Nested: []string{"image.app create", "promote source.git.gitops apps/app update", "promote source.git.gitops apps/app/values.yaml no-op"},
				Writes: map[addrs.Resource][]kind.Write{gitops: {{Images: []string{"registry.example.com/me/app"}}}},
			},
		},
		"a promote whose changes are known only after apply records a write": {
			changes: map[string]cty.Value{"apps/app": cty.UnknownVal(cty.List(pipelineChangeType)), "apps/app/values.yaml": cty.ListValEmpty(pipelineChangeType)},
			want: result{
				Nested: []string{"image.app create", "promote source.git.gitops apps/app update", "promote source.git.gitops apps/app/values.yaml no-op"},
				Writes: map[addrs.Resource][]kind.Write{gitops: {{Images: []string{"registry.example.com/me/app"}}}},
			},
		},
		"an image pushed before is updated": {
			changes:     map[string]cty.Value{"apps/app": cty.ListValEmpty(pipelineChangeType), "apps/app/values.yaml": cty.ListValEmpty(pipelineChangeType)},
			priorImages: map[string]cty.Value{"app": pushed("registry.example.com/me/app", "v1", "sha256:1")},
			want: result{
				Nested: []string{"image.app update", "promote source.git.gitops apps/app no-op", "promote source.git.gitops apps/app/values.yaml no-op"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			registry := &fakeProvider{
				schemas: &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{builtin.RegistryImage: imageSchema}},
				plan:    func(req sdk.PlanRequest) cty.Value { return req.ProposedNewState },
			}
			git := &fakeProvider{
				schemas: &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{builtin.GitPromote: promoteSchema}},
				plan: func(req sdk.PlanRequest) cty.Value {
					m := req.Config.AsValueMap()
					m[builtin.PromoteChanges] = tc.changes[m[builtin.PromotePath].AsString()]
					m[builtin.PromoteCommit] = cty.UnknownVal(cty.String)
					m[builtin.PromoteDiff] = cty.StringVal("")
					return cty.ObjectVal(m)
				},
			}
			ps, errs := decode(t, src, sc, nil)
			if ps == nil {
				t.Fatal(errs)
			}
			h := &fakePlanHost{dir: t.TempDir(), providers: map[addrs.Provider]kind.Provider{registryProvider: registry, gitProvider: git}}
			prior := priorState(ps.addr, map[string]string{"source.git.app": commitA}, runValue(1, "succeeded", ""), tc.priorImages)
			ch, diags := planInstance(context.Background(), h, ps, prior, prior.Value)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			var got result
			for _, nc := range ch.Nested {
				got.Nested = append(got.Nested, nc.Address+" "+nc.Action.String())
			}
			got.Writes = h.writes
			for _, ws := range got.Writes {
				for i := range ws {
					if ws[i].By != ps.addr {
						t.Errorf("a write by %s, want %s", ws[i].By, ps.addr)
					}
					ws[i].By = addrs.ResourceInstance{}
				}
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("planInstance (-want +got):\n%s", diff)
			}
		})
	}

	// The image is lowered to registry_image, built in the workspace; the
	// promotes to git_promote from the source's commit.
	t.Run("the lowered configurations", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var configs []cty.Value
		record := func(req sdk.PlanRequest) cty.Value {
			mu.Lock()
			defer mu.Unlock()
			configs = append(configs, req.Config)
			if req.TypeName != builtin.GitPromote {
				return req.Config
			}
			m := req.Config.AsValueMap()
			m[builtin.PromoteChanges] = cty.ListValEmpty(pipelineChangeType)
			return cty.ObjectVal(m)
		}
		registry := &fakeProvider{schemas: &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{builtin.RegistryImage: imageSchema}}, plan: record}
		git := &fakeProvider{schemas: &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{builtin.GitPromote: promoteSchema}}, plan: record}
		dir := t.TempDir()
		h := &fakePlanHost{dir: dir, providers: map[addrs.Provider]kind.Provider{registryProvider: registry, gitProvider: git}}
		ps, errs := decode(t, src, sc, nil)
		if ps == nil {
			t.Fatal(errs)
		}
		if _, diags := planInstance(context.Background(), h, ps, nil, cty.NullVal(pipelineValueType)); diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		pick := func(v cty.Value, names ...string) map[string]cty.Value {
			out := map[string]cty.Value{}
			for _, n := range names {
				out[n] = v.GetAttr(n)
			}
			return out
		}
		got := []map[string]cty.Value{
			pick(configs[0], builtin.ImageRepository, builtin.ImageTags, builtin.ImageBase, builtin.ImageContextDir, builtin.ImageUser),
			pick(configs[1], builtin.PromoteURL, builtin.PromoteBranch, builtin.PromoteBaseCommit, builtin.PromoteImage, builtin.PromoteNewTag, builtin.PromoteDigest),
			pick(configs[2], builtin.PromotePath, builtin.PromoteYAMLPath, builtin.PromoteValue, builtin.PromoteImage),
		}
		want := []map[string]cty.Value{
			{
				builtin.ImageRepository: cty.StringVal("registry.example.com/me/app"), builtin.ImageTags: cty.ListVal([]cty.Value{cty.StringVal("v2")}),
				builtin.ImageBase: cty.StringVal("scratch"), builtin.ImageUser: cty.NullVal(cty.String),
				builtin.ImageContextDir: cty.StringVal(filepath.Join(dir, ".slipway", "pipelines", "app", "workspace")),
			},
			{
				builtin.PromoteURL: cty.StringVal(gitopsURL), builtin.PromoteBranch: cty.StringVal("main"), builtin.PromoteBaseCommit: cty.StringVal(commitG),
				builtin.PromoteImage: cty.StringVal("registry.example.com/me/app"), builtin.PromoteNewTag: cty.StringVal("v2"),
				builtin.PromoteDigest: cty.NullVal(cty.String),
			},
			{
				builtin.PromotePath: cty.StringVal("apps/app/values.yaml"), builtin.PromoteYAMLPath: cty.StringVal("replicas"),
				builtin.PromoteValue: cty.StringVal("3"), builtin.PromoteImage: cty.NullVal(cty.String),
			},
		}
		if diff := cmp.Diff(want, got, ctyCmp); diff != "" {
			t.Errorf("lowered configurations (-want +got):\n%s", diff)
		}
	})
}

func TestUpToDateDetail(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		inputs map[string]string
		want   string
	}{
		"no source":  {inputs: map[string]string{"stage.test": "sha256:1"}, want: ""},
		"one source": {inputs: map[string]string{"source.git.app": commitB, "stage.test": "sha256:1"}, want: ": source.git.app is still at 9f8e7d6"},
		"sources by name": {
			inputs: map[string]string{"source.git.b": commitB, "source.git.a": commitA, "source.image.c": "sha256:" + strings.Repeat("c", 64)},
			want:   ": source.git.a is still at 1a2b3c4, source.git.b is still at 9f8e7d6, source.image.c is still at sha256:cccccccccccc",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, upToDateDetail(&pipelineSpec{inputs: tc.inputs})); diff != "" {
				t.Errorf("upToDateDetail (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlanDefinitions: a run's planned value carries each stage's
// commands as text, and what a sensitive value went into (the stage's
// commands, the hash of the stage) is sensitive, with no marks left.
func TestPlanDefinitions(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  stage "test" {
    run = ["go vet ./...", "echo done"]
  }
  stage "deploy" {
    run = ["deploy --sum ${sha256(var.token)}"]
  }
}
`
	sc := scope{
		Sources: map[string]cty.Value{"git.app": gitSource("app", "main", commitB)},
		Vars:    map[string]cty.Value{"token": cty.StringVal("hunter2-abc").Mark(kind.SensitiveMark)},
	}
	ps, errs := decode(t, src, sc, nil)
	if ps == nil {
		t.Fatal(errs)
	}
	ch, diags := planInstance(context.Background(), &fakePlanHost{dir: t.TempDir()}, ps, nil, cty.NullVal(pipelineValueType))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if ch.After.ContainsMarked() {
		t.Errorf("the planned value holds marks: %#v", ch.After)
	}
	stage := func(name string) cty.Value { return ch.After.GetAttr("stage").Index(cty.StringVal(name)) }
	if got := stage("test").GetAttr("commands"); !got.RawEquals(cty.StringVal("go vet ./...\necho done\n")) {
		t.Errorf("stage test's commands = %#v", got)
	}
	want := []cty.Path{
		cty.GetAttrPath("inputs").Index(cty.StringVal("stage.deploy")),
		cty.GetAttrPath("stage").Index(cty.StringVal("deploy")).GetAttr("commands"),
	}
	for _, p := range want {
		if !slices.ContainsFunc(ch.AfterSensitive, p.Equals) {
			t.Errorf("%s is not sensitive: %#v", kind.PathString(p), ch.AfterSensitive)
		}
	}
	for _, p := range ch.AfterSensitive {
		if p.Equals(cty.GetAttrPath("inputs").Index(cty.StringVal("stage.test"))) {
			t.Errorf("stage test's hash is sensitive, though no secret went into it")
		}
	}
	sum := sha256.Sum256([]byte("hunter2-abc"))
	if !slices.Contains(ps.masks, hex.EncodeToString(sum[:])) {
		t.Errorf("the secret's sha256 is not masked in the run's output: %q", ps.masks)
	}
}
