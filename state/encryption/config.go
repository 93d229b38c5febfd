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

package encryption

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/lang"
)

// PassphraseEnv is the environment variable a pbkdf2 key provider takes
// its passphrase from when its block sets none.
const PassphraseEnv = "SLIPWAY_STATE_PASSPHRASE"

// Targets are the Sealers an encryption block sets up; a target that is
// not configured is nil, and stays unencrypted.
type Targets struct {
	State, Plan *Sealer
}

// keyProviderArgs are the arguments of each key provider type.
var keyProviderArgs = map[string][]hcl.AttributeSchema{
	"pbkdf2": {{Name: "passphrase"}, {Name: "iterations"}, {Name: "hash_function"}, {Name: "salt_length"}, {Name: "key_length"}},
	"kubernetes_secret": {{Name: "namespace"}, {Name: "name", Required: true}, {Name: "key", Required: true},
		{Name: "context"}, {Name: "kubeconfig"}},
}

// methodArgs are the arguments of each method type.
var methodArgs = map[string][]hcl.AttributeSchema{
	"aes_gcm":     {{Name: "keys", Required: true}},
	"unencrypted": nil,
}

// Setup builds the Sealers that e, the configuration's encryption block,
// describes. vars are the input variables' values (those e refers to must
// be known); env is the process environment, for PassphraseEnv. Nothing
// is read from a cluster here: a kubernetes_secret is read when a key is
// first needed.
func Setup(e *lang.Encryption, vars map[string]cty.Value, env []string) (Targets, hcl.Diagnostics) {
	return setupTargets(&setup{vars: vars, env: env}, e)
}

// Validate checks e without any variable's value, as slipway validate
// does: types, arguments and references. What depends on values (a
// passphrase's length, whether one is set) is left to Setup.
func Validate(e *lang.Encryption) hcl.Diagnostics {
	_, diags := setupTargets(&setup{validating: true}, e)
	return diags
}

func setupTargets(s *setup, e *lang.Encryption) (Targets, hcl.Diagnostics) {
	var t Targets
	if e == nil {
		return t, nil
	}
	s.providers, s.methods, s.declared = map[string]KeyProvider{}, map[string]*Method{}, map[string]bool{}
	for _, b := range append(append([]*lang.EncryptionBlock(nil), e.KeyProviders...), e.Methods...) {
		s.declared[b.Addr()] = true
	}
	for _, b := range e.KeyProviders {
		s.keyProvider(b)
	}
	for _, b := range e.Methods {
		s.method(b)
	}
	t.State = s.target(e.State)
	t.Plan = s.target(e.Plan)
	if s.diags.HasErrors() {
		return Targets{}, s.diags
	}
	return t, s.diags
}

type setup struct {
	// validating: no values are known; keys are not made.
	validating bool
	vars       map[string]cty.Value
	env        []string
	providers  map[string]KeyProvider
	methods    map[string]*Method
	declared   map[string]bool
	diags      hcl.Diagnostics
}

func (s *setup) errorf(subject hcl.Range, summary, format string, args ...any) {
	s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: subject.Ptr()})
}

// content decodes a block's arguments by its type's schema.
func (s *setup) content(b *lang.EncryptionBlock, args map[string][]hcl.AttributeSchema) (hcl.Attributes, bool) {
	schema, ok := args[b.Type]
	if !ok {
		kinds := map[string]string{"key_provider": "key provider", "method": "method"}
		s.errorf(b.TypeRange, "Unsupported "+kinds[b.Kind]+" type", "slipway has no %s %q; it has %s.", kinds[b.Kind], b.Type, typeList(args))
		return nil, false
	}
	content, diags := b.Config.Content(&hcl.BodySchema{Attributes: schema})
	s.diags = append(s.diags, diags...)
	return content.Attributes, !diags.HasErrors()
}

func typeList(args map[string][]hcl.AttributeSchema) string {
	return strings.Join(slices.Sorted(maps.Keys(args)), " and ")
}

// value evaluates an argument with only var.NAME in scope. An unknown
// value is a variable without a value here, which is reported once.
func (s *setup) value(attr *hcl.Attribute, ty cty.Type) (cty.Value, bool) {
	if s.validating {
		// Every variable is unknown: only the expression's own mistakes
		// (a function call, an operator on a literal) show.
		_, diags := attr.Expr.Value(&hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.DynamicVal}})
		s.diags = append(s.diags, diags...)
		return cty.NilVal, false
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(s.vars)}}
	v, diags := attr.Expr.Value(ctx)
	s.diags = append(s.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	// A sensitive variable may arrive marked; the value is needed here,
	// and is never shown.
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		var names, envs []string
		for _, t := range attr.Expr.Variables() {
			if name, ok := traversalAttr(t, 1); ok && t.RootName() == "var" {
				names = append(names, "var."+name)
				envs = append(envs, "SLIPWAY_VAR_"+name)
			}
		}
		s.errorf(attr.Expr.Range(), "No value for the encryption configuration",
			"%s needs %s, which has no valid value here. Give it one with the environment variable %s or in a .slipvars file (or with -var where the command takes it).",
			attr.Name, strings.Join(names, ", "), strings.Join(envs, ", "))
		return cty.NilVal, false
	}
	v, err := convert.Convert(v, ty)
	if err != nil || v.IsNull() {
		what := "null"
		if err != nil {
			what = err.Error()
		}
		s.errorf(attr.Expr.Range(), "Invalid value", "%s must be a %s: %s.", attr.Name, ty.FriendlyName(), what)
		return cty.NilVal, false
	}
	return v, true
}

func (s *setup) str(attrs hcl.Attributes, name string) (string, bool) {
	attr := attrs[name]
	if attr == nil {
		return "", true
	}
	v, ok := s.value(attr, cty.String)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (s *setup) int(attrs hcl.Attributes, name string) (int, bool) {
	attr := attrs[name]
	if attr == nil {
		return 0, true
	}
	v, ok := s.value(attr, cty.Number)
	if !ok {
		return 0, false
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if acc != big.Exact || i < 0 || i > 1<<31 {
		s.errorf(attr.Expr.Range(), "Invalid value", "%s must be a whole number.", name)
		return 0, false
	}
	return int(i), true
}

func (s *setup) keyProvider(b *lang.EncryptionBlock) {
	attrs, ok := s.content(b, keyProviderArgs)
	if !ok {
		return
	}
	if s.validating {
		for _, attr := range sortedAttrs(attrs) {
			s.value(attr, cty.DynamicPseudoType)
		}
		s.providers[b.Addr()] = NewKubernetesSecret(b.Addr(), KubernetesSecretOptions{}) // stands for it; never asked for a key
		return
	}
	switch b.Type {
	case "pbkdf2":
		var o PBKDF2Options
		var ok1, ok2, ok3, ok4, ok5 bool
		o.Passphrase, ok1 = s.str(attrs, "passphrase")
		o.Iterations, ok2 = s.int(attrs, "iterations")
		o.HashFunction, ok3 = s.str(attrs, "hash_function")
		o.SaltLength, ok4 = s.int(attrs, "salt_length")
		o.KeyLength, ok5 = s.int(attrs, "key_length")
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
			return
		}
		if attrs["passphrase"] == nil {
			o.Passphrase = s.getenv(PassphraseEnv)
			if o.Passphrase == "" {
				s.errorf(b.DeclRange, "No passphrase", "%s sets no passphrase and the environment variable %s is not set. Set one of them, for example passphrase = var.state_passphrase with a sensitive variable.", b.Addr(), PassphraseEnv)
				return
			}
		}
		p, err := NewPBKDF2(b.Addr(), o)
		if err != nil {
			subject := b.DeclRange
			if attr := attrs["passphrase"]; attr != nil && strings.Contains(err.Error(), "passphrase") {
				subject = attr.Expr.Range()
			}
			s.errorf(subject, "Invalid pbkdf2 key provider", "%s: %s.", b.Addr(), err)
			return
		}
		s.providers[b.Addr()] = p
	case "kubernetes_secret":
		var o KubernetesSecretOptions
		oks := make([]bool, 5)
		o.Namespace, oks[0] = s.str(attrs, "namespace")
		o.Name, oks[1] = s.str(attrs, "name")
		o.Key, oks[2] = s.str(attrs, "key")
		o.Context, oks[3] = s.str(attrs, "context")
		o.Kubeconfig, oks[4] = s.str(attrs, "kubeconfig")
		for _, ok := range oks {
			if !ok {
				return
			}
		}
		s.providers[b.Addr()] = NewKubernetesSecret(b.Addr(), o)
	}
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := slices.Collect(maps.Values(attrs))
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	return out
}

func (s *setup) getenv(name string) string {
	for _, kv := range s.env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func (s *setup) method(b *lang.EncryptionBlock) {
	attrs, ok := s.content(b, methodArgs)
	if !ok {
		return
	}
	m := &Method{Addr: b.Addr(), Type: b.Type}
	if b.Type == "aes_gcm" {
		addr, ok := s.ref(attrs["keys"].Expr, "key_provider")
		if !ok {
			return
		}
		p := s.providers[addr]
		if p == nil {
			// Declared, but in error: reported where it is declared.
			return
		}
		m.Keys = p
	}
	s.methods[b.Addr()] = m
}

// ref reads expr as a reference ROOT.TYPE.NAME to a declared block.
func (s *setup) ref(expr hcl.Expression, root string) (string, bool) {
	t, diags := hcl.AbsTraversalForExpr(expr)
	if s.validating && len(expr.Variables()) > 0 && (diags.HasErrors() || t.RootName() != root || len(t) != 3 || !s.declared[traversalAddr(t)]) {
		// lang's CheckReferences reports what is wrong with references.
		return "", false
	}
	if diags.HasErrors() || t.RootName() != root || len(t) != 3 {
		s.errorf(expr.Range(), "Invalid reference", "This must refer to a %s of the encryption block, like %s.", strings.ReplaceAll(root, "_", " "), map[string]string{
			"key_provider": "key_provider.pbkdf2.main", "method": "method.aes_gcm.main"}[root])
		return "", false
	}
	typ, _ := traversalAttr(t, 1)
	name, _ := traversalAttr(t, 2)
	addr := root + "." + typ + "." + name
	if !s.declared[addr] {
		s.errorf(expr.Range(), "Reference to undeclared "+strings.ReplaceAll(root, "_", " "), "The encryption block declares no %s %q %q. Declare it, or correct the reference.", root, typ, name)
		return "", false
	}
	return addr, true
}

func traversalAddr(t hcl.Traversal) string {
	typ, _ := traversalAttr(t, 1)
	name, _ := traversalAttr(t, 2)
	return t.RootName() + "." + typ + "." + name
}

func traversalAttr(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	a, ok := t[i].(hcl.TraverseAttr)
	return a.Name, ok
}

func (s *setup) target(t *lang.EncryptionTarget) *Sealer {
	if t == nil || t.Method == nil {
		return nil
	}
	lookup := func(expr hcl.Expression) *Method {
		addr, ok := s.ref(expr, "method")
		if !ok {
			return nil
		}
		return s.methods[addr] // nil when in error or undeclared, reported elsewhere
	}
	primary := lookup(t.Method)
	if primary == nil {
		return nil
	}
	if t.Enforced && !primary.encrypts() {
		s.errorf(t.Method.Range(), "Unencrypted method enforced against",
			"The %s target is enforced, so its method must encrypt; %s does not. Remove enforced = true to store the %s unencrypted.", t.Name, primary.Addr, t.Name)
		return nil
	}
	var fallbacks []*Method
	for _, expr := range t.Fallbacks {
		m := lookup(expr)
		if m == nil {
			return nil
		}
		fallbacks = append(fallbacks, m)
	}
	return NewSealer(t.Name, primary, fallbacks...)
}
