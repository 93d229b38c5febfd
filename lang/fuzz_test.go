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
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// addTestdata adds every configuration file under testdata as a seed.
func addTestdata(f *testing.F, add func(name string, src []byte)) {
	files, _ := filepath.Glob("testdata/*/*.slip.*")
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		add(path, src)
	}
}

// FuzzLoad loads arbitrary text as a configuration file, native syntax
// or JSON, checks its references and decides its variables' values from
// their defaults. None of it may panic; the nesting limit keeps the
// parser's stack from overflowing.
func FuzzLoad(f *testing.F) {
	addTestdata(f, func(name string, src []byte) { f.Add(src, strings.HasSuffix(name, ".json")) })
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte, isJSON bool) {
		name := filepath.Join(dir, "main.slip.hcl")
		if isJSON {
			name = filepath.Join(dir, "main.slip.json")
		}
		l := newLoader(dir)
		l.source(hclparse.NewParser(), name, src)
		cfg := l.cfg
		if l.diags.HasErrors() {
			return
		}
		cfg.CheckReferences()
		LoadVariableValues(cfg, VarOptions{})
	})
}

// FuzzFormat formats arbitrary text. Formatting must never panic, must
// be stable (formatting the result again gives the same bytes) and must
// give text that still parses.
func FuzzFormat(f *testing.F) {
	addTestdata(f, func(name string, src []byte) {
		if strings.HasSuffix(name, ".hcl") {
			f.Add(src)
		}
	})
	f.Fuzz(func(t *testing.T, src []byte) {
		once, diags := Format(src)
		if diags.HasErrors() {
			return
		}
		twice, diags := Format(once)
		if diags.HasErrors() {
			t.Fatalf("the formatted text does not parse: %v\n%s", diags, once)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("formatting is not stable:\n%q\nthen\n%q", once, twice)
		}
		if _, diags := hclsyntax.ParseConfig(once, "f", hcl.InitialPos); diags.HasErrors() {
			t.Fatalf("the formatted text does not parse: %v", diags)
		}
	})
}
