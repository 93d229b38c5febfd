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

package planfile

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"slipway.dev/slipway/planner/plans"
)

// FuzzDecode feeds the plan-file decoder arbitrary documents. It must
// never panic and must refuse with a *ReadError; a document it accepts
// must encode again and read back as the same plan.
func FuzzDecode(f *testing.F) {
	for _, p := range []*plans.Plan{fullPlan(plans.NormalMode), {}} {
		doc, err := encodePlan(p)
		if err != nil {
			f.Fatal(err)
		}
		body, err := marshalJSON(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeBody("plan", body, true)
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("decode returned %T, not a *ReadError: %v", err, err)
			}
			return
		}
		doc, err := encodePlan(p)
		if err != nil {
			t.Fatalf("a decoded plan does not encode: %v", err)
		}
		again, err := marshalJSON(doc)
		if err != nil {
			t.Fatalf("a decoded plan does not encode: %v", err)
		}
		p2, err := decodeBody("plan", again, true)
		if err != nil {
			t.Fatalf("an encoded plan does not decode: %v\n%s", err, again)
		}
		if diff := cmp.Diff(p, p2, cmpOpts); diff != "" {
			t.Fatalf("a plan changed in a round trip (-first +second):\n%s", diff)
		}
	})
}
