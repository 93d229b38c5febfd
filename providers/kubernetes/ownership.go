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
	"bytes"
	"math"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"

	"slipway.dev/slipway/providers/internal/kube"
)

// stillApplied reports whether the live object still holds the desired
// manifest as slipway applied it: every field of the manifest is owned by
// slipway's apply (per managedFields) and has the manifest's value. When
// anyone else changes a field slipway applied — kubectl edit or scale, a
// controller, another applier with force — server-side apply moves the
// field's ownership to them, so this catches drift without a dry-run.
func stillApplied(live *unstructured.Unstructured, desired map[string]any) bool {
	return (*fieldSets)(nil).stillApplied(live, desired)
}

// fieldSets keeps the field sets parsed from managedFields, by their JSON:
// objects of the same shape (every ConfigMap with the same keys) have the
// same one, so a batch parses each only once. The zero value is ready; a
// nil one parses every time. It is safe for concurrent use; the sets are
// only read.
type fieldSets struct {
	mu   sync.Mutex
	sets map[string]*fieldpath.Set
}

func (fs *fieldSets) parse(raw []byte) (*fieldpath.Set, bool) {
	if fs != nil {
		fs.mu.Lock()
		s, ok := fs.sets[string(raw)]
		fs.mu.Unlock()
		if ok {
			return s, s != nil
		}
	}
	s := &fieldpath.Set{}
	if err := s.FromJSON(bytes.NewReader(raw)); err != nil {
		s = nil
	}
	if fs != nil {
		fs.mu.Lock()
		if fs.sets == nil {
			fs.sets = map[string]*fieldpath.Set{}
		}
		fs.sets[string(raw)] = s
		fs.mu.Unlock()
	}
	return s, s != nil
}

// stillApplied is the package function stillApplied, with the field sets
// of fs.
func (fs *fieldSets) stillApplied(live *unstructured.Unstructured, desired map[string]any) bool {
	set, ok := fs.appliedFieldSet(live, apiVersionOf(desired))
	if !ok {
		return false
	}
	d := make(map[string]any, len(desired))
	for k, v := range desired {
		if k == "apiVersion" || k == "kind" {
			continue // the object's identity, not fields anyone owns
		}
		d[k] = v
	}
	if md, ok := desired["metadata"].(map[string]any); ok {
		m := make(map[string]any, len(md))
		for k, v := range md {
			if k != "name" && k != "namespace" {
				m[k] = v
			}
		}
		d["metadata"] = m
	}
	return coveredMap(d, live.Object, set)
}

func apiVersionOf(obj map[string]any) string {
	s, _ := obj["apiVersion"].(string)
	return s
}

// appliedFieldSet returns the fields slipway's last apply of the object
// (at apiVersion) owns.
func (fs *fieldSets) appliedFieldSet(live *unstructured.Unstructured, apiVersion string) (*fieldpath.Set, bool) {
	for _, e := range live.GetManagedFields() {
		if e.Manager != kube.FieldManager || e.Operation != metav1.ManagedFieldsOperationApply || e.Subresource != "" {
			continue
		}
		if e.APIVersion != apiVersion || e.FieldsV1 == nil {
			return nil, false
		}
		return fs.parse(e.FieldsV1.Raw)
	}
	return nil, false
}

// coveredMap reports whether every field of d is owned in s and has the
// same value in l.
func coveredMap(d, l map[string]any, s *fieldpath.Set) bool {
	for k, dv := range d {
		lv, ok := l[k]
		if !ok {
			return false
		}
		if !coveredValue(dv, lv, fieldpath.PathElement{FieldName: &k}, s) {
			return false
		}
	}
	return true
}

// coveredValue checks the child pe of s, whose desired value is dv and
// live value lv.
func coveredValue(dv, lv any, pe fieldpath.PathElement, s *fieldpath.Set) bool {
	if child, ok := s.Children.Get(pe); ok {
		switch d := dv.(type) {
		case map[string]any:
			l, ok := lv.(map[string]any)
			return ok && coveredMap(d, l, child)
		case []any:
			l, ok := lv.([]any)
			return ok && coveredList(d, l, child)
		}
	}
	if s.Members.Has(pe) {
		return contains(lv, dv)
	}
	return false
}

// coveredList matches each desired element to the path element the server
// gave it: a key (associative lists of objects), a value (sets of
// scalars), or an index.
func coveredList(d, l []any, s *fieldpath.Set) bool {
	for i, de := range d {
		pe, le, ok := findElement(de, i, l, s)
		if !ok || !coveredValue(de, le, pe, s) {
			return false
		}
	}
	return true
}

func findElement(de any, i int, l []any, s *fieldpath.Set) (fieldpath.PathElement, any, bool) {
	var found *fieldpath.PathElement
	try := func(pe fieldpath.PathElement) {
		if found != nil {
			return
		}
		switch {
		case pe.Key != nil:
			if keyMatches(*pe.Key, de, false) {
				found = &pe
			}
		case pe.Value != nil:
			if _, isMap := de.(map[string]any); !isMap && scalarEqual((*pe.Value).Unstructured(), de) {
				found = &pe
			}
		case pe.Index != nil:
			if *pe.Index == i {
				found = &pe
			}
		}
	}
	s.Children.Iterate(try)
	s.Members.Iterate(try)
	if found == nil {
		return fieldpath.PathElement{}, nil, false
	}
	pe := *found
	switch {
	case pe.Key != nil:
		for _, le := range l {
			if keyMatches(*pe.Key, le, true) {
				return pe, le, true
			}
		}
	case pe.Value != nil:
		for _, le := range l {
			if scalarEqual((*pe.Value).Unstructured(), le) {
				return pe, le, true
			}
		}
	case pe.Index != nil:
		if *pe.Index < len(l) {
			return pe, l[*pe.Index], true
		}
	}
	return fieldpath.PathElement{}, nil, false
}

// keyMatches reports whether the list element elem has the key's values.
// A desired element may leave out a key field the server defaults (a
// port's protocol); a live element must have them all.
func keyMatches(key value.FieldList, elem any, strict bool) bool {
	m, ok := elem.(map[string]any)
	if !ok {
		return false
	}
	for _, f := range key {
		v, ok := m[f.Name]
		if !ok {
			if strict {
				return false
			}
			continue
		}
		if !scalarEqual(f.Value.Unstructured(), v) {
			return false
		}
	}
	return true
}

// contains reports whether live holds everything desired holds: maps by
// key, lists of the same length element by element, scalars equal.
func contains(live, desired any) bool {
	switch d := desired.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, dv := range d {
			lv, ok := l[k]
			if !ok || !contains(lv, dv) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(d) {
			return false
		}
		for i := range d {
			if !contains(l[i], d[i]) {
				return false
			}
		}
		return true
	default:
		return scalarEqual(live, desired)
	}
}

// scalarEqual compares scalars as the server would store them: numbers by
// value whatever their Go type, and quantities ("0.5" and "500m", 1 and
// "1") by amount.
func scalarEqual(a, b any) bool {
	if a == b {
		return true
	}
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum && bNum {
		return fa == fb
	}
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if !(aStr || aNum) || !(bStr || bNum) {
		return false
	}
	if aNum {
		sa = strconv.FormatFloat(fa, 'f', -1, 64)
	}
	if bNum {
		sb = strconv.FormatFloat(fb, 'f', -1, 64)
	}
	if sa == sb {
		return true
	}
	qa, err1 := resource.ParseQuantity(sa)
	qb, err2 := resource.ParseQuantity(sb)
	return err1 == nil && err2 == nil && qa.Cmp(qb) == 0
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	case float32:
		return float64(n), true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
