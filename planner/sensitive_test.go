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
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

const sensitiveVar = `
variable "s" {
  default   = "hunter2-abc"
  sensitive = true
}
`

func TestSensitiveForEachAndCountRefused(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body, summary, at string
	}{
		"for_each set": {`for_each = toset([var.s])
  path     = "x-${each.key}"`, "Invalid for_each argument", "toset([var.s])"},
		"for_each sensitive map": {`for_each = { for k in [var.s] : k => 1 }
  path     = "x-${each.key}"`, "Invalid for_each argument", "{ for k in [var.s] : k => 1 }"},
		"count": {`count = length(var.s)
  path  = "x-${count.index}"`, "Invalid count argument", "length(var.s)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := sensitiveVar + "resource \"file\" \"a\" {\n  " + tt.body + "\n  content = \"c\"\n}\n"
			f := newFixture(t, src)
			_, plan := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
			validate := f.context(nil).Validate(context.Background())
			for what, diags := range map[string]hcl.Diagnostics{"plan": plan, "validate": validate} {
				d := findDiag(diags, tt.summary)
				if d == nil {
					t.Errorf("%s: no %q among %s", what, tt.summary, diagString(diags))
					continue
				}
				if !strings.Contains(d.Detail, "sensitive") || !strings.Contains(d.Detail, "nonsensitive(") {
					t.Errorf("%s: the detail does not say why and how to fix it: %s", what, d.Detail)
				}
				if strings.Contains(diagString(diags), "hunter2") {
					t.Errorf("%s: diagnostics show the secret: %s", what, diagString(diags))
				}
				if got := rangeText(t, f.dir, d.Subject); got != tt.at {
					t.Errorf("%s: the diagnostic points at %q, want %q", what, got, tt.at)
				}
			}
		})
	}
}

func TestSensitiveForEachValuesAndNonsensitive(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sensitiveVar+`
resource "file" "values" {
  for_each = { a = var.s }
  path     = "${path.module}/v-${each.key}"
  content  = each.value
}
resource "file" "opt_out" {
  for_each = nonsensitive(toset([var.s]))
  path     = "${path.module}/o-${each.key}"
  content  = "c"
}
`)
	p := f.plan(t, PlanOpts{Refresh: true})
	ch := p.Change(mustAddr(t, `file.values["a"]`))
	if ch == nil || !hasPath(ch.AfterSensitive, "content") {
		t.Fatalf(`file.values["a"]: each.value is not sensitive in the plan: %+v`, ch)
	}
	if p.Change(mustAddr(t, `file.opt_out["hunter2-abc"]`)) == nil {
		t.Errorf("nonsensitive did not let the key through: %v", actions(p))
	}
}

// TestComputedFromSensitive: what a provider computes for an instance
// whose configuration holds a sensitive value is sensitive, in the plan
// and in state, and so is whatever refers to it.
func TestComputedFromSensitive(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sensitiveVar+`
resource "file" "secret_path" {
  path    = "${path.module}/${var.s}.txt"
  content = "plain"
}
resource "file" "secret_content" {
  path    = "${path.module}/content.txt"
  content = var.s
  mode    = "0600"
}
resource "file" "follower" {
  path    = "${path.module}/follower.txt"
  content = file.secret_path.id
}
resource "file" "plain" {
  path    = "${path.module}/plain.txt"
  content = "plain"
}
resource "kit_thing" "t" {
  name = var.s
}
`)
	want := map[string][]string{
		"file.secret_path":    {"path", "id", "mode", "sha256"},
		"file.secret_content": {"content", "id", "sha256"},
		"file.follower":       {"content", "id", "mode", "sha256"},
		"file.plain":          nil,
		"kit_thing.t":         {"name", "id"},
	}
	check := func(what string, got func(addr string) []cty.Path) {
		t.Helper()
		for addr, names := range want {
			paths := got(addr)
			for _, n := range names {
				if !hasPath(paths, n) {
					t.Errorf("%s: %s.%s is not sensitive (%v)", what, addr, n, paths)
				}
			}
			if len(names) == 0 && len(paths) > 0 {
				t.Errorf("%s: %s has sensitive paths %v, want none", what, addr, paths)
			}
			if addr == "file.secret_content" && hasPath(paths, "mode") {
				t.Errorf("%s: %s.mode is given by the configuration, not computed, yet sensitive", what, addr)
			}
		}
	}
	p := f.plan(t, PlanOpts{Refresh: true})
	check("plan", func(addr string) []cty.Path { return p.Change(mustAddr(t, addr)).AfterSensitive })
	f.apply(t, p)
	check("state", func(addr string) []cty.Path { return f.st.Resources[addr].Sensitive })
	check("next plan", func(addr string) []cty.Path {
		return f.plan(t, PlanOpts{Refresh: true}).Change(mustAddr(t, addr)).AfterSensitive
	})

	// An output of such a value must say sensitive = true.
	src := readFile(t, f.dir) + "output \"id\" { value = file.secret_path.id }\n"
	os.WriteFile(filepath.Join(f.dir, "main.slip.hcl"), []byte(src), 0o644)
	f.load(t)
	_, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
	if findDiag(diags, "Output refers to sensitive values") == nil {
		t.Errorf("an output of a computed sensitive value is accepted: %s", diagString(diags))
	}
}

// progressHooks records apply progress.
type progressHooks struct {
	mu    sync.Mutex
	lines []string
}

func (h *progressHooks) PreApply(addrs.ResourceInstance, plans.Action) {}
func (h *progressHooks) Progress(addr addrs.ResourceInstance, msg string) {
	h.mu.Lock()
	h.lines = append(h.lines, addr.String()+": "+msg)
	h.mu.Unlock()
}
func (h *progressHooks) PostApply(addrs.ResourceInstance, plans.Action, error, time.Duration) {}

// TestProviderTextMasked: the values of sensitive variables are masked in
// what a provider says: its progress messages and its diagnostics.
func TestProviderTextMasked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sensitiveVar+`
resource "file" "ok" {
  path    = "${path.module}/${var.s}.txt"
  content = "x"
}
resource "file" "fails" {
  path    = "${path.module}/blocker/${var.s}/f.txt"
  content = "x"
}
`)
	if err := os.WriteFile(filepath.Join(f.dir, "blocker"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := f.plan(t, PlanOpts{Refresh: true})
	c := f.context(nil)
	c.Variables = p.Variables
	hooks := &progressHooks{}
	c.Hooks = hooks
	diags := c.Apply(context.Background(), p, c.NewApplier(), func(done func(error)) { done(nil) })
	if findDiag(diags, "Cannot write file") == nil {
		t.Fatalf("want the provider's error, got %s", diagString(diags))
	}
	text := diagString(diags) + strings.Join(hooks.lines, "\n")
	if strings.Contains(text, "hunter2") {
		t.Errorf("provider text shows the secret:\n%s", text)
	}
	if !slices.ContainsFunc(hooks.lines, func(l string) bool {
		return strings.HasPrefix(l, "file.ok: writing ") && strings.HasSuffix(l, "/***.txt")
	}) {
		t.Errorf("no masked progress message from file.ok:\n%s", strings.Join(hooks.lines, "\n"))
	}
}

func findDiag(diags hcl.Diagnostics, summary string) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Summary == summary {
			return d
		}
	}
	return nil
}

func hasPath(paths []cty.Path, attr string) bool {
	return slices.ContainsFunc(paths, func(p cty.Path) bool { return p.Equals(cty.GetAttrPath(attr)) })
}

// rangeText is the configuration text a range covers.
func rangeText(t *testing.T, dir string, r *hcl.Range) string {
	t.Helper()
	if r == nil {
		return ""
	}
	src, err := os.ReadFile(filepath.Join(dir, filepath.Base(r.Filename)))
	if err != nil {
		t.Fatal(err)
	}
	return string(src[r.Start.Byte:r.End.Byte])
}

// TestDerivedSecretsMasked: a value computed from a sensitive variable
// (its sha256 in a path) is masked in what a provider says, as the
// variable's value is, and the caller is told of it to mask its logs.
func TestDerivedSecretsMasked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sensitiveVar+`
resource "file" "ok" {
  path    = "${path.module}/${sha256(var.s)}.txt"
  content = "x"
}
resource "file" "fails" {
  path    = "${path.module}/blocker/${sha256(var.s)}/f.txt"
  content = "x"
}
`)
	if err := os.WriteFile(filepath.Join(f.dir, "blocker"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("hunter2-abc"))
	secretHash := hex.EncodeToString(sum[:])
	p := f.plan(t, PlanOpts{Refresh: true})
	c := f.context(nil)
	c.Variables = p.Variables
	hooks := &progressHooks{}
	c.Hooks = hooks
	var told []string
	var mu sync.Mutex
	c.OnSecrets = func(s []string) { mu.Lock(); told = append(told, s...); mu.Unlock() }
	diags := c.Apply(context.Background(), p, c.NewApplier(), func(done func(error)) { done(nil) })
	text := diagString(diags) + strings.Join(hooks.lines, "\n")
	if strings.Contains(text, secretHash) {
		t.Errorf("provider text shows the secret's sha256:\n%s", text)
	}
	if !slices.ContainsFunc(hooks.lines, func(l string) bool {
		return strings.HasPrefix(l, "file.ok: writing ") && strings.HasSuffix(l, "/***.txt")
	}) {
		t.Errorf("no masked progress message from file.ok:\n%s", strings.Join(hooks.lines, "\n"))
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(told, secretHash) {
		t.Errorf("OnSecrets was not told of the secret's sha256: %q", told)
	}
}

// TestOutputNoLongerSensitive: an output whose recorded value was
// sensitive shows neither side when the configuration no longer says so,
// in every view of the plan; state then records it as the configuration
// says.
func TestOutputNoLongerSensitive(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
output "token" { value = "public" }
`)
	f.st.Outputs["token"] = &state.Output{Value: cty.StringVal("s3cr3t"), Sensitive: true}
	p := f.plan(t, PlanOpts{Refresh: true})
	if len(p.Outputs) != 1 || p.Outputs[0].Action != plans.Update || !p.Outputs[0].Sensitive {
		t.Fatalf("outputs %+v; want token updated, sensitive", p.Outputs)
	}
	f.apply(t, p)
	if o := f.st.Outputs["token"]; o == nil || o.Sensitive {
		t.Errorf("state after apply: %+v; want token not sensitive", o)
	}
}
