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

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// VarOptions are the places input variable values come from, besides the
// defaults and the .slipvars files of the configuration directory.
type VarOptions struct {
	CLIVars  []string // "-var" arguments "name=value", in command-line order
	VarFiles []string // "-var-file" paths, in order
	Env      []string // os.Environ()-style; SLIPWAY_VAR_name=value entries are used
}

// envPrefix starts the names of environment variables that set input
// variables: SLIPWAY_VAR_region sets var.region.
const envPrefix = "SLIPWAY_VAR_"

// rawValue is a value given for a variable, before it is converted to the
// variable's type.
type rawValue struct {
	// expr is set for values from .slipvars files; otherwise str holds
	// the text of a -var option or environment variable.
	expr hcl.Expression
	str  string
	// from says where the value came from, for messages.
	from string
}

// LoadVariableValues decides the value of every variable cfg declares.
// Later sources win, as in Terraform: the declared default, then
// SLIPWAY_VAR_ environment variables, slipway.slipvars in cfg.Dir, the
// *.auto.slipvars files there in name order, the -var-file files and
// finally the -var options. Each value is converted to the declared type
// and checked by the variable's validations. The result holds every
// declared variable; one whose value is in error is unknown, so that
// callers evaluating further do not report the same mistake again.
func LoadVariableValues(cfg *Config, opts VarOptions) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	raw := map[string]rawValue{}
	for _, kv := range opts.Env {
		name, val, ok := strings.Cut(kv, "=")
		name, isVar := strings.CutPrefix(name, envPrefix)
		// Terraform ignores environment values for undeclared variables:
		// the environment is shared by many configurations.
		if _, declared := cfg.Variables[name]; ok && isVar && declared {
			raw[name] = rawValue{str: val, from: "the environment variable " + envPrefix + name}
		}
	}
	for _, path := range varFiles(cfg.Dir, opts.VarFiles) {
		diags = append(diags, loadVarFile(cfg, path, raw)...)
	}
	for _, arg := range opts.CLIVars {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The -var option %q is not of the form NAME=VALUE. Write it like -var 'region=eu-west-1', quoting the whole option so that the shell keeps any spaces or brackets in the value.", arg),
			})
			continue
		}
		if _, declared := cfg.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("A -var option sets %q, but the configuration declares no such variable.%s Declare it with a variable block, or correct the name.", name, didYouMean(name, sortedKeys(cfg.Variables))),
			})
			continue
		}
		raw[name] = rawValue{str: val, from: "the -var option"}
	}

	funcs := Functions(cfg.Dir)
	values := map[string]cty.Value{}
	for _, v := range inDeclOrder(cfg.Variables, func(v *Variable) hcl.Range { return v.DeclRange }) {
		val, d := v.finalValue(raw, funcs)
		diags = append(diags, d...)
		if d.HasErrors() {
			val = cty.UnknownVal(v.Type)
		}
		values[v.Name] = val
	}
	return values, diags
}

// varFiles lists the variable files to read, in the order they apply:
// slipway.slipvars and the *.auto.slipvars of dir, then the given files.
func varFiles(dir string, given []string) []string {
	var files []string
	if _, err := os.Stat(filepath.Join(dir, "slipway.slipvars")); err == nil {
		files = append(files, filepath.Join(dir, "slipway.slipvars"))
	}
	entries, _ := os.ReadDir(dir) // LoadDir has reported an unreadable directory.
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".auto.slipvars") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return append(files, given...)
}

// loadVarFile reads the attributes of one .slipvars file into raw.
func loadVarFile(cfg *Config, path string, raw map[string]rawValue) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read variables file",
			Detail:   fmt.Sprintf("Reading the variables file %s failed: %s. Check the path given to -var-file.", path, err),
		}}
	}
	if diags := CheckNesting(src, path); diags.HasErrors() {
		return diags
	}
	parser := hclparse.NewParser()
	parse := parser.ParseHCL
	if strings.HasSuffix(path, ".json") {
		parse = parser.ParseJSON
	}
	file, diags := parse(src, path)
	if diags.HasErrors() {
		return diags
	}
	attrs, diags := file.Body.JustAttributes()
	for _, attr := range sortedAttrs(attrs) {
		if _, declared := cfg.Variables[attr.Name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The file sets %q, but the configuration declares no such variable.%s Declare it with a variable block, or correct the name.", attr.Name, didYouMean(attr.Name, sortedKeys(cfg.Variables))),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		raw[attr.Name] = rawValue{expr: attr.Expr, from: path}
	}
	return diags
}

// finalValue turns the value given for v, or its default, into a value of
// its type, and runs its validations.
func (v *Variable) finalValue(raw map[string]rawValue, funcs map[string]function.Function) (cty.Value, hcl.Diagnostics) {
	given, ok := raw[v.Name]
	if !ok {
		if v.Required() {
			return cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   fmt.Sprintf("var.%s has no default, so it needs a value. Pass one with -var '%s=...', set the environment variable %s%s, or set it in a .slipvars file.", v.Name, v.Name, envPrefix, v.Name),
				Subject:  v.DeclRange.Ptr(),
			}}
		}
		return v.validate(v.Default, funcs)
	}
	subject := v.DeclRange
	if given.expr != nil {
		subject = given.expr.Range()
	}
	val, diags := v.parse(given)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if v.TypeDefaults != nil && !val.IsNull() {
		val = v.TypeDefaults.Apply(val)
	}
	val, err := convert.Convert(val, v.Type)
	if err != nil {
		return cty.NilVal, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for input variable",
			Detail:   fmt.Sprintf("The value of var.%s from %s is not a %s: %s. Give a value of that type.", v.Name, given.from, typeexpr.TypeString(v.Type), err),
			Subject:  subject.Ptr(),
		})
	}
	if val.IsNull() && !v.Nullable {
		// As in Terraform, a null for a non-nullable variable means "unset".
		if v.Default == cty.NilVal {
			return cty.NilVal, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for input variable",
				Detail:   fmt.Sprintf("var.%s is declared with nullable = false, but %s gives it null. Give it a non-null value.", v.Name, given.from),
				Subject:  subject.Ptr(),
			})
		}
		val = v.Default
	}
	val, d := v.validate(val, funcs)
	return val, append(diags, d...)
}

// parse reads a given value: .slipvars expressions are evaluated, and
// command-line and environment text is taken as it is for a primitive or
// undeclared type, so that -var name=web needs no quotes, and parsed as
// an HCL expression otherwise, so that -var 'ports=[80,443]' works.
func (v *Variable) parse(given rawValue) (cty.Value, hcl.Diagnostics) {
	if given.expr != nil {
		return given.expr.Value(nil)
	}
	if v.Type.IsPrimitiveType() || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(given.str), nil
	}
	name := fmt.Sprintf("<value for var.%s>", v.Name)
	if diags := checkNesting([]byte(given.str), name, nativeSyntax); diags.HasErrors() {
		return cty.NilVal, diags
	}
	expr, diags := hclsyntax.ParseExpression([]byte(given.str), name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return expr.Value(nil)
}

// validate runs v's validations against val, with only var.NAME in scope.
// A sensitive variable's value is marked so there, as everywhere else:
// a function that fails on it (parseint of a mistyped key) does not
// quote it in its error. Whether a condition holds is not secret.
func (v *Variable) validate(val cty.Value, funcs map[string]function.Function) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	seen := val
	if v.Sensitive {
		seen = val.Mark(SensitiveMark)
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: seen})},
		Functions: funcs,
	}
	for _, rule := range v.Validations {
		cond, d := rule.Condition.Value(ctx)
		diags = append(diags, d...)
		cond, _ = cond.UnmarkDeep()
		if d.HasErrors() || !cond.IsKnown() {
			continue
		}
		ok, err := convert.Convert(cond, cty.Bool)
		if err != nil || ok.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid validation result",
				Detail:   fmt.Sprintf("A validation condition must be true or false, but this one is %s. Change the condition.", describeValue(cond)),
				Subject:  rule.Condition.Range().Ptr(),
			})
			continue
		}
		if ok.True() {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s.", v.errorMessage(rule, ctx), rule.DeclRange),
			Subject:  rule.Condition.Range().Ptr(),
		})
	}
	return val, diags
}

// errorMessage evaluates a failed validation's error_message. A sensitive
// variable's message is not shown when it refers to the value.
func (v *Variable) errorMessage(rule *Validation, ctx *hcl.EvalContext) string {
	if v.Sensitive && len(rule.ErrorMessage.Variables()) > 0 {
		return "The error message refers to the sensitive var." + v.Name + ", so it is not shown."
	}
	msg, diags := rule.ErrorMessage.Value(ctx)
	if diags.HasErrors() {
		return "The error message could not be evaluated: " + diags.Error()
	}
	if msg, err := convert.Convert(msg, cty.String); err == nil && msg.IsKnown() && !msg.IsNull() {
		return msg.AsString()
	}
	return "The error message is not a string."
}

func describeValue(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return "a " + v.Type().FriendlyName()
}
