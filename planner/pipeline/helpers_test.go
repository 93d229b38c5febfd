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

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/plugin-sdk/builtin"
)

// ctyCmp compares cty values, types and paths by their Go syntax, which
// shows unknowns, nulls and marks, and reads well in a diff.
var ctyCmp = cmp.Options{
	cmp.Transformer("cty.Value", func(v cty.Value) string { return v.GoString() }),
	cmp.Transformer("cty.Type", func(t cty.Type) string { return t.GoString() }),
	cmp.Transformer("cty.Path", func(p cty.Path) string {
		s := "path"
		for _, st := range p {
			switch st := st.(type) {
			case cty.GetAttrStep:
				s += "." + st.Name
			case cty.IndexStep:
				s += "[" + st.Key.GoString() + "]"
			}
		}
		return s
	}),
}

// loadBlock loads src as the one file of a configuration, as slipway
// loads a directory, and returns its only pipeline, app or rollout block.
func loadBlock(t *testing.T, src string) *lang.Resource {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatalf("loading the fixture: %s", diags.Error())
	}
	if len(cfg.Resources) != 1 {
		t.Fatalf("the fixture declares %d blocks, want 1", len(cfg.Resources))
	}
	for _, rc := range cfg.Resources {
		return rc
	}
	return nil
}

// gitSource is the value of a git source following a branch, as the git
// provider reads it.
func gitSource(name, branch, commit string) cty.Value {
	short := commit
	if len(short) > 7 {
		short = short[:7]
	}
	br, ref := cty.NullVal(cty.String), cty.NullVal(cty.String)
	if branch != "" {
		br, ref = cty.StringVal(branch), cty.StringVal("refs/heads/"+branch)
	}
	return cty.ObjectVal(map[string]cty.Value{
		builtin.SourceURL:         cty.StringVal("https://git.example.com/" + name + ".git"),
		builtin.SourceBranch:      br,
		builtin.SourceTag:         cty.NullVal(cty.String),
		builtin.SourceRef:         ref,
		builtin.SourceCommit:      cty.StringVal(commit),
		builtin.SourceShortCommit: cty.StringVal(short),
		builtin.SourceDir:         cty.StringVal("/cache/" + name),
	})
}

// withAttr returns an object with one attribute set.
func withAttr(v cty.Value, name string, a cty.Value) cty.Value {
	m := v.AsValueMap()
	m[name] = a
	return cty.ObjectVal(m)
}

// scope is what an instance's expressions see.
type scope struct {
	sources map[string]cty.Value // by "TYPE.NAME"
	vars    map[string]cty.Value
}

// evalContext builds the evaluation context the engine would: source.T.N
// and var.N.
func (s scope) evalContext() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	byType := map[string]map[string]cty.Value{}
	for k, v := range s.sources {
		typ, name, _ := strings.Cut(k, ".")
		if byType[typ] == nil {
			byType[typ] = map[string]cty.Value{}
		}
		byType[typ][name] = v
	}
	if len(byType) > 0 {
		src := map[string]cty.Value{}
		for typ, m := range byType {
			src[typ] = cty.ObjectVal(m)
		}
		vars["source"] = cty.ObjectVal(src)
	}
	if len(s.vars) > 0 {
		vars["var"] = cty.ObjectVal(s.vars)
	}
	return &hcl.EvalContext{Variables: vars}
}

// summaries lists the summaries of the error diagnostics.
func summaries(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d.Summary)
		}
	}
	return out
}

const (
	commitA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
	commitB = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
	commitG = "aaaabbbbccccddddeeeeffff0000111122223333"
	commitH = "4444555566667777888899990000aaaabbbbcccc"
)
