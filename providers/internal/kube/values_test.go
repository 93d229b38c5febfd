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

package kube

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
)

func TestCtyRoundTrip(t *testing.T) {
	t.Parallel()
	obj := decode(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: x, labels: {a.b/c: d}}
data: {k: v}
list: [1, 2.5, "three", {x: true}]
empty: {}
`)
	v, err := ToCty(obj)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("metadata").GetAttr("labels").GetAttr("a.b/c"); !got.RawEquals(cty.StringVal("d")) {
		t.Errorf("label = %#v", got)
	}
	back, err := FromCty(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(obj, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	again, err := ToCty(back)
	if err != nil {
		t.Fatal(err)
	}
	if !again.RawEquals(v) {
		t.Errorf("values differ after a round trip:\n%#v\n%#v", v, again)
	}
}

func TestSecretPaths(t *testing.T) {
	t.Parallel()
	secret, _ := ToCty(map[string]any{"kind": "Secret", "data": map[string]any{"a": "YQ=="}})
	cm, _ := ToCty(map[string]any{"kind": "ConfigMap", "data": map[string]any{"a": "b"}})
	objs := cty.ObjectVal(map[string]cty.Value{
		"v1 Secret app/s":    secret,
		"v1 ConfigMap app/c": cm,
		"v1 Secret app/new":  cty.DynamicVal,
	})
	got := SecretPaths(objs)
	want := []cty.Path{cty.GetAttrPath("objects").GetAttr("v1 Secret app/s").GetAttr("data")}
	if len(got) != 1 || !got[0].Equals(want[0]) {
		t.Errorf("secretPaths = %#v, want %#v", got, want)
	}
}

func TestSameValue(t *testing.T) {
	t.Parallel()
	obj := cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1), "s": cty.StringVal("x")})
	tests := map[string]struct {
		a, b cty.Value
		want bool
	}{
		"equal":          {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.NumberFloatVal(1), "s": cty.StringVal("x")}), true},
		"marked":         {obj.Mark("sensitive"), obj, true},
		"marked inside":  {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1), "s": cty.StringVal("x").Mark("sensitive")}), true},
		"other value":    {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(2), "s": cty.StringVal("x")}), false},
		"other type":     {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)}), false},
		"unknown inside": {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.UnknownVal(cty.Number), "s": cty.StringVal("x")}), false},
		"null inside":    {obj, cty.ObjectVal(map[string]cty.Value{"n": cty.NullVal(cty.Number), "s": cty.StringVal("x")}), false},
		"both null":      {cty.NullVal(obj.Type()), cty.NullVal(obj.Type()), true},
		"deep equal": {
			cty.ObjectVal(map[string]cty.Value{"spec": cty.TupleVal([]cty.Value{obj, cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})})}),
			cty.ObjectVal(map[string]cty.Value{"spec": cty.TupleVal([]cty.Value{obj, cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})})}),
			true,
		},
		"deep other": {
			cty.ObjectVal(map[string]cty.Value{"spec": cty.TupleVal([]cty.Value{obj, cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")})})}),
			cty.ObjectVal(map[string]cty.Value{"spec": cty.TupleVal([]cty.Value{obj, cty.MapVal(map[string]cty.Value{"k": cty.StringVal("w")})})}),
			false,
		},
		"sets":       {cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), true},
		"other list": {cty.ListVal([]cty.Value{cty.StringVal("a")}), cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("a")}), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := SameValue(tc.a, tc.b); got != tc.want {
				t.Errorf("SameValue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWithComputed(t *testing.T) {
	t.Parallel()
	ty := cty.Object(map[string]cty.Type{"name": cty.String, "objects": cty.DynamicPseudoType, "inventory": cty.List(cty.String)})
	st := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "objects": cty.NullVal(cty.DynamicPseudoType), "inventory": cty.NullVal(cty.List(cty.String))})
	got := WithComputed(st, map[string]cty.Value{"objects": ObjectsVal(nil), "inventory": StringListVal([]string{"v1 Namespace /web"})})
	want := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "objects": cty.EmptyObjectVal, "inventory": cty.ListVal([]cty.Value{cty.StringVal("v1 Namespace /web")})})
	if !got.RawEquals(want) {
		t.Errorf("WithComputed = %#v, want %#v", got, want)
	}
	for _, v := range []cty.Value{cty.NilVal, cty.NullVal(ty), cty.UnknownVal(ty)} {
		if got := WithComputed(v, map[string]cty.Value{"inventory": StringListVal(nil)}); !got.RawEquals(v) {
			t.Errorf("WithComputed(%#v) = %#v, want it unchanged", v, got)
		}
	}
}

func TestAllKnown(t *testing.T) {
	t.Parallel()
	ty := cty.Object(map[string]cty.Type{"a": cty.String, "b": cty.List(cty.String)})
	tests := map[string]struct {
		conf cty.Value
		want bool
	}{
		"known":           {cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.NullVal(cty.List(cty.String))}), true},
		"unknown element": {cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)})}), false},
		"unknown":         {cty.UnknownVal(ty), false},
		"null":            {cty.NullVal(ty), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := AllKnown(tc.conf, "a", "b"); got != tc.want {
				t.Errorf("AllKnown = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseWaitTimeout(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		value   cty.Value
		want    time.Duration
		wantErr bool
	}{
		"unset":     {cty.NullVal(cty.String), 0, false},
		"minutes":   {cty.StringVal("5m"), 5 * time.Minute, false},
		"not a one": {cty.StringVal("soon"), 0, true},
		"negative":  {cty.StringVal("-1s"), -time.Second, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := ParseWaitTimeout(cty.ObjectVal(map[string]cty.Value{"wait_timeout": tc.value}))
			if got != tc.want || diags.HasErrors() != tc.wantErr {
				t.Errorf("ParseWaitTimeout = %s, %v; want %s, error %v", got, diags.Err(), tc.want, tc.wantErr)
			}
			if tc.wantErr {
				if want := cty.GetAttrPath("wait_timeout"); !diags[0].Attribute.Equals(want) {
					t.Errorf("diagnostic about %#v, want %#v", diags[0].Attribute, want)
				}
			}
		})
	}
}

// TestAppSecretPaths: the data of an app's Secrets, and of the live
// Secrets it adopts, are sensitive; other objects' are not.
func TestAppSecretPaths(t *testing.T) {
	secret := cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("djE=")})})
	cm := cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("v")})})
	v := cty.ObjectVal(map[string]cty.Value{
		builtin.AppObjects: cty.ObjectVal(map[string]cty.Value{"v1 Secret ns/db": secret, "v1 ConfigMap ns/c": cm}),
		builtin.AppAdopted: cty.ObjectVal(map[string]cty.Value{"v1 Secret ns/db": secret}),
	})
	got := AppSecretPaths(v)
	want := []cty.Path{
		cty.GetAttrPath(builtin.AppObjects).GetAttr("v1 Secret ns/db").GetAttr("data"),
		cty.GetAttrPath(builtin.AppAdopted).GetAttr("v1 Secret ns/db").GetAttr("data"),
	}
	if len(got) != len(want) {
		t.Fatalf("AppSecretPaths = %#v, want %#v", got, want)
	}
	for i := range want {
		if !got[i].Equals(want[i]) {
			t.Errorf("path %d = %#v, want %#v", i, got[i], want[i])
		}
	}
	if AppSecretPaths(cty.NullVal(cty.DynamicPseudoType)) != nil {
		t.Error("a null app has sensitive paths")
	}
}

// TestHookSecretPaths: the manifest of a hook that is a Secret is
// sensitive whole, in the app's value; other hooks' are not.
func TestHookSecretPaths(t *testing.T) {
	t.Parallel()
	hook := func(id string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.HookPhase: cty.StringVal(builtin.HookPreSync), builtin.HookID: cty.StringVal(id), builtin.HookGenerateName: cty.NullVal(cty.String),
			builtin.HookWave: cty.NumberIntVal(0), builtin.HookDeletePolicy: cty.ListValEmpty(cty.String), builtin.HookManifest: cty.StringVal("{}"),
		})
	}
	app := cty.ObjectVal(map[string]cty.Value{
		builtin.AppObjects: cty.NullVal(cty.DynamicPseudoType),
		builtin.AppHooks:   cty.ListVal([]cty.Value{hook("batch/v1 Job web/migrate"), hook("v1 Secret web/token"), hook("example.com/v1 Secret web/other")}),
	})
	got := AppSecretPaths(app)
	want := []cty.Path{cty.GetAttrPath(builtin.AppHooks).IndexInt(1).GetAttr(builtin.HookManifest)}
	if len(got) != 1 || !got[0].Equals(want[0]) {
		t.Errorf("AppSecretPaths = %#v; want %#v", got, want)
	}
}
