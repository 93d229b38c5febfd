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

package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// TestMarshalCompact holds the hand-written resources of a compact
// document to encoding/json's output, byte for byte, over every field of
// a resource, empty and set, and strings that need escapes.
func TestMarshalCompact(t *testing.T) {
	t.Parallel()
	odd := []string{"plain", "<b>&amp;</b>", "quote \" and \\ back", "tab\tnew\nline\x01", "é ü 漢字", "line\u2028sep\u2029", ""}
	s := NewState()
	s.SlipwayVersion = "0.2.0 <dev> & co"
	s.Extra["note"] = json.RawMessage(`{"a":[1,2,"<x>"]}`)
	s.Outputs["out"] = &Output{Value: cty.StringVal("<o>"), Sensitive: true}
	add := func(ri *ResourceInstance) { s.Resources[ri.Addr.String()] = ri }
	prov := addrs.Provider{Name: "kubernetes"}
	for i, name := range odd {
		add(&ResourceInstance{
			Addr:     addrs.Resource{Kind: addrs.App, Name: "team"}.Instance(addrs.StringKey(name)),
			Provider: prov, Type: "kubernetes_app", SchemaVersion: int64(i),
			Value: cty.ObjectVal(map[string]cty.Value{
				"name":     cty.StringVal(name),
				"revision": cty.StringVal("0123abc"),
				"objects":  cty.ObjectVal(map[string]cty.Value{"v1 ConfigMap ns/" + name: cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(int64(i)), "f": cty.NumberFloatVal(0.25)})}),
			}),
			Sensitive:    []cty.Path{cty.GetAttrPath("objects").Index(cty.StringVal(name)), cty.IndexIntPath(i)},
			Private:      []byte(name + "\x00\xff"),
			Dependencies: []addrs.Resource{{Kind: addrs.Source, Type: "git", Name: "gitops"}},
			Tainted:      i%2 == 0,
		})
	}
	add(&ResourceInstance{Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.IntKey(3)),
		Provider: addrs.Provider{Name: "file"}, Type: "file", Value: cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal("/tmp/a")})})
	add(&ResourceInstance{Addr: addrs.Resource{Kind: addrs.Pipeline, Name: "build"}.Instance(addrs.NoKey), Value: cty.NullVal(cty.DynamicPseudoType)})

	f := file{Version: formatVersion, Lineage: s.Lineage, Serial: 7, SlipwayVersion: s.SlipwayVersion, Extra: s.Extra, Outputs: map[string]fileOutput{}}
	for _, key := range s.SortedAddrs() {
		fr, err := encodeResource(s.Resources[key])
		if err != nil {
			t.Fatal(err)
		}
		f.Resources = append(f.Resources, fr)
	}
	v, ty, err := encodeValue(s.Outputs["out"].Value)
	if err != nil {
		t.Fatal(err)
	}
	f.Outputs["out"] = fileOutput{Value: v, Type: ty, Sensitive: true}
	want, err := marshal(f, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := marshalCompact(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("marshalCompact differs from encoding/json:\n got %s\nwant %s", got, want)
	}
	// No resources at all, and a step without a value.
	f.Resources = nil
	if got, want := mustCompact(t, f), mustMarshal(t, f); !bytes.Equal(got, want) {
		t.Errorf("no resources:\n got %s\nwant %s", got, want)
	}
	f.Resources = []fileResource{{Address: "app.x", Mode: "app", Name: "x", SensitiveAttributes: [][]fileStep{{{Type: "attr"}}}}}
	if got, want := mustCompact(t, f), mustMarshal(t, f); !bytes.Equal(got, want) {
		t.Errorf("a step without a value:\n got %s\nwant %s", got, want)
	}
	// One encoding gives EncodeCompact's document at any serial.
	enc, err := NewCompactEncoding(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, serial := range []uint64{0, 7, 8} {
		c := *s
		c.Serial = serial
		want, err := EncodeCompact(&c)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := enc.Document(serial); err != nil || !bytes.Equal(got, want) {
			t.Errorf("Document(%d) differs from EncodeCompact at that serial (%v)", serial, err)
		}
	}
	// AppendDocument writes over what it is given, the same document.
	var buf []byte
	for _, serial := range []uint64{7, 8, 1000, 9} {
		want, _ := enc.Document(serial)
		prev := buf
		if buf, err = enc.AppendDocument(buf, serial); err != nil || !bytes.Equal(buf, want) {
			t.Errorf("AppendDocument(%d) differs from Document (%v)", serial, err)
		}
		if _, err := Decode(buf); err != nil {
			t.Errorf("AppendDocument(%d) does not decode: %v", serial, err)
		}
		// 8 and 9 fit where 7 and 1000 were written.
		if (serial == 8 || serial == 9) && &buf[0] != &prev[0] {
			t.Errorf("AppendDocument(%d) did not reuse the storage it was given", serial)
		}
	}
	// The whole document decodes back to the state.
	doc, err := EncodeCompact(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(doc)
	if err != nil {
		t.Fatalf("decoding the compact document: %v", err)
	}
	if len(back.Resources) != len(s.Resources) {
		t.Errorf("decoded %d resources, want %d", len(back.Resources), len(s.Resources))
	}
}

// TestAppendPlainString holds appendPlainString to encoding/json with
// HTML escaping off, invalid UTF-8 included.
func TestAppendPlainString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"plain", "<b>&amp;</b>", "quote \" and \\ back", "tab\tnew\nline\x01\x7f", "é ü 漢字", "line\u2028sep\u2029", "bad \xff\xfe utf-8", ""} {
		want, err := marshal(s, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPlainString(nil, s); !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
			t.Errorf("appendPlainString(%q) = %s, want %s", s, got, want)
		}
	}
}

func mustCompact(t *testing.T, f file) []byte {
	t.Helper()
	b, err := marshalCompact(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustMarshal(t *testing.T, f file) []byte {
	t.Helper()
	b, err := marshal(f, "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// benchFile is the document of a state of n apps of ten objects each.
func benchFile(b *testing.B, n int) file {
	b.Helper()
	s := NewState()
	for i := range n {
		objs := map[string]cty.Value{}
		for k := range 10 {
			objs[fmt.Sprintf("v1 ConfigMap app-%d/cm-%d", i, k)] = cty.ObjectVal(map[string]cty.Value{
				"metadata": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(fmt.Sprintf("cm-%d", k)), "labels": cty.MapVal(map[string]cty.Value{"app": cty.StringVal("web")})}),
				"data":     cty.ObjectVal(map[string]cty.Value{"replicas": cty.NumberIntVal(int64(k)), "port": cty.NumberIntVal(8080)}),
			})
		}
		ri := &ResourceInstance{Addr: addrs.Resource{Kind: addrs.App, Name: "team"}.Instance(addrs.StringKey(fmt.Sprintf("app-%04d", i))),
			Provider: addrs.Provider{Name: "kubernetes"}, Type: "kubernetes_app", Private: bytes.Repeat([]byte("p"), 600),
			Value: cty.ObjectVal(map[string]cty.Value{"revision": cty.StringVal("0123abc"), "objects": cty.ObjectVal(objs)})}
		s.Resources[ri.Addr.String()] = ri
	}
	f := file{Version: formatVersion, Lineage: s.Lineage, Outputs: map[string]fileOutput{}}
	for _, key := range s.SortedAddrs() {
		fr, err := encodeResource(s.Resources[key])
		if err != nil {
			b.Fatal(err)
		}
		f.Resources = append(f.Resources, fr)
	}
	return f
}

// BenchmarkMarshalCompact against BenchmarkMarshalJSON: the resources of
// a compact document by hand, or through encoding/json.
func BenchmarkMarshalCompact(b *testing.B) {
	f := benchFile(b, 1000)
	for b.Loop() {
		if _, err := marshalCompact(f, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	f := benchFile(b, 1000)
	for b.Loop() {
		if _, err := marshal(f, ""); err != nil {
			b.Fatal(err)
		}
	}
}
