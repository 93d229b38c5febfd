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

package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/internal/builtin"
)

// TestHashAttrBytes: hashAttr writes exactly what apps recorded their
// digests with, the attribute's name, its type and its value as cty's
// JSON, each with its length; a changed byte would make every app read
// in full once after an upgrade.
func TestHashAttrBytes(t *testing.T) {
	conf := cty.ObjectVal(map[string]cty.Value{
		"name":      cty.StringVal("team-web"),
		"unicode":   cty.StringVal("é\n\"x\""),
		"replicas":  cty.NumberIntVal(3),
		"prune":     cty.True,
		"none":      cty.NullVal(cty.String),
		"anything":  cty.NullVal(cty.DynamicPseudoType),
		"list":      cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"set":       cty.SetVal([]cty.Value{cty.NumberIntVal(1)}),
		"map":       cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
		"tuple":     cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.True}),
		"object":    cty.ObjectVal(map[string]cty.Value{"group": cty.StringVal("apps"), "json_pointers": cty.ListValEmpty(cty.String)}),
		"sensitive": cty.StringVal("s").Mark("sensitive"),
		"unknown":   cty.UnknownVal(cty.String),
	})
	for name := range conf.Type().AttributeTypes() {
		var got bytes.Buffer
		ok := hashAttr(&got, conf, name)
		v, _ := conf.GetAttr(name).UnmarkDeep()
		if !v.IsWhollyKnown() {
			if ok {
				t.Errorf("hashAttr(%s) hashed an unknown value", name)
			}
			continue
		}
		js, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			t.Fatal(err)
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s=%d:%s%d:%s\n", name, len(ty), ty, len(js), js)
		if !ok || got.String() != want {
			t.Errorf("hashAttr(%s) = %v, %q; want %q", name, ok, got.String(), want)
		}
	}
}

// An app that names no namespace puts its objects in the kubeconfig
// context's: switching the context to another namespace moves them, so
// its inputs digest moves too, also as a provider that plans again keeps
// it (inputsOf). An app that names its namespace keeps its digest.
func TestInputsDigestOfTheDefaultNamespace(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cm.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := readSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	conf := func(ns cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppName:      cty.StringVal("web"),
			builtin.AppNamespace: ns,
		})
	}
	for _, c := range []struct {
		name string
		ns   cty.Value
		same bool
	}{
		{"no namespace", cty.NullVal(cty.String), false},
		{"an empty namespace", cty.StringVal(""), false},
		{"a namespace", cty.StringVal("team"), true},
	} {
		a, b := inputsDigest(conf(c.ns), src, "default"), inputsDigest(conf(c.ns), src, "other")
		if a == "" || b == "" {
			t.Fatalf("%s: no digest", c.name)
		}
		if (a == b) != c.same {
			t.Errorf("%s: the digests with the context's namespace default and other are the same: %v, want %v", c.name, a == b, c.same)
		}
		p := &provider{}
		e := &elision{Name: "web"}
		m := configMatch{config: conf(c.ns), ok: true}
		if got := p.inputsOf("app.web", e, m, src, "default"); got != a {
			t.Errorf("%s: inputsOf with default: %s, want %s", c.name, got, a)
		}
		if got := p.inputsOf("app.web", e, p.configs.get(configKey("app.web", e), func() configMatch { return m }), src, "other"); got != b {
			t.Errorf("%s: inputsOf kept from default, asked with other: %s, want %s", c.name, got, b)
		}
	}
}
