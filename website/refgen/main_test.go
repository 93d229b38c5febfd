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
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"

	"slipway.dev/slipway/examples/provider-distribution/distribution"
	"slipway.dev/slipway/examples/provider-file/file"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
	"slipway.dev/slipway/planner/provdocs"
	"slipway.dev/slipway/planner/schemas"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// TestMain lets this test binary serve the providers whose examples it
// validates, as slipway serves its built-ins (`<binary> provider serve
// NAME`), so that validate talks to each through the real protocol.
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == "provider" && os.Args[2] == "serve" {
		if b, ok := builtins[os.Args[3]]; ok {
			sdk.Serve(b.New())
		} else if os.Args[3] == "file" {
			sdk.Serve(file.New())
		} else if os.Args[3] == "distribution" {
			sdk.Serve(distribution.New())
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestPagesUpToDate regenerates the reference pages and the example file
// provider's pages into temporary directories and compares them with the
// committed ones, so that a schema, a description or an example changed
// without go generate ./website fails here, without protoc.
func TestPagesUpToDate(t *testing.T) {
	t.Parallel()
	ref := t.TempDir()
	if err := run(ref); err != nil {
		t.Fatal(err)
	}
	sameTree(t, filepath.Join("..", "docs", "reference"), ref)

	fileOut := t.TempDir()
	if err := runFile(fileOut, os.DirFS(filepath.Join("..", fileExamples))); err != nil {
		t.Fatal(err)
	}
	sameTree(t, filepath.Join("..", fileDocs), fileOut)

	distributionOut := t.TempDir()
	if err := runDistribution(distributionOut, os.DirFS(filepath.Join("..", distributionExamples))); err != nil {
		t.Fatal(err)
	}
	sameTree(t, filepath.Join("..", distributionDocs), distributionOut)
}

// sameTree fails the test for every file that differs between the
// committed directory and the one just generated, or is in one only.
func sameTree(t *testing.T, committed, generated string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := files(generated), files(committed)
	fix := "run go generate ./website (or make generate) and commit the result"
	for name, b := range want {
		switch g, ok := got[name]; {
		case !ok:
			t.Errorf("%s/%s is missing: %s", committed, name, fix)
		case !bytes.Equal(g, b):
			t.Errorf("%s/%s is out of date with the schemas and examples: %s", committed, name, fix)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s/%s is no longer generated: %s", committed, name, fix)
		}
	}
}

// TestExamplesValidate checks every example of the built-in providers and
// of the example file provider as `slipway validate` would: it parses, is
// formatted as slipway fmt formats it, and validates against the
// provider's schema, served through the plugin protocol, with no error
// and no warning.
func TestExamplesValidate(t *testing.T) {
	t.Parallel()
	type provider struct {
		p        sdk.Provider
		examples fs.FS
	}
	all := map[string]provider{
		"file":         {file.New(), os.DirFS(filepath.Join("..", fileExamples))},
		"distribution": {distribution.New(), os.DirFS(filepath.Join("..", distributionExamples))},
	}
	for name, b := range builtins {
		all[name] = provider{b.New(), b.Examples()}
	}
	names := map[string]bool{}
	for name := range all {
		names[name] = true
	}
	for _, name := range schemas.Names(all) {
		doc, err := schemas.FromSDK(schemas.Of(all[name].p))
		if err != nil {
			t.Fatal(err)
		}
		ex, err := provdocs.ReadExamples(all[name].examples, doc)
		if err != nil {
			t.Fatalf("provider %s: %v", name, err)
		}
		// Every type has an example, so that no page is without one.
		for _, kind := range []struct {
			what  string
			types map[string]schemas.Schema
			ex    map[string][]provdocs.Example
		}{{"resource", doc.ResourceSchemas, ex.Resources}, {"source", doc.SourceSchemas, ex.Sources}} {
			for typ := range kind.types {
				if len(kind.ex[typ]) == 0 {
					t.Errorf("provider %s: %s type %s has no example: add one in its examples directory", name, kind.what, typ)
				}
			}
		}
		for _, e := range ex.All() {
			t.Run(name+"/"+e.Path, func(t *testing.T) {
				t.Parallel()
				validateExample(t, e, names)
			})
		}
	}
}

func validateExample(t *testing.T, e provdocs.Example, builtin map[string]bool) {
	if _, diags := hclparse.NewParser().ParseHCL(e.Src, e.Path); diags.HasErrors() {
		t.Fatalf("%s does not parse:\n%s", e.Path, diags.Error())
	}
	formatted, diags := lang.Format(e.Src)
	if diags.HasErrors() {
		t.Fatalf("%s cannot be formatted: %s", e.Path, diags.Error())
	}
	if !bytes.Equal(formatted, e.Src) {
		t.Errorf("%s is not formatted as slipway fmt formats it; write it as:\n%s", e.Path, formatted)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main"+provdocs.ExampleSuffix), e.Src, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatalf("%s does not load:\n%s", e.Path, diags.Error())
	}
	set := &plugins.Set{Builtins: builtin, Self: os.Args[0], Locks: &plugins.Locks{}}
	defer set.Close()
	pc := &planner.Context{Config: cfg, State: state.NewState(), Providers: set}
	if diags := pc.Validate(context.Background()); len(diags) > 0 {
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.Error())
		}
		t.Errorf("slipway validate of %s is not clean:\n%s", e.Path, strings.Join(msgs, "\n"))
	}
}
