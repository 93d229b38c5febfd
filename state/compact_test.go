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
	"strings"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// Each checksum scheme covers every byte of the document: the compact one
// that EncodeCompact writes and the canonical one that Encode writes (and
// every document before the compact one existed carries).
func TestChecksumSchemesSeeEveryByte(t *testing.T) {
	for _, tc := range []struct {
		name, prefix string
		encode       func(*state.State) ([]byte, error)
		strict       bool // every flipped byte is refused
	}{
		{"compact", "sha256-compact:", state.EncodeCompact, true},
		{"canonical", "sha256:", state.Encode, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := statetest.Sample()
			good, err := tc.encode(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(good, []byte(`"checksum":`)) || !bytes.Contains(good, []byte(`"`+tc.prefix)) {
				t.Fatalf("the document has no %s checksum:\n%s", tc.prefix, good)
			}
			got, err := state.Decode(good)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := state.Encode(want)
			b, _ := state.Encode(got)
			if !bytes.Equal(a, b) {
				t.Fatalf("the state changed in a round trip:\n%s\nthen\n%s", a, b)
			}
			for i := range bytes.TrimSpace(good) {
				bad := bytes.Clone(good)
				bad[i] ^= 1
				s, err := state.Decode(bad)
				if err == nil && tc.strict {
					t.Fatalf("a document with byte %d flipped (%q to %q) was read", i, good[i], bad[i])
				}
				if err == nil {
					// The canonical checksum is of the decoded content:
					// a flip that does not change it (a base64 padding
					// bit) is read, and reads as the same state.
					if c, _ := state.Encode(s); !bytes.Equal(c, a) {
						t.Fatalf("a document with byte %d flipped (%q to %q) was read as another state", i, good[i], bad[i])
					}
				}
			}
			// A value changed: a checksum mismatch, not another error.
			bad := bytes.Replace(good, []byte(`"env"`), []byte(`"enw"`), 1)
			if bytes.Equal(bad, good) {
				t.Fatal(`the sample has no "env"`)
			}
			if _, err := state.Decode(bad); !errors.Is(err, state.ErrChecksum) {
				t.Fatalf("a changed resource: %v, want a checksum mismatch", err)
			}
		})
	}
}

// A compact document a person edited and removed the checksum of is
// read, as any document without one is.
func TestCompactWithoutChecksum(t *testing.T) {
	good, err := state.EncodeCompact(statetest.Sample())
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(good, []byte(`"checksum":"`))
	j := i + bytes.Index(good[i:], []byte(`",`)) + 2
	edited := append(bytes.Clone(good[:i]), good[j:]...)
	if strings.Contains(string(edited), "checksum") {
		t.Fatalf("the checksum was not removed:\n%s", edited)
	}
	if _, err := state.Decode(edited); err != nil {
		t.Fatal(err)
	}
}
