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

package sdktest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// DiffPaths lists where two values differ, as sorted paths like
// objects["v1 ConfigMap a/b"].data.k: for asserting that a provider's
// apply result matches its plan, or that a plan changes only what a test
// expects. Equal numbers and strings are equal whatever their
// representation.
func DiffPaths(a, b cty.Value) []string {
	var out []string
	diffInto(&out, "", a, b)
	sort.Strings(out)
	return out
}

func diffInto(out *[]string, path string, a, b cty.Value) {
	switch {
	case a.IsKnown() && b.IsKnown() && !a.IsNull() && !b.IsNull() &&
		(a.Type().IsObjectType() || a.Type().IsMapType()) && (b.Type().IsObjectType() || b.Type().IsMapType()):
		am, bm := a.AsValueMap(), b.AsValueMap()
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			p := path + "." + k
			if strings.ContainsAny(k, " /.") {
				p = fmt.Sprintf("%s[%q]", path, k)
			}
			av, aok := am[k]
			bv, bok := bm[k]
			if !aok || !bok {
				*out = append(*out, strings.TrimPrefix(p, "."))
				continue
			}
			diffInto(out, p, av, bv)
		}
	case a.IsKnown() && b.IsKnown() && !a.IsNull() && !b.IsNull() &&
		(a.Type().IsTupleType() || a.Type().IsListType()) && (b.Type().IsTupleType() || b.Type().IsListType()) &&
		a.LengthInt() == b.LengthInt():
		as, bs := a.AsValueSlice(), b.AsValueSlice()
		for i := range as {
			diffInto(out, fmt.Sprintf("%s[%d]", path, i), as[i], bs[i])
		}
	default:
		if a.IsKnown() && b.IsKnown() && !a.IsNull() && !b.IsNull() && a.Type().IsPrimitiveType() && a.Type().Equals(b.Type()) && a.Equals(b).True() {
			return
		}
		if a.RawEquals(b) {
			return
		}
		*out = append(*out, strings.TrimPrefix(path, "."))
	}
}
