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

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/planner/schemas"
)

// TestProvidersSchemaJSON runs `slipway providers schema -json` in a
// configuration that uses a third-party provider: it prints the schemas of
// the built-in providers and of the pinned one, read from the providers
// themselves over the protocol, and every attribute of a built-in provider
// is described (the reference pages are generated from these).
func TestProvidersSchemaJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := "resource \"file\" \"motd\" {\n  path    = \"motd.txt\"\n  content = \"hello\\n\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := slipwayIn(dir, "init"); err != nil {
		t.Fatalf("slipway init: %v\n%s", err, out)
	}

	out, err := slipwayStdout(dir, "providers", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Providers []struct{ Name, Version, Found, Path string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("slipway providers -json is not JSON: %v\n%s", err, out)
	}
	found := map[string]string{}
	for _, p := range list.Providers {
		found[p.Name] = p.Found
		if p.Version == "" {
			t.Errorf("slipway providers lists %s without a version", p.Name)
		}
		if p.Found == "lock_file" && !strings.HasSuffix(p.Path, "slipway-provider-"+p.Name) {
			t.Errorf("slipway providers says %s is at %q", p.Name, p.Path)
		}
	}
	want := map[string]string{"file": "lock_file", "git": "builtin", "helm": "builtin", "kubernetes": "builtin", "registry": "builtin"}
	if len(found) != len(want) {
		t.Errorf("slipway providers lists %v, want %v", found, want)
	}
	for n, f := range want {
		if found[n] != f {
			t.Errorf("slipway providers says %s was found %q, want %q", n, found[n], f)
		}
	}

	out, err = slipwayStdout(dir, "providers", "schema", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var doc schemas.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("slipway providers schema -json is not JSON: %v\n%s", err, out)
	}
	if doc.FormatVersion != schemas.FormatVersion {
		t.Errorf("format_version %q, want %q", doc.FormatVersion, schemas.FormatVersion)
	}
	for n := range want {
		if doc.ProviderSchemas[n] == nil {
			t.Errorf("no schemas for provider %s", n)
		}
	}
	if f := doc.ProviderSchemas["file"]; f != nil && f.ResourceSchemas["file"].Block.Attributes["content"] == nil {
		t.Errorf("the file provider's schema has no file.content: %+v", f.ResourceSchemas)
	}
	if g := doc.ProviderSchemas["git"]; g != nil {
		if a := g.Provider.Block.Attributes["password"]; a == nil || !a.Sensitive || !a.Optional {
			t.Errorf("git's provider password is %+v, want optional and sensitive", a)
		}
		if g.SourceSchemas["git"].Block.Attributes == nil {
			t.Error("git has no source type git")
		}
		if a := g.SourceSchemas["git"].Block.Attributes["dir"]; a == nil || !a.Local {
			t.Errorf("git's source dir is %+v, want local: a checkout's path only makes sense on the machine that made it", a)
		}
	}
	if k := doc.ProviderSchemas["kubernetes"]; k != nil {
		if a := k.ResourceSchemas["kubernetes_app"].Block.Attributes["manifests_dir"]; a == nil || !a.Local {
			t.Errorf("kubernetes_app manifests_dir is %+v, want local", a)
		}
	}
	for _, n := range []string{"git", "helm", "kubernetes", "registry"} {
		p := doc.ProviderSchemas[n]
		if p == nil {
			continue
		}
		check := func(what string, s schemas.Schema) {
			if s.Block.Description == "" {
				t.Errorf("%s has no description: write one in its schema", what)
			}
			for an, a := range s.Block.Attributes {
				if a.Description == "" {
					t.Errorf("%s attribute %s has no description: write one in its schema", what, an)
				}
				if !a.Required && !a.Optional && !a.Computed {
					t.Errorf("%s attribute %s is neither required, optional nor computed", what, an)
				}
				var ty any
				if err := json.Unmarshal(a.Type, &ty); err != nil || ty == nil {
					t.Errorf("%s attribute %s has type %s", what, an, a.Type)
				}
			}
		}
		check("provider "+n, p.Provider)
		for rn, s := range p.ResourceSchemas {
			check("resource type "+rn, s)
		}
		for sn, s := range p.SourceSchemas {
			check("source type "+sn, s)
		}
	}

	if out, err := slipwayIn(dir, "providers", "schema"); exitCode(err) != 1 || !strings.Contains(out, "providers schema -json") {
		t.Errorf("slipway providers schema without -json exited %d:\n%s", exitCode(err), out)
	}
}

// TestProvidersDocs runs `slipway providers docs` as a provider's author
// does (providers.md, "Documenting a provider"): in a copy of the file
// provider's examples, init pins the provider, and the pages written are
// the ones committed in examples/provider-file/docs, which website/refgen
// writes with the same code. A built-in provider's pages carry the
// examples built into slipway.
func TestProvidersDocs(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS(filepath.Join(root, "examples", "provider-file", "examples"))); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "examples", "provider")
	if out, err := slipwayIn(cfg, "init"); err != nil {
		t.Fatalf("slipway init: %v\n%s", err, out)
	}
	out, err := slipwayIn(cfg, "providers", "docs", "file", "-examples", "..", "-out", "../../docs")
	if err != nil {
		t.Fatalf("slipway providers docs: %v\n%s", err, out)
	}
	if want := "Wrote 3 pages of provider file into ../../docs, with 4 examples."; !strings.Contains(out, want) {
		t.Errorf("slipway providers docs printed %q, want %q", out, want)
	}
	committed := filepath.Join(root, "examples", "provider-file", "docs")
	want, _ := filepath.Glob(filepath.Join(committed, "*"))
	got, _ := filepath.Glob(filepath.Join(work, "docs", "*"))
	if len(got) != len(want) || len(want) == 0 {
		t.Errorf("slipway providers docs wrote %d files, want the %d of %s", len(got), len(want), committed)
	}
	for _, w := range want {
		wb, _ := os.ReadFile(w)
		gb, err := os.ReadFile(filepath.Join(work, "docs", filepath.Base(w)))
		if err != nil || string(gb) != string(wb) {
			t.Errorf("%s differs from what slipway providers docs writes (%v): run go generate ./website", w, err)
		}
	}

	out, err = slipwayIn(work, "providers", "docs", "git", "-out", "git-docs")
	if err != nil {
		t.Fatalf("slipway providers docs git: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(work, "git-docs", "source-git.md"))
	if err != nil || !strings.Contains(string(src), "```hcl\n") || !strings.Contains(string(src), "| `url` | `string` | required |") {
		t.Errorf("the git source's page has no example or no url argument (%v):\n%s", err, src)
	}

	out, err = slipwayIn(work, "providers", "docs", "jira", "-out", "jira-docs")
	if exitCode(err) != 1 || !strings.Contains(out, `provider "jira" is neither built into slipway nor required by the configuration`) {
		t.Errorf("slipway providers docs of an unknown provider exited %d:\n%s", exitCode(err), out)
	}
}
