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
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// ctyCmp compares cty values and types by their Go syntax, which shows
// unknowns, nulls and marks, and reads well in a diff.
var ctyCmp = cmp.Options{
	cmp.Transformer("cty.Value", func(v cty.Value) string { return v.GoString() }),
	cmp.Transformer("cty.Type", func(t cty.Type) string { return t.GoString() }),
	cmp.Transformer("cty.Path", pathGoString),
}

// pathGoString spells a path step by step, independently of PathString.
func pathGoString(p cty.Path) string {
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
}

func obj(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }

func TestSameValue(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b cty.Value
		want bool
	}{
		"equal strings":           {a: cty.StringVal("a"), b: cty.StringVal("a"), want: true},
		"different strings":       {a: cty.StringVal("a"), b: cty.StringVal("b"), want: false},
		"two nulls":               {a: cty.NullVal(cty.String), b: cty.NullVal(cty.String), want: true},
		"null against a value":    {a: cty.NullVal(cty.String), b: cty.StringVal(""), want: false},
		"a value against a null":  {a: cty.StringVal(""), b: cty.NullVal(cty.String), want: false},
		"an unknown is not known": {a: cty.UnknownVal(cty.String), b: cty.UnknownVal(cty.String), want: false},
		"partly unknown objects": {
			a:    obj(map[string]cty.Value{"x": cty.UnknownVal(cty.String)}),
			b:    obj(map[string]cty.Value{"x": cty.UnknownVal(cty.String)}),
			want: false,
		},
		"objects built apart": {
			a:    obj(map[string]cty.Value{"l": cty.ListVal([]cty.Value{cty.StringVal("a")}), "n": cty.NumberIntVal(3)}),
			b:    obj(map[string]cty.Value{"n": cty.NumberIntVal(3), "l": cty.ListVal([]cty.Value{cty.StringVal("a")})}),
			want: true,
		},
		"objects that differ deep": {
			a:    obj(map[string]cty.Value{"spec": obj(map[string]cty.Value{"replicas": cty.NumberIntVal(2)})}),
			b:    obj(map[string]cty.Value{"spec": obj(map[string]cty.Value{"replicas": cty.NumberIntVal(3)})}),
			want: false,
		},
		"a whole number and its float": {a: cty.NumberIntVal(2), b: cty.NumberFloatVal(2.0), want: true},
		"a list and a tuple of the same strings": {
			a:    cty.ListVal([]cty.Value{cty.StringVal("a")}),
			b:    cty.TupleVal([]cty.Value{cty.StringVal("a")}),
			want: false,
		},
		"marks aside, equal": {
			a:    obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"k": cty.StringVal("v").Mark("sensitive")}), "n": cty.NumberIntVal(1)}),
			b:    obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"k": cty.StringVal("v")}), "n": cty.NumberFloatVal(1)}),
			want: true,
		},
		"marks aside, different": {
			a:    obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"k": cty.StringVal("v").Mark("sensitive")})}),
			b:    obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"k": cty.StringVal("w")})}),
			want: false,
		},
		"a marked object against the same unmarked": {
			a:    obj(map[string]cty.Value{"rev": cty.StringVal("r1"), "n": cty.NumberIntVal(1)}).Mark("sensitive"),
			b:    obj(map[string]cty.Value{"rev": cty.StringVal("r1"), "n": cty.NumberFloatVal(1)}),
			want: true,
		},
		"objects of other attributes": {
			a:    obj(map[string]cty.Value{"rev": cty.StringVal("r1")}),
			b:    obj(map[string]cty.Value{"revision": cty.StringVal("r1")}),
			want: false,
		},
		"objects whose marked attribute moved": {
			a:    obj(map[string]cty.Value{"rev": cty.StringVal("r1").Mark("sensitive"), "objects": obj(map[string]cty.Value{"n": cty.NumberIntVal(1)})}),
			b:    obj(map[string]cty.Value{"rev": cty.StringVal("r2"), "objects": obj(map[string]cty.Value{"n": cty.NumberIntVal(1)})}),
			want: false,
		},
		"objects equal but for an unknown deep inside": {
			a:    obj(map[string]cty.Value{"rev": cty.StringVal("r1"), "objects": obj(map[string]cty.Value{"n": cty.UnknownVal(cty.Number)})}),
			b:    obj(map[string]cty.Value{"rev": cty.StringVal("r1").Mark("sensitive"), "objects": obj(map[string]cty.Value{"n": cty.UnknownVal(cty.Number)})}),
			want: false,
		},
		"a marked whole against the same unmarked": {
			a:    cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}).Mark("sensitive"),
			b:    cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}),
			want: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, SameValue(tc.a, tc.b)); diff != "" {
				t.Errorf("SameValue(%#v, %#v) (-want +got):\n%s", tc.a, tc.b, diff)
			}
		})
	}
}

func TestSchemaObject(t *testing.T) {
	t.Parallel()
	schema := sdk.Schema{Attributes: map[string]sdk.Attribute{
		"name":  {Type: cty.String},
		"count": {Type: cty.Number},
		"tags":  {Type: cty.List(cty.String)},
	}}
	type result struct {
		Value cty.Value
		Bad   []string
	}
	tests := map[string]struct {
		attrs map[string]cty.Value
		want  result
	}{
		"attributes not given are null of their type": {
			attrs: map[string]cty.Value{"name": cty.StringVal("web")},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.StringVal("web"), "count": cty.NullVal(cty.Number), "tags": cty.NullVal(cty.List(cty.String)),
			})},
		},
		"NilVal is as good as absent": {
			attrs: map[string]cty.Value{"name": cty.NilVal},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.NullVal(cty.String), "count": cty.NullVal(cty.Number), "tags": cty.NullVal(cty.List(cty.String)),
			})},
		},
		"values convert to the schema's types": {
			attrs: map[string]cty.Value{
				"name": cty.NumberIntVal(7), "count": cty.StringVal("3"),
				"tags": cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.True}),
			},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.StringVal("7"), "count": cty.NumberIntVal(3),
				"tags": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("true")}),
			})},
		},
		"attributes the schema lacks are dropped": {
			attrs: map[string]cty.Value{"name": cty.StringVal("web"), "extra": cty.StringVal("x")},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.StringVal("web"), "count": cty.NullVal(cty.Number), "tags": cty.NullVal(cty.List(cty.String)),
			})},
		},
		"unknown values stay unknown, typed": {
			attrs: map[string]cty.Value{"count": cty.DynamicVal},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.NullVal(cty.String), "count": cty.UnknownVal(cty.Number), "tags": cty.NullVal(cty.List(cty.String)),
			})},
		},
		"marks are kept": {
			attrs: map[string]cty.Value{"name": cty.StringVal("s3cret").Mark(SensitiveMark)},
			want: result{Value: obj(map[string]cty.Value{
				"name": cty.StringVal("s3cret").Mark(SensitiveMark), "count": cty.NullVal(cty.Number), "tags": cty.NullVal(cty.List(cty.String)),
			})},
		},
		"a value that does not convert is reported by name": {
			attrs: map[string]cty.Value{"count": cty.StringVal("three"), "name": cty.StringVal("web")},
			// The value is of no use then: callers drop it.
			want: result{Value: cty.NilVal, Bad: []string{"count"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got result
			got.Value = SchemaObject(schema, tc.attrs, func(name string, err error) {
				if err == nil {
					t.Errorf("bad(%q) without an error", name)
				}
				got.Bad = append(got.Bad, name)
			})
			if tc.want.Value == cty.NilVal {
				got.Value = cty.NilVal
			}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("SchemaObject (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProviderDiags(t *testing.T) {
	t.Parallel()
	subject := &hcl.Range{Filename: "main.slip.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 9}}
	type diag struct {
		Severity hcl.DiagnosticSeverity
		Summary  string
		Detail   string
		Subject  *hcl.Range
	}
	tests := map[string]struct {
		in   sdk.Diagnostics
		who  string
		want []diag
	}{
		"none": {in: nil, who: "app.web", want: nil},
		"an error names the instance": {
			in:   sdk.Diagnostics{{Severity: sdk.Error, Summary: "Bad", Detail: "It broke."}},
			who:  "app.web",
			want: []diag{{hcl.DiagError, "Bad", "It broke.\n\nReported by the provider for app.web.", subject}},
		},
		"a warning stays a warning": {
			in:   sdk.Diagnostics{{Severity: sdk.Warning, Summary: "Careful", Detail: "Maybe."}},
			who:  "app.web",
			want: []diag{{hcl.DiagWarning, "Careful", "Maybe.\n\nReported by the provider for app.web.", subject}},
		},
		"the attribute is named as configuration writes it": {
			in: sdk.Diagnostics{{Severity: sdk.Error, Summary: "Bad", Detail: "Too many.",
				Attribute: cty.GetAttrPath("spec").GetAttr("replicas")}},
			want: []diag{{hcl.DiagError, "Bad", "Too many. (attribute spec.replicas)", subject}},
		},
		"a detail that names the instance already is left alone": {
			in:   sdk.Diagnostics{{Severity: sdk.Error, Summary: "Bad", Detail: "app.web is broken."}},
			who:  "app.web",
			want: []diag{{hcl.DiagError, "Bad", "app.web is broken.", subject}},
		},
		"an empty detail becomes the instance's name alone": {
			in:   sdk.Diagnostics{{Severity: sdk.Error, Summary: "Bad"}},
			who:  "app.web",
			want: []diag{{hcl.DiagError, "Bad", "Reported by the provider for app.web.", subject}},
		},
		"each diagnostic in order": {
			in: sdk.Diagnostics{
				{Severity: sdk.Warning, Summary: "One", Detail: "1."},
				{Severity: sdk.Error, Summary: "Two", Detail: "2."},
			},
			want: []diag{{hcl.DiagWarning, "One", "1.", subject}, {hcl.DiagError, "Two", "2.", subject}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []diag
			for _, d := range ProviderDiags(tc.in, tc.who, subject) {
				got = append(got, diag{d.Severity, d.Summary, d.Detail, d.Subject})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ProviderDiags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPathString(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		path cty.Path
		want string
	}{
		"the whole value":  {path: nil, want: "the object"},
		"one attribute":    {path: cty.GetAttrPath("name"), want: "name"},
		"nested attribute": {path: cty.GetAttrPath("spec").GetAttr("replicas"), want: "spec.replicas"},
		"a map key": {
			path: cty.GetAttrPath("metadata").GetAttr("labels").Index(cty.StringVal("app.kubernetes.io/name")),
			want: `metadata.labels["app.kubernetes.io/name"]`,
		},
		"a list index":         {path: cty.GetAttrPath("containers").IndexInt(0).GetAttr("image"), want: "containers[0].image"},
		"an index first":       {path: cty.IndexIntPath(2).GetAttr("name"), want: "[2].name"},
		"a key with a quote":   {path: cty.Path{cty.IndexStep{Key: cty.StringVal(`a"b`)}}, want: `["a\"b"]`},
		"a large index number": {path: cty.GetAttrPath("l").Index(cty.NumberIntVal(1234567)), want: "l[1234567]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, PathString(tc.path)); diff != "" {
				t.Errorf("PathString (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGoneReason(t *testing.T) {
	t.Parallel()
	r := addrs.Resource{Kind: addrs.App, Name: "web"}
	tests := map[string]struct {
		addr addrs.ResourceInstance
		want plans.Reason
	}{
		"a for_each key":  {addr: r.Instance(addrs.StringKey("eu")), want: plans.ReasonEachKey},
		"a count index":   {addr: r.Instance(addrs.IntKey(2)), want: plans.ReasonCountIndex},
		"an empty string": {addr: r.Instance(addrs.StringKey("")), want: plans.ReasonEachKey},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, GoneReason(tc.addr)); diff != "" {
				t.Errorf("GoneReason(%s) (-want +got):\n%s", tc.addr, diff)
			}
		})
	}
}

func TestDeleteChange(t *testing.T) {
	t.Parallel()
	addr := addrs.Resource{Kind: addrs.Managed, Type: "kubernetes_manifest", Name: "cm"}.Instance(addrs.IntKey(1))
	val := obj(map[string]cty.Value{"name": cty.StringVal("cm"), "token": cty.StringVal("t")})
	tests := map[string]struct {
		ri     *state.ResourceInstance
		reason plans.Reason
		want   *plans.ResourceChange
	}{
		"a state entry is deleted to null of its type": {
			ri:     &state.ResourceInstance{Addr: addr, Provider: addrs.Provider{Name: "kubernetes", Alias: "prod"}, Type: "kubernetes_manifest", Value: val},
			reason: plans.ReasonCountIndex,
			want: &plans.ResourceChange{
				Addr: addr, Provider: addrs.Provider{Name: "kubernetes", Alias: "prod"}, Type: "kubernetes_manifest",
				Action: plans.Delete, Reason: plans.ReasonCountIndex,
				Before: val, After: cty.NullVal(val.Type()),
			},
		},
		"its sensitive paths stay sensitive before": {
			ri:     &state.ResourceInstance{Addr: addr, Type: "kubernetes_manifest", Value: val, Sensitive: []cty.Path{cty.GetAttrPath("token")}},
			reason: plans.ReasonRemoved,
			want: &plans.ResourceChange{
				Addr: addr, Type: "kubernetes_manifest", Action: plans.Delete, Reason: plans.ReasonRemoved,
				Before: val, After: cty.NullVal(val.Type()), BeforeSensitive: []cty.Path{cty.GetAttrPath("token")},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, DeleteChange(tc.ri, tc.reason), ctyCmp); diff != "" {
				t.Errorf("DeleteChange (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttrHelpers(t *testing.T) {
	t.Parallel()
	v := obj(map[string]cty.Value{
		"s": cty.StringVal("x"), "n": cty.NumberIntVal(1), "u": cty.UnknownVal(cty.String), "z": cty.NullVal(cty.String),
	})
	def := cty.StringVal("default")
	type result struct {
		Str  string
		Attr cty.Value
	}
	tests := map[string]struct {
		v    cty.Value
		name string
		want result
	}{
		"a string":              {v: v, name: "s", want: result{"x", cty.StringVal("x")}},
		"a number is no string": {v: v, name: "n", want: result{"", cty.NumberIntVal(1)}},
		"unknown":               {v: v, name: "u", want: result{"", cty.UnknownVal(cty.String)}},
		"null":                  {v: v, name: "z", want: result{"", cty.NullVal(cty.String)}},
		"missing attribute":     {v: v, name: "nope", want: result{"", def}},
		"null object":           {v: cty.NullVal(v.Type()), name: "s", want: result{"", def}},
		"unknown object":        {v: cty.UnknownVal(v.Type()), name: "s", want: result{"", def}},
		"not an object":         {v: cty.MapVal(map[string]cty.Value{"s": cty.StringVal("x")}), name: "s", want: result{"", def}},
		"NilVal":                {v: cty.NilVal, name: "s", want: result{"", def}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := result{StrAttr(tc.v, tc.name), AttrOr(tc.v, tc.name, def)}
			if diff := cmp.Diff(tc.want, got, ctyCmp); diff != "" {
				t.Errorf("StrAttr, AttrOr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiagsErr(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		diags hcl.Diagnostics
		want  error
	}{
		"no diagnostics": {diags: nil, want: nil},
		"warnings only":  {diags: hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "W"}}, want: nil},
		"the first error, with its detail": {
			diags: hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "W"}, ErrorDiag("First", "one", nil), ErrorDiag("Second", "two", nil)},
			want:  errors.New("First: one"),
		},
		"an error without detail": {diags: hcl.Diagnostics{ErrorDiag("Only", "", nil)}, want: errors.New("Only")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := DiagsErr(tc.diags)
			if diff := cmp.Diff(errString(tc.want), errString(got)); diff != "" {
				t.Errorf("DiagsErr (-want +got):\n%s", diff)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
