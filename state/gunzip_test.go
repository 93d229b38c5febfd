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
	"compress/gzip"
	"strings"
	"testing"
)

// TestGunzipIsBounded: a stored state that expands past its bound (a
// gzip bomb: a few kilobytes that expand to megabytes here, as half a
// megabyte expands past MaxDocument) is refused; one within it reads
// back whole. Gunzip is this with MaxDocument.
func TestGunzipIsBounded(t *testing.T) {
	t.Parallel()
	pack := func(write func(*gzip.Writer)) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		write(zw)
		zw.Close()
		return b.Bytes()
	}
	doc := `{"version": 1}`
	if got, err := Gunzip(pack(func(zw *gzip.Writer) { zw.Write([]byte(doc)) })); err != nil || string(got) != doc {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	const limit = 4 << 20
	zeros := make([]byte, 1<<20)
	bomb := pack(func(zw *gzip.Writer) {
		for range limit>>20 + 1 {
			zw.Write(zeros)
		}
	})
	got, err := gunzipAtMost(bomb, limit)
	if err == nil || !strings.Contains(err.Error(), "expands past 4 MiB") || got != nil {
		t.Errorf("a %d-byte bomb: %d bytes, %v; want it refused", len(bomb), len(got), err)
	}
	if got, err := gunzipAtMost(bomb, limit+1<<20); err != nil || len(got) != limit+1<<20 {
		t.Errorf("the same within a larger bound: %d bytes, %v", len(got), err)
	}
}

// TestSerialCannotWrap: a document whose serial is past MaxSerial (a
// pushed or edited file with 18446744073709551615) is refused: the next
// write would wrap it to 0, and every older copy would count as newer.
func TestSerialCannotWrap(t *testing.T) {
	t.Parallel()
	st := NewState()
	st.Serial = MaxSerial
	b, err := Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("serial MaxSerial: %v", err)
	}
	st.Serial = 1<<64 - 1
	if b, err = Encode(st); err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "serial 18446744073709551615 is past") {
		t.Errorf("serial 2^64-1: %v; want it refused", err)
	}
}
