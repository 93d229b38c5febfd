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

package render

import "github.com/zclconf/go-cty/cty"

// covered reports whether p lies at or under one of paths; this is how a
// value inside a sensitive object is found to be sensitive.
func covered(paths []cty.Path, p cty.Path) bool {
	for _, sp := range paths {
		if len(sp) <= len(p) && stepsEqual(p[:len(sp)], sp) {
			return true
		}
	}
	return false
}

// holds reports whether one of paths lies below p.
func holds(paths []cty.Path, p cty.Path) bool {
	for _, sp := range paths {
		if len(sp) > len(p) && stepsEqual(sp[:len(p)], p) {
			return true
		}
	}
	return false
}

// contains reports whether p is one of paths.
// indexOf is the index of p in paths, or -1.
func indexOf(paths []cty.Path, p cty.Path) int {
	for i, sp := range paths {
		if len(sp) == len(p) && stepsEqual(p, sp) {
			return i
		}
	}
	return -1
}

func contains(paths []cty.Path, p cty.Path) bool {
	for _, sp := range paths {
		if len(sp) == len(p) && stepsEqual(p, sp) {
			return true
		}
	}
	return false
}

// stepsEqual compares paths step by step, taking an attribute step and an
// index step by the same string as equal: providers and the planner may
// spell a path into an object either way, and a sensitive value must be
// found whichever they chose.
func stepsEqual(a, b cty.Path) bool {
	for i := range a {
		if !stepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func stepEqual(a, b cty.PathStep) bool {
	name := func(s cty.PathStep) (string, bool) {
		switch s := s.(type) {
		case cty.GetAttrStep:
			return s.Name, true
		case cty.IndexStep:
			if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
				return s.Key.AsString(), true
			}
		}
		return "", false
	}
	if an, ok := name(a); ok {
		bn, ok := name(b)
		return ok && an == bn
	}
	ai, ok1 := a.(cty.IndexStep)
	bi, ok2 := b.(cty.IndexStep)
	if !ok1 || !ok2 {
		return false
	}
	if ai.Key.RawEquals(bi.Key) {
		return true
	}
	if ai.Key.IsWhollyKnown() && bi.Key.IsWhollyKnown() && ai.Key.Type().Equals(bi.Key.Type()) {
		return ai.Key.Equals(bi.Key).True()
	}
	return false
}
