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

package sdk

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// Validator checks the value of one attribute. The SDK runs an
// attribute's validators in validate, in plan and before reading a
// source, whether or not the resource has a Validate method of its own,
// and points every diagnostic without an Attribute at the attribute.
type Validator interface {
	// Description says what the validator requires, as a phrase that
	// follows "The value must" ("be 1 to 63 characters long"). It is
	// shown in the generated reference.
	Description() string
	// Validate checks req.Value, which is never null nor unknown (the
	// SDK checks a value once it is known) but may hold unknown values,
	// the elements of a list, say: a validator skips what it cannot
	// check yet. A panic is an error of the attribute, not the end of
	// the process.
	Validate(req ValidatorRequest) Diagnostics
}

// ValidatorRequest is one value to check.
type ValidatorRequest struct {
	// Path is where the attribute is in the configuration.
	Path cty.Path
	// Value is the attribute's value.
	Value cty.Value
	// Object is the object that holds the attribute: its siblings, for
	// checks across attributes.
	Object cty.Value
}

// runValidators runs the validators of every attribute in config, nested
// ones included, for subj (a resource's address, say, for messages). A
// validator that panics is an error of its attribute.
func runValidators(subj string, attrs map[string]Attribute, blocks map[string]Block, config cty.Value) Diagnostics {
	var diags Diagnostics
	validateBody(subj, nil, attrs, blocks, config, &diags)
	return diags
}

func validateBody(subj string, path cty.Path, attrs map[string]Attribute, blocks map[string]Block, obj cty.Value, diags *Diagnostics) {
	obj, _ = obj.Unmark()
	if isNull(obj) || !obj.IsKnown() || !obj.Type().IsObjectType() {
		return
	}
	for _, name := range sortedNames(attrs) {
		a := attrs[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		v := attrOf(obj, name, a.ImpliedType())
		if v.IsNull() || !v.IsKnown() {
			// A value not known yet is checked once it is.
			continue
		}
		for _, val := range a.Validators {
			for _, d := range validateOne(subj, val, ValidatorRequest{Path: p, Value: v, Object: obj}) {
				if len(d.Attribute) == 0 {
					d.Attribute = p
				}
				*diags = append(*diags, d)
			}
		}
		if a.Nested != nil {
			validateNested(subj, p, a.Nested.Nesting, a.Nested.Attributes, nil, v, diags)
		}
	}
	for _, name := range sortedNames(blocks) {
		b := blocks[name]
		p := append(path.Copy(), cty.GetAttrStep{Name: name})
		validateNested(subj, p, b.Nesting, b.Attributes, b.Blocks, attrOf(obj, name, b.ImpliedType()), diags)
	}
}

// validateOne runs one validator, the provider's code: a panic in it is
// an error diagnostic, as a panic in a provider method is.
func validateOne(subj string, val Validator, req ValidatorRequest) (diags Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			addPanic(&diags, subj, fmt.Sprintf("the validator %T of %s", val, pathText(req.Path)), r)
		}
	}()
	return val.Validate(req)
}

func validateNested(subj string, p cty.Path, n Nesting, attrs map[string]Attribute, blocks map[string]Block, v cty.Value, diags *Diagnostics) {
	v, _ = v.Unmark()
	if isNull(v) || !v.IsKnown() {
		return
	}
	if n == NestingSingle {
		validateBody(subj, p, attrs, blocks, v, diags)
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		ep := p.Copy()
		if n != NestingSet {
			ep = append(ep, cty.IndexStep{Key: k})
		}
		validateBody(subj, ep, attrs, blocks, ev, diags)
	}
}

// knownString returns req's value as a string, or ok false when it is
// not known yet. A value of another type is a mistake in the schema.
func knownString(req ValidatorRequest, diags *Diagnostics) (string, bool) {
	v, _ := req.Value.Unmark()
	if !v.IsKnown() {
		return "", false
	}
	if v.Type() != cty.String {
		diags.AddAttributeError(req.Path, "Invalid provider schema",
			fmt.Sprintf("A string validator is declared on %s, which is a %s. This is a bug in the provider; please report it to its author.", pathText(req.Path), v.Type().FriendlyName()))
		return "", false
	}
	return v.AsString(), true
}

type stringLength struct{ min, max int }

// StringLength requires a string of min to max characters (max 0: no
// upper bound).
func StringLength(min, max int) Validator { return stringLength{min, max} }

func (v stringLength) Description() string {
	switch {
	case v.max == 0:
		return fmt.Sprintf("be at least %d characters long", v.min)
	case v.min == v.max:
		return fmt.Sprintf("be exactly %d characters long", v.min)
	}
	return fmt.Sprintf("be %d to %d characters long", v.min, v.max)
}

func (v stringLength) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	s, ok := knownString(req, &diags)
	if !ok {
		return diags
	}
	if n := utf8.RuneCountInString(s); n < v.min || (v.max > 0 && n > v.max) {
		diags.AddAttributeError(req.Path, "Invalid value length",
			fmt.Sprintf("The value of %s is %d characters long; it must %s.", pathText(req.Path), n, v.Description()))
	}
	return diags
}

type oneOf []string

// OneOf requires a string that is one of values.
func OneOf(values ...string) Validator { return oneOf(values) }

func (v oneOf) Description() string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = strconv.Quote(s)
	}
	return "be one of " + strings.Join(q, ", ")
}

func (v oneOf) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	s, ok := knownString(req, &diags)
	if !ok {
		return diags
	}
	for _, want := range v {
		if s == want {
			return diags
		}
	}
	diags.AddAttributeError(req.Path, "Invalid value",
		fmt.Sprintf("The value of %s is %q; it must %s.", pathText(req.Path), s, v.Description()))
	return diags
}

type matches struct {
	re      *regexp.Regexp
	message string
}

// Matches requires a string that re matches; message says in words what
// that is ("four octal digits, like \"0644\""), for diagnostics and docs.
func Matches(re *regexp.Regexp, message string) Validator { return matches{re, message} }

func (v matches) Description() string {
	if v.message != "" {
		return "be " + v.message
	}
	return fmt.Sprintf("match the regular expression %q", v.re.String())
}

func (v matches) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	s, ok := knownString(req, &diags)
	if !ok || v.re.MatchString(s) {
		return diags
	}
	diags.AddAttributeError(req.Path, "Invalid value",
		fmt.Sprintf("The value of %s is %q; it must %s.", pathText(req.Path), s, v.Description()))
	return diags
}

type between struct{ min, max float64 }

// Between requires a number from min to max, both included.
func Between(min, max float64) Validator { return between{min, max} }

func (v between) Description() string {
	return fmt.Sprintf("be a number from %s to %s", fmtNum(v.min), fmtNum(v.max))
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (v between) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	val, _ := req.Value.Unmark()
	if !val.IsKnown() {
		return diags
	}
	if val.Type() != cty.Number {
		diags.AddAttributeError(req.Path, "Invalid provider schema",
			fmt.Sprintf("A number validator is declared on %s, which is a %s. This is a bug in the provider; please report it to its author.", pathText(req.Path), val.Type().FriendlyName()))
		return diags
	}
	n := val.AsBigFloat()
	if n.Cmp(big.NewFloat(v.min)) < 0 || n.Cmp(big.NewFloat(v.max)) > 0 {
		diags.AddAttributeError(req.Path, "Value out of range",
			fmt.Sprintf("The value of %s is %s; it must %s.", pathText(req.Path), n.Text('f', -1), v.Description()))
	}
	return diags
}

type conflictsWith []string

// ConflictsWith forbids setting the attribute together with any of the
// named attributes of the same object.
func ConflictsWith(names ...string) Validator { return conflictsWith(names) }

func (v conflictsWith) Description() string {
	return "not be set together with " + quoteNames(v)
}

func (v conflictsWith) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	for _, other := range v {
		ov := attrOf(req.Object, other, cty.DynamicPseudoType)
		if !ov.IsNull() {
			diags.AddAttributeError(req.Path, "Conflicting arguments",
				fmt.Sprintf("%s cannot be set together with %q; remove one of them.", pathText(req.Path), other))
		}
	}
	return diags
}

type requiredWith []string

// RequiredWith requires the named attributes of the same object to be set
// whenever this one is.
func RequiredWith(names ...string) Validator { return requiredWith(names) }

func (v requiredWith) Description() string {
	return "be set together with " + quoteNames(v)
}

func (v requiredWith) Validate(req ValidatorRequest) Diagnostics {
	var diags Diagnostics
	for _, other := range v {
		if attrOf(req.Object, other, cty.DynamicPseudoType).IsNull() {
			diags.AddAttributeError(req.Path, "Missing required argument",
				fmt.Sprintf("When %s is set, %q must be set too.", pathText(req.Path), other))
		}
	}
	return diags
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// pathText renders a path as configuration writes it: rule[0].port.
func pathText(p cty.Path) string {
	var b strings.Builder
	for _, st := range p {
		switch st := st.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.Name)
		case cty.IndexStep:
			if st.Key.Type() == cty.String {
				fmt.Fprintf(&b, "[%q]", st.Key.AsString())
			} else if st.Key.Type() == cty.Number {
				fmt.Fprintf(&b, "[%s]", st.Key.AsBigFloat().Text('f', -1))
			}
		}
	}
	if b.Len() == 0 {
		return "the value"
	}
	return `"` + b.String() + `"`
}
