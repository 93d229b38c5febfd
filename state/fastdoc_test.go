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
	"reflect"
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
