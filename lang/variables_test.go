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
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const precedenceConfig = `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
`

func TestLoadVariableValues(t *testing.T) {
	t.Parallel()
	type diag struct {
		Summary string
		Line    int // of the subject; 0 when there is none
	}
	tests := map[string]struct {
		files    map[string]string
		opts     VarOptions
		want     map[string]cty.Value
		wantDiag []diag
	}{
		"precedence": {
			files: map[string]string{
				"main.slip.hcl":     precedenceConfig,
				"slipway.slipvars":  "c = \"slipvars\"\nd = \"slipvars\"\n",
				"a.auto.slipvars":   "d = \"auto-a\"\ne = \"auto-a\"\nf = \"auto-a\"\n",
				"b.auto.slipvars":   "d = \"auto-b\"\n",
				"extra.slipvars":    "f = \"var-file\"\n",
				"unrelated.slipvar": "nonsense",
			},
			opts: VarOptions{
				Env:      []string{"SLIPWAY_VAR_b=env", "SLIPWAY_VAR_c=env", "SLIPWAY_VAR_d=env", "SLIPWAY_VAR_e=env", "SLIPWAY_VAR_undeclared=x", "PATH=/bin"},
				CLIVars:  []string{"e=first", "e=cli"},
				VarFiles: []string{"extra.slipvars"},
			},
			want: map[string]cty.Value{
				"a": cty.StringVal("default"),
				"b": cty.StringVal("env"),
				"c": cty.StringVal("slipvars"),
				"d": cty.StringVal("auto-b"),
				"e": cty.StringVal("cli"),
				"f": cty.StringVal("var-file"),
			},
		},
		"type conversion": {
			files: map[string]string{"main.slip.hcl": `
variable "list" { type = list(number) }
variable "name" { type = string }
variable "port" { type = number }
variable "obj" {
  type = object({ a = string, b = optional(bool, true) })
}
`},
			opts: VarOptions{CLIVars: []string{"list=[1,2]", "name=[not parsed]", "port=8080", `obj={ a = "x" }`}},
			want: map[string]cty.Value{
				"list": cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
				"name": cty.StringVal("[not parsed]"),
				"port": cty.NumberIntVal(8080),
				"obj":  cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.True}),
			},
		},
		"required missing": {
			files: map[string]string{"main.slip.hcl": "variable \"ok\" {\n  default = 1\n}\nvariable \"region\" {\n  type = string\n}\n"},
			want:  map[string]cty.Value{"ok": cty.NumberIntVal(1), "region": cty.UnknownVal(cty.String)},
			wantDiag: []diag{
				{"No value for required variable", 4},
			},
		},
		"validation failing": {
			files: map[string]string{"main.slip.hcl": `variable "replicas" {
  type = number
  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5
    error_message = "replicas must be between 1 and 5, not ${var.replicas}."
  }
}
`},
			opts:     VarOptions{Env: []string{"SLIPWAY_VAR_replicas=9"}},
			want:     map[string]cty.Value{"replicas": cty.UnknownVal(cty.Number)},
			wantDiag: []diag{{"Invalid value for variable", 4}},
		},
		"validation passing": {
			files: map[string]string{"main.slip.hcl": `variable "replicas" {
  type = number
  validation {
    condition     = var.replicas >= 1
    error_message = "replicas must be positive."
  }
}
`},
			opts: VarOptions{CLIVars: []string{"replicas=3"}},
			want: map[string]cty.Value{"replicas": cty.NumberIntVal(3)},
		},
		"wrong type": {
			files:    map[string]string{"main.slip.hcl": "variable \"port\" {\n  type = number\n}\n"},
			opts:     VarOptions{CLIVars: []string{"port=eighty"}},
			want:     map[string]cty.Value{"port": cty.UnknownVal(cty.Number)},
			wantDiag: []diag{{"Invalid value for input variable", 1}},
		},
		"undeclared in -var and file": {
			files: map[string]string{
				"main.slip.hcl":   `variable "region" { default = "eu" }`,
				"x.auto.slipvars": "regoin = \"us\"\n",
			},
			opts:     VarOptions{CLIVars: []string{"regio=us"}},
			want:     map[string]cty.Value{"region": cty.StringVal("eu")},
			wantDiag: []diag{{"Value for undeclared variable", 1}, {"Value for undeclared variable", 0}},
		},
		"malformed -var": {
			files:    map[string]string{"main.slip.hcl": `variable "region" { default = "eu" }`},
			opts:     VarOptions{CLIVars: []string{"region"}},
			want:     map[string]cty.Value{"region": cty.StringVal("eu")},
			wantDiag: []diag{{"Invalid -var option", 0}},
		},
		"not nullable": {
			files: map[string]string{"main.slip.hcl": `
variable "a" {
  nullable = false
  default  = "d"
}
variable "b" {
  nullable = false
}
variable "c" {
  default = "d"
}
`, "x.auto.slipvars": "a = null\nb = null\nc = null\n"},
			want: map[string]cty.Value{
				"a": cty.StringVal("d"),
				"b": cty.DynamicVal,
				"c": cty.NullVal(cty.DynamicPseudoType),
			},
			wantDiag: []diag{{"Invalid value for input variable", 2}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			cfg, diags := LoadDir(dir)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			opts := tt.opts
			opts.VarFiles = nil
			for _, f := range tt.opts.VarFiles {
				opts.VarFiles = append(opts.VarFiles, filepath.Join(dir, f))
			}
			got, diags := LoadVariableValues(cfg, opts)
			var gotDiag []diag
			for _, d := range diags {
				line := 0
				if d.Subject != nil {
					line = d.Subject.Start.Line
				}
				gotDiag = append(gotDiag, diag{d.Summary, line})
			}
			if diff := cmp.Diff(tt.wantDiag, gotDiag); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, diags.Error())
			}
			gotS, wantS := map[string]string{}, map[string]string{}
			for k, v := range got {
				gotS[k] = v.GoString()
			}
			for k, v := range tt.want {
				wantS[k] = v.GoString()
			}
			if diff := cmp.Diff(wantS, gotS); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidationMessage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.slip.hcl": `variable "replicas" {
  type = number
  validation {
    condition     = var.replicas <= 5
    error_message = "replicas must be at most 5, not ${var.replicas}."
  }
}
`})
	cfg, _ := LoadDir(dir)
	_, diags := LoadVariableValues(cfg, VarOptions{CLIVars: []string{"replicas=9"}})
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	want := "replicas must be at most 5, not 9.\n\nThis was checked by the validation rule at " + filepath.Join(dir, "main.slip.hcl") + ":3,3-13."
	if diff := cmp.Diff(want, diags[0].Detail); diff != "" {
		t.Errorf("detail (-want +got):\n%s", diff)
	}
}

// TestSensitiveValidationHidesTheValue: a sensitive variable's
// validation condition sees the value as sensitive, so that a function
// that fails on it (parseint of a mistyped key) does not quote it in its
// error, and a condition that fails says nothing of it either.
func TestSensitiveValidationHidesTheValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"main.slip.hcl": `variable "signing_key" {
  type      = string
  sensitive = true
  validation {
    condition     = parseint(var.signing_key, 16) >= 0
    error_message = "signing_key must be hexadecimal."
  }
  validation {
    condition     = length(var.signing_key) >= 4
    error_message = "signing_key is too short."
  }
}
`})
	cfg, _ := LoadDir(dir)
	for _, secret := range []string{"g3f9notsohexsecret", "zz"} {
		_, diags := LoadVariableValues(cfg, VarOptions{CLIVars: []string{"signing_key=" + secret}})
		if !diags.HasErrors() {
			t.Fatalf("%s: no error", secret)
		}
		for _, d := range diags {
			if strings.Contains(d.Summary+d.Detail, secret) {
				t.Errorf("%s: a diagnostic quotes the sensitive value: %s: %s", secret, d.Summary, d.Detail)
			}
		}
	}
	// A valid key passes.
	if _, diags := LoadVariableValues(cfg, VarOptions{CLIVars: []string{"signing_key=0afe"}}); diags.HasErrors() {
		t.Errorf("a valid key: %v", diags)
	}
}
