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
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// pinned syncs the file manifest.txt of a directory, as an app syncs its
// manifests, and records the revision it was read at: what it holds
// (content) is the change; the revision says where it came from
// (Provenance). Each apply appends the revision to applied.log in the
// directory, for the test to count the provider's applies.
type pinned struct{}

func (pinned) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"dir":      {Type: cty.String, Required: true, Local: true},
		"revision": {Type: cty.String, Optional: true, Provenance: true},
		"content":  {Type: cty.String, Computed: true},
	}}
}

func (pinned) Plan(ctx context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	synced{}.Plan(ctx, req, resp)
}

func (pinned) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
	if req.PlannedState.IsNull() {
		return
	}
	dir := sdk.GetString(req.Config, "dir")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.txt"))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the manifest", err.Error())
		return
	}
	log, err := os.OpenFile(filepath.Join(filepath.Dir(dir), "applied.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = log.WriteString(sdk.GetString(req.PlannedState, "revision") + "\n")
		if cerr := log.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot log the apply", err.Error())
		return
	}
	resp.NewState = sdk.With(req.PlannedState, "content", cty.StringVal(string(b)))
}

func (pinned) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}

// TestProvenance moves the source of an instance to commits that leave
// its manifest alone, then to one that changes it: only the last is a
// change, and apply records each commit all the same.
func TestProvenance(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
variable "cache" { type = string }
variable "rev" { type = string }
source "kit" "repo" {
  revision  = var.rev
  cache_dir = var.cache
}
resource "kit_pinned" "app" {
  dir      = source.kit.repo.dir
  revision = source.kit.repo.revision
}
`)
	cache := t.TempDir()
	put := func(rev, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(cache, rev), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cache, rev, "manifest.txt"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(rev string, refresh bool) *plans.Plan {
		t.Helper()
		p, diags := f.context(map[string]string{"cache": cache, "rev": rev}).Plan(context.Background(), PlanOpts{Refresh: refresh})
		if diags.HasErrors() {
			t.Fatalf("plan at %s: %s", rev, diags.Error())
		}
		return p
	}
	applies := func() string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(cache, "applied.log"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", " ")
	}
	human := func(p *plans.Plan) string {
		var b bytes.Buffer
		render.Human(&b, p, render.Options{})
		return b.String()
	}
	app := mustAddr(t, "kit_pinned.app")
	stateRev := func() string { return sdk.GetString(f.st.Resources["kit_pinned.app"].Value, "revision") }

	put("r1", "v1")
	f.apply(t, plan("r1", true))
	if got := applies(); got != "r1" {
		t.Fatalf("applies after the first apply: %q, want r1", got)
	}
	priv := f.st.Resources["kit_pinned.app"].Private

	// A commit that leaves the manifest alone: no change, with the
	// refresh on and off.
	put("r2", "v1")
	for _, refresh := range []bool{true, false} {
		p := plan("r2", refresh)
		if p.HasChanges() {
			t.Fatalf("plan at r2 (refresh %v) has changes: %v", refresh, actions(p))
		}
		ch := p.Change(app)
		if ch.Action != plans.NoOp || sdk.GetString(ch.After, "revision") != "r2" || sdk.GetString(ch.Before, "revision") != "r1" {
			t.Errorf("refresh %v: change %s, revision %q -> %q; want a no-op from r1 to r2", refresh, ch.Action, sdk.GetString(ch.Before, "revision"), sdk.GetString(ch.After, "revision"))
		}
		if out := human(p); strings.Contains(out, "kit_pinned.app") || !strings.Contains(out, "No changes.") {
			t.Errorf("refresh %v: the plan shows the app or a change:\n%s", refresh, out)
		}
	}
	f.apply(t, plan("r2", true))
	if got := stateRev(); got != "r2" {
		t.Errorf("state revision after applying r2 = %q, want r2", got)
	}
	if got := applies(); got != "r1" {
		t.Errorf("applies after applying r2 = %q, want r1 alone: a commit that changes nothing is recorded without the provider", got)
	}
	if got := f.st.Resources["kit_pinned.app"].Private; !bytes.Equal(got, priv) {
		t.Errorf("private state changed from %q to %q without an apply", priv, got)
	}
	if p := plan("r2", true); p.HasChanges() || !sameValueOf(p.Change(app)) {
		t.Errorf("plan after recording r2: %v, want nothing to do", actions(p))
	}

	// A commit that changes the manifest: an update that shows the
	// revision beside the content.
	put("r3", "v2")
	p := plan("r3", true)
	if got := actions(p); len(got) != 2 || got["kit_pinned.app"] != "update" || got["source.kit.repo"] != "read" {
		t.Fatalf("plan at r3: %v, want kit_pinned.app updated after the source's read", got)
	}
	out := human(p)
	for _, want := range []string{`revision = "r2" -> "r3"`, `"v1" -> "v2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan at r3 does not show %s:\n%s", want, out)
		}
	}
	f.apply(t, p)
	if got := applies(); got != "r1 r3" {
		t.Errorf("applies after r3 = %q, want r1 r3", got)
	}
	if got := stateRev(); got != "r3" {
		t.Errorf("state revision = %q, want r3", got)
	}
}

// sameValueOf reports whether a change's before and after are the same.
func sameValueOf(ch *plans.ResourceChange) bool {
	return ch != nil && ch.Before.RawEquals(ch.After)
}

func TestSameInEffect(t *testing.T) {
	t.Parallel()
	s := pinned{}.Schema()
	obj := func(dir, rev, content cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"dir": dir, "revision": rev, "content": content})
	}
	str := cty.StringVal
	a := obj(str("/a/r1"), str("r1"), str("v1"))
	tests := map[string]struct {
		b    cty.Value
		want bool
	}{
		"equal":                 {a, true},
		"only provenance moves": {obj(str("/a/r2"), str("r2"), str("v1")), true},
		"content changes too":   {obj(str("/a/r2"), str("r2"), str("v2")), false},
		"provenance unknown":    {obj(str("/a/r1"), cty.UnknownVal(cty.String), str("v1")), false},
		"provenance null":       {obj(str("/a/r1"), cty.NullVal(cty.String), str("v1")), true},
		"local unknown":         {obj(cty.UnknownVal(cty.String), str("r1"), str("v1")), true},
		"new":                   {cty.NullVal(s.ImpliedType()), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := sameInEffect(s, a, tt.b); got != tt.want {
				t.Errorf("sameInEffect = %v, want %v", got, tt.want)
			}
		})
	}
	if got := withRunInputs(s, a, obj(str("/b/r2"), str("r2"), cty.NullVal(cty.String))); !got.RawEquals(obj(str("/b/r2"), str("r2"), str("v1"))) {
		t.Errorf("withRunInputs = %#v, want the planned value with the configuration's revision and directory", got)
	}
	if got := withRunInputs(s, a, obj(cty.UnknownVal(cty.String), str("r2"), cty.NullVal(cty.String))); !got.RawEquals(obj(str("/a/r1"), str("r2"), str("v1"))) {
		t.Errorf("withRunInputs of a directory not known yet = %#v, want the state's directory kept", got)
	}
	if got := withRunInputs(s, a, cty.UnknownVal(s.ImpliedType())); !got.RawEquals(a) {
		t.Errorf("withRunInputs of an unknown configuration = %#v, want the planned value", got)
	}
}

// TestInvalidPlansAreReported: a provider that plans an attribute the
// configuration sets to another value is a bug the plan reports, for
// each instance it planned wrongly and for none other, however many
// instances the block has.
func TestInvalidPlansAreReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `
resource "kit_wrong" "w" {
  for_each = toset(["bad-1", "good-1", "bad-2", "good-2", "good-3"])
  name     = each.key
}
`)
	p, diags := f.context(nil).Plan(context.Background(), PlanOpts{Refresh: true})
	var wrong []string
	for _, d := range diags {
		if d.Summary == "Provider produced an invalid plan" {
			wrong = append(wrong, d.Detail)
		}
	}
	if len(wrong) != 2 || !strings.Contains(wrong[0], `kit_wrong.w["bad-1"] wrongly`) || !strings.Contains(wrong[1], `kit_wrong.w["bad-2"] wrongly`) {
		t.Fatalf("invalid plans reported: %q", wrong)
	}
	planned := 0
	for _, ch := range p.Changes {
		if strings.Contains(ch.Addr.String(), "good-") {
			planned++
		}
		if strings.Contains(ch.Addr.String(), "bad-") {
			t.Errorf("a wrong plan was kept: %s", ch.Addr)
		}
	}
	if planned != 3 {
		t.Errorf("%d of the 3 instances planned rightly were planned", planned)
	}
}
