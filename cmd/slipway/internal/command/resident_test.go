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

package command

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
	"slipway.dev/slipway/state/local"
)

// TestResidentDecodesAStateOnce: the agent's plans share the state they
// read while its stored bytes stay the same, and read it afresh once they
// change; the intent journal's changes are replayed into a copy, never
// into the state kept.
func TestResidentDecodesAStateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := local.New(filepath.Join(t.TempDir(), "slipway.slipstate"))
	file := func(name, content string) *state.ResourceInstance {
		return &state.ResourceInstance{
			Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey),
			Type: "file", Provider: addrs.Provider{Name: "file"},
			Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(content)}),
		}
	}
	st := state.NewState()
	st.Resources["file.a"] = file("a", "one")
	if err := b.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	r := &Resident{}
	read := func(ctx context.Context) (*state.State, error) { return r.readState(ctx, b) }

	first, _, _, err := readJournalWith(ctx, b, read, true)
	if err != nil {
		t.Fatal(err)
	}
	again, _, _, err := readJournalWith(ctx, b, read, true)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("the same stored state was decoded twice")
	}

	// Another process applies: the next read sees it.
	next := st.DeepCopy()
	next.Resources["file.a"] = file("a", "two")
	if err := local.New(b.Path()).Write(ctx, next); err != nil {
		t.Fatal(err)
	}
	changed, _, _, err := readJournalWith(ctx, b, read, true)
	if err != nil {
		t.Fatal(err)
	}
	if changed == first || !changed.Resources["file.a"].Value.GetAttr("content").RawEquals(cty.StringVal("two")) {
		t.Fatalf("the state written since was not read: %#v", changed.Resources["file.a"].Value)
	}

	// An apply that was interrupted left a finished change in the journal.
	j := b.Journal()
	op := state.Operation{ID: state.NewOperationID(), Addr: file("b", "").Addr, Action: "create", Planned: file("b", "three")}
	if err := j.Begin(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := j.End(ctx, op.ID, op.Addr, file("b", "three")); err != nil {
		t.Fatal(err)
	}
	replayed, _, was, err := readJournalWith(ctx, b, read, true)
	if err != nil {
		t.Fatal(err)
	}
	if was == "" || replayed.Resources["file.b"] == nil {
		t.Fatalf("the journal's change was not replayed (journal mark %q)", was)
	}
	if r.state.Resources["file.b"] != nil {
		t.Error("the journal's change was replayed into the state the agent keeps")
	}
	if replayed == r.state {
		t.Error("the replayed state is the one kept")
	}
}

// TestResidentKeepsNoStateFromAnotherKey: a state kept from a plan whose
// key opened it is not handed to a plan that could not have read it:
// one whose configuration sets up no encryption, or another key.
func TestResidentKeepsNoStateFromAnotherKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sealer := func(pass string) *encryption.Sealer {
		p, err := encryption.NewPBKDF2("key_provider.pbkdf2.main", encryption.PBKDF2Options{Passphrase: pass, Iterations: encryption.MinIterations})
		if err != nil {
			t.Fatal(err)
		}
		return encryption.NewSealer("state", &encryption.Method{Addr: "method.aes_gcm.main", Type: "aes_gcm", Keys: p})
	}
	path := filepath.Join(t.TempDir(), "slipway.slipstate")
	right := local.NewBackend(path, local.Options{Sealer: sealer("correct-horse-battery")})
	st := state.NewState()
	st.Resources["file.a"] = &state.ResourceInstance{
		Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey),
		Type: "file", Provider: addrs.Provider{Name: "file"},
		Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("secret")}),
	}
	if err := right.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	r := &Resident{}
	if _, err := r.readState(ctx, right); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]state.Backend{
		"no encryption": local.New(path),
		"another key":   local.NewBackend(path, local.Options{Sealer: sealer("wrong-horse-battery-staple")}),
	} {
		_, want := b.Read(ctx)
		if want == nil {
			t.Fatalf("%s: Read opened the sealed state", name)
		}
		if _, err := r.readState(ctx, b); err == nil || err.Error() != want.Error() {
			t.Errorf("%s: the agent's read: %v, want Read's error: %v", name, err, want)
		}
	}
	if got, err := r.readState(ctx, right); err != nil || got != r.state {
		t.Errorf("the right key again: %v, kept %v", err, got == r.state)
	}
}
