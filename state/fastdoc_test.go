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
	"reflect"
	"strings"
	"testing"
)

// TestReadEnvelopeLikeEncodingJSON: an element of "resources" reads as
// strictUnmarshal reads it, its attributes and their type byte for byte;
// what readEnvelope leaves to the full decoder (escaped or case-folded
// keys) it refuses, and it never accepts what strictUnmarshal refuses.
func TestReadEnvelopeLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		doc  string
		read bool // readEnvelope decides it
	}{
		{`{"address":"app.a","mode":"app","type":"t","name":"a","provider":"provider.p","schema_version":0,"attributes":{"x":[1,"]}",{"y":null}]},"attributes_type":["object",{"x":["tuple",["number","string",["object",{"y":"string"}]]]}],"private":"eyJ2IjoxfQ==","dependencies":["a.b"],"tainted":true}`, true},
		{" {\n  \"attributes\" : {\"a\\\"b\" : \"c}\"} ,\n \"name\":\"n\", \"index_key\": \"k\"\t}\n ", true},
		{`{}`, true},
		{`{"name":"first","name":"second","attributes":1,"attributes":{"z":2}}`, true},
		{`{"attributes":{"a":1},"sensitive_attributes":[[{"type":"get_attr","value":"a"}]]}`, true},
		{`{"private":"","name":"p"}`, true},
		{`{"private" : "eA==" }`, true},
		{`{"private":"eA==","private":"eQ=="}`, false}, // the last wins in encoding/json
		{`{"private":null}`, false},                    // not a string
		{`{"private":"eyJ2\/IjoxfQ=="}`, false},        // an escape
		{`{"private":"not base64"}`, false},            // encoding/json's error
		{"{\"private\":\"eA\n==\"}", false},            // a raw newline: encoding/json refuses it, base64 skips it
		{`{"Private":"eA=="}`, false},                  // encoding/json would take it as private
		{`{"Attributes":{"a":1}}`, false},              // encoding/json would take it as attributes
		{`{"attr\u0069butes":{"a":1}}`, false},         // an escaped key
		{`{"unknown":1,"attributes":{}}`, false},
		{`{"attributes":{"a":1},}`, false},
		{`{"attributes" {"a":1}}`, false},
		{`{"attributes":{"a":1}} x`, false},
		{`{"attributes":{"a":1}`, false},
		{`["attributes"]`, false},
		{`{"name":5}`, false},
	} {
		got, ok := readEnvelope([]byte(tc.doc))
		if ok != tc.read {
			t.Errorf("%s: decided %v, want %v", tc.doc, ok, tc.read)
			continue
		}
		if !ok {
			continue
		}
		var want fileResource
		if err := strictUnmarshal([]byte(tc.doc), &want); err != nil {
			t.Errorf("%s: read, but encoding/json refuses it: %v", tc.doc, err)
			continue
		}
		if !bytes.Equal(got.Attributes, want.Attributes) || !bytes.Equal(got.AttributesType, want.AttributesType) {
			t.Errorf("%s: attributes %s, type %s; want %s, %s", tc.doc, got.Attributes, got.AttributesType, want.Attributes, want.AttributesType)
		}
		got.Attributes, got.AttributesType, want.Attributes, want.AttributesType = nil, nil, nil, nil
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s:\n got %s\nwant %s", tc.doc, g, w)
		}
	}
}

// skipStringByBytes is skipString as a loop over bytes: the meaning the
// faster one must keep.
func skipStringByBytes(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// TestSkipString: skipString ends a string where a loop over its bytes
// does, escapes, escaped quotes, a backslash at the very end and strings
// that never end included.
func TestSkipString(t *testing.T) {
	cases := []string{
		`""`, `"a"`, `"abc"tail`, `"a\"b"`, `"a\\"b"`, `"a\\\"b"`, `"\\\\"`,
		`"\"`, `"\`, `"`, `"abc`, `"a\"`, `"\u00e9"x"`, `"a\nb"`, `"` + "\x00\x1f\xff" + `"`,
		`"` + strings.Repeat(`\\`, 1000) + `"`, `"` + strings.Repeat(`\"`, 1000) + `"`,
		`"` + strings.Repeat(`\`, 1001) + `"`, `"` + strings.Repeat("x", 5000) + `\` + `"` + `"`,
	}
	for _, c := range cases {
		b := []byte(c)
		if got, want := skipString(b, 0), skipStringByBytes(b, 0); got != want {
			t.Errorf("skipString(%.40q) = %d, want %d", c, got, want)
		}
	}
	// Every arrangement of quotes, backslashes and other bytes up to a
	// length of 7, each from every starting quote.
	alphabet := []byte{'"', '\\', 'a'}
	var grow func(b []byte)
	grow = func(b []byte) {
		for i := range b {
			if b[i] != '"' {
				continue
			}
			if got, want := skipString(b, i), skipStringByBytes(b, i); got != want {
				t.Fatalf("skipString(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
		if len(b) == 7 {
			return
		}
		for _, c := range alphabet {
			grow(append(b[:len(b):len(b)], c))
		}
	}
	grow(nil)
}

// FuzzSkipString holds skipString to the loop over bytes on any input.
func FuzzSkipString(f *testing.F) {
	for _, s := range []string{`"a\"b"x`, `"\\"`, `"\`, `"abc`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			if b[i] != '"' {
				continue
			}
			if got, want := skipString(b, i), skipStringByBytes(b, i); got != want {
				t.Fatalf("skipString(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	})
}

// BenchmarkSkipValue skips a state of 1,000 apps' worth of resources the
// way readEnvelope does.
func BenchmarkSkipValue(b *testing.B) {
	var doc bytes.Buffer
	doc.WriteString("[")
	for i := range 1000 {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `{"address":"app.team[\"app-%04d\"]","attributes":{"manifests_dir":"/cache/trees/e55d5ae3f41c79128765e21ea4e40ca48fc8677d/apps/app-%04d","objects":{%s}},"private":"%s"}`,
			i, i, strings.Repeat(`"v1 ConfigMap app/x":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"app.kubernetes.io/managed-by":"slipway"}}},`, 10)+`"last":{}`,
			strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", 100))
	}
	doc.WriteString("]")
	buf := doc.Bytes()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if skipValue(buf, 0) != len(buf) {
			b.Fatal("did not skip the document")
		}
	}
}
