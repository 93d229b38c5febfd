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
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// mark is an expected diagnostic: where, and its summary.
type mark struct {
	File    string
	Line    int
	Summary string
}

var markRE = regexp.MustCompile(`#\s*ERROR:\s*(.+?)\s*$`)

// wantMarks reads the `# ERROR: summary` comments of a fixture directory.
func wantMarks(t *testing.T, dir string) []mark {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.slip.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	var marks []mark
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			if m := markRE.FindStringSubmatch(sc.Text()); m != nil {
				marks = append(marks, mark{filepath.Base(path), line, m[1]})
			}
		}
		f.Close()
	}
	return sortMarks(marks)
}

func gotMarks(diags hcl.Diagnostics) []mark {
	var marks []mark
	for _, d := range diags {
		m := mark{Summary: d.Summary}
		if d.Subject != nil {
			m.File, m.Line = filepath.Base(d.Subject.Filename), d.Subject.Start.Line
		}
		marks = append(marks, m)
	}
	return sortMarks(marks)
}

func sortMarks(ms []mark) []mark {
	slices.SortFunc(ms, func(a, b mark) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Summary, b.Summary)
	})
	return ms
}

// load loads a fixture directory as the CLI does: LoadDir, then
// CheckReferences.
func load(t *testing.T, dir string) (*Config, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := LoadDir(dir)
	return cfg, append(diags, cfg.CheckReferences()...)
}

func TestLoadDirFixtures(t *testing.T) {
	t.Parallel()
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.Name() == "fuzz" || d.Name() == "policydirs" {
			continue // the fuzz tests' seeds; -policy directories (TestLoadPolicyDir)
		}
		dir := filepath.Join("testdata", d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			_, diags := load(t, dir)
			if diff := cmp.Diff(wantMarks(t, dir), gotMarks(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall diagnostics:\n%s", diff, diags.Error())
			}
		})
	}
}

func TestDiagnosticDetails(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		dir, summary, want string
	}{
		"suggests declared variable": {"undeclared-var", "Reference to undeclared input variable", `Did you mean "region"?`},
		"suggests declared resource": {"undeclared-resource", "Reference to undeclared resource", `Did you mean "source.git.app"?`},
		"names first declaration":    {"duplicates", "Duplicate resource", filepath.Join("testdata", "duplicates", "a.slip.hcl") + ":1,"},
		"hcl suggests argument":      {"typo-variable-attr", "Unsupported argument", `Did you mean "type"?`},
		"hcl suggests block type":    {"unknown-block", "Unsupported block type", `Did you mean "resource"?`},
		"says where count may be":    {"count-and-for-each", "Unsupported meta-argument", "allowed only in resource, app and pipeline blocks"},
		"suggests slipway.workspace": {"slipway-object", `Invalid "slipway" attribute`, `Did you mean "workspace"?`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags := load(t, filepath.Join("testdata", tt.dir))
			var details []string
			for _, d := range diags {
				if d.Summary == tt.summary {
					details = append(details, d.Detail)
					if strings.Contains(d.Detail, tt.want) {
						return
					}
				}
			}
			t.Errorf("no %q diagnostic has %q in its detail; details: %q", tt.summary, tt.want, details)
		})
	}
}

func TestLoadDirNoFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("not config"), 0o644)
	_, diags := LoadDir(dir)
	if len(diags) != 1 || diags[0].Summary != "No configuration files" || !strings.Contains(diags[0].Detail, "*.slip.hcl files in "+dir) {
		t.Fatalf("want one \"No configuration files\" naming %s, got %v", dir, diags)
	}
}

func refStrings(t *testing.T, refs []*addrs.Reference, diags hcl.Diagnostics) []string {
	t.Helper()
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	out := []string{}
	for _, r := range refs {
		out = append(out, r.Subject.String())
	}
	return out
}

func TestGoodReferences(t *testing.T) {
	t.Parallel()
	cfg, diags := load(t, filepath.Join("testdata", "good"))
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	got := map[string][]string{}
	for key, r := range cfg.Resources {
		refs, diags := r.References()
		got[key] = refStrings(t, refs, diags)
	}
	for name, l := range cfg.Locals {
		refs, diags := l.References()
		got["local."+name] = refStrings(t, refs, diags)
	}
	for name, o := range cfg.Outputs {
		refs, diags := o.References()
		got["output."+name] = refStrings(t, refs, diags)
	}
	for key, p := range cfg.Providers {
		refs, diags := p.References()
		got["provider."+key] = refStrings(t, refs, diags)
	}
	want := map[string][]string{
		"file.greeting":            {"local.names", "path.module", "local.names", "count.index", "local.greeting", "source.git.app"},
		"source.git.app":           {},
		"source.git.gitops":        {},
		"pipeline.myapp":           {"source.git.app", "source.git.app", "source.git.gitops", "self"},
		"app.web":                  {"var.regions", "source.git.gitops", "each.key", "source.git.app", "each.key", "each.value", "rollout.canary", "pipeline.myapp"},
		"rollout.canary":           {"analysis.errors"},
		"analysis.errors":          {"var.prod_context"},
		"local.greeting":           {"var.prod_context"},
		"local.names":              {},
		"output.greeting_paths":    {"file.greeting", "app.web"},
		"output.json_greeting":     {"local.greeting"},
		"provider.kubernetes":      {},
		"provider.kubernetes.prod": {"var.prod_context"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("references (-want +got):\n%s", diff)
	}
}

func TestGoodModel(t *testing.T) {
	t.Parallel()
	cfg, diags := LoadDir(filepath.Join("testdata", "good"))
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	type summary struct {
		Provider         string
		ProviderSet      bool
		Count, ForEach   bool
		DependsOn        int
		IgnoreChanges    int
		ReplaceTriggered int
	}
	got := map[string]summary{}
	for key, r := range cfg.Resources {
		got[key] = summary{
			Provider: r.Provider.String(), ProviderSet: r.ProviderSet,
			Count: r.Count != nil, ForEach: r.ForEach != nil,
			DependsOn: len(r.DependsOn), IgnoreChanges: len(r.Lifecycle.IgnoreChanges),
			ReplaceTriggered: len(r.Lifecycle.ReplaceTriggeredBy),
		}
	}
	want := map[string]summary{
		"file.greeting":     {Provider: "provider.file", Count: true, IgnoreChanges: 1, ReplaceTriggered: 1},
		"source.git.app":    {Provider: "provider.git"},
		"source.git.gitops": {Provider: "provider.git"},
		"pipeline.myapp":    {Provider: "provider."},
		"app.web":           {Provider: "provider.kubernetes.prod", ProviderSet: true, ForEach: true, DependsOn: 1},
		"rollout.canary":    {Provider: "provider.kubernetes"},
		"analysis.errors":   {Provider: "provider."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}

	rp := cfg.Slipway.RequiredProviders["file"]
	if rp == nil || rp.Source != "slipway/file" || rp.Version != ">= 1.0" {
		t.Errorf("required provider file = %+v", rp)
	}
	if b := cfg.Slipway.Backend; b == nil || b.Type != "local" {
		t.Errorf("backend = %+v", b)
	}
	wantDefault := cty.MapVal(map[string]cty.Value{"eu": cty.ObjectVal(map[string]cty.Value{"replicas": cty.NumberIntVal(1)})})
	if got := cfg.Variables["regions"].Default; !got.RawEquals(wantDefault) {
		t.Errorf("regions default = %#v, want %#v", got, wantDefault)
	}
	if p := cfg.Providers["kubernetes.prod"]; p == nil || p.Alias != "prod" {
		t.Errorf("provider kubernetes.prod = %+v", p)
	}
	if len(cfg.Files) != 3 || len(cfg.Sources) != 3 {
		t.Errorf("want 3 files and sources, got %d and %d", len(cfg.Files), len(cfg.Sources))
	}
}

func TestDefaultProvider(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		addr addrs.Resource
		want string
	}{
		"managed":          {addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}, "file"},
		"managed prefix":   {addrs.Resource{Kind: addrs.Managed, Type: "kubernetes_manifest", Name: "a"}, "kubernetes"},
		"git source":       {addrs.Resource{Kind: addrs.Source, Type: "git", Name: "a"}, "git"},
		"image source":     {addrs.Resource{Kind: addrs.Source, Type: "image", Name: "a"}, "registry"},
		"chart source":     {addrs.Resource{Kind: addrs.Source, Type: "chart", Name: "a"}, "helm"},
		"third-party type": {addrs.Resource{Kind: addrs.Source, Type: "vault", Name: "a"}, "vault"},
		"source prefix":    {addrs.Resource{Kind: addrs.Source, Type: "distribution_tags", Name: "a"}, "distribution"},
		"app":              {addrs.Resource{Kind: addrs.App, Name: "a"}, "kubernetes"},
		"rollout":          {addrs.Resource{Kind: addrs.Rollout, Name: "a"}, "kubernetes"},
		"pipeline":         {addrs.Resource{Kind: addrs.Pipeline, Name: "a"}, ""},
		"analysis":         {addrs.Resource{Kind: addrs.Analysis, Name: "a"}, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(addrs.Provider{Name: tt.want}, DefaultProvider(tt.addr)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
