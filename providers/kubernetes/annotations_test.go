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

package kubernetes

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
)

func TestReadAnnotations(t *testing.T) {
	t.Parallel()
	before := []string{policyBeforeCreation}
	tests := map[string]struct {
		ann  map[string]string
		want objectAnnotations
	}{
		"none":                       {nil, objectAnnotations{}},
		"argo wave":                  {map[string]string{argoWave: "-1"}, objectAnnotations{wave: -1}},
		"slipway wave wins":          {map[string]string{annotationWave: "2", argoWave: "3", helmWeight: "4"}, objectAnnotations{wave: 2}},
		"argo wave over helm weight": {map[string]string{argoWave: "3", helmWeight: "4"}, objectAnnotations{wave: 3}},
		"helm weight":                {map[string]string{helmWeight: "-5"}, objectAnnotations{wave: -5}},
		"argo hook, default policy": {map[string]string{argoHook: "PreSync"},
			objectAnnotations{phases: []string{builtin.HookPreSync}, policies: before}},
		"argo hooks": {map[string]string{argoHook: "PreSync, PostSync", argoDeletePolicy: "HookSucceeded,HookFailed"},
			objectAnnotations{phases: []string{builtin.HookPreSync, builtin.HookPostSync}, policies: []string{policySucceeded, policyFailed}}},
		"skip":           {map[string]string{argoHook: "Skip"}, objectAnnotations{skip: true}},
		"skip and phase": {map[string]string{argoHook: "Skip,PostSync"}, objectAnnotations{phases: []string{builtin.HookPostSync}, policies: before}},
		"slipway hook wins": {map[string]string{annotationHook: "post-sync", argoHook: "PreSync"},
			objectAnnotations{phases: []string{builtin.HookPostSync}, policies: before}},
		"slipway skip": {map[string]string{annotationHook: "skip"}, objectAnnotations{skip: true}},
		"argo hook over helm's": {map[string]string{argoHook: "Sync", helmHook: "pre-install"},
			objectAnnotations{phases: []string{builtin.HookSync}, policies: before}},
		"helm pre": {map[string]string{helmHook: "pre-install,pre-upgrade", helmWeight: "1", helmDeletePolicy: "hook-succeeded,before-hook-creation"},
			objectAnnotations{wave: 1, phases: []string{builtin.HookPreSync}, policies: []string{policySucceeded, policyBeforeCreation}}},
		"helm post":                     {map[string]string{helmHook: "post-upgrade"}, objectAnnotations{phases: []string{builtin.HookPostSync}, policies: before}},
		"helm test is never applied":    {map[string]string{helmHook: "test"}, objectAnnotations{skip: true}},
		"helm crd-install is an object": {map[string]string{helmHook: "crd-install"}, objectAnnotations{}},
		"argo and helm policies": {map[string]string{argoHook: "PostSync", argoDeletePolicy: "HookFailed", helmDeletePolicy: "hook-succeeded"},
			objectAnnotations{phases: []string{builtin.HookPostSync}, policies: []string{policyFailed, policySucceeded}}},
		"policy of no hook": {map[string]string{argoDeletePolicy: "HookSucceeded"}, objectAnnotations{}},
		"sync options": {map[string]string{argoSyncOptions: "Prune=false,Delete=false,Replace=true,ServerSideApply=true,Validate=false,CreateNamespace=true,SkipDryRunOnMissingResource=true"},
			objectAnnotations{opts: syncOptions{NoPrune: true, NoDelete: true, Replace: true, SkipDryRun: true}}},
		"compare options":                   {map[string]string{argoCompareOptions: "IgnoreExtraneous"}, objectAnnotations{opts: syncOptions{IgnoreExtraneous: true}}},
		"helm keep":                         {map[string]string{helmResourcePolicy: " Keep "}, objectAnnotations{opts: syncOptions{NoPrune: true, NoDelete: true}}},
		"helm delete policy is the default": {map[string]string{helmResourcePolicy: "delete"}, objectAnnotations{}},
		"helm post-delete": {map[string]string{helmHook: "post-delete"},
			objectAnnotations{phases: []string{builtin.HookPostDelete}, policies: before}},
		"helm pre-delete is never applied": {map[string]string{helmHook: "pre-delete"}, objectAnnotations{skip: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := readAnnotations(tc.ann)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(objectAnnotations{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildDesiredHooks(t *testing.T) {
	t.Parallel()
	yaml := `apiVersion: batch/v1
kind: Job
metadata:
  generateName: db-migrate-
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
    argocd.argoproj.io/sync-wave: "-1"
---
apiVersion: v1
kind: Pod
metadata:
  name: smoke
  annotations:
    argocd.argoproj.io/hook: PostSync
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: never
  annotations:
    argocd.argoproj.io/hook: Skip
---
apiVersion: batch/v1
kind: Job
metadata:
  name: notify
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-weight: "5"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  annotations:
    argocd.argoproj.io/sync-wave: "3"
`
	d, err := buildDesired(appConfig{Name: "a", Namespace: "app"}, decode(t, yaml), testScoper, "default")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v1 ConfigMap app/web"}, d.ids()); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if w := d.objects[0].wave; w != 3 {
		t.Errorf("wave of the ConfigMap = %d, want 3", w)
	}
	var labels []string
	for _, phase := range []string{builtin.HookPreSync, builtin.HookPostSync} {
		for _, h := range hooksOf(d, phase) {
			labels = append(labels, hookLabel(h))
		}
	}
	want := []string{
		"PreSync batch/v1 Job app/db-migrate-… (generateName db-migrate-)",
		"PostSync v1 Pod app/smoke",
		"PostSync batch/v1 Job app/notify",
	}
	if diff := cmp.Diff(want, labels); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	hv := hooksVal(d)
	if n := hv.LengthInt(); n != 3 {
		t.Fatalf("hooks attribute has %d entries, want 3", n)
	}
	first := hv.Index(cty.NumberIntVal(0))
	if g := first.GetAttr(builtin.HookGenerateName); !g.RawEquals(cty.StringVal("db-migrate-")) {
		t.Errorf("generate_name = %#v", g)
	}
	if p := first.GetAttr(builtin.HookDeletePolicy); !p.RawEquals(cty.ListVal([]cty.Value{cty.StringVal(policySucceeded)})) {
		t.Errorf("delete_policy = %#v", p)
	}

	// The plan's manifests give apply the same set.
	back, err := desiredFromPrivate(privateData{Manifests: manifestsOf(d)})
	if err != nil {
		t.Fatal(err)
	}
	if !hooksVal(back).RawEquals(hv) {
		t.Errorf("hooks after the plan = %#v, want %#v", hooksVal(back), hv)
	}
	if hooksVal(&desiredSet{}).IsNull() == false {
		t.Error("an app without hooks should have null hooks")
	}
}

// TestIgnoreDifferencesKeepsSyncMarks: an ignore_differences rule that
// covers the labels and annotations takes them out of what is compared
// and applied, but never slipway's labels or the sync annotations: a hook
// stays a hook through the plan's manifests, and Prune=false stays.
func TestIgnoreDifferencesKeepsSyncMarks(t *testing.T) {
	t.Parallel()
	yaml := `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  labels: {team: a}
  annotations:
    argocd.argoproj.io/hook: PreSync
    note: x
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: data
  annotations:
    argocd.argoproj.io/sync-options: Prune=false,Delete=false
    note: other
`
	cfg := appConfig{Name: "a", Namespace: "app", Ignore: []ignoreRule{{Group: "*", Kind: "*", Pointers: []string{"/metadata/annotations", "/metadata/labels"}}}}
	d, err := buildDesired(cfg, decode(t, yaml), testScoper, "default")
	if err != nil {
		t.Fatal(err)
	}
	back, err := desiredFromPrivate(privateData{Manifests: manifestsOf(d)})
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []*desiredSet{d, back} {
		if len(set.hooks) != 1 || set.hooks[0].hook != builtin.HookPreSync || len(set.objects) != 1 {
			t.Fatalf("hooks %d, objects %v; want the Job a PreSync hook and the ConfigMap an object", len(set.hooks), set.ids())
		}
		for _, o := range []*desiredObject{set.hooks[0], set.objects[0]} {
			l := o.obj.GetLabels()
			if l[labelManagedBy] != managedBy || l[labelApp] != "a" || l["team"] != "" {
				t.Errorf("%s labels %v; want slipway's and no other", o.id, l)
			}
			if o.obj.GetAnnotations()["note"] != "" {
				t.Errorf("%s kept an ignored annotation: %v", o.id, o.obj.GetAnnotations())
			}
		}
		if o := set.objects[0]; !o.opts.NoPrune || !o.opts.NoDelete {
			t.Errorf("%s options %+v; want Prune=false and Delete=false kept", o.id, o.opts)
		}
	}
}

func TestRunName(t *testing.T) {
	t.Parallel()
	h := &desiredObject{generateName: "db-migrate-", hook: builtin.HookPreSync, hash: "0123456789abcdef"}
	r := &syncRun{cfg: appConfig{Revision: "9F8E7D6C5B4A"}}
	r.started = r.started.AddDate(2026, 0, 0)
	got := r.runName(h)
	want := "db-migrate-9f8e7d6-presync-" // then the time
	if len(got) <= len(want) || got[:len(want)] != want {
		t.Errorf("runName = %q, want it to start with %q", got, want)
	}
	r.cfg.Revision = ""
	if got := r.runName(h); got[:len("db-migrate-0123456-presync-")] != "db-migrate-0123456-presync-" {
		t.Errorf("runName without revision = %q", got)
	}
}
