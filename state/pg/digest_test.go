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

package pg

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// contentDigest finds the serial and checksum lines in what Encode
// writes, so a Write encodes a state once; when this fails, Encode's
// layout changed and contentDigest's lines must follow it.
func TestContentDigestOneEncoding(t *testing.T) {
	t.Parallel()
	digest := func(s *state.State, serial uint64) []byte {
		t.Helper()
		c := *s
		c.Serial = serial
		doc, err := state.Encode(&c)
		if err != nil {
			t.Fatal(err)
		}
		d, err := contentDigest(&c, doc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	s := statetest.Sample()
	a, b := digest(s, 3), digest(s, 9)
	if !bytes.Equal(a, b) {
		t.Errorf("the digests of one content at serials 3 and 9 differ")
	}
	zero := *s
	zero.Serial = 0
	doc, err := state.Encode(&zero)
	if err != nil {
		t.Fatal(err)
	}
	if fallback := sha256.Sum256(doc); bytes.Equal(a, fallback[:]) {
		t.Errorf("contentDigest fell back to a second encoding: the serial and checksum lines of Encode's output were not found")
	}
	s.Outputs["more"] = &state.Output{Value: cty.True}
	if bytes.Equal(a, digest(s, 3)) {
		t.Errorf("the digests of two contents are equal")
	}
}
