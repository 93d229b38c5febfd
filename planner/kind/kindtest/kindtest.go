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

// Package kindtest holds what the unit tests of the block-kind packages
// share: loading a block from HCL as slipway does, building the
// evaluation context the engine would, and comparing cty values.
//
// What must stay true: only tests import it; it imports nothing of the
// engine (package planner) or of any kind.
package kindtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
)

// CtyCmp compares cty values, types and paths by their Go syntax, which
// shows unknowns, nulls and marks, and reads well in a diff.
var CtyCmp = cmp.Options{
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

// LoadBlock loads src as the one file of a configuration, as slipway
// loads a directory, and returns its only block.
func LoadBlock(t *testing.T, src string) *lang.Resource {
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

// WithAttr is the object v with attribute name set to a.
func WithAttr(v cty.Value, name string, a cty.Value) cty.Value {
	m := v.AsValueMap()
	m[name] = a
	return cty.ObjectVal(m)
}

// Scope is what an instance's expressions see.
type Scope struct {
	Sources map[string]cty.Value // by "TYPE.NAME"
	Vars    map[string]cty.Value
	Each    cty.Value // each.key, or NilVal
	Count   cty.Value // count.index, or NilVal
}

// EvalContext builds the evaluation context the engine would: source.T.N,
// var.N, each.key and count.index.
func (s Scope) EvalContext() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	byType := map[string]map[string]cty.Value{}
	for k, v := range s.Sources {
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
	if len(s.Vars) > 0 {
		vars["var"] = cty.ObjectVal(s.Vars)
	}
	if s.Each != cty.NilVal {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.Each, "value": cty.DynamicVal})
	}
	if s.Count != cty.NilVal {
		vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": s.Count})
	}
	// The engine's functions, as expressions in blocks see them.
	return &hcl.EvalContext{Variables: vars, Functions: lang.Functions(".")}
}

// Summaries lists the summaries of the error diagnostics.
func Summaries(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d.Summary)
		}
	}
	return out
}

// At lists each diagnostic as "Summary @ file:line:col", or "Summary @
// nowhere" when it has no subject: what a test of where a decoder puts
// its diagnostics compares.
func At(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Subject == nil {
			out = append(out, d.Summary+" @ nowhere")
			continue
		}
		s := d.Subject
		out = append(out, fmt.Sprintf("%s @ %s:%d:%d", d.Summary, filepath.Base(s.Filename), s.Start.Line, s.Start.Column))
	}
	return out
}

// DocCase is one block of a kind's BlockDoc and the struct its decoder
// fills (a pointer, as gohcl takes it).
type DocCase struct {
	Path    string
	Doc     lang.BlockDoc
	Decoded any
}

// DocDescribesDecoder fails t for each case whose block has no
// description, or whose doc leaves out an argument or block the decoder
// takes: a kind's reference page must describe everything it decodes.
func DocDescribesDecoder(t *testing.T, cases []DocCase) {
	t.Helper()
	for _, c := range cases {
		if c.Doc.Description == "" {
			t.Errorf("%s has no description", c.Path)
		}
		schema, _ := gohcl.ImpliedBodySchema(c.Decoded)
		if missing := c.Doc.Undocumented(schema); len(missing) > 0 {
			t.Errorf("the doc of %s does not describe %v", c.Path, missing)
		}
	}
}
