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
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// countingHooks records what an apply reports: the total it announced,
// and every start and end.
type countingHooks struct {
	mu     sync.Mutex
	totals []int
	pre    []string
	post   []string
}

func (h *countingHooks) Total(n int) {
	h.mu.Lock()
	h.totals = append(h.totals, n)
	h.mu.Unlock()
}

func (h *countingHooks) PreApply(addr addrs.ResourceInstance, action plans.Action) {
	h.mu.Lock()
	h.pre = append(h.pre, addr.String()+" "+action.String())
	h.mu.Unlock()
}

func (h *countingHooks) Progress(addrs.ResourceInstance, string) {}

func (h *countingHooks) PostApply(addr addrs.ResourceInstance, action plans.Action, err error, _ time.Duration) {
	h.mu.Lock()
	h.post = append(h.post, addr.String()+" "+action.String())
	h.mu.Unlock()
}

var _ HooksWithTotal = (*countingHooks)(nil)

// TestStepsMatchHooks: the total an apply announces (Steps) is exactly the
// number of changes it then reports, for creates, updates, replaces (both
// orders), deletes of dropped instances, and a destroy.
func TestStepsMatchHooks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "v" { default = "1" }
variable "n" { default = 3 }
resource "file" "many" {
  count   = var.n
  path    = "${path.module}/many-${count.index}.txt"
  content = "v${var.v}"
}
resource "file" "source" {
  path    = "${path.module}/source.txt"
  content = "v${var.v}"
}
resource "file" "follower" {
  path    = "${path.module}/follower.txt"
  content = "constant"
  lifecycle { replace_triggered_by = [file.source] }
}
resource "file" "cbd" {
  path    = "${path.module}/cbd.txt"
  content = "constant"
  lifecycle {
    replace_triggered_by  = [file.source]
    create_before_destroy = true
  }
}
`)
	apply := func(name string, p *plans.Plan, want int) {
		t.Helper()
		if got := Steps(p); got != want {
			t.Errorf("%s: Steps = %d, want %d (actions %v)", name, got, want, actions(p))
		}
		c := f.context(nil)
		c.Variables = p.Variables
		h := &countingHooks{}
		c.Hooks = h
		a := c.NewApplier()
		if diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) }); diags.HasErrors() {
			t.Fatalf("%s: apply: %s", name, diags.Error())
		}
		f.st = a.Snapshot()
		f.st.Serial++
		sort.Strings(h.pre)
		sort.Strings(h.post)
		if len(h.totals) != 1 || h.totals[0] != want {
			t.Errorf("%s: Total called with %v, want once with %d", name, h.totals, want)
		}
		if len(h.post) != want || strings.Join(h.pre, ",") != strings.Join(h.post, ",") {
			t.Errorf("%s: %d started %v, %d finished %v; want %d of each, the same", name, len(h.pre), h.pre, len(h.post), h.post, want)
		}
	}
	apply("create", f.plan(t, PlanOpts{Refresh: true}), 6)

	// Three updates (file.source and two of file.many), two replaces
	// (each a delete and a create), and one delete of a dropped instance.
	src, _ := os.ReadFile(filepath.Join(f.dir, "main.slip.hcl"))
	edited := strings.NewReplacer(`default = "1"`, `default = "2"`, "default = 3", "default = 2").Replace(string(src))
	if err := os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	f.load(t)
	p := f.plan(t, PlanOpts{Refresh: true})
	want := map[string]string{"file.source": "update", "file.many[0]": "update", "file.many[1]": "update", "file.many[2]": "delete", "file.follower": "replace", "file.cbd": "replace"}
	if got := actions(p); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	apply("change", p, 3+1+2*2)

	apply("destroy", f.plan(t, PlanOpts{Mode: plans.DestroyMode}), 5)
}
