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
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// writeFiles writes files (by slash-separated relative path) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFunctions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hello.txt":           "hello",
		"greet.tmpl":          "Hello, ${name}!%{ for p in ports } ${p}%{ endfor } ${upper(name)}",
		"single.tmpl":         "${ports}",
		"recurse.tmpl":        `${templatefile("recurse.tmpl", {})}`,
		"apps/web/kustom.yml": "x",
		"apps/api/kustom.yml": "x",
		"apps/api/README.md":  "x",
		"bin.dat":             "\xff\xfe",
	})
	tests := map[string]struct {
		expr    string
		want    cty.Value
		wantErr string
	}{
		"file":                 {expr: `file("hello.txt")`, want: cty.StringVal("hello")},
		"file missing":         {expr: `file("nope.txt")`, wantErr: `no file exists at "nope.txt"`},
		"file binary":          {expr: `file("bin.dat")`, wantErr: "not valid UTF-8"},
		"filebase64":           {expr: `filebase64("bin.dat")`, want: cty.StringVal("//4=")},
		"filesha256":           {expr: `filesha256("hello.txt")`, want: cty.StringVal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")},
		"fileexists":           {expr: `[fileexists("hello.txt"), fileexists("nope.txt")]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False})},
		"fileexists directory": {expr: `fileexists("apps")`, wantErr: "not a regular file"},
		"fileset":              {expr: `fileset("apps", "**/*.yml")`, want: cty.SetVal([]cty.Value{cty.StringVal("api/kustom.yml"), cty.StringVal("web/kustom.yml")})},
		"fileset none":         {expr: `fileset(".", "*.nope")`, want: cty.SetValEmpty(cty.String)},
		"fileset dot":          {expr: `fileset(".", "./apps/**/*.yml")`, want: cty.SetVal([]cty.Value{cty.StringVal("apps/api/kustom.yml"), cty.StringVal("apps/web/kustom.yml")})},
		"fileset up":           {expr: `fileset("apps/web", "../api/*.yml")`, want: cty.SetVal([]cty.Value{cty.StringVal("../api/kustom.yml")})},
		"templatefile": {
			expr: `templatefile("greet.tmpl", { name = "web", ports = [80, 443] })`,
			want: cty.StringVal("Hello, web! 80 443 WEB"),
		},
		"templatefile single interpolation": {expr: `templatefile("single.tmpl", { ports = [80] })`, want: cty.TupleVal([]cty.Value{cty.NumberIntVal(80)})},
		"templatefile missing var":          {expr: `templatefile("greet.tmpl", { name = "web" })`, wantErr: `vars has no key "ports"`},
		"templatefile no recursion":         {expr: `templatefile("recurse.tmpl", {})`, wantErr: "cannot be called from inside a template"},
		"yamlencode":                        {expr: `yamlencode({ name = "web", ports = [80] })`, want: cty.StringVal("\"name\": \"web\"\n\"ports\":\n- 80\n")},
		"yamldecode":                        {expr: `yamldecode("a: 1\nb: [x]\n")`, want: cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.TupleVal([]cty.Value{cty.StringVal("x")})})},
		"jsonencode":                        {expr: `jsonencode({ b = [1, true], a = "x" })`, want: cty.StringVal(`{"a":"x","b":[1,true]}`)},
		"jsondecode":                        {expr: `jsondecode("{\"a\": [1]}").a[0]`, want: cty.NumberIntVal(1)},
		"sha256":                            {expr: `sha256("hello")`, want: cty.StringVal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")},
		"md5":                               {expr: `md5("hello")`, want: cty.StringVal("5d41402abc4b2a76b9719d911017c592")},
		"base64encode":                      {expr: `base64encode("hello")`, want: cty.StringVal("aGVsbG8=")},
		"base64decode":                      {expr: `base64decode("aGVsbG8=")`, want: cty.StringVal("hello")},
		"base64decode invalid":              {expr: `base64decode("!!")`, wantErr: "invalid base64"},
		"try falls back":                    {expr: `try(jsondecode("{"), "fallback")`, want: cty.StringVal("fallback")},
		"can":                               {expr: `[can(tonumber("1")), can(tonumber("x"))]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False})},
		"length of string":                  {expr: `length("héllo")`, want: cty.NumberIntVal(5)},
		"length of object":                  {expr: `length({ a = 1, b = 2 })`, want: cty.NumberIntVal(2)},
		"replace literal":                   {expr: `replace("a.b.c", ".", "-")`, want: cty.StringVal("a-b-c")},
		"replace regex":                     {expr: `replace("v1.2.3", "/[0-9]/", "N")`, want: cty.StringVal("vN.N.N")},
		"index":                             {expr: `index(["a", "b"], "b")`, want: cty.NumberIntVal(1)},
		"alltrue anytrue":                   {expr: `[alltrue([true, true]), alltrue([]), anytrue([false, true]), anytrue([])]`, want: cty.TupleVal([]cty.Value{cty.True, cty.True, cty.True, cty.False})},
		"one":                               {expr: `[one(["x"]), one(tolist([]))]`, want: cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NullVal(cty.DynamicPseudoType)})},
		"one too many":                      {expr: `one(["x", "y"])`, wantErr: "zero or one elements"},
		"sum":                               {expr: `sum([1, 2, 3.5])`, want: cty.NumberFloatVal(6.5)},
		"transpose":                         {expr: `transpose({ a = ["x", "y"], b = ["x"] })`, want: cty.MapVal(map[string]cty.Value{"x": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), "y": cty.ListVal([]cty.Value{cty.StringVal("a")})})},
		"string predicates":                 {expr: `[startswith("web-1", "web"), endswith("web-1", "-1"), strcontains("web-1", "b-")]`, want: cty.TupleVal([]cty.Value{cty.True, cty.True, cty.True})},
		"strrev and reverse":                {expr: `[strrev("abc"), reverse([1, 2])]`, want: cty.TupleVal([]cty.Value{cty.StringVal("cba"), cty.TupleVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(1)})})},
		"paths":                             {expr: `[basename("a/b.txt"), dirname("a/b.txt")]`, want: cty.TupleVal([]cty.Value{cty.StringVal("b.txt"), cty.StringVal("a")})},
		"abspath":                           {expr: `abspath("x")`, want: cty.StringVal(filepath.Join(dir, "x"))},
		"lookup":                            {expr: `lookup({ a = 1 }, "b", 2)`, want: cty.NumberIntVal(2)},
		"lookup without default":            {expr: `lookup({ a = 1 }, "a")`, want: cty.NumberIntVal(1)},
		"lookup map without default":        {expr: `lookup(tomap({ a = "x" }), "a")`, want: cty.StringVal("x")},
		"lookup missing without default":    {expr: `lookup({ a = 1 }, "b")`, wantErr: `lookup failed to find key "b"`},
		"coalesce skips empty strings":      {expr: `coalesce("", null, "b")`, want: cty.StringVal("b")},
		"coalesce numbers":                  {expr: `coalesce(null, 0, 1)`, want: cty.NumberIntVal(0)},
		"coalesce of a list":                {expr: `coalesce(["", "b"]...)`, want: cty.StringVal("b")},
		"coalesce nothing":                  {expr: `coalesce("", null)`, wantErr: "no non-null, non-empty-string arguments"},
		"no timestamp":                      {expr: `timestamp()`, wantErr: "no function named"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got, diags := expr.Value(&hcl.EvalContext{Functions: Functions(dir)})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v (value %#v)", tt.wantErr, diags, got)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if diff := cmp.Diff(tt.want.GoString(), got.GoString()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeLimits: yamldecode and jsondecode refuse, with an error and
// quickly, text that would exhaust the process: a YAML document whose
// aliases refer to aliases ("billion laughs"), and documents nested far
// deeper than the nesting limit (a million brackets overflowed the
// stack, which nothing recovers). Ordinary documents with aliases decode.
func TestDecodeLimits(t *testing.T) {
	t.Parallel()
	laughs := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		laughs += fmt.Sprintf("%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	deepJSON := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
	deepYAML := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	ctx := &hcl.EvalContext{Functions: Functions(t.TempDir()), Variables: map[string]cty.Value{
		"laughs": cty.StringVal(laughs), "deep_json": cty.StringVal(deepJSON), "deep_yaml": cty.StringVal(deepYAML),
		"anchors": cty.StringVal("base: &b {replicas: 2}\nweb: *b\napi: *b\n"),
	}}
	for expr, want := range map[string]string{
		"yamldecode(laughs)":    "more than 1000000 values",
		"jsondecode(deep_json)": "nest more than",
		"yamldecode(deep_yaml)": "nests more than",
	} {
		e, diags := hclsyntax.ParseExpression([]byte(expr), "t", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		_, diags = e.Value(ctx)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), want) {
			t.Errorf("%s: %v; want an error saying %q", expr, diags, want)
		}
	}
	e, _ := hclsyntax.ParseExpression([]byte("yamldecode(anchors).api.replicas"), "t", hcl.InitialPos)
	if v, diags := e.Value(ctx); diags.HasErrors() || !v.RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("a document with aliases: %#v %v", v, diags)
	}
}
