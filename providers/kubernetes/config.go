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
	"math"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// appSchema is the schema of resource kubernetes_app, the resource the
// core lowers each `app` block instance into.
var appSchema = sdk.Schema{
	Description: "An application: the manifests of a directory (plain YAML or kustomize) synced to a cluster with server-side apply.",
	Attributes: map[string]sdk.Attribute{
		builtin.AppName:              {Type: cty.String, Required: true, ForceNew: true, Description: "The app's name; objects carry it in the label slipway.dev/app."},
		builtin.AppManifestsDir:      {Type: cty.String, Required: true, Local: true, Description: "Absolute local directory of the manifests: a kustomization, or YAML/JSON files read recursively."},
		builtin.AppNamespace:         {Type: cty.String, Optional: true, Description: "Destination namespace for namespaced objects that name none."},
		builtin.AppCreateNamespace:   {Type: cty.Bool, Optional: true, Description: "Create the destination namespace when the manifests do not hold it."},
		builtin.AppPrune:             {Type: cty.Bool, Optional: true, Description: "Delete objects that left the manifests."},
		builtin.AppPruneLast:         {Type: cty.Bool, Optional: true, Description: "Prune after every other object is applied and healthy, instead of before."},
		builtin.AppSelfHeal:          {Type: cty.Bool, Optional: true, Description: "Recorded for `slipway reconcile`: correct drift of the live objects without a change in the manifests."},
		builtin.AppRevision:          {Type: cty.String, Optional: true, Provenance: true, Description: "The source commit the manifests come from, recorded in state. A new commit that leaves the app's manifests as they are is no change: apply records it without syncing."},
		builtin.AppWaitTimeout:       {Type: cty.String, Optional: true, Description: "How long to wait for the objects to become healthy after applying (\"5m\"); empty: do not wait."},
		builtin.AppRetry:             {Type: builtin.RetryType, Optional: true, Description: "Retries of transient API errors and conflicts while applying: limit (5), backoff (\"5s\"), factor (2), max_backoff (\"3m\")."},
		builtin.AppIgnoreDifferences: {Type: cty.List(builtin.IgnoreDifferenceType), Optional: true, Description: "Fields slipway neither applies nor compares, as JSON pointers per kind (group, kind, optional name and namespace)."},
		builtin.AppObjects:           {Type: cty.DynamicPseudoType, Computed: true, Description: "Every object of the app by ID (\"apps/v1 Deployment web/web\"), as the API server holds it, limited to the fields the manifests set."},
		builtin.AppInventory:         {Type: cty.List(cty.String), Computed: true, Description: "The IDs of every object the app owns, for pruning."},
		builtin.AppAdopt:             {Type: builtin.AdoptType, Optional: true, Description: "Take over in place the objects Argo CD (from = \"argocd\", name = the Application) or Flux (from = \"flux\", name = the Kustomization's namespace/name) synced, by their tracking label or annotation, which the apply replaces with slipway's labels."},
		builtin.AppAdopted:           {Type: cty.DynamicPseudoType, Computed: true, Description: "The objects this plan takes over from Argo CD or Flux, by ID, as they are live (with slipway's labels), limited to the fields the manifests set."},
		builtin.AppHooks:             {Type: cty.List(builtin.HookType), Computed: true, Description: "The hooks a sync runs (annotated argocd.argoproj.io/hook, helm.sh/hook or slipway.dev/hook): phase, id, generate_name, wave, delete_policy, and manifest (the object the run creates, as JSON; sensitive for a Secret). They are runs, not objects of the app; null when there are none."},
		builtin.AppRollout:           {Type: cty.String, Optional: true, Description: "The progressive delivery strategy the app follows (canary or blue-green), as JSON: when a Deployment's pod template changes, the new template takes over step by step instead of at once."},
		builtin.AppRolloutAction:     {Type: cty.String, Optional: true, Local: true, Description: "A one-off request of `slipway rollout` for the rollout under way: promote, promote_full, abort or retry. Never set it in configuration."},
		builtin.AppRolloutPlan:       {Type: cty.String, Computed: true, Local: true, Description: "What the plan proposes for the app's rollout, as JSON: the road, where it stands and what the next apply does (start, continue, supersede, abort or hold); null when the plan does nothing with it."},
		builtin.AppRolloutStatus:     {Type: cty.String, Computed: true, Description: "Where the app's rollout stands, as JSON: strategy, steps, the step under way, weight, analysis results, and an aborted revision; null without a rollout."},
	},
}

// appConfig is an app's configuration, read from its cty value.
type appConfig struct {
	Name, Dir, Namespace string
	CreateNamespace      bool
	Prune, PruneLast     bool
	SelfHeal             bool
	Revision             string
	WaitTimeout          time.Duration // zero: do not wait
	Retry                retryPolicy
	Ignore               []ignoreRule
	Adopt                kube.Adoption // zero: adopt nothing
	// Rollout is the strategy of the app's Deployment, nil for none;
	// RolloutRequest a request of `slipway rollout`.
	Rollout        *rolloutspec.Spec
	RolloutRequest string
}

// ignoreRule is one entry of ignore_differences.
type ignoreRule struct {
	Group, Kind, Name, Namespace string
	Pointers                     []string
}

// matches reports whether the rule applies to the object id.
func (r ignoreRule) matches(id kube.ObjectID) bool {
	group := r.Group
	if group == "core" {
		group = ""
	}
	return (group == id.Group || group == "*") &&
		(r.Kind == id.Kind || r.Kind == "*") &&
		(r.Name == "" || r.Name == id.Name) &&
		(r.Namespace == "" || r.Namespace == id.Namespace)
}

// retryPolicy is an exponential backoff for transient errors.
type retryPolicy struct {
	Limit      int
	Backoff    time.Duration
	Factor     float64
	MaxBackoff time.Duration
}

var defaultRetry = retryPolicy{Limit: 5, Backoff: 5 * time.Second, Factor: 2, MaxBackoff: 3 * time.Minute}

// renderInputs are the attributes that decide the desired objects; the
// manifests can be rendered at plan time only when all are known.
var renderInputs = []string{builtin.AppName, builtin.AppManifestsDir, builtin.AppNamespace, builtin.AppCreateNamespace, builtin.AppIgnoreDifferences, builtin.AppRollout}

// parseAppConfig reads a known configuration; problems are attribute
// diagnostics.
func parseAppConfig(conf cty.Value) (appConfig, sdk.Diagnostics) {
	var diags sdk.Diagnostics
	c := appConfig{
		Name:            sdk.GetString(conf, builtin.AppName),
		Dir:             sdk.GetString(conf, builtin.AppManifestsDir),
		Namespace:       sdk.GetString(conf, builtin.AppNamespace),
		CreateNamespace: sdk.GetBool(conf, builtin.AppCreateNamespace),
		Prune:           sdk.GetBool(conf, builtin.AppPrune),
		PruneLast:       sdk.GetBool(conf, builtin.AppPruneLast),
		SelfHeal:        sdk.GetBool(conf, builtin.AppSelfHeal),
		Revision:        sdk.GetString(conf, builtin.AppRevision),
		Retry:           defaultRetry,
	}
	if c.Name == "" {
		diags.AddAttributeError(cty.GetAttrPath(builtin.AppName), "Missing app name", "The app needs a name: it labels every object (slipway.dev/app) so slipway can tell its objects apart.")
	}
	if c.CreateNamespace && c.Namespace == "" {
		diags.AddAttributeError(cty.GetAttrPath(builtin.AppCreateNamespace), "No namespace to create",
			"create_namespace is set but namespace is empty; set the destination namespace or remove create_namespace.")
	}
	if sdk.IsSet(conf, builtin.AppAdopt) {
		a := conf.GetAttr(builtin.AppAdopt)
		c.Adopt = kube.Adoption{Tool: sdk.GetString(a, builtin.AdoptFrom), Name: sdk.GetString(a, builtin.AdoptName)}
		if err := c.Adopt.Check(); err != nil {
			diags.AddAttributeError(cty.GetAttrPath(builtin.AppAdopt), "Invalid adopt", err.Error())
		}
	}
	spec, req, err := rolloutConfig(conf)
	if err != nil {
		diags.AddAttributeError(cty.GetAttrPath(builtin.AppRollout), "Invalid rollout strategy", err.Error())
	}
	c.Rollout, c.RolloutRequest = spec, req
	wait, waitDiags := kube.ParseWaitTimeout(conf)
	c.WaitTimeout = wait
	diags = append(diags, waitDiags...)
	if sdk.IsSet(conf, builtin.AppRetry) {
		r := conf.GetAttr(builtin.AppRetry)
		p := cty.GetAttrPath(builtin.AppRetry)
		if sdk.IsSet(r, builtin.RetryLimit) {
			c.Retry.Limit = int(numberOr(r, builtin.RetryLimit, 5))
			if c.Retry.Limit < 0 {
				diags.AddAttributeError(p.GetAttr(builtin.RetryLimit), "Invalid retry limit", "The retry limit must be zero or more.")
			}
		}
		for _, f := range []struct {
			name string
			dst  *time.Duration
		}{{builtin.RetryBackoff, &c.Retry.Backoff}, {builtin.RetryMaxBackoff, &c.Retry.MaxBackoff}} {
			if s := sdk.GetString(r, f.name); s != "" {
				d, err := time.ParseDuration(s)
				if err != nil || d < 0 {
					diags.AddAttributeError(p.GetAttr(f.name), "Invalid retry "+f.name,
						fmt.Sprintf("%q is not a duration; write it like \"5s\".", s))
				}
				*f.dst = d
			}
		}
		if sdk.IsSet(r, builtin.RetryFactor) {
			c.Retry.Factor = numberOr(r, builtin.RetryFactor, 2)
			if c.Retry.Factor < 1 || math.IsInf(c.Retry.Factor, 0) {
				diags.AddAttributeError(p.GetAttr(builtin.RetryFactor), "Invalid retry factor", "The backoff factor must be 1 or more.")
			}
		}
	}
	if sdk.IsSet(conf, builtin.AppIgnoreDifferences) {
		for i, v := range conf.GetAttr(builtin.AppIgnoreDifferences).AsValueSlice() {
			if v.IsNull() {
				continue
			}
			r := ignoreRule{
				Group:     sdk.GetString(v, builtin.IgnoreGroup),
				Kind:      sdk.GetString(v, builtin.IgnoreKind),
				Name:      sdk.GetString(v, builtin.IgnoreName),
				Namespace: sdk.GetString(v, builtin.IgnoreNamespace),
			}
			p := cty.GetAttrPath(builtin.AppIgnoreDifferences).IndexInt(i)
			if r.Kind == "" {
				diags.AddAttributeError(p.GetAttr(builtin.IgnoreKind), "Missing kind", "Each ignore_differences entry names the kind it applies to (\"Deployment\", or \"*\" for every kind).")
			}
			if sdk.IsSet(v, builtin.IgnoreJSONPointers) {
				for j, ptr := range v.GetAttr(builtin.IgnoreJSONPointers).AsValueSlice() {
					if ptr.IsNull() {
						continue
					}
					s := ptr.AsString()
					if _, err := parsePointer(s); err != nil {
						diags.AddAttributeError(p.GetAttr(builtin.IgnoreJSONPointers).IndexInt(j), "Invalid JSON pointer", err.Error())
						continue
					}
					r.Pointers = append(r.Pointers, s)
				}
			}
			c.Ignore = append(c.Ignore, r)
		}
	}
	return c, diags
}
