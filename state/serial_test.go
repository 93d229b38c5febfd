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
	"encoding/json"
	"os"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// jsonSerial is what StoredSerial replaces: encoding/json through the
// whole document.
func jsonSerial(doc []byte) (uint64, error) {
	var stored struct{ Serial uint64 }
	err := json.Unmarshal(doc, &stored)
	return stored.Serial, err
}

// StoredSerial reads what encoding/json reads, from the documents state
// writes and from others, and refuses what it refuses.
func TestStoredSerial(t *testing.T) {
	t.Parallel()
	s := statetest.Sample()
	s.Serial = 41
	compact, err := state.EncodeCompact(s)
	if err != nil {
		t.Fatal(err)
	}
	indented, err := state.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile("testdata/v1-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	// A compact document changed by hand, its checksum left as it was:
	// encoding/json reads it (here, its serial), as before.
	tampered := bytes.Replace(compact, []byte(`"serial":41`), []byte(`"serial":42`), 1)
	broken := bytes.Replace(compact, []byte(`"serial":41,`), []byte(`"serial":41,"x":tru,`), 1)
	docs := [][]byte{
		compact, indented, v1, tampered, broken,
		[]byte(`{"version":1,"serial":18446744073709551615}`),
		[]byte(`{"version":1}`),
		[]byte(`{}`),
		[]byte(` {"serial": 7 , "x": [1, {"serial": 9}]} `),
		[]byte(`{"Serial":3}`),            // encoding/json matches keys without case
		[]byte(`{"serial":"3"}`),          // not a number: an error from both
		[]byte(`{"serial":-1}`),           // likewise
		[]byte(`{"serial":1.5}`),          // likewise
		[]byte(`{"serial":1e3}`),          // likewise
		[]byte(`{"serial":1,"x":tru}`),    // not JSON: an error from both
		[]byte(`{"serial":1,"serial":2}`), // the last one, as encoding/json reads it
		[]byte(`[1,2]`),
		[]byte(`not a state file`),
		nil,
	}
	for i, doc := range docs {
		got, gerr := state.StoredSerial(doc)
		want, werr := jsonSerial(doc)
		if (gerr != nil) != (werr != nil) || got != want {
			t.Errorf("document %d (%.60q): StoredSerial = %d, %v; encoding/json %d, %v", i, doc, got, gerr, want, werr)
		}
	}
	if got, _ := state.StoredSerial(compact); got != 41 {
		t.Errorf("StoredSerial of a compact document = %d, want 41", got)
	}
	if got, _ := state.StoredSerial(tampered); got != 42 {
		t.Errorf("StoredSerial of a changed compact document = %d, want 42", got)
	}
	if bytes.Equal(tampered, compact) || bytes.Equal(broken, compact) {
		t.Fatal("the compact document was not changed")
	}
}

func FuzzStoredSerial(f *testing.F) {
	f.Add([]byte(`{"version":1,"serial":5,"resources":[]}`))
	f.Add([]byte(`{"serial":5,"serial":6}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, gerr := state.StoredSerial(doc)
		want, werr := jsonSerial(doc)
		if werr == nil && (gerr != nil || got != want) {
			t.Fatalf("StoredSerial(%q) = %d, %v; encoding/json %d", doc, got, gerr, want)
		}
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("StoredSerial(%q): error %v; encoding/json's %v", doc, gerr, werr)
		}
	})
}
