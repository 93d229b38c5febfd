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
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/providers/internal/kube"
)

// privateData is the provider's own record, kept with the state (Private)
// and handed from plan to apply (PlannedPrivate).
type privateData struct {
	Version int `json:"v"`
	// Hashes is, per object ID, the SHA-256 of the manifest last applied
	// (in state) or about to be applied (in a plan).
	Hashes map[string]string `json:"hashes,omitempty"`
	// AutoNamespace is the ID of the Namespace create_namespace added.
	AutoNamespace string `json:"auto_namespace,omitempty"`
	// Hooks are the IDs of the hook runs that may still exist (their
	// delete policy kept them), deleted with the app; a plan carries them
	// from state to apply.
	Hooks []string `json:"hooks,omitempty"`
	// HookRuns are the hook runs of the last sync, for `slipway status`
	// and for BeforeHookCreation of hooks with generateName; a plan
	// carries them from state to apply.
	HookRuns []hookRun `json:"hook_runs,omitempty"`
	// PostDelete are the manifests of the PostDelete hooks, run when the
	// app is destroyed, when its manifests are no longer read.
	PostDelete []map[string]any `json:"post_delete,omitempty"`
	// Manifests, in a plan only, are the exact objects the plan was made
	// from, so apply applies what the user saw even if the directory has
	// changed since.
	Manifests []map[string]any `json:"manifests,omitempty"`
	// Unchanged, in a plan only, are the IDs of the objects the plan found
	// as slipway last applied them: the same manifest, its every field
	// still owned by slipway with the manifest's value. Applying them
	// again would change nothing, so apply does not (as Argo CD's
	// ApplyOutOfSyncOnly); drift after the plan shows in the next one.
	Unchanged []string `json:"unchanged,omitempty"`
	// Adopt, in a plan only, are the objects the plan adopts from Argo CD
	// or Flux (sync.adopt), each with the tracking marks ("label:KEY",
	// "annotation:KEY") apply removes once slipway's labels are on it.
	Adopt map[string][]string `json:"adopt,omitempty"`
	// Inputs is the digest of what the manifests were made from (see
	// inputsDigest): in a plan, of what it read; in state, of what the
	// last apply applied, recorded only when that apply left the app
	// exactly as its manifests say (every object applied, nothing else
	// in the inventory, no rollout under way).
	Inputs string `json:"inputs,omitempty"`
	// Rollouts are the rollouts the plan decided, by workload ID.
	Rollouts map[string]plannedRollout `json:"rollouts,omitempty"`
	// Elide, in state, lets a refresh and a plan tell the app unchanged
	// without its state (see elision).
	Elide *elision `json:"elide,omitempty"`
	// Marks, in a plan only, are the marks of the objects of Unchanged as
	// the plan read them, which apply records for them (see elision).
	Marks map[string]objectMark `json:"marks,omitempty"`
}

const privateVersion = 1

func decodePrivate(b []byte) (privateData, error) {
	var p privateData
	if len(b) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("read the provider's private state: %w", err)
	}
	if p.Version > privateVersion {
		return p, fmt.Errorf("the provider's private state has version %d; this provider (%s) reads up to %d: upgrade the provider", p.Version, Version, privateVersion)
	}
	return p, nil
}

func (p privateData) encode() []byte {
	p.Version = privateVersion
	b, _ := json.Marshal(p)
	return b
}

// priorApp is what state says about an app: its inventory and recorded
// objects, and the private record.
type priorApp struct {
	exists    bool
	inventory []string
	objects   map[string]cty.Value
	private   privateData
}

// followVersions re-keys the prior entries of objects the manifests now
// give at another version of their API (a CR from v1alpha1 to v1beta1,
// an HPA from autoscaling/v2beta2 to autoscaling/v2, while the cluster
// serves both): the same object, which the inventory keys by version.
// Left under its old key it was an object that left the manifests, and
// prune deleted what the same apply had just applied. Argo CD keys an
// app's resources by group, kind, namespace and name.
func (p *priorApp) followVersions(d *desiredSet) {
	if d == nil || len(p.inventory) == 0 {
		return
	}
	desired := d.byID()
	now := make(map[string]string, len(desired))
	for key := range desired {
		now[builtin.UnversionedID(key)] = key
	}
	inventory := slices.Clone(p.inventory)
	moved := false
	for i, key := range inventory {
		if _, ok := desired[key]; ok {
			continue
		}
		to, ok := now[builtin.UnversionedID(key)]
		if !ok {
			continue
		}
		if slices.Contains(inventory, to) {
			// Both keys, from an earlier version that kept the old one
			// as an object that left the manifests (prune off): one
			// object, under its new key alone.
			inventory[i], moved = "", true
			p.objects = maps.Clone(p.objects)
			delete(p.objects, key)
			p.private.Hashes = maps.Clone(p.private.Hashes)
			delete(p.private.Hashes, key)
			continue
		}
		inventory[i], moved = to, true
		if v, ok := p.objects[key]; ok {
			p.objects = maps.Clone(p.objects)
			delete(p.objects, key)
			p.objects[to] = v
		}
		if h, ok := p.private.Hashes[key]; ok {
			p.private.Hashes = maps.Clone(p.private.Hashes)
			delete(p.private.Hashes, key)
			p.private.Hashes[to] = h
		}
	}
	if moved {
		p.inventory = slices.DeleteFunc(inventory, func(k string) bool { return k == "" })
	}
}

func readPrior(state cty.Value, private []byte) (priorApp, error) {
	var pa priorApp
	var err error
	pa.private, err = decodePrivate(private)
	if err != nil {
		return pa, err
	}
	if state == cty.NilVal || state.IsNull() || !state.IsKnown() {
		return pa, nil
	}
	pa.exists = true
	pa.inventory = stringList(attrOr(state, builtin.AppInventory))
	pa.objects = map[string]cty.Value{}
	objs := attrOr(state, builtin.AppObjects)
	if !objs.IsNull() && objs.IsKnown() && (objs.Type().IsObjectType() || objs.Type().IsMapType()) {
		for k, v := range objs.AsValueMap() {
			pa.objects[k] = v
		}
	}
	return pa, nil
}

// attrOr returns attribute name of obj, or a dynamic null.
func attrOr(obj cty.Value, name string) cty.Value {
	if obj == cty.NilVal || obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return obj.GetAttr(name)
}

func stringList(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
		}
	}
	return out
}

// recordedShape returns the recorded object as JSON, or nil when there is
// none (or it is not known).
func recordedShape(v cty.Value) map[string]any {
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	v, _ = v.UnmarkDeep()
	m, err := kube.FromCty(v)
	if err != nil {
		return nil
	}
	return m
}

// desiredFromPrivate rebuilds the desired set from a plan's manifests.
func desiredFromPrivate(p privateData) (*desiredSet, error) {
	d := &desiredSet{autoNamespace: p.AutoNamespace}
	if err := addManifests(d, p.Manifests); err != nil {
		return nil, err
	}
	return d, nil
}

// addManifests adds manifests slipway built (buildDesired) to d, hooks
// split by phase as buildDesired splits them.
func addManifests(d *desiredSet, manifests []map[string]any) error {
	for _, m := range manifests {
		u := &unstructured.Unstructured{Object: m}
		ann, err := readAnnotations(u.GetAnnotations())
		if err != nil {
			return fmt.Errorf("%s %s: %w", u.GetKind(), nameOf(u), err)
		}
		o := &desiredObject{id: kube.IDOf(u), obj: u, hash: manifestHash(u), wave: ann.wave, policies: ann.policies, opts: ann.opts}
		if u.GetName() == "" {
			o.generateName = u.GetGenerateName()
		}
		if len(ann.phases) == 0 {
			d.objects = append(d.objects, o)
			continue
		}
		for _, phase := range ann.phases {
			h := *o
			h.hook = phase
			d.hooks = append(d.hooks, &h)
		}
	}
	return nil
}

// manifestsOf lists the manifests of a desired set, objects then hooks
// (each once, whatever its number of phases).
func manifestsOf(d *desiredSet) []map[string]any {
	out := make([]map[string]any, 0, len(d.objects)+len(d.hooks))
	for _, o := range d.objects {
		out = append(out, o.obj.Object)
	}
	seen := map[*unstructured.Unstructured]bool{}
	for _, o := range d.hooks {
		if !seen[o.obj] {
			seen[o.obj] = true
			out = append(out, o.obj.Object)
		}
	}
	return out
}

// postDeleteManifests are the manifests of d's PostDelete hooks.
func postDeleteManifests(d *desiredSet) []map[string]any {
	var out []map[string]any
	for _, h := range hooksOf(d, builtin.HookPostDelete) {
		out = append(out, h.obj.Object)
	}
	return out
}

func hashesOf(d *desiredSet) map[string]string {
	m := make(map[string]string, len(d.objects))
	for _, o := range d.objects {
		m[o.id.String()] = o.hash
	}
	return m
}
