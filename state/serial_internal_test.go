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
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// What EncodeCompact writes has its serial read alone; a change to it
// by hand (the checksum no longer holds) or an indented document does
// not, and is left to encoding/json.
func TestCompactSerialTakesOnlyUntouchedDocuments(t *testing.T) {
	t.Parallel()
	s := NewState()
	s.Serial = 7
	addr := addrs.ResourceInstance{Resource: addrs.Resource{Kind: addrs.App, Name: "web"}}
	s.Resources[addr.String()] = &ResourceInstance{Addr: addr, Value: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web")})}
	compact, err := EncodeCompact(s)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := compactSerial(compact); !ok || n != 7 {
		t.Errorf("compactSerial(compact) = %d, %v; want 7, true", n, ok)
	}
	changed := bytes.Replace(compact, []byte(`"serial":7`), []byte(`"serial":8`), 1)
	if bytes.Equal(changed, compact) {
		t.Fatal("the document was not changed")
	}
	if _, ok := compactSerial(changed); ok {
		t.Error("compactSerial took a document whose checksum does not hold")
	}
	indented, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := compactSerial(indented); ok {
		t.Error("compactSerial took an indented document")
	}
}

// BenchmarkStoredSerial against BenchmarkStoredSerialJSON: the serial of
// a compact document of 1,000 apps, read alone or by encoding/json.
func BenchmarkStoredSerial(b *testing.B) {
	doc := benchCompactDoc(b)
	for b.Loop() {
		if _, ok := compactSerial(doc); !ok {
			b.Fatal("not read alone")
		}
	}
}

func BenchmarkStoredSerialJSON(b *testing.B) {
	doc := benchCompactDoc(b)
	for b.Loop() {
		var stored struct{ Serial uint64 }
		if err := json.Unmarshal(doc, &stored); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCompactDoc(b *testing.B) []byte {
	b.Helper()
	doc, err := marshalCompact(benchFile(b, 1000), nil)
	if err != nil {
		b.Fatal(err)
	}
	doc, err = withCompactChecksum(doc)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	return doc
}
