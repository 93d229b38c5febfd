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

package local_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
	"slipway.dev/slipway/state/local"
	"slipway.dev/slipway/state/statetest"
)

// marker is a value the sealed files must not show.
const marker = "Qz7-hush-hush-4b1e"

// sealers are made once: each stretches its passphrase once.
var sealers = sync.OnceValues(func() (*encryption.Sealer, *encryption.Sealer) {
	mk := func(pass string) *encryption.Sealer {
		p, err := encryption.NewPBKDF2("key_provider.pbkdf2.main", encryption.PBKDF2Options{Passphrase: pass, Iterations: encryption.MinIterations})
		if err != nil {
			panic(err)
		}
		return encryption.NewSealer("state", &encryption.Method{Addr: "method.aes_gcm.main", Type: "aes_gcm", Keys: p})
	}
	return mk("correct-horse-battery"), mk("wrong-horse-battery-staple")
})

func TestConformanceSealed(t *testing.T) {
	t.Parallel()
	right, _ := sealers()
	statetest.TestBackend(t, func(t *testing.T) state.Backend {
		return local.NewBackend(newPath(t), local.Options{Sealer: right})
	})
}

// secretState is a sample state with the marker in an output and in a
// resource's value.
func secretState(n int) *state.State {
	s := statetest.Sample()
	s.Outputs["token"] = &state.Output{Value: cty.StringVal(marker), Sensitive: true}
	s.Outputs["n"] = &state.Output{Value: cty.NumberIntVal(int64(n))}
	return s
}

// files reads every file in dir, by name.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// fillSealed writes a state twice (so a backup exists) and journals a
// change, all sealed by s, and returns the state's path.
func fillSealed(t *testing.T, s state.Sealer) string {
	t.Helper()
	ctx := context.Background()
	path := newPath(t)
	var b *local.Backend
	for i := range 2 {
		// A Backend backs up the file its first Write replaces.
		b = local.NewBackend(path, local.Options{Sealer: s})
		if err := b.Write(ctx, secretState(i)); err != nil {
			t.Fatal(err)
		}
	}
	ri := statetest.Sample().Resources[statetest.Sample().SortedAddrs()[0]]
	ri.Value = cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(marker)})
	if err := b.Journal().Begin(ctx, state.Operation{ID: "op-1", Addr: ri.Addr, Action: "update", Planned: ri}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSealedFiles(t *testing.T) {
	t.Parallel()
	right, _ := sealers()
	path := fillSealed(t, right)
	got := files(t, filepath.Dir(path))
	for _, name := range []string{"slipway.slipstate", "slipway.slipstate.backup", "slipway.slipstate.journal"} {
		if got[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	for name, b := range got {
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds the secret", name)
		}
	}
	if !state.IsSealed(got["slipway.slipstate"]) || !state.IsSealed(got["slipway.slipstate.backup"]) {
		t.Error("the state or its backup is not sealed")
	}

	b := local.NewBackend(path, local.Options{Sealer: right})
	st, err := b.Read(context.Background())
	if err != nil || st.Outputs["token"].Value.AsString() != marker {
		t.Fatalf("Read = %v, %v; want the state back", st, err)
	}
	entries, err := b.Journal().Entries(context.Background())
	if err != nil || len(entries) != 1 {
		t.Fatalf("journal entries %d, %v; want 1", len(entries), err)
	}
}

// TestWrongKeyTouchesNothing reads, writes, journals and reseals with a
// wrong key and with none: each is refused, saying why, and every file
// stays byte for byte as it was.
func TestWrongKeyTouchesNothing(t *testing.T) {
	t.Parallel()
	right, wrong := sealers()
	path := fillSealed(t, right)
	before := files(t, filepath.Dir(path))
	ctx := context.Background()
	for name, s := range map[string]state.Sealer{"wrong key": wrong, "no encryption": nil} {
		want := encryption.ErrWrongKey
		if s == nil {
			want = state.ErrEncrypted
		}
		b := local.NewBackend(path, local.Options{Sealer: s})
		if _, err := b.Read(ctx); !errors.Is(err, want) {
			t.Errorf("%s: Read: %v, want %v", name, err, want)
		}
		if err := b.Write(ctx, secretState(7)); !errors.Is(err, want) {
			t.Errorf("%s: Write: %v, want %v", name, err, want)
		}
		if _, err := b.Journal().Entries(ctx); !errors.Is(err, want) {
			t.Errorf("%s: journal: %v, want %v", name, err, want)
		}
		if err := b.Journal().Compact(ctx); !errors.Is(err, want) {
			t.Errorf("%s: compact: %v, want %v", name, err, want)
		}
		if err := b.Reseal(ctx); !errors.Is(err, want) {
			t.Errorf("%s: Reseal: %v, want %v", name, err, want)
		}
	}
	after := files(t, filepath.Dir(path))
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Errorf("%s changed", name)
		}
	}
}

// TestReseal moves a state with its backup and journal into encryption
// and back out, as slipway state encrypt and decrypt do.
func TestReseal(t *testing.T) {
	t.Parallel()
	right, _ := sealers()
	ctx := context.Background()
	path := fillSealed(t, nil)
	dir := filepath.Dir(path)
	plain := files(t, dir)
	if !bytes.Contains(plain["slipway.slipstate.journal"], []byte(marker)) {
		t.Fatal("the unsealed journal does not hold the marker: the test shows nothing")
	}
	// A Sealer that requires encryption refuses the plain files and
	// changes none of them.
	if err := local.NewBackend(path, local.Options{Sealer: right}).Reseal(ctx); !errors.Is(err, encryption.ErrNotEncrypted) {
		t.Fatalf("Reseal of plain files without accepting them: %v", err)
	}
	if err := local.NewBackend(path, local.Options{Sealer: right.AcceptingPlain()}).Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	for name, b := range files(t, dir) {
		if strings.HasSuffix(name, ".lock") {
			continue
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds the secret after encrypting", name)
		}
	}
	b := local.NewBackend(path, local.Options{Sealer: right})
	st, err := b.Read(ctx)
	if err != nil || st.Serial != 2 || st.Outputs["token"].Value.AsString() != marker {
		t.Fatalf("Read after encrypting = %+v, %v; want serial 2 and the state", st, err)
	}
	if e, err := b.Journal().Entries(ctx); err != nil || len(e) != 1 {
		t.Fatalf("journal after encrypting: %d entries, %v", len(e), err)
	}

	if err := local.NewBackend(path, local.Options{Sealer: right.Decrypting()}).Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); !bytes.Equal(got["slipway.slipstate"], plain["slipway.slipstate"]) || !bytes.Equal(got["slipway.slipstate.backup"], plain["slipway.slipstate.backup"]) {
		t.Error("decrypting did not give back the plain state and backup")
	}
	if e, err := local.New(path).Journal().Entries(ctx); err != nil || len(e) != 1 {
		t.Fatalf("journal after decrypting: %d entries, %v", len(e), err)
	}
	if _, err := os.Stat(path + ".journal.tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a temporary file is left: %v", err)
	}
}

// TestSealedJournalCrashCut appends from many goroutines at once (they
// share writes and fsyncs), then cuts the last line as a crash would:
// every whole entry is read back, and the cut one is left out.
func TestSealedJournalCrashCut(t *testing.T) {
	t.Parallel()
	right, _ := sealers()
	ctx := context.Background()
	path := newPath(t)
	j := local.NewBackend(path, local.Options{Sealer: right}).Journal()
	ri := statetest.Sample().Resources[statetest.Sample().SortedAddrs()[0]]
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if err := j.Begin(ctx, state.Operation{ID: "op-" + strings.Repeat("x", i), Addr: ri.Addr, Action: "update", Planned: ri}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(path + ".journal")
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n != 100 {
		t.Fatalf("the journal has %d lines, want 100", n)
	}
	cut := data[:len(data)-40]
	if err := os.WriteFile(path+".journal", cut, 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := local.NewBackend(path, local.Options{Sealer: right}).Journal().Entries(ctx)
	if err != nil || len(entries) != 99 {
		t.Fatalf("entries %d, %v; want the 99 whole ones", len(entries), err)
	}
}
