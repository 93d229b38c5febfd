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
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// FuzzFastParseAgreesWithCty: wherever the fast parser reads a value or
// a type itself, rather than handing it to cty's own JSON decoding, it
// reads what cty reads, and refuses what cty refuses.
func FuzzFastParseAgreesWithCty(f *testing.F) {
	for _, seed := range []struct{ typ, val string }{
		{`"string"`, `"héllo \"q\" \u2028"`},
		{`"number"`, `-1.5e-30`},
		{`"bool"`, `true`},
		{`["list","string"]`, `["a","b",null]`},
		{`["map","number"]`, `{"a":1,"b":2}`},
		{`["set","string"]`, `["b","a"]`},
		{`["object",{"a":"string","n":["list","number"]}]`, `{"a":"x","n":[1,2,3]}`},
		{`["tuple",["string","number"]]`, `["x",1]`},
		{`["tuple",["string","number"]]`, `["x"]`},
		{`["object",{"a":"string"}]`, `{"a":"x","a":"y"}`},
		{`"string"`, `"\ud800"`},
		{`"number"`, `"1"`},
		{`"dynamic"`, `{"value":"x","type":"string"}`},
	} {
		f.Add([]byte(seed.typ), []byte(seed.val))
	}
	f.Fuzz(func(t *testing.T, typJSON, valJSON []byte) {
		p := getParser(typJSON)
		fastTy, fastErr := p.wholeType()
		putParser(p)
		var slowTy cty.Type
		slowErr := slowTy.UnmarshalJSON(typJSON)
		if fastErr != errSlowPath {
			if (fastErr == nil) != (slowErr == nil) {
				t.Fatalf("type %q: fast parser says %v, cty says %v", typJSON, fastErr, slowErr)
			}
			if fastErr == nil && !fastTy.Equals(slowTy) {
				t.Fatalf("type %q: fast parser reads %#v, cty reads %#v", typJSON, fastTy, slowTy)
			}
		}
		if slowErr != nil {
			return
		}
		p = getParser(valJSON)
		fastV, fastErr := p.wholeValue(slowTy)
		putParser(p)
		if fastErr == errSlowPath {
			return
		}
		slowV, slowErr := func() (v cty.Value, err error) {
			defer func() {
				if recover() != nil {
					v, err = cty.NilVal, errSlowPath
				}
			}()
			return ctyjson.Unmarshal(valJSON, slowTy)
		}()
		if (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("value %q of %s: fast parser says %v, cty says %v", valJSON, slowTy.FriendlyName(), fastErr, slowErr)
		}
		if fastErr == nil && !fastV.RawEquals(slowV) {
			t.Fatalf("value %q of %s: fast parser reads %#v, cty reads %#v", valJSON, slowTy.FriendlyName(), fastV, slowV)
		}
	})
}
