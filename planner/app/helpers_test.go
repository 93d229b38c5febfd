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

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	sdk "slipway.dev/slipway/plugin-sdk"
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
// loads a directory, and returns its only block.
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

// gitSource is the value of a git source on main, checked out in
// /cache/NAME.
func gitSource(name, commit string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		builtin.SourceURL:    cty.StringVal("https://git.example.com/" + name + ".git"),
		builtin.SourceBranch: cty.StringVal("main"),
		builtin.SourceRef:    cty.StringVal("refs/heads/main"),
		builtin.SourceCommit: cty.StringVal(commit),
		builtin.SourceDir:    cty.StringVal("/cache/" + name),
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
	each    cty.Value // each.key, or NilVal
	count   cty.Value // count.index, or NilVal
}

// evalContext builds the evaluation context the engine would.
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
	if s.each != cty.NilVal {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.each, "value": cty.DynamicVal})
	}
	if s.count != cty.NilVal {
		vars["count"] = cty.ObjectVal(map[string]cty.Value{"index": s.count})
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

// The schemas of the types apps are lowered to, as the kubernetes and
// helm providers declare them.
var (
	appSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName: {Type: cty.String, Required: true}, builtin.AppManifestsDir: {Type: cty.String, Required: true},
		builtin.AppNamespace: {Type: cty.String, Optional: true}, builtin.AppCreateNamespace: {Type: cty.Bool, Optional: true},
		builtin.AppPrune: {Type: cty.Bool, Optional: true}, builtin.AppPruneLast: {Type: cty.Bool, Optional: true},
		builtin.AppSelfHeal: {Type: cty.Bool, Optional: true}, builtin.AppRevision: {Type: cty.String, Optional: true},
		builtin.AppWaitTimeout: {Type: cty.String, Optional: true}, builtin.AppRetry: {Type: builtin.RetryType, Optional: true},
		builtin.AppIgnoreDifferences: {Type: cty.List(builtin.IgnoreDifferenceType), Optional: true},
		builtin.AppObjects:           {Type: cty.DynamicPseudoType, Computed: true},
		builtin.AppInventory:         {Type: cty.List(cty.String), Computed: true},
	}}
	releaseSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName: {Type: cty.String, Required: true}, builtin.AppNamespace: {Type: cty.String, Required: true},
		builtin.HelmChartDir: {Type: cty.String, Optional: true}, builtin.HelmRepository: {Type: cty.String, Optional: true},
		builtin.HelmChart: {Type: cty.String, Optional: true}, builtin.HelmVersion: {Type: cty.String, Optional: true},
		builtin.HelmValues: {Type: cty.String, Optional: true}, builtin.HelmValuesFiles: {Type: cty.List(cty.String), Optional: true},
		builtin.AppCreateNamespace: {Type: cty.Bool, Optional: true}, builtin.AppWaitTimeout: {Type: cty.String, Optional: true},
		builtin.HelmAtomic: {Type: cty.Bool, Optional: true}, builtin.AppRevision: {Type: cty.String, Optional: true},
		builtin.HelmChartVersion: {Type: cty.String, Computed: true}, builtin.HelmAppVersion: {Type: cty.String, Computed: true},
		builtin.HelmReleaseRevision: {Type: cty.Number, Computed: true},
		builtin.AppObjects:          {Type: cty.DynamicPseudoType, Computed: true},
		builtin.AppInventory:        {Type: cty.List(cty.String), Computed: true},
	}}
)

const (
	commitA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
	commitB = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
	commitC = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)
