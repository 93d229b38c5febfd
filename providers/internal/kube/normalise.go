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
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// NoiseMetadata are metadata fields the server manages; they change
// without anyone changing the object and are never shown.
var NoiseMetadata = []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"}

// NoiseAnnotations are annotations tools write as bookkeeping.
var NoiseAnnotations = []string{"kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"}

// stripNoise returns a deep copy of obj without the server-managed noise:
// status, NoiseMetadata and NoiseAnnotations.
func stripNoise(obj map[string]any) map[string]any {
	out := runtime.DeepCopyJSON(obj)
	delete(out, "status")
	if md, ok := out["metadata"].(map[string]any); ok {
		for _, f := range NoiseMetadata {
			delete(md, f)
		}
		if ann, ok := md["annotations"].(map[string]any); ok {
			for _, a := range NoiseAnnotations {
				delete(ann, a)
			}
			if len(ann) == 0 {
				delete(md, "annotations")
			}
		}
	}
	return out
}

// intersect keeps the parts of v that shape has: maps by key, lists
// element by element (by name where PairByName pairs the elements of a
// NamedList field, else by position), and v's own value wherever shape holds a scalar (or
// a different type). Server-defaulted fields the manifests do not set are
// dropped this way, so a plan shows exactly the fields the user manages.
func intersect(v, shape any, field string) any {
	switch s := shape.(type) {
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(s))
		for k, sv := range s {
			if x, ok := m[k]; ok && x != nil {
				out[k] = intersect(x, sv, k)
			}
		}
		return out
	case []any:
		l, ok := v.([]any)
		if !ok {
			return v
		}
		if NamedList(field) {
			if pairs, _, ok := PairByName(len(s), len(l), func(i int) string { return NameOf(s[i]) }, func(j int) string { return NameOf(l[j]) }); ok {
				out := make([]any, 0, len(s))
				for _, i := range LiveOrder(pairs) {
					out = append(out, intersect(l[pairs[i]], s[i], ""))
				}
				return out
			}
		}
		n := min(len(l), len(s))
		out := make([]any, n)
		for i := range n {
			out[i] = intersect(l[i], s[i], "")
		}
		return out
	default:
		return v
	}
}

// Normalise is what plans and state show of a live (or dry-run) object:
// a copy of the object without noise, limited to the fields of shape (the
// manifest). A nil shape keeps every field but the noise.
func Normalise(obj, shape map[string]any) map[string]any {
	out := stripNoise(obj)
	if shape == nil {
		return out
	}
	return intersect(out, shape, "").(map[string]any)
}

// Predicted is the best guess of what the server would make of a manifest
// it cannot dry-run (its namespace does not exist yet), normalised: the
// manifest itself without null fields, numbers as the API client decodes
// them, and quantities written as the server writes them. obj is not
// changed.
func Predicted(obj map[string]any, group string) map[string]any {
	var out map[string]any
	b, _ := json.Marshal(obj)
	_ = utiljson.Unmarshal(b, &out)
	DropNulls(out)
	CanonicalQuantities(out, group)
	return Normalise(out, out)
}

// DropNulls removes null map values, at any depth, in place: server-side
// apply treats them as not set, and they would only make shapes and
// hashes differ.
func DropNulls(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
				continue
			}
			DropNulls(x)
		}
	case []any:
		for _, x := range v {
			DropNulls(x)
		}
	}
}

// quantityMaps are the fields of built-in kinds that hold resource
// quantities by name (resources.requests, ResourceQuota's hard, a
// LimitRange's max, ...); quantityFields hold one quantity.
var (
	quantityMaps   = map[string]bool{"requests": true, "limits": true, "hard": true, "capacity": true, "overhead": true, "max": true, "min": true, "default": true, "defaultRequest": true, "maxLimitRequestRatio": true}
	quantityFields = map[string]bool{"sizeLimit": true}
)

// CanonicalQuantities writes the quantities of a built-in kind's manifest
// the way the API server stores them ("0.1" as "100m", 1 as "1"), for a
// plan that must predict the stored object without the server's help.
// Custom kinds are left alone: only their schema could say which of their
// fields are quantities.
func CanonicalQuantities(obj map[string]any, group string) {
	if strings.Contains(group, ".") && !strings.HasSuffix(group, ".k8s.io") {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if m, ok := x.(map[string]any); ok && quantityMaps[k] {
					for name, q := range m {
						if c, ok := canonicalQuantity(q); ok {
							m[name] = c
						}
					}
				}
				if quantityFields[k] {
					if c, ok := canonicalQuantity(x); ok {
						v[k] = c
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(obj)
}

func canonicalQuantity(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return "", false
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return "", false
	}
	return q.String(), true
}
