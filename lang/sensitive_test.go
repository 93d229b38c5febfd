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
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

const testSecret = "hunter2-xyzzy"

// evalWithSecret evaluates expr with var.secret (sensitive) and var.plain
// (not) both set to testSecret, and var.unknown a sensitive unknown.
func evalWithSecret(t *testing.T, dir, expr string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	e, diags := hclsyntax.ParseExpression([]byte(expr), "test", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return e.Value(&hcl.EvalContext{
		Functions: Functions(dir),
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"secret":  cty.StringVal(testSecret).Mark(SensitiveMark),
			"plain":   cty.StringVal(testSecret),
			"unknown": cty.UnknownVal(cty.String).Mark(SensitiveMark),
			"obj": cty.ObjectVal(map[string]cty.Value{
				"a": cty.StringVal("x").Mark(SensitiveMark),
				"b": cty.StringVal("y").Mark("other"),
			}),
		})},
	})
}

// TestFunctionErrorsHideSensitiveArguments: an error of a function
// called with a sensitive argument names the function and says why it is
// hidden, never the value; the same call with a value that is not
// sensitive keeps the function's own error.
func TestFunctionErrorsHideSensitiveArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	calls := map[string]string{
		"tonumber":     `tonumber(%s)`,
		"tobool":       `tobool(%s)`,
		"parseint":     `parseint(%s, 10)`,
		"timeadd":      `timeadd(%s, "1h")`,
		"formatdate":   `formatdate("YYYY", %s)`,
		"file":         `file(%s)`,
		"filesha256":   `filesha256(%s)`,
		"templatefile": `templatefile("${%s}.tmpl", {})`,
		"jsondecode":   `jsondecode(%s)`,
		"yamldecode":   `yamldecode("{${%s}")`,
		"base64decode": `base64decode(%s)`,
		"regex":        `regex("[", %s)`,
		"index":        `index(["a"], %s)`,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags := evalWithSecret(t, dir, strings.ReplaceAll(call, "%s", "var.secret"))
			if !diags.HasErrors() {
				t.Fatalf("%s with the secret: no error", name)
			}
			msg := diags.Error()
			if strings.Contains(msg, testSecret) || strings.Contains(msg, "hunter2") {
				t.Errorf("the error quotes the secret: %s", msg)
			}
			if !strings.Contains(msg, name+" failed") || !strings.Contains(msg, "an argument is sensitive") {
				t.Errorf("the error does not name %s and say an argument is sensitive: %s", name, msg)
			}

			_, diags = evalWithSecret(t, dir, strings.ReplaceAll(call, "%s", "var.plain"))
			if !diags.HasErrors() || strings.Contains(diags.Error(), "is sensitive") {
				t.Errorf("%s without a sensitive argument: want the function's own error, got %v", name, diags)
			}
		})
	}
}

func TestSensitiveMarksThroughFunctions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := map[string]struct {
		expr      string
		want      cty.Value
		sensitive bool
	}{
		"result of a sensitive argument": {expr: `upper(var.secret)`, want: cty.StringVal(strings.ToUpper(testSecret)), sensitive: true},
		"unknown stays unknown":          {expr: `tonumber(var.unknown)`, want: cty.UnknownVal(cty.Number), sensitive: true},
		"conversion":                     {expr: `toset([var.secret])`, want: cty.SetVal([]cty.Value{cty.StringVal(testSecret)}), sensitive: true},
		"try falls back":                 {expr: `try(tonumber(var.secret), 0)`, want: cty.NumberIntVal(0)},
		"can":                            {expr: `can(tonumber(var.secret))`, want: cty.False},
		"nonsensitive":                   {expr: `nonsensitive(var.secret)`, want: cty.StringVal(testSecret)},
		"nonsensitive of a result":       {expr: `nonsensitive(toset([var.secret]))`, want: cty.SetVal([]cty.Value{cty.StringVal(testSecret)})},
		"nonsensitive of plain":          {expr: `nonsensitive("x")`, want: cty.StringVal("x")},
		"nonsensitive of unknown":        {expr: `nonsensitive(var.unknown)`, want: cty.UnknownVal(cty.String)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := evalWithSecret(t, dir, tt.expr)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if IsSensitive(got) != tt.sensitive {
				t.Errorf("sensitive = %v, want %v (%#v)", IsSensitive(got), tt.sensitive, got)
			}
			got, _ = got.UnmarkDeep()
			if diff := cmp.Diff(tt.want.GoString(), got.GoString()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// nonsensitive takes off the sensitive marks deep inside a value, and
	// leaves other marks.
	got, diags := evalWithSecret(t, dir, `nonsensitive(var.obj)`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if IsSensitive(got) {
		t.Errorf("nonsensitive(var.obj) is still sensitive: %#v", got)
	}
	if !got.GetAttr("b").HasMark("other") {
		t.Errorf("nonsensitive dropped another mark: %#v", got)
	}
}

func TestSensitiveStrings(t *testing.T) {
	t.Parallel()
	cfg := &Config{Variables: map[string]*Variable{
		"token": {Name: "token", Sensitive: true},
		"creds": {Name: "creds", Sensitive: true},
		"short": {Name: "short", Sensitive: true},
		"plain": {Name: "plain"},
	}}
	vars := map[string]cty.Value{
		"token": cty.StringVal(`s3cr"et`),
		"creds": cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal("admin"), "port": cty.NumberIntVal(5432), "none": cty.NullVal(cty.String)}),
		"short": cty.StringVal("ab"),
		"plain": cty.StringVal("visible"),
	}
	got := SensitiveStrings(cfg, vars)
	want := []string{`s3cr\"et`, `s3cr"et`, "admin"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SensitiveStrings (-want +got):\n%s", diff)
	}
	if m := MaskSensitive(`token "s3cr\"et" for admin, not visible`, got); m != `token "***" for ***, not visible` {
		t.Errorf("MaskSensitive: %s", m)
	}
}

// TestDerivedSecrets: the values computed from a sensitive one in a body
// are found, whether inline or through a function, and the texts around
// them (a template, a list) are not taken whole.
func TestDerivedSecrets(t *testing.T) {
	t.Parallel()
	src := `
a = ["echo ${sha256(var.secret)}", "echo plain"]
b = "${upper(var.secret)}-suffix"
c = var.secret != "" ? "yes" : "no"
d = base64encode("short")
`
	f, diags := hclsyntax.ParseConfig([]byte(src), "t.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"secret": cty.StringVal("hunter2-abc").Mark(SensitiveMark),
		})},
		Functions: Functions(t.TempDir()),
	}
	got := DerivedSecrets(f.Body, ctx)
	sum := sha256.Sum256([]byte("hunter2-abc"))
	want := []string{hex.EncodeToString(sum[:]), "HUNTER2-ABC", "hunter2-abc"}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DerivedSecrets (-want +got):\n%s", diff)
	}
}
