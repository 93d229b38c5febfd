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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// Rollouts: a Deployment whose pod template changes, in an app that
// names a strategy, is not applied at once. Its new template runs in a
// second Deployment beside it (NAME-canary, or NAME-preview for
// blue-green) that slipway scales step by step, while the Deployment of
// the manifests keeps the stable template; traffic follows the ready pods
// (replicas), the weights of an HTTPRoute (gateway_api) or a canary
// Ingress (nginx). When the last step is done the Deployment of the
// manifests takes the new template and the canary goes. No controller
// runs in the cluster: the cluster itself holds where a rollout stands,
// in an annotation of the canary Deployment written after every step, so
// an apply killed mid-rollout resumes where it was.
const (
	// rolloutManager is the field manager of what a rollout changes
	// beside the manifests: replicas while a step scales, selectors
	// pinned to one template, route weights.
	rolloutManager = "slipway-rollout"
	// labelRole marks the pods (and objects) of a rollout's new
	// template: "canary" or "preview".
	labelRole = "slipway.dev/rollout-role"
	// annStatus is where the rollout stands (rolloutspec.Status JSON),
	// on the canary or preview Deployment.
	annStatus = "slipway.dev/rollout-status"
	// annRevision is the revision (template hash) a Deployment runs,
	// written by slipway whenever it applies a rollout's workload.
	annRevision = builtin.RolloutRevisionAnnotation
	// annAborted, on the stable Deployment, is the revision whose
	// rollout was aborted and the reason ("REV: reason"): the next plan
	// does not start it again by itself.
	annAborted = "slipway.dev/rollout-aborted"
	// annTriggerHash, on the pod template, is a digest of the objects
	// named by trigger_on: their change changes the template.
	annTriggerHash = "slipway.dev/trigger-hash"
	// annRouteWeights, on an HTTPRoute, is its rules' backendRefs as they
	// were before a canary changed them.
	annRouteWeights = "slipway.dev/rollout-backend-refs"
	// labelPodTemplateHash is the label the Deployment controller gives
	// the pods of each template.
	labelPodTemplateHash = "pod-template-hash"
)

// Roles of the second Deployment.
const (
	roleCanary  = "canary"
	rolePreview = "preview"
)

// plannedRollout is what the plan decided for one workload, handed to
// apply through the private data.
type plannedRollout struct {
	Workload string `json:"workload"` // the Deployment's ID
	Action   string `json:"action"`
	Revision string `json:"revision"`
	Request  string `json:"request,omitempty"`
	// Spec is the strategy of a rollout the app no longer follows
	// (actionFinish): the one state recorded.
	Spec *rolloutspec.Spec `json:"spec,omitempty"`
}

// sameSecond reports whether two strategies keep their rollout in the
// same objects: the same kind (canary or preview) of the same workload,
// with traffic sent the same way (a canary's traffic block; a blue-green's
// active and preview Services). A rollout under way pins Services and
// sets weights by its strategy's traffic, which only that strategy can
// undo: under another, it is finished by the one it began with.
func sameSecond(a, b *rolloutspec.Spec) bool {
	if roleOf(a) != roleOf(b) || a.Workload != b.Workload {
		return false
	}
	switch {
	case a.Canary != nil && b.Canary != nil:
		return a.Canary.Traffic == b.Canary.Traffic
	case a.BlueGreen != nil && b.BlueGreen != nil:
		return a.BlueGreen.ActiveService == b.BlueGreen.ActiveService && a.BlueGreen.PreviewService == b.BlueGreen.PreviewService
	}
	return true
}

// actionFinish ends a rollout under way whose app no longer follows a
// strategy: the Deployment of the manifests takes its template at once
// and what the rollout made goes.
const actionFinish = "finish"

// finishRollout plans the end of a rollout under way when the app's
// rollout block is gone: without it, the canary would stay, and a
// Service pinned to the stable pods with it.
func finishRollout(state cty.Value, prior *rolloutspec.Status, d *desiredSet) (*plannedRollout, *rolloutspec.Status) {
	if prior == nil || (prior.Phase != rolloutspec.PhaseProgressing && prior.Phase != rolloutspec.PhasePaused) {
		return nil, nil
	}
	spec, _, err := rolloutConfig(state)
	if err != nil || spec == nil {
		return nil, nil
	}
	w, err := workloadOf(spec, d)
	if err != nil {
		return nil, nil
	}
	st := *prior
	st.Action = rolloutspec.ActionContinue
	st.Step = len(st.Steps) - 1
	st.Message = "the rollout under way no longer follows the app's strategy: the new template takes over at once, and what the rollout made goes"
	return &plannedRollout{Workload: w.id.String(), Action: actionFinish, Revision: templateRevision(w.obj.Object), Spec: spec}, &st
}

// rolloutConfig reads the app's strategy and request.
func rolloutConfig(conf cty.Value) (*rolloutspec.Spec, string, error) {
	s := sdk.GetString(conf, builtin.AppRollout)
	req := sdk.GetString(conf, builtin.AppRolloutAction)
	if s == "" {
		return nil, req, nil
	}
	spec, err := rolloutspec.DecodeSpec(s)
	if err == nil {
		if spec.Canary != nil && spec.Canary.Traffic.Kind == "" {
			spec.Canary.Traffic.Kind = rolloutspec.TrafficReplicas // the default
		}
		err = checkSpec(spec)
	}
	return spec, req, err
}

// checkSpec refuses a strategy that slipway's language would not have
// produced: this provider may be driven by another host.
func checkSpec(s *rolloutspec.Spec) error {
	if s.Canary != nil && s.BlueGreen != nil {
		return fmt.Errorf("the strategy %q is both canary and blue_green", s.Rollout)
	}
	if w := s.Workload; w != "" && !strings.HasPrefix(w, "Deployment/") {
		return fmt.Errorf("workload %q must name a Deployment, like \"Deployment/web\"", w)
	}
	if c := s.Canary; c != nil {
		last := 0
		for i, st := range c.Steps {
			n := 0
			if st.SetWeight != nil {
				n++
				if *st.SetWeight < 0 || *st.SetWeight > 100 || *st.SetWeight < last {
					return fmt.Errorf("step %d: set_weight %d must be from %d to 100", i+1, *st.SetWeight, last)
				}
				last = *st.SetWeight
			}
			if st.Pause != nil {
				n++
				if d := st.Pause.Duration; d != "" {
					if v, err := time.ParseDuration(d); err != nil || v <= 0 {
						return fmt.Errorf("step %d: pause duration %q is not a duration longer than zero", i+1, d)
					}
				}
			}
			if st.Analysis != "" {
				n++
				if s.Analyses[st.Analysis] == nil {
					return fmt.Errorf("step %d: analysis %q is not among the strategy's analyses", i+1, st.Analysis)
				}
			}
			if n != 1 {
				return fmt.Errorf("step %d must have exactly one of set_weight, pause and analysis", i+1)
			}
		}
		switch c.Traffic.Kind {
		case rolloutspec.TrafficReplicas, "":
		case rolloutspec.TrafficGatewayAPI:
			if c.Traffic.Route == "" {
				return errors.New("gateway_api traffic needs the HTTPRoute's name (route)")
			}
		case rolloutspec.TrafficNginx:
			if c.Traffic.Ingress == "" {
				return errors.New("nginx traffic needs the Ingress's name (ingress)")
			}
		default:
			return fmt.Errorf("unknown traffic %q", c.Traffic.Kind)
		}
	}
	if bg := s.BlueGreen; bg != nil {
		if bg.ActiveService == "" {
			return errors.New("blue_green needs an active_service")
		}
		for _, d := range []string{bg.AutoPromotion, bg.ScaleDownDelay} {
			if v, err := time.ParseDuration(d); d != "" && (err != nil || v <= 0) {
				return fmt.Errorf("%q is not a duration longer than zero", d)
			}
		}
		if a := bg.PrePromotionAnalysis; a != "" && s.Analyses[a] == nil {
			return fmt.Errorf("pre_promotion_analysis %q is not among the strategy's analyses", a)
		}
	}
	return nil
}

// templateRevision is the revision of a Deployment manifest: a digest of
// its pod template as the manifests give it.
func templateRevision(obj map[string]any) string {
	tpl, _, _ := unstructured.NestedFieldNoCopy(obj, "spec", "template")
	b, _ := json.Marshal(tpl)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

// workloadOf finds the Deployment of the manifests that the strategy
// rolls: the one named by workload, or the app's only Deployment.
func workloadOf(spec *rolloutspec.Spec, d *desiredSet) (*desiredObject, error) {
	var deps []*desiredObject
	for _, o := range d.objects {
		if o.id.Group == "apps" && o.id.Kind == "Deployment" {
			deps = append(deps, o)
		}
	}
	if spec.Workload != "" {
		kind, name, _ := strings.Cut(spec.Workload, "/")
		for _, o := range deps {
			if kind == "Deployment" && o.id.Name == name {
				return o, nil
			}
		}
		var names []string
		for _, o := range deps {
			names = append(names, "Deployment/"+o.id.Name)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("the rollout's workload %s names nothing: the app's manifests hold no Deployment", spec.Workload)
		}
		return nil, fmt.Errorf("the rollout's workload %s names nothing in the app's manifests; they hold %s", spec.Workload, strings.Join(names, ", "))
	}
	switch len(deps) {
	case 0:
		return nil, fmt.Errorf("the app follows rollout.%s but its manifests hold no Deployment: a rollout moves a Deployment's pods from one template to the next; remove the app's rollout block or add the Deployment", spec.Rollout)
	case 1:
		return deps[0], nil
	}
	var names []string
	for _, o := range deps {
		names = append(names, "Deployment/"+o.id.Name)
	}
	return nil, fmt.Errorf("the app holds %d Deployments (%s): name the one that rolls out with workload = \"Deployment/NAME\" in the app's rollout block; the others apply at once", len(deps), strings.Join(names, ", "))
}

// prepareRollout marks the workload of an app with a rollout: its
// revision on the Deployment, and the digest of the trigger_on objects on
// its pod template, so that their change rolls it out. It changes the
// desired objects (and their hashes) before anything is planned.
func prepareRollout(spec *rolloutspec.Spec, d *desiredSet) (*desiredObject, error) {
	w, err := workloadOf(spec, d)
	if err != nil {
		return nil, err
	}
	if err := checkNames(spec, w, d); err != nil {
		return nil, err
	}
	if len(spec.TriggerOn) > 0 {
		h := sha256.New()
		for _, ref := range spec.TriggerOn {
			kind, name, _ := strings.Cut(ref, "/")
			var found *desiredObject
			for _, o := range d.objects {
				if o.id.Kind == kind && o.id.Name == name {
					found = o
					break
				}
			}
			if found == nil {
				return nil, fmt.Errorf("trigger_on names %s, which is not among the app's objects", ref)
			}
			fmt.Fprintf(h, "%s=%s\n", found.id, manifestHash(found.obj))
		}
		ann, _, _ := unstructured.NestedStringMap(w.obj.Object, "spec", "template", "metadata", "annotations")
		if ann == nil {
			ann = map[string]string{}
		}
		ann[annTriggerHash] = hex.EncodeToString(h.Sum(nil))[:16]
		_ = unstructured.SetNestedStringMap(w.obj.Object, ann, "spec", "template", "metadata", "annotations")
	}
	ann := w.obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[annRevision] = templateRevision(w.obj.Object)
	w.obj.SetAnnotations(ann)
	w.hash = manifestHash(w.obj)
	return w, nil
}

// checkNames refuses a rollout whose own objects would take the name of
// an object of the app's manifests: slipway would overwrite it.
func checkNames(spec *rolloutspec.Spec, w *desiredObject, d *desiredSet) error {
	svc := func(name string) kube.ObjectID {
		return kube.ObjectID{Version: "v1", Kind: "Service", Namespace: w.id.Namespace, Name: name}
	}
	made := []kube.ObjectID{secondID(w.id, roleOf(spec))}
	switch {
	case spec.Canary != nil && spec.Canary.Traffic.Kind == rolloutspec.TrafficNginx:
		made = append(made, kube.ObjectID{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", Namespace: w.id.Namespace, Name: spec.Canary.Traffic.Ingress + "-canary"})
		fallthrough
	case spec.Canary != nil && spec.Canary.Traffic.Kind == rolloutspec.TrafficGatewayAPI:
		if c := spec.Canary.Traffic.CanaryService; c != "" {
			made = append(made, svc(c))
		} else if s := spec.Canary.Traffic.StableService; s != "" {
			made = append(made, svc(s+"-canary"))
		}
	}
	byID := d.byID()
	for _, id := range made {
		if o := byID[id.String()]; o != nil {
			return fmt.Errorf("the rollout makes %s %s beside %s, but the app's manifests hold an object of that name: rename it, or name the rollout's Service with canary_service", id.Kind, id.Name, "Deployment/"+w.id.Name)
		}
	}
	return nil
}

// secondID is the ID of the canary or preview Deployment of workload id.
func secondID(id kube.ObjectID, role string) kube.ObjectID {
	id.Name = id.Name + "-" + role
	return id
}

func roleOf(spec *rolloutspec.Spec) string {
	if spec.BlueGreen != nil {
		return rolePreview
	}
	return roleCanary
}

// liveStatus is the status a live canary or preview Deployment records;
// one that cannot be read, or whose step is not one of its steps (the
// annotation is anyone's to edit), is none.
func liveStatus(u *unstructured.Unstructured) *rolloutspec.Status {
	if u == nil {
		return nil
	}
	st, err := rolloutspec.DecodeStatus(u.GetAnnotations()[annStatus])
	if err != nil || st == nil || st.Step < 0 || st.Step >= len(st.Steps) {
		return nil
	}
	return st
}

// sameRoad reports whether a recorded status follows the strategy's
// steps: a rollout whose strategy changed since starts its steps again.
func sameRoad(st *rolloutspec.Status, spec *rolloutspec.Spec) bool {
	return st != nil && slices.Equal(st.Steps, spec.Steps())
}

// abortedOf reads the stable Deployment's record of an aborted revision.
func abortedOf(u *unstructured.Unstructured) (rev, reason string) {
	if u == nil {
		return "", ""
	}
	rev, reason, _ = strings.Cut(u.GetAnnotations()[annAborted], ": ")
	return rev, reason
}

// templateOf is the pod template of an object's value, or null.
func templateOf(v cty.Value) cty.Value {
	for _, name := range []string{"spec", "template"} {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
			return cty.NullVal(cty.DynamicPseudoType)
		}
		v = v.GetAttr(name)
	}
	return v
}

// planRollout decides what apply does with the app's rollout, from the
// workload's dry-run and live object, their whole pod templates
// compared, and the live canary. It returns the
// status the plan proposes and, when the workload rolls, the decision
// apply follows; hold reports that the planned workload must stay as it
// is live (an aborted revision is not retried by itself).
func planRollout(spec *rolloutspec.Spec, request string, w *desiredObject, dryRun map[string]any, live map[string]*unstructured.Unstructured, prior *rolloutspec.Status) (st *rolloutspec.Status, pr *plannedRollout, hold bool, err error) {
	key := w.id.String()
	lv := live[key]
	rev := templateRevision(w.obj.Object)
	second := live[secondID(w.id, roleOf(spec)).String()]
	cs := liveStatus(second)
	base := rolloutspec.Status{
		Rollout: "rollout." + spec.Rollout, Strategy: spec.Strategy(), Workload: "Deployment/" + w.id.Name,
		Steps: spec.Steps(), Revision: rev,
	}
	if lv == nil {
		// The first revision is created at once, as Argo Rollouts does:
		// there is nothing stable to shift traffic from.
		s := base
		s.Phase, s.Step, s.Weight = rolloutspec.PhaseHealthy, len(s.Steps)-1, 100
		return &s, nil, false, nil
	}
	// The whole templates, not limited to the manifest: the dry-run
	// of the manifest is the live object with what the apply changes,
	// other writers' fields and elements kept where they are, so any
	// difference between them is a change of the template the apply
	// would make (a container, a variable or a field the manifest no
	// longer has included, which a comparison limited to the manifest
	// leaves out of both sides).
	liveVal, lerr := liveValue(lv.Object, nil)
	changed := lerr != nil || dryRun == nil
	if !changed {
		plannedVal, perr := liveValue(dryRun, nil)
		changed = perr != nil || !kube.SameValue(templateOf(liveVal), templateOf(plannedVal))
	}
	if !changed && lv.GetAnnotations()[annRevision] != "" && lv.GetAnnotations()[annRevision] != rev {
		// Same template, live recorded under another digest (an older
		// slipway's hash): nothing rolls.
		changed = false
	}
	aborted, reason := abortedOf(lv)
	stable := lv.GetAnnotations()[annRevision]
	base.Stable = stable
	switch {
	case !changed && second != nil && cs != nil && cs.Revision == rev:
		// The Deployment of the manifests took the new template and the
		// apply ended before the canary went: the last step is done
		// again.
		s := *cs
		s.Action = rolloutspec.ActionContinue
		return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionContinue, Revision: rev, Request: request}, false, nil
	case !changed && second != nil:
		// The manifests are back at the stable template while a rollout
		// was under way: it is rolled back.
		s := base
		if cs != nil {
			s = *cs
		}
		s.Action, s.Message = rolloutspec.ActionAbort, "the manifests are back at the stable revision"
		return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionAbort, Revision: rev}, false, nil
	case !changed:
		s := base
		s.Phase, s.Step, s.Weight = rolloutspec.PhaseHealthy, len(s.Steps)-1, 100
		if aborted != "" {
			// The revision that failed is gone from the manifests.
			s.Message = ""
		}
		if prior != nil && prior.Phase == rolloutspec.PhaseHealthy && prior.Revision == rev {
			s = *prior
		}
		return &s, nil, false, nil
	}
	// The template changes: a rollout starts, goes on, or holds.
	switch {
	case aborted == rev && second == nil && request != builtin.RolloutRetry:
		if prior != nil && prior.Phase == rolloutspec.PhaseDegraded && prior.Aborted == rev {
			// As recorded: the plan changes nothing, and says it holds.
			s := *prior
			s.Action = rolloutspec.ActionHold
			return &s, nil, true, nil
		}
		s := base
		s.Phase, s.Action, s.Aborted, s.Message = rolloutspec.PhaseDegraded, rolloutspec.ActionHold, rev, reason
		s.Step, s.Weight = 0, 0
		if prior != nil && prior.Phase == rolloutspec.PhaseDegraded && prior.Aborted == rev {
			s.Analyses, s.Step, s.Started, s.Updated = prior.Analyses, prior.Step, prior.Started, prior.Updated
		}
		return &s, nil, true, nil
	case aborted == rev && second != nil && request != builtin.RolloutRetry:
		// An abort of this revision began (it is recorded on the stable
		// Deployment before anything moves) and was cut short: it is
		// finished, never resumed as the rollout it stopped.
		s := base
		if cs != nil {
			s = *cs
		}
		s.Action, s.Message = rolloutspec.ActionAbort, reason
		return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionAbort, Revision: rev}, false, nil
	case second != nil && cs != nil && cs.Revision == rev && sameRoad(cs, spec):
		s := *cs
		s.Action = rolloutspec.ActionContinue
		if request == builtin.RolloutAbort {
			s.Action = rolloutspec.ActionAbort
		}
		return &s, &plannedRollout{Workload: key, Action: s.Action, Revision: rev, Request: request}, false, nil
	case second != nil && request == builtin.RolloutAbort:
		// Aborted as a newer revision came: the rollout under way goes
		// back to stable, and the newer one starts at the next apply,
		// as Argo Rollouts starts a new revision after an abort.
		s := base
		if cs != nil {
			s = *cs
		}
		s.Action = rolloutspec.ActionAbort
		return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionAbort, Revision: rev, Request: request}, false, nil
	case second != nil && (cs == nil || cs.Revision != rev) && promoting(request):
		under := "a rollout"
		if cs != nil {
			under = "the rollout of revision " + rolloutspec.Short(cs.Revision)
		}
		return nil, nil, false, fmt.Errorf("%s is under way, but the manifests now hold revision %s: promoting would skip the steps of a rollout that has not begun. Run slipway apply to start the rollout of %s (it takes over from the one under way), then promote it; or put the manifests back to promote the rollout under way", under, rolloutspec.Short(rev), rolloutspec.Short(rev))
	case second != nil:
		s := base
		s.Phase, s.Action = rolloutspec.PhasePlanned, rolloutspec.ActionSupersede
		if cs != nil {
			s.Superseded = cs.Revision
			if cs.Revision == rev {
				s.Message = "the strategy's steps changed: the rollout starts them again"
			}
		}
		return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionSupersede, Revision: rev, Request: request}, false, nil
	}
	if promoting(request) || request == builtin.RolloutAbort {
		return nil, nil, false, fmt.Errorf("no rollout is under way in the cluster (Deployment %s is not there), so there is none to promote or abort: slipway apply would start the rollout of revision %s", secondID(w.id, roleOf(spec)).Name, rolloutspec.Short(rev))
	}
	s := base
	s.Phase, s.Action = rolloutspec.PhasePlanned, rolloutspec.ActionStart
	return &s, &plannedRollout{Workload: key, Action: rolloutspec.ActionStart, Revision: rev, Request: request}, false, nil
}

// promoting reports whether a request promotes the rollout under way.
func promoting(request string) bool {
	return request == builtin.RolloutPromote || request == builtin.RolloutPromoteFull
}

// rolloutObjects are the IDs a rollout may have made beside the objects
// ids: NAME-canary and NAME-preview of each Deployment, Service and
// Ingress.
func rolloutObjects(ids []kube.ObjectID) []kube.ObjectID {
	var out []kube.ObjectID
	for _, id := range ids {
		switch id.Kind {
		case "Deployment", "Service", "Ingress":
			out = append(out, secondID(id, roleCanary), secondID(id, rolePreview))
		}
	}
	return out
}

// rollingWorkload is the ID of the Deployment whose rollout a state
// records as under way (Progressing or Paused), or "".
func rollingWorkload(state cty.Value) string {
	st := priorStatus(state)
	if st == nil || (st.Phase != rolloutspec.PhaseProgressing && st.Phase != rolloutspec.PhasePaused) {
		return ""
	}
	ns := sdk.GetString(state, builtin.AppNamespace)
	for _, key := range stringList(attrOr(state, builtin.AppInventory)) {
		id, err := kube.ParseObjectID(key)
		if err == nil && id.Group == "apps" && id.Kind == "Deployment" && "Deployment/"+id.Name == st.Workload && (ns == "" || id.Namespace == ns) {
			return key
		}
	}
	return ""
}

// knownOr is v when it is known, else or; a null of no type is a null
// string.
func knownOr(v, or cty.Value) cty.Value {
	if !v.IsKnown() {
		v = or
	}
	if v.IsNull() || !v.IsKnown() {
		return cty.NullVal(cty.String)
	}
	return v
}

// statusVal is the rollout_status attribute's value of st.
func statusVal(st *rolloutspec.Status) cty.Value {
	if st == nil {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(st.Encode())
}

// inState is st as state keeps it: no proposed action.
func inState(st *rolloutspec.Status) *rolloutspec.Status {
	if st == nil {
		return nil
	}
	c := *st
	c.Action, c.Superseded = "", ""
	return &c
}

// priorStatus reads the rollout_status of a state.
func priorStatus(state cty.Value) *rolloutspec.Status {
	s := attrOr(state, builtin.AppRolloutStatus)
	if s.IsNull() || !s.IsKnown() || s.Type() != cty.String {
		return nil
	}
	st, _ := rolloutspec.DecodeStatus(s.AsString())
	return st
}

// pauseMessage says what comes after a pause, for the user.
func pauseMessage(st *rolloutspec.Status) string {
	line := fmt.Sprintf("rollout paused at step %d/%d (%s)", st.Step+1, len(st.Steps), st.StepName(st.Step))
	if st.PausedUntil != "" {
		if t, err := time.Parse(time.RFC3339, st.PausedUntil); err == nil {
			return line + fmt.Sprintf("; run \"slipway rollout promote\" or apply again after %s", t.Local().Format("15:04:05"))
		}
	}
	return line + "; run \"slipway rollout promote\" to go on"
}

// sortedRollouts lists the planned rollouts in workload order.
func sortedRollouts(m map[string]plannedRollout) []plannedRollout {
	out := make([]plannedRollout, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Workload < out[j].Workload })
	return out
}

// endRolloutOnDestroy undoes, when an app is destroyed with a routed
// canary under way, what the rollout changed outside the app's objects:
// an HTTPRoute that is not the app's gets its weights back. It returns
// the IDs of the Service and Ingress the rollout made, for destroy to
// delete with the rest (only if they carry the app's labels).
func endRolloutOnDestroy(ctx context.Context, ms *kube.Mappings, cfg appConfig, state cty.Value, prior priorApp, progress func(string)) []kube.ObjectID {
	st := priorStatus(state)
	spec, _, err := rolloutConfig(state)
	if err != nil || spec == nil || spec.Canary == nil || st == nil ||
		(st.Phase != rolloutspec.PhaseProgressing && st.Phase != rolloutspec.PhasePaused) {
		return nil
	}
	ns := cfg.Namespace
	_, name, _ := strings.Cut(st.Workload, "/")
	for _, key := range prior.inventory {
		if id, err := kube.ParseObjectID(key); err == nil && id.Kind == "Deployment" && id.Name == name {
			ns = id.Namespace
		}
	}
	r := &syncRun{ms: ms, cfg: cfg, progress: progress, desired: &desiredSet{}}
	x := &rolloutRun{r: r, spec: spec, w: &desiredObject{id: kube.ObjectID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: ns, Name: name}}, role: roleCanary}
	var out []kube.ObjectID
	switch spec.Canary.Traffic.Kind {
	case rolloutspec.TrafficGatewayAPI:
		if err := x.restoreRoute(ctx); err != nil {
			progress(fmt.Sprintf("could not give HTTPRoute %s its weights back: %v", spec.Canary.Traffic.Route, err))
		}
	case rolloutspec.TrafficNginx:
		out = append(out, x.canaryIngressID())
	}
	if c := spec.Canary.Traffic.CanaryService; c != "" {
		out = append(out, x.serviceID(c))
	} else if s := spec.Canary.Traffic.StableService; s != "" {
		out = append(out, x.serviceID(s+"-canary"))
	}
	return out
}
