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

package state_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"slipway.dev/slipway/state"
)

// FuzzDecode feeds Decode arbitrary documents. It must never panic, and a
// document it accepts must encode again, and that encoding must decode to
// the same state and encode to the same bytes. The seeds under
// testdata/fuzz/FuzzDecode include documents that once panicked inside
// go-cty: an optional attribute the object type does not declare, and a
// tuple type with an empty value.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/v1-empty.json", "testdata/v1-sample.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := state.Decode(doc)
		if err != nil {
			var fe *state.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode returned %T, not a *state.FileError: %v", err, err)
			}
			return
		}
		first, err := state.Encode(s)
		if err != nil {
			t.Fatalf("a decoded state does not encode: %v", err)
		}
		again, err := state.Decode(first)
		if err != nil {
			t.Fatalf("an encoded state does not decode: %v\n%s", err, first)
		}
		if len(again.Resources) != len(s.Resources) || len(again.Outputs) != len(s.Outputs) {
			t.Fatalf("the state changed in a round trip: %d resources and %d outputs became %d and %d",
				len(s.Resources), len(s.Outputs), len(again.Resources), len(again.Outputs))
		}
		for key, r := range s.Resources {
			r2 := again.Resources[key]
			if r2 == nil {
				t.Fatalf("resource %s was lost in a round trip", key)
			}
			if !r.Value.RawEquals(r2.Value) {
				t.Fatalf("resource %s: value %#v became %#v", key, r.Value, r2.Value)
			}
		}
		for name, o := range s.Outputs {
			o2 := again.Outputs[name]
			if o2 == nil || !o.Value.RawEquals(o2.Value) || o.Sensitive != o2.Sensitive {
				t.Fatalf("output %s changed in a round trip", name)
			}
		}
		second, err := state.Encode(again)
		if err != nil {
			t.Fatalf("the state decoded again does not encode: %v", err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("encoding is not stable:\n%s\nthen\n%s", first, second)
		}
		// The compact document, whose resources are written by hand,
		// reads back as the same state.
		compact, err := state.EncodeCompact(s)
		if err != nil {
			t.Fatalf("a decoded state does not encode compact: %v", err)
		}
		back, err := state.Decode(compact)
		if err != nil {
			t.Fatalf("a compact document does not decode: %v\n%s", err, compact)
		}
		if third, err := state.Encode(back); err != nil || !bytes.Equal(first, third) {
			t.Fatalf("the compact document read back encodes as\n%s\nnot\n%s (%v)", third, first, err)
		}
	})
}
