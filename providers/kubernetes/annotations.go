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
	"fmt"
	"slices"
	"strconv"
	"strings"

	"slipway.dev/slipway/internal/builtin"
)

// The annotations that order a sync and make hooks, slipway's own and
// those of Argo CD and Helm that mean the same. Where two say the same
// thing of one object, slipway's wins, then Argo CD's, then Helm's, as
// Argo CD itself prefers its own to Helm's.
const (
	annotationWave = "slipway.dev/sync-wave"
	annotationHook = "slipway.dev/hook"

	argoWave           = "argocd.argoproj.io/sync-wave"
	argoHook           = "argocd.argoproj.io/hook"
	argoDeletePolicy   = "argocd.argoproj.io/hook-delete-policy"
	argoSyncOptions    = builtin.ArgoSyncOptions
	argoCompareOptions = "argocd.argoproj.io/compare-options"

	helmHook           = "helm.sh/hook"
	helmWeight         = "helm.sh/hook-weight"
	helmDeletePolicy   = "helm.sh/hook-delete-policy"
	helmResourcePolicy = builtin.HelmResourcePolicy
)

// hookSkip is the hook value that keeps an object out of every sync.
const hookSkip = "Skip"

// slipwayHooks maps the values of slipway.dev/hook to Argo CD's phases.
var slipwayHooks = map[string]string{
	"pre-sync":    builtin.HookPreSync,
	"sync":        builtin.HookSync,
	"post-sync":   builtin.HookPostSync,
	"sync-fail":   builtin.HookSyncFail,
	"post-delete": builtin.HookPostDelete,
	"skip":        hookSkip,
}

// argoHooks are the values of argocd.argoproj.io/hook.
var argoHooks = []string{builtin.HookPreSync, builtin.HookSync, builtin.HookPostSync, builtin.HookSyncFail, builtin.HookPostDelete, hookSkip}

// helmHooks maps Helm's hook events to phases, as Argo CD maps them; an
// event not listed (test, pre-rollback, and pre-delete, which Argo CD
// runs as a PreDelete hook and slipway has no phase for) has no phase, so
// the object is never applied.
var helmHooks = map[string]string{
	"pre-install":  builtin.HookPreSync,
	"pre-upgrade":  builtin.HookPreSync,
	"post-install": builtin.HookPostSync,
	"post-upgrade": builtin.HookPostSync,
	"post-delete":  builtin.HookPostDelete,
}

// Hook delete policies.
const (
	policySucceeded      = "HookSucceeded"
	policyFailed         = "HookFailed"
	policyBeforeCreation = "BeforeHookCreation"
)

var helmPolicies = map[string]string{
	"hook-succeeded":       policySucceeded,
	"hook-failed":          policyFailed,
	"before-hook-creation": policyBeforeCreation,
}

// syncOptions are the per-object options of argocd.argoproj.io/sync-options
// (and compare-options) that slipway honours.
type syncOptions struct {
	// NoPrune: the object is never pruned; when it leaves the manifests
	// it stays in the cluster and in the inventory (Prune=false).
	NoPrune bool
	// NoDelete: the object is left in place when the app is destroyed
	// (Delete=false).
	NoDelete bool
	// PruneLast: once the object leaves the manifests, it is pruned after
	// every other object is applied and healthy, as the app's prune_last
	// prunes them all (PruneLast=true).
	PruneLast bool
	// Replace: the object is replaced (PUT, or created) rather than
	// applied (Replace=true).
	Replace bool
	// SkipDryRun: a kind the cluster does not serve yet is planned as
	// known after apply instead of refused
	// (SkipDryRunOnMissingResource=true).
	SkipDryRun bool
	// IgnoreExtraneous: once out of the manifests, the object is no
	// reason for a warning or an OutOfSync status
	// (compare-options: IgnoreExtraneous).
	IgnoreExtraneous bool
}

// syncOptionNames are the sync options slipway knows; those with
// nothing to do are accepted because slipway always does them
// (ServerSideApply=true, CreateNamespace=true) or its server-side apply
// has no client-side validation to turn off (Validate=false).
var syncOptionNames = map[string]func(o *syncOptions, v bool){
	"Prune":                       func(o *syncOptions, v bool) { o.NoPrune = !v },
	"Delete":                      func(o *syncOptions, v bool) { o.NoDelete = !v },
	"Replace":                     func(o *syncOptions, v bool) { o.Replace = v },
	"SkipDryRunOnMissingResource": func(o *syncOptions, v bool) { o.SkipDryRun = v },
	"ServerSideApply":             func(*syncOptions, bool) {},
	"Validate":                    func(*syncOptions, bool) {},
	"CreateNamespace":             func(*syncOptions, bool) {},
	"PruneLast":                   func(o *syncOptions, v bool) { o.PruneLast = v },
	"ApplyOutOfSyncOnly":          func(*syncOptions, bool) {},
	"RespectIgnoreDifferences":    func(*syncOptions, bool) {},
}

// objectAnnotations is what an object's annotations say of its sync.
type objectAnnotations struct {
	wave int
	// phases are the hook phases the object runs in; none for an object
	// of the app. skip: never applied.
	phases   []string
	skip     bool
	policies []string // delete policies of a hook, BeforeHookCreation by default
	opts     syncOptions
}

// readAnnotations reads the sync annotations of an object. Values slipway
// cannot read are errors that name the annotation, where Argo CD would
// ignore them silently.
func readAnnotations(ann map[string]string) (objectAnnotations, error) {
	var a objectAnnotations
	var err error
	switch {
	case ann[annotationWave] != "":
		a.wave, err = parseWave(annotationWave, ann[annotationWave])
	case ann[argoWave] != "":
		a.wave, err = parseWave(argoWave, ann[argoWave])
	case ann[helmWeight] != "":
		a.wave, err = parseWave(helmWeight, ann[helmWeight])
	}
	if err != nil {
		return a, err
	}

	switch {
	case ann[annotationHook] != "":
		for _, v := range csv(ann[annotationHook]) {
			p, ok := slipwayHooks[v]
			if !ok {
				return a, fmt.Errorf("annotation %s=%q: %q is not a hook phase; use pre-sync, sync, post-sync, sync-fail, post-delete or skip", annotationHook, ann[annotationHook], v)
			}
			a.phases = append(a.phases, p)
		}
	case ann[argoHook] != "":
		for _, v := range csv(ann[argoHook]) {
			if !slices.Contains(argoHooks, v) {
				return a, fmt.Errorf("annotation %s=%q: %q is not a hook phase; use %s", argoHook, ann[argoHook], v, strings.Join(argoHooks, ", "))
			}
			a.phases = append(a.phases, v)
		}
	case ann[helmHook] != "" && ann[helmHook] != "crd-install":
		// Helm's hooks in an app of plain manifests: the events Argo CD
		// maps; an object only of other events is never applied.
		a.skip = true
		for _, v := range csv(ann[helmHook]) {
			if p, ok := helmHooks[v]; ok && !slices.Contains(a.phases, p) {
				a.phases = append(a.phases, p)
				a.skip = false
			}
		}
	}
	if i := slices.Index(a.phases, hookSkip); i >= 0 {
		// Skip alone keeps the object out; with other phases it is
		// ignored, as in Argo CD.
		a.phases = slices.Delete(a.phases, i, i+1)
		if len(a.phases) == 0 {
			a.phases, a.skip = nil, true
		}
	}

	if len(a.phases) > 0 {
		for _, v := range csv(ann[argoDeletePolicy]) {
			switch v {
			case policySucceeded, policyFailed, policyBeforeCreation:
				a.policies = appendNew(a.policies, v)
			default:
				return a, fmt.Errorf("annotation %s=%q: %q is not a delete policy; use HookSucceeded, HookFailed or BeforeHookCreation", argoDeletePolicy, ann[argoDeletePolicy], v)
			}
		}
		for _, v := range csv(ann[helmDeletePolicy]) {
			if p, ok := helmPolicies[v]; ok {
				a.policies = appendNew(a.policies, p)
			}
		}
		if len(a.policies) == 0 {
			a.policies = []string{policyBeforeCreation}
		}
	}

	for _, v := range csv(ann[argoSyncOptions]) {
		name, val, ok := strings.Cut(v, "=")
		set, known := syncOptionNames[name]
		b, err := strconv.ParseBool(val)
		if !ok || !known || err != nil {
			return a, fmt.Errorf("annotation %s=%q: %q is not a sync option slipway knows; use Prune=false, Delete=false, Replace=true, ServerSideApply=true, Validate=false, CreateNamespace=true or SkipDryRunOnMissingResource=true", argoSyncOptions, ann[argoSyncOptions], v)
		}
		set(&a.opts, b)
	}
	if builtin.ResourcePolicyKeep(ann[helmResourcePolicy]) {
		// Helm keeps such an object when the release is uninstalled and
		// when it leaves the chart; Argo CD honours it too.
		a.opts.NoPrune, a.opts.NoDelete = true, true
	}
	for _, v := range csv(ann[argoCompareOptions]) {
		switch v {
		case "IgnoreExtraneous":
			a.opts.IgnoreExtraneous = true
		case "ServerSideDiff=true", "ServerSideDiff=false", "IncludeMutationWebhook=true", "IncludeMutationWebhook=false":
			// slipway's diff is always the server's.
		default:
			return a, fmt.Errorf("annotation %s=%q: %q is not a compare option slipway knows; use IgnoreExtraneous", argoCompareOptions, ann[argoCompareOptions], v)
		}
	}
	return a, nil
}

func parseWave(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("annotation %s=%q is not an integer", name, v)
	}
	return n, nil
}

// csv splits a comma-separated annotation value, trimming each entry
// and dropping empty ones.
func csv(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
