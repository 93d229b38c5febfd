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

package planner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner/plans"
)

// TestTooManyInstances checks that count and for_each over the limit are
// refused before any instance is built, and that the limit can be moved.
func TestTooManyInstances(t *testing.T) {
	tests := map[string]struct {
		src, env, want string
	}{
		"count of ten million": {`resource "file" "a" {
  count   = 10000000
  path    = "a${count.index}"
  content = "x"
}`, "", "count is 10000000, more than the 100000 instances slipway makes of one block"},
		"for_each over a lowered limit": {`resource "file" "a" {
  for_each = toset(["a", "b", "c"])
  path     = each.key
  content  = "x"
}`, "2", "for_each has 3 elements, more than the 2 instances slipway makes of one block"},
		"count over a lowered limit": {`resource "file" "a" {
  count   = 3
  path    = "a${count.index}"
  content = "x"
}`, "2", "SLIPWAY_MAX_INSTANCES=3"},
		"a limit that is not a number": {`resource "file" "a" {
  count   = 1
  path    = "a"
  content = "x"
}`, "many", `The environment variable SLIPWAY_MAX_INSTANCES is "many"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv(MaxInstancesEnv, tt.env)
			f := newFixture(t, tt.src)
			start := time.Now()
			_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
			if !diags.HasErrors() || !strings.Contains(diagString(diags), tt.want) {
				t.Fatalf("diagnostics %q do not mention %q", diagString(diags), tt.want)
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Start.Line != 2 {
					t.Errorf("diagnostic %q is not about line 2: %v", d.Summary, d.Subject)
				}
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("refusing took %s", took)
			}
		})
	}
	t.Run("under the limit", func(t *testing.T) {
		t.Setenv(MaxInstancesEnv, "3")
		f := newFixture(t, `resource "file" "a" {
  count   = 3
  path    = "a${count.index}"
  content = "x"
}`)
		_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
		if diags.HasErrors() {
			t.Fatal(diagString(diags))
		}
	})
}

// TestForEachOverAnEmptySet checks that for_each over an empty set makes
// no instances whatever the set's element type: toset([]) and a filter
// that keeps nothing are sets of dynamic values, which Terraform takes as
// no instances. A set that holds values other than strings is refused.
func TestForEachOverAnEmptySet(t *testing.T) {
	for name, expr := range map[string]string{
		"toset of an empty list":  `toset([])`,
		"a filter that kept none": `toset([for s in ["a", "b"] : s if s == "c"])`,
	} {
		t.Run(name, func(t *testing.T) {
			p, diags := planForEach(t, expr, "each.key")
			if diags.HasErrors() {
				t.Fatal(diagString(diags))
			}
			if len(p.Changes) != 0 {
				t.Fatalf("planned %d changes, want none", len(p.Changes))
			}
		})
	}
	t.Run("a set of numbers", func(t *testing.T) {
		_, diags := planForEach(t, `toset([1, 2])`, `"a"`)
		if want := "not set of number"; !strings.Contains(diagString(diags), want) {
			t.Fatalf("diagnostics %q do not mention %q", diagString(diags), want)
		}
	})
}

// TestForEachSetsRefusedForWhatTheyHold: a set whose elements are not
// all known yet cannot name instances, nor can one holding null; a set
// of known strings makes one instance per element, in order.
func TestForEachSetsRefusedForWhatTheyHold(t *testing.T) {
	for name, tc := range map[string]struct{ expr, want string }{
		"an element known after apply": {`toset(["a", file_ticket.seed.id])`, "known only after apply"},
		"a null element":               {`toset(["a", null])`, "may not contain null"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, `resource "file_ticket" "seed" {
  dir   = "tickets"
  title = "seed"
}
resource "file" "a" {
  for_each = `+tc.expr+`
  path     = each.key
  content  = "x"
}`)
			_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
			if !strings.Contains(diagString(diags), tc.want) {
				t.Fatalf("diagnostics %q do not mention %q", diagString(diags), tc.want)
			}
		})
	}
	p, diags := planForEach(t, `toset(["c", "a", "b"])`, "each.key")
	if diags.HasErrors() {
		t.Fatal(diagString(diags))
	}
	var got []string
	for _, ch := range p.Changes {
		got = append(got, ch.Addr.String())
	}
	if want := `[file.a["a"] file.a["b"] file.a["c"]]`; fmt.Sprint(got) != want {
		t.Errorf("instances %v, want %s", got, want)
	}
}

// planForEach plans a file resource whose for_each is forEach and whose
// path is the expression path.
func planForEach(t *testing.T, forEach, path string) (*plans.Plan, hcl.Diagnostics) {
	t.Helper()
	f := newFixture(t, `resource "file" "a" {
  for_each = `+forEach+`
  path     = `+path+`
  content  = "x"
}`)
	return f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
}
