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

package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"slipway.dev/slipway/lang/addrs"
)

// TestAnalysisReferences: analysis.NAME is an address of its own kind,
// in references, in addresses the CLI takes, and as a block whose count
// stays in its body (the number of measurements, not a meta-argument).
func TestAnalysisReferences(t *testing.T) {
	t.Parallel()
	want := addrs.Resource{Kind: addrs.Analysis, Name: "errors"}

	trav, diags := hclsyntax.ParseTraversalAbs([]byte("analysis.errors.spec"), "x.slip.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ref, diags := addrs.ParseRef(trav)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(addrs.Referenceable(want), ref.Subject); diff != "" {
		t.Errorf("ParseRef subject (-want +got):\n%s", diff)
	}
	if got := len(ref.Remaining); got != 1 {
		t.Errorf("ParseRef left %d steps, want 1 (spec)", got)
	}
	if want.String() != "analysis.errors" {
		t.Errorf("String() = %q", want.String())
	}

	ri, diags := addrs.ParseResourceInstance("analysis.errors")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(want.Instance(addrs.NoKey), ri); diff != "" {
		t.Errorf("ParseResourceInstance (-want +got):\n%s", diff)
	}

	if _, diags := addrs.ParseRef(hcl.Traversal{hcl.TraverseRoot{Name: "analysis"}}); !diags.HasErrors() {
		t.Error("a bare analysis reference parsed without an error")
	}

	dir := t.TempDir()
	src := `
analysis "errors" {
  count = 3
  http { url = "http://web/healthz" }
}
rollout "canary" {
  canary {
    step { analysis = analysis.errors }
  }
}
resource "analysis" "x" {}
`
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := LoadDir(dir)
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	// "analysis" is a keyword in references, so not a resource type.
	if diff := cmp.Diff([]string{"Reserved resource type"}, summaries); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	rc := cfg.Resources["analysis.errors"]
	if rc == nil {
		t.Fatal("analysis.errors was not loaded")
	}
	if rc.Count != nil {
		t.Error("an analysis's count was taken as the count meta-argument")
	}
	if attrs, _ := rc.Config.JustAttributes(); attrs["count"] == nil {
		t.Error("an analysis's count is not in its body")
	}
	refs, diags := cfg.Resources["rollout.canary"].References()
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(refs) != 1 || refs[0].Subject != addrs.Referenceable(want) {
		t.Errorf("rollout.canary refers to %v, want [analysis.errors]", refs)
	}
	if p := rc.Provider; p != (addrs.Provider{}) {
		t.Errorf("an analysis has provider %s, want none", p)
	}
}
