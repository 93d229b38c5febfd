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

package kube

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// ToCty converts a JSON-like object to a cty value of its implied type:
// ToCtyJSON's value, built by PlainValue when it can.
func ToCty(obj map[string]any) (cty.Value, error) {
	if v, ok := PlainValue(obj); ok {
		return v, nil
	}
	return ToCtyJSON(obj)
}

// ToCtyJSON is ToCty by way of JSON: the object encoded, its type
// implied from the JSON, and the JSON decoded as that type. It defines
// what ToCty gives, and reports what PlainValue cannot build.
func ToCtyJSON(obj map[string]any) (cty.Value, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return cty.NilVal, fmt.Errorf("encode object: %w", err)
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, fmt.Errorf("object type: %w", err)
	}
	v, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode object: %w", err)
	}
	return v, nil
}

// FromCty converts a known cty value (an object of state) back to JSON
// form, numbers as int64 or float64.
func FromCty(v cty.Value) (map[string]any, error) {
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, fmt.Errorf("encode state object: %w", err)
	}
	var out map[string]any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode state object: %w", err)
	}
	return out, nil
}

// SameValue compares two known values by content, marks aside.
func SameValue(a, b cty.Value) bool {
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	a, _ = a.UnmarkDeep()
	b, _ = b.UnmarkDeep()
	if !a.Type().Equals(b.Type()) {
		return false
	}
	// For known values without marks of one type, RawEquals says what
	// Equals says. Equals looks for marks through the whole value at
	// every level it descends, which made comparing an app's objects
	// quadratic in their depth: `slipway status` of 1,000 apps spent
	// more than half of its CPU there.
	return a.RawEquals(b)
}

// ObjectsVal is the value of attribute objects (builtin.AppObjects): the
// objects by ID.
func ObjectsVal(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// StringListVal is a list of strings, empty rather than null when ss is.
func StringListVal(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// SecretPaths marks the data and stringData of every Secret among objects
// (the value of attribute objects, builtin.AppObjects) as sensitive.
func SecretPaths(objects cty.Value) []cty.Path {
	return SecretPathsIn(builtin.AppObjects, objects)
}

// AppSecretPaths is SecretPaths of an app value (kubernetes_app,
// helm_release): its objects' Secrets, and those of the live objects it
// adopts, whose data are the cluster's as they were taken over.
func AppSecretPaths(v cty.Value) []cty.Path {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return nil
	}
	var out []cty.Path
	for _, attr := range []string{builtin.AppObjects, builtin.AppAdopted} {
		if v.Type().HasAttribute(attr) {
			out = append(out, SecretPathsIn(attr, v.GetAttr(attr))...)
		}
	}
	if v.Type().HasAttribute(builtin.AppHooks) {
		out = append(out, HookSecretPaths(v.GetAttr(builtin.AppHooks))...)
	}
	return out
}

// HookSecretPaths are the paths, in an app's value, of the manifests of
// its hooks (the hooks attribute) that are Secrets: a hook's manifest is
// one string, sensitive whole.
func HookSecretPaths(hooks cty.Value) []cty.Path {
	if hooks.IsNull() || !hooks.IsWhollyKnown() || !hooks.CanIterateElements() {
		return nil
	}
	var out []cty.Path
	for it := hooks.ElementIterator(); it.Next(); {
		k, h := it.Element()
		if !h.Type().IsObjectType() || !h.Type().HasAttribute(builtin.HookID) || !h.Type().HasAttribute(builtin.HookManifest) {
			continue
		}
		id, err := ParseObjectID(h.GetAttr(builtin.HookID).AsString())
		if err != nil || id.Group != "" || id.Kind != "Secret" || h.GetAttr(builtin.HookManifest).IsNull() {
			continue
		}
		out = append(out, cty.GetAttrPath(builtin.AppHooks).Index(k).GetAttr(builtin.HookManifest))
	}
	return out
}

// SecretPathsIn is SecretPaths for objects held in attribute attr of the
// resource value (the live objects an app adopts, say), not objects.
func SecretPathsIn(attr string, objects cty.Value) []cty.Path {
	if objects.IsNull() || !objects.IsKnown() || !objects.Type().IsObjectType() {
		return nil
	}
	m := objects.AsValueMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []cty.Path
	for _, key := range keys {
		v := m[key]
		id, err := ParseObjectID(key)
		if err != nil || id.Group != "" || id.Kind != "Secret" || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
			continue
		}
		for _, f := range []string{"data", "stringData"} {
			if v.Type().HasAttribute(f) {
				out = append(out, cty.GetAttrPath(attr).GetAttr(key).GetAttr(f))
			}
		}
	}
	return out
}

// WithComputed sets computed attributes of a resource value; a value that
// is null or unknown (nothing to plan yet, or a destroy) stays as it is.
func WithComputed(st cty.Value, attrs map[string]cty.Value) cty.Value {
	if st == cty.NilVal || st.IsNull() || !st.IsKnown() {
		return st
	}
	for k, v := range attrs {
		st = sdk.With(st, k, v)
	}
	return st
}

// AllKnown reports whether conf is known and not null and its attributes
// names are wholly known: whether what they decide, the objects a plan
// renders, can be worked out yet.
func AllKnown(conf cty.Value, names ...string) bool {
	if !conf.IsKnown() || conf.IsNull() {
		return false
	}
	for _, name := range names {
		if !conf.GetAttr(name).IsWhollyKnown() {
			return false
		}
	}
	return true
}

// ParseWaitTimeout reads attribute wait_timeout (builtin.AppWaitTimeout)
// of conf: how long to wait for health after applying, zero when unset
// (do not wait).
func ParseWaitTimeout(conf cty.Value) (time.Duration, sdk.Diagnostics) {
	var diags sdk.Diagnostics
	s := sdk.GetString(conf, builtin.AppWaitTimeout)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		diags.AddAttributeError(cty.GetAttrPath(builtin.AppWaitTimeout), "Invalid wait_timeout",
			fmt.Sprintf("%q is not a duration; write it like \"5m\" or \"90s\".", s))
	}
	return d, diags
}
