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

package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// TestWriteAfterItsOwnWriteReadsNothing: a Write that follows this
// Backend's own, with the file as that one left it, takes its serial and
// content as known and reads nothing; one that finds the file replaced
// (by another process's write, or one restored by hand) reads it, and
// numbers its serial after what it found there. The states written are
// the same either way.
func TestWriteAfterItsOwnWriteReadsNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "slipway.slipstate")
	b := New(path)
	s := state.NewState()
	put := func(v string) {
		s.Resources["file.a"] = &state.ResourceInstance{
			Addr:     addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey),
			Provider: addrs.Provider{Name: "file"}, Type: "file",
			Value: cty.ObjectVal(map[string]cty.Value{"v": cty.StringVal(v)}),
		}
	}
	write := func(what string, wantSerial uint64, wantReads int) {
		t.Helper()
		before := b.readsOnWrite
		if err := b.Write(ctx, s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if s.Serial != wantSerial {
			t.Errorf("%s: serial %d, want %d", what, s.Serial, wantSerial)
		}
		if got := b.readsOnWrite - before; got != wantReads {
			t.Errorf("%s: the file was read %d times, want %d", what, got, wantReads)
		}
		back, err := New(path).Read(ctx)
		if err != nil {
			t.Fatalf("%s: reading back: %v", what, err)
		}
		if back.Serial != wantSerial || back.Resources["file.a"] == nil || !back.Resources["file.a"].Value.RawEquals(s.Resources["file.a"].Value) {
			t.Errorf("%s: the file holds serial %d and %#v", what, back.Serial, back.Resources["file.a"])
		}
	}
	put("1")
	write("the first write", 1, 1)
	put("2")
	write("a change", 2, 0)
	write("no change", 2, 0)
	put("3")
	write("another change", 3, 0)

	// Another process writes serial 9 (the same state, numbered on).
	other := New(path)
	s9 := s.DeepCopy()
	s9.Resources["file.a"].Value = cty.ObjectVal(map[string]cty.Value{"v": cty.StringVal("other")})
	for other.last == nil || other.last.serial < 9 {
		if err := other.Write(ctx, s9); err != nil {
			t.Fatal(err)
		}
		s9.Resources["file.a"].Value = cty.ObjectVal(map[string]cty.Value{"v": cty.StringVal("other " + time.Now().String())})
	}
	put("4")
	write("after another process's writes", 10, 1)

	// A file put back in place by hand, with its size and time kept.
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := path + ".copy"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	put("5")
	write("after the file was replaced by one alike", 11, 1)
}
