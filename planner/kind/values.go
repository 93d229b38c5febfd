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

package kind

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// SameValue reports whether two wholly known values are equal.
func SameValue(a, b cty.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() == b.IsNull()
	}
	// Of wholly known values, Equals says what RawEquals says of them
	// without their marks; identical values (the common case: an
	// unchanged object) need no more than RawEquals. Equals itself looks
	// for marks through the whole remaining value at every level it
	// descends, which is quadratic in the depth of an app's objects: a
	// plan of 1,000 apps whose source moved to a new commit spent 2.7
	// CPU-s in it. Values that differ either way are not the same,
	// known or not, and need no look at what is known.
	if !a.RawEquals(b) {
		// Objects of the same attributes: attribute by attribute, so
		// that only what differs is unmarked. An app whose commit alone
		// moved (its revision) was unmarked whole, objects and all, at
		// every apply that recorded the commit: 0.5 CPU-s at 1,000 apps.
		ua, _ := a.Unmark()
		ub, _ := b.Unmark()
		if SameAttributes(ua, ub) {
			for name := range ua.Type().AttributeTypes() {
				if !SameValue(ua.GetAttr(name), ub.GetAttr(name)) {
					return false
				}
			}
			return true
		}
		ua, _ = a.UnmarkDeep()
		ub, _ = b.UnmarkDeep()
		if !ua.RawEquals(ub) {
			return false
		}
	}
	return a.IsWhollyKnown() && b.IsWhollyKnown()
}

// SameAttributes reports whether a and b are known objects, not null,
// with the same attribute names.
func SameAttributes(a, b cty.Value) bool {
	if !a.IsKnown() || !b.IsKnown() || a.IsNull() || b.IsNull() || !a.Type().IsObjectType() || !b.Type().IsObjectType() {
		return false
	}
	at, bt := a.Type().AttributeTypes(), b.Type().AttributeTypes()
	if len(at) != len(bt) {
		return false
	}
	for name := range at {
		if _, ok := bt[name]; !ok {
			return false
		}
	}
	return true
}

// SchemaObject converts attrs to the object type of schema, attribute by
// attribute, null where attrs has none; bad hears of each that does not
// convert. Marks are kept.
func SchemaObject(schema sdk.Schema, attrs map[string]cty.Value, bad func(name string, err error)) cty.Value {
	out := make(map[string]cty.Value, len(schema.Attributes))
	for name, a := range schema.Attributes {
		v, ok := attrs[name]
		if !ok || v == cty.NilVal {
			out[name] = cty.NullVal(a.Type)
			continue
		}
		cv, err := convert.Convert(v, a.Type)
		if err != nil {
			bad(name, err)
			continue
		}
		out[name] = cv
	}
	return cty.ObjectVal(out)
}

// StrAttr returns a known string attribute of an object, or "".
func StrAttr(v cty.Value, name string) string {
	a := AttrOr(v, name, cty.NullVal(cty.String))
	if a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return ""
	}
	return a.AsString()
}

// AttrOr returns an object's attribute, or def when there is none.
func AttrOr(v cty.Value, name string, def cty.Value) cty.Value {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return def
	}
	return v.GetAttr(name)
}

// SortedKeys returns a map's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ErrorDiag is an error diagnostic.
func ErrorDiag(summary, detail string, subject *hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject}
}

// Errorf is an error diagnostic with a formatted detail.
func Errorf(summary string, subject *hcl.Range, format string, args ...any) *hcl.Diagnostic {
	return ErrorDiag(summary, fmt.Sprintf(format, args...), subject)
}

// DiagsErr summarises error diagnostics as one error, or nil.
func DiagsErr(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Detail != "" {
				return fmt.Errorf("%s: %s", d.Summary, d.Detail)
			}
			return fmt.Errorf("%s", d.Summary)
		}
	}
	return nil
}

// ProviderDiags converts a provider's diagnostics, pointing them at the
// block they concern; who names the instance they are about.
func ProviderDiags(pd sdk.Diagnostics, who string, subject *hcl.Range) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range pd {
		sev := hcl.DiagError
		if d.Severity == sdk.Warning {
			sev = hcl.DiagWarning
		}
		detail := d.Detail
		if len(d.Attribute) > 0 {
			detail = fmt.Sprintf("%s (attribute %s)", detail, PathString(d.Attribute))
		}
		if who != "" && !strings.Contains(detail, who) {
			detail = strings.TrimSpace(detail + "\n\nReported by the provider for " + who + ".")
		}
		out = append(out, &hcl.Diagnostic{Severity: sev, Summary: d.Summary, Detail: detail, Subject: subject})
	}
	return out
}

// PathString renders a value path the way configuration writes it.
func PathString(p cty.Path) string {
	if len(p) == 0 {
		return "the object"
	}
	s := ""
	for _, st := range p {
		switch st := st.(type) {
		case cty.GetAttrStep:
			if s != "" {
				s += "."
			}
			s += st.Name
		case cty.IndexStep:
			if st.Key.Type() == cty.String {
				s += fmt.Sprintf("[%q]", st.Key.AsString())
			} else {
				s += fmt.Sprintf("[%s]", st.Key.AsBigFloat().String())
			}
		}
	}
	return s
}

// DeleteChange plans the deletion of a state entry.
//
// It carries the instance's private data: the provider's delete reads what
// its last apply recorded there (an app's hook runs and PostDelete hooks).
func DeleteChange(ri *state.ResourceInstance, reason plans.Reason) *plans.ResourceChange {
	return &plans.ResourceChange{
		Addr: ri.Addr, Provider: ri.Provider, Type: ri.Type, Action: plans.Delete, Reason: reason,
		Before: ri.Value, After: cty.NullVal(ri.Value.Type()), BeforeSensitive: ri.Sensitive,
		Private: ri.Private,
	}
}

// GoneReason is why an instance that count or for_each no longer
// produces is deleted.
func GoneReason(addr addrs.ResourceInstance) plans.Reason {
	if _, ok := addr.Key.(addrs.StringKey); ok {
		return plans.ReasonEachKey
	}
	return plans.ReasonCountIndex
}

// SensitiveMark marks values that came from sensitive variables, so that
// the paths they reach in a configuration can be masked. It is the mark
// the language's functions know (lang.SensitiveMark).
const SensitiveMark = lang.SensitiveMark
