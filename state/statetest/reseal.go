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

package statetest

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
)

// ResealKeys are the Sealers TestReseal moves a state through, all of the
// state target of one encryption configuration: A, B and Wrong each seal
// and open with a key of their own and accept nothing unencrypted;
// Encrypt seals with A's key and opens plain documents too (as slipway
// state encrypt does); Rotate seals with B's key and opens with B's, then
// A's as a fallback; Decrypt stores documents unencrypted and opens B's
// and plain ones (as slipway state decrypt does). What they seal must
// begin with state.SealedPrefix.
type ResealKeys struct {
	A, B, Wrong, Encrypt, Rotate, Decrypt state.Sealer
}

// TestReseal checks a state.Resealer: a state of serial 2 and a journal
// entry, written unencrypted, are encrypted, moved onto another key
// through a fallback, and decrypted again, each by Reseal under the state
// lock, with the state, its serial and the journal unchanged at every
// step; and a key that opens nothing changes nothing.
//
// open must return a new Backend, with its own Store, over one storage
// for the whole test, sealing with the Sealer given (nil: none), that is
// a state.Resealer and state.Journaled. stored must return every piece of
// data that the backend seals, by a name of the test's choosing: the
// stored state, any digest or backup of it, and every journal record.
func TestReseal(t *testing.T, keys ResealKeys, open func(t *testing.T, s state.Sealer) state.Backend, stored func(t *testing.T) map[string][]byte) {
	ctx := context.Background()
	const marker = "reseal-marker-93e1"
	want := Sample()
	want.Outputs["token"] = &state.Output{Value: cty.StringVal(marker), Sensitive: true}
	b := open(t, nil)
	first := want.DeepCopy()
	first.Outputs["first"] = &state.Output{Value: cty.True}
	for _, s := range []*state.State{first, want} {
		if err := b.Write(ctx, s); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if want.Serial != 2 {
		t.Fatalf("two Writes of new content set serial %d, want 2", want.Serial)
	}
	c := *want.Resources[want.SortedAddrs()[0]]
	ri := &c
	ri.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(marker)})
	op := state.Operation{ID: "op-reseal", Addr: ri.Addr, Action: "update", Planned: ri}
	if err := journal(t, b).Begin(ctx, op); err != nil {
		t.Fatalf("journal Begin: %v", err)
	}

	// check reads the state and journal with s, as they were written.
	check := func(step string, s state.Sealer) {
		t.Helper()
		b := open(t, s)
		got, err := b.Read(ctx)
		if err != nil {
			t.Fatalf("after %s: Read: %v", step, err)
		}
		if diff := Diff(want, got); diff != "" {
			t.Errorf("after %s: Read (-want +got):\n%s", step, diff)
		}
		entries, err := journal(t, b).Entries(ctx)
		if err != nil {
			t.Fatalf("after %s: journal Entries: %v", step, err)
		}
		if len(entries) != 1 || entries[0].ID != op.ID || entries[0].Planned == nil || !entries[0].Planned.Value.RawEquals(ri.Value) {
			t.Errorf("after %s: the journal holds %+v, want the one Begin of %s", step, entries, op.ID)
		}
	}
	// sealed checks that every stored piece is sealed, or that none is.
	sealed := func(step string, want bool) map[string][]byte {
		t.Helper()
		data := stored(t)
		if len(data) < 2 {
			t.Fatalf("after %s: stored returns %d pieces, want at least the state and the journal record", step, len(data))
		}
		for _, name := range slices.Sorted(maps.Keys(data)) {
			if got := state.IsSealed(data[name]); got != want {
				t.Errorf("after %s: %s sealed = %v, want %v", step, name, got, want)
			}
			if want && bytes.Contains(data[name], []byte(marker)) {
				t.Errorf("after %s: %s holds the marker in clear", step, name)
			}
		}
		return data
	}
	// refused checks that Reseal with s fails and changes nothing.
	refused := func(what string, s state.Sealer) {
		t.Helper()
		before := stored(t)
		b := open(t, s)
		if err := b.(state.Resealer).Reseal(ctx); err == nil {
			t.Errorf("Reseal with %s succeeded, want it refused", what)
		}
		if after := stored(t); !maps.EqualFunc(before, after, bytes.Equal) {
			t.Errorf("a refused Reseal with %s changed what is stored", what)
		}
	}
	// reseal reseals with s under the state lock.
	reseal := func(step string, s state.Sealer) {
		t.Helper()
		before := stored(t)
		b := open(t, s)
		id := lock(ctx, t, b, state.NewLockInfo("state "+step))
		if err := b.(state.Resealer).Reseal(ctx); err != nil {
			t.Fatalf("%s: Reseal: %v", step, err)
		}
		unlock(ctx, t, b, id)
		after := stored(t)
		for name, data := range before {
			if bytes.Equal(data, after[name]) {
				t.Errorf("%s: %s is stored as it was", step, name)
			}
		}
	}

	sealed("writing unencrypted", false)
	refused("a key that accepts nothing unencrypted", keys.A)
	refused("a wrong key", keys.Wrong)

	reseal("encrypt", keys.Encrypt)
	sealed("encrypt", true)
	check("encrypt", keys.A)
	if _, err := open(t, nil).Read(ctx); err == nil {
		t.Errorf("after encrypt: Read without a key succeeded")
	}
	refused("a wrong key", keys.Wrong)
	refused("no key", nil)

	reseal("rotate", keys.Rotate)
	sealed("rotate", true)
	check("rotate", keys.B)
	if _, err := open(t, keys.A).Read(ctx); err == nil {
		t.Errorf("after rotate: Read with the old key alone succeeded")
	}
	refused("the old key alone", keys.A)

	reseal("decrypt", keys.Decrypt)
	sealed("decrypt", false)
	check("decrypt", nil)

	// The serial goes on from where it was; the same content again
	// writes nothing, so what tells it (a digest) was stored anew too.
	b = open(t, nil)
	same := want.DeepCopy()
	if err := b.Write(ctx, same); err != nil || same.Serial != 2 {
		t.Errorf("Write of the same content after the Reseals: serial %d (%v), want 2", same.Serial, err)
	}
	next := want.DeepCopy()
	next.Outputs["after"] = &state.Output{Value: cty.True}
	if err := b.Write(ctx, next); err != nil || next.Serial != 3 {
		t.Errorf("Write of new content after the Reseals: serial %d (%v), want 3", next.Serial, err)
	}
}

// journal is b's journal.
func journal(t *testing.T, b state.Backend) state.Journal {
	t.Helper()
	j, ok := b.(state.Journaled)
	if !ok {
		t.Fatalf("%T keeps no journal", b)
	}
	return j.Journal()
}
