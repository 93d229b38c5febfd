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
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// kindPackages are the block-kind packages under planner/.
var kindPackages = []string{"app", "pipeline", "rollout"}

// TestEngineKnowsNoKind keeps the engine's rule: only kinds.go names a
// block kind (its package or its addrs.Kind), and no kind package imports
// the engine or another kind.
func TestEngineKnowsNoKind(t *testing.T) {
	t.Parallel()
	const mod = "slipway.dev/slipway/planner"
	isKindPkg := func(path string) bool {
		for _, k := range kindPackages {
			if path == mod+"/"+k {
				return true
			}
		}
		return false
	}
	for _, f := range goFiles(t, ".") {
		if f.name == "kinds.go" || strings.HasSuffix(f.name, "_test.go") {
			continue
		}
		for _, imp := range f.file.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); isKindPkg(p) {
				t.Errorf("%s imports kind package %s; only kinds.go may", f.name, p)
			}
		}
		ast.Inspect(f.file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "addrs" {
					switch sel.Sel.Name {
					case "Pipeline", "App", "Rollout":
						t.Errorf("%s names addrs.%s; the engine must not branch on a kind", f.name, sel.Sel.Name)
					}
				}
			}
			return true
		})
	}
	for _, k := range kindPackages {
		for _, f := range goFiles(t, k) {
			for _, imp := range f.file.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == mod || (isKindPkg(p) && p != mod+"/"+k) {
					t.Errorf("%s/%s imports %s; a kind imports neither the engine nor another kind", k, f.name, p)
				}
			}
		}
	}
}

type goFile struct {
	name string
	file *ast.File
}

func goFiles(t *testing.T, dir string) []goFile {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []goFile
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(e.Name(), "_test.go") {
			// Whole files, for the selector check.
			f, err = parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, goFile{e.Name(), f})
	}
	if len(out) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return out
}
