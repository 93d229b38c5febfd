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
	"os"
	"path/filepath"
	"testing"
)

// The fast checksum must agree with the canonical one for every document
// slipway writes, or every read would fall back to the slow path; and it
// must refuse what it cannot decide, or a hand-edited document could pass.
func TestFastChecksumMatchesCanonical(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "v1-*.json"))
	if len(files) == 0 {
		t.Fatal("no golden state files")
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Re-encode, so the document is what this slipway writes.
		s, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, err = Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		var f file
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		doc, err := parseDoc(b)
		if err != nil {
			t.Fatal(err)
		}
		want, err := checksum(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := fastChecksum(&f)
		if !ok || got != want {
			t.Errorf("%s: fast checksum %q (ok %v), canonical %q", path, got, ok, want)
		}
		if f.Checksum != want {
			t.Errorf("%s: recorded checksum %q, canonical %q", path, f.Checksum, want)
		}
	}
}

func TestFastChecksumSeesEdits(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v1-sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	// A value changed by hand: both checksums disagree with the record.
	edited := bytes.Replace(b, []byte(`"serial": 7`), []byte(`"serial": 8`), 1)
	if bytes.Equal(edited, b) {
		t.Fatal("the sample has no serial 7")
	}
	if _, err := Decode(edited); err == nil {
		t.Fatal("an edited document passed its checksum")
	}
	// Reformatted by hand (indentation), content the same: accepted.
	doc, err := parseDoc(b)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := marshal(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(compact); err != nil {
		t.Fatalf("a reformatted document was refused: %v", err)
	}
}
