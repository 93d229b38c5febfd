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

package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
)

func TestAfterPromote(t *testing.T) {
	t.Parallel()
	str := cty.StringVal
	unknown := cty.UnknownVal(cty.String)
	gitopsSrc := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}
	pipeline := func(name string) addrs.ResourceInstance {
		return addrs.Resource{Kind: addrs.Pipeline, Name: name}.Instance(addrs.NoKey)
	}
	const repo = "registry.example.com/me/app"
	// containers holds image references of every shape.
	containers := func(app, appDigest cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{deployID: cty.ObjectVal(map[string]cty.Value{
			"app":     app,
			"digest":  appDigest,
			"sidecar": str(repo + "-sidecar:v1"),
			"other":   str("registry.example.com/me/other:v1"),
			"note":    str(repo + " is the app"),
		})})
	}
	app := func(dirAttr string, dir, rev, objects cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppName: str("web"), dirAttr: dir, builtin.AppRevision: rev, builtin.AppObjects: objects,
		})
	}
	known := app(builtin.AppManifestsDir, str("/cache/gitops/apps/web"), str(commitA), containers(str(repo+":v1"), str(repo+"@sha256:1")))
	imageWrite := []kind.Write{{By: pipeline("app"), Images: []string{repo}}}
	type result struct {
		Action plans.Action
		Reason plans.Reason
		Detail string
		After  cty.Value
	}
	why := "source.git.gitops will move: pipeline.app promotes to it"
	tests := map[string]struct {
		ch     *plans.ResourceChange
		writes []kind.Write
		want   result
	}{
		"the revision, the manifests and the promoted images are known after the promote": {
			ch:     &plans.ResourceChange{Action: plans.Update, After: known},
			writes: imageWrite,
			want: result{Action: plans.Update, Detail: why,
				After: app(builtin.AppManifestsDir, unknown, unknown, containers(unknown, unknown))},
		},
		"a helm release's chart directory is known after the promote": {
			ch: &plans.ResourceChange{Action: plans.Update,
				After: app(builtin.HelmChartDir, str("/cache/gitops/charts/web"), str(commitA), cty.EmptyObjectVal)},
			writes: imageWrite,
			want: result{Action: plans.Update, Detail: why,
				After: app(builtin.HelmChartDir, unknown, unknown, cty.EmptyObjectVal)},
		},
		"images of other repositories stay known": {
			ch:     &plans.ResourceChange{Action: plans.Update, After: known},
			writes: []kind.Write{{By: pipeline("app"), Images: []string{"registry.example.com/me/other"}}},
			want: result{Action: plans.Update, Detail: why,
				After: app(builtin.AppManifestsDir, unknown, unknown, cty.ObjectVal(map[string]cty.Value{deployID: cty.ObjectVal(map[string]cty.Value{
					"app": str(repo + ":v1"), "digest": str(repo + "@sha256:1"), "sidecar": str(repo + "-sidecar:v1"),
					"other": unknown, "note": str(repo + " is the app"),
				})}))},
		},
		"a promote of anything else makes every object unknown": {
			ch:     &plans.ResourceChange{Action: plans.Update, After: known},
			writes: []kind.Write{{By: pipeline("app"), Other: true}},
			want: result{Action: plans.Update, Detail: why,
				After: app(builtin.AppManifestsDir, unknown, unknown, cty.DynamicVal)},
		},
		"an app with nothing to change changes because its source will move": {
			ch:     &plans.ResourceChange{Action: plans.NoOp, After: known},
			writes: imageWrite,
			want: result{Action: plans.Update, Reason: plans.ReasonInputsChanged, Detail: why,
				After: app(builtin.AppManifestsDir, unknown, unknown, containers(unknown, unknown))},
		},
		"an app that runs none of the images stays as it is": {
			ch:     &plans.ResourceChange{Action: plans.NoOp, After: known},
			writes: []kind.Write{{By: pipeline("app"), Images: []string{"registry.example.com/me/unrelated"}}},
			want:   result{Action: plans.NoOp, After: known},
		},
		"an app whose objects are not known may run the images": {
			ch:     &plans.ResourceChange{Action: plans.NoOp, After: app(builtin.AppManifestsDir, str("/cache/gitops/apps/web"), str(commitA), cty.DynamicVal)},
			writes: []kind.Write{{By: pipeline("app"), Images: []string{"registry.example.com/me/unrelated"}}},
			want: result{Action: plans.Update, Reason: plans.ReasonInputsChanged, Detail: why,
				After: app(builtin.AppManifestsDir, unknown, unknown, cty.DynamicVal)},
		},
		"a promote of anything else changes an app with nothing to change": {
			ch:     &plans.ResourceChange{Action: plans.NoOp, After: known},
			writes: []kind.Write{{By: pipeline("app"), Images: []string{"registry.example.com/me/unrelated"}}, {By: pipeline("other"), Other: true}},
			want: result{Action: plans.Update, Reason: plans.ReasonInputsChanged, Detail: "source.git.gitops will move: pipeline.app, pipeline.other promotes to it",
				After: app(builtin.AppManifestsDir, unknown, unknown, cty.DynamicVal)},
		},
		"a new app says it is new first": {
			ch:     &plans.ResourceChange{Action: plans.Create, Reason: plans.ReasonNew, After: known},
			writes: imageWrite,
			want: result{Action: plans.Create, Reason: plans.ReasonNew, Detail: "it is new; " + why,
				After: app(builtin.AppManifestsDir, unknown, unknown, containers(unknown, unknown))},
		},
		"a change with a reason of its own keeps it first": {
			ch:     &plans.ResourceChange{Action: plans.Update, Reason: plans.ReasonConfigChanged, ReasonDetail: "namespace changed", After: known},
			writes: imageWrite,
			want: result{Action: plans.Update, Reason: plans.ReasonConfigChanged, Detail: "namespace changed; " + why,
				After: app(builtin.AppManifestsDir, unknown, unknown, containers(unknown, unknown))},
		},
		"every pipeline that promotes is named": {
			ch: &plans.ResourceChange{Action: plans.Update, After: known},
			writes: []kind.Write{
				{By: pipeline("app"), Images: []string{repo}},
				{By: pipeline("other"), Images: []string{"registry.example.com/me/other"}},
			},
			want: result{Action: plans.Update, Detail: "source.git.gitops will move: pipeline.app, pipeline.other promotes to it",
				After: app(builtin.AppManifestsDir, unknown, unknown, cty.ObjectVal(map[string]cty.Value{deployID: cty.ObjectVal(map[string]cty.Value{
					"app": unknown, "digest": unknown, "sidecar": str(repo + "-sidecar:v1"), "other": unknown, "note": str(repo + " is the app"),
				})}))},
		},
		"a deleted app is left alone": {
			ch:     &plans.ResourceChange{Action: plans.Delete, Reason: plans.ReasonRemoved, After: cty.NullVal(known.Type())},
			writes: imageWrite,
			want:   result{Action: plans.Delete, Reason: plans.ReasonRemoved, After: cty.NullVal(known.Type())},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			afterPromote(tc.ch, gitopsSrc, tc.writes)
			got := result{tc.ch.Action, tc.ch.Reason, tc.ch.ReasonDetail, tc.ch.After}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("afterPromote (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsImageOf(t *testing.T) {
	t.Parallel()
	repos := []string{"registry.example.com/me/app", "ghcr.io/org/tool"}
	tests := map[string]struct {
		ref  string
		want bool
	}{
		"the repository itself":          {ref: "registry.example.com/me/app", want: true},
		"with a tag":                     {ref: "registry.example.com/me/app:v1", want: true},
		"with a digest":                  {ref: "registry.example.com/me/app@sha256:0123", want: true},
		"another of the repositories":    {ref: "ghcr.io/org/tool:latest", want: true},
		"a repository that extends it":   {ref: "registry.example.com/me/app-sidecar:v1", want: false},
		"a repository below it":          {ref: "registry.example.com/me/app/worker:v1", want: false},
		"the same path on another host":  {ref: "docker.io/me/app:v1", want: false},
		"a text that begins with it":     {ref: "registry.example.com/me/app is the app", want: false},
		"a repository it is a suffix of": {ref: "mirror.example.com/registry.example.com/me/app:v1", want: false},
		"an empty reference":             {ref: "", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, isImageOf(tc.ref, repos)); diff != "" {
				t.Errorf("isImageOf(%q) (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}

// TestLoweringAfterWrites runs the lowering's AfterWrites over writes to
// several sources: each is applied, in the order of the sources' names.
func TestLoweringAfterWrites(t *testing.T) {
	t.Parallel()
	rc := loadBlock(t, webApp)
	src := func(name string) addrs.Resource { return addrs.Resource{Kind: addrs.Source, Type: "git", Name: name} }
	by := addrs.Resource{Kind: addrs.Pipeline, Name: "app"}.Instance(addrs.NoKey)
	ch := &plans.ResourceChange{Action: plans.NoOp, After: appValue(map[string]cty.Value{
		deployID: cty.ObjectVal(map[string]cty.Value{"image": cty.StringVal("r/app:v1")}),
	})}
	lowering(rc, typeOf(rc)).AfterWrites(ch, map[addrs.Resource][]kind.Write{
		src("zeta"):  {{By: by, Other: true}},
		src("alpha"): {{By: by, Images: []string{"r/app"}}},
	})
	want := "source.git.alpha will move: pipeline.app promotes to it; source.git.zeta will move: pipeline.app promotes to it"
	if diff := cmp.Diff([]any{plans.Update, want}, []any{ch.Action, ch.ReasonDetail}); diff != "" {
		t.Errorf("AfterWrites (-want +got):\n%s", diff)
	}
}

// TestAfterPromoteRollout: a promote that rewrites the image of an app's
// rollout Deployment makes where the rollout will stand, and the revision
// the Deployment carries, known after apply, and proposes the road: a
// start, or a supersede of the rollout under way.
func TestAfterPromoteRollout(t *testing.T) {
	t.Parallel()
	const repo = "registry.example.com/me/app"
	w := 50
	spec := (&rolloutspec.Spec{Rollout: "canary", Canary: &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{{SetWeight: &w}}}}).Encode()
	value := func(status string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppName: cty.StringVal("web"), builtin.AppRevision: cty.StringVal(commitA), builtin.AppManifestsDir: cty.StringVal("/x"),
			builtin.AppRollout: cty.StringVal(spec), builtin.AppRolloutStatus: cty.StringVal(status), builtin.AppRolloutPlan: cty.NullVal(cty.String),
			builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{deployID: cty.ObjectVal(map[string]cty.Value{
				"metadata": cty.ObjectVal(map[string]cty.Value{"annotations": cty.ObjectVal(map[string]cty.Value{builtin.RolloutRevisionAnnotation: cty.StringVal("abc")})}),
				"image":    cty.StringVal(repo + ":v1"),
			})}),
		})
	}
	healthy := (&rolloutspec.Status{Phase: rolloutspec.PhaseHealthy, Revision: "r1"}).Encode()
	paused := (&rolloutspec.Status{Phase: rolloutspec.PhasePaused, Revision: "r2", Steps: []string{"set_weight 50", "100%"}}).Encode()
	writes := []kind.Write{{By: addrs.Resource{Kind: addrs.Pipeline, Name: "app"}.Instance(addrs.NoKey), Images: []string{repo}}}
	src := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}
	for name, tc := range map[string]struct {
		before     string
		wantAction string
	}{"from a healthy app": {healthy, rolloutspec.ActionStart}, "during a pause": {paused, rolloutspec.ActionSupersede}} {
		t.Run(name, func(t *testing.T) {
			ch := &plans.ResourceChange{Action: plans.Update, Before: value(tc.before), After: value(tc.before)}
			afterPromote(ch, src, writes)
			if ch.After.GetAttr(builtin.AppRolloutStatus).IsKnown() {
				t.Error("rollout_status stays known")
			}
			ann := ch.After.GetAttr(builtin.AppObjects).GetAttr(deployID).GetAttr("metadata").GetAttr("annotations").GetAttr(builtin.RolloutRevisionAnnotation)
			if ann.IsKnown() {
				t.Error("the Deployment's revision annotation stays known")
			}
			p := statusOf(ch.After, builtin.AppRolloutPlan)
			if p == nil || p.Action != tc.wantAction || p.Road() != "set_weight 50 -> 100%" {
				t.Fatalf("rollout_plan = %+v, want %s with the road", p, tc.wantAction)
			}
			if tc.wantAction == rolloutspec.ActionSupersede && p.Superseded != "r2" {
				t.Errorf("superseded = %q, want r2", p.Superseded)
			}
		})
	}
}
