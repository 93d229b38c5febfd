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
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testSealer stands for package encryption, which imports this one: it
// "seals" by reversing the bytes behind a header that names its key, so
// that a test can see that nothing plain is left and that a wrong key is
// refused.
type testSealer struct {
	key         string
	acceptPlain bool
}

var errTestKey = errors.New("wrong test key")

func (s testSealer) Seal(plain []byte) ([]byte, error) {
	out := []byte(SealedPrefix + "test " + s.key + "\n")
	r := slices.Clone(plain)
	slices.Reverse(r)
	return append(out, r...), nil
}

func (s testSealer) Open(stored []byte) ([]byte, error) {
	if !IsSealed(stored) {
		if s.acceptPlain {
			return stored, nil
		}
		return nil, errors.New("not sealed")
	}
	head, body, ok := bytes.Cut(stored, []byte("\n"))
	if !ok || string(head) != SealedPrefix+"test "+s.key {
		return nil, errTestKey
	}
	r := slices.Clone(body)
	slices.Reverse(r)
	return r, nil
}

func TestSealedJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.journal")
	j := NewSealedFileJournal(path, testSealer{key: "k1"})
	a := testInstance(t, "file.a", "hush-hush")
	if err := j.Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err != nil {
		t.Fatal(err)
	}
	if err := j.End(ctx, "1", a.Addr, a); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("hush-hush")) || bytes.Contains(data, []byte("file.a")) {
		t.Fatalf("the sealed journal holds plain text:\n%s", data)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("the sealed journal has %d lines, want one an entry:\n%s", len(lines), data)
	}
	entries, err := j.Entries(ctx)
	if err != nil || len(entries) != 2 || entries[1].Now.Value.GetAttr("content").AsString() != "hush-hush" {
		t.Fatalf("entries %+v, err %v; want the two entries back", entries, err)
	}

	// A crash cuts the last sealed line short: it is left out, anywhere
	// in its base64.
	for _, cut := range []int{1, 5, len(lines[1]) / 2, len(lines[1]) - 1} {
		p := filepath.Join(t.TempDir(), "j")
		os.WriteFile(p, []byte(lines[0]+"\n"+lines[1][:cut]), 0o600)
		got, err := NewSealedFileJournal(p, testSealer{key: "k1"}).Entries(ctx)
		if err != nil || len(got) != 1 {
			t.Errorf("cut at %d: entries %d, err %v; want the one whole entry", cut, len(got), err)
		}
	}

	// Another key, or none, is refused on a whole line.
	if _, err := NewSealedFileJournal(path, testSealer{key: "k2"}).Entries(ctx); !errors.Is(err, errTestKey) {
		t.Errorf("a wrong key: %v, want errTestKey", err)
	}
	if _, err := NewFileJournal(path).Entries(ctx); !errors.Is(err, ErrEncrypted) {
		t.Errorf("no Sealer: %v, want ErrEncrypted", err)
	}
}

func TestSealedJournalGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := NewSealedFileJournal(filepath.Join(t.TempDir(), "s.journal"), testSealer{key: "k"})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			ri := testInstance(t, "file.many["+itoa(i)+"]", "x")
			if err := j.Begin(ctx, Operation{ID: itoa(i), Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := j.Entries(ctx)
	if err != nil || len(entries) != 200 {
		t.Fatalf("entries %d, err %v; want 200", len(entries), err)
	}
}

// TestJournalReseal moves a journal into sealing and out of it, and
// leaves it as it was when an entry cannot be opened.
func TestJournalReseal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.journal")
	a := testInstance(t, "file.a", "hush-hush")
	if err := NewFileJournal(path).Begin(ctx, Operation{ID: "1", Addr: a.Addr, Action: "create", Planned: a}); err != nil {
		t.Fatal(err)
	}
	plain, _ := os.ReadFile(path)

	// A Sealer that cannot read plain lines changes nothing.
	if err := NewSealedFileJournal(path, testSealer{key: "k"}).Reseal(ctx); err == nil {
		t.Fatal("Reseal succeeded with a Sealer that refuses the plain entry")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, plain) {
		t.Fatal("a failed Reseal changed the journal")
	}

	if err := NewSealedFileJournal(path, testSealer{key: "k", acceptPlain: true}).Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	sealed, _ := os.ReadFile(path)
	if bytes.Contains(sealed, []byte("hush-hush")) {
		t.Fatalf("the resealed journal holds plain text:\n%s", sealed)
	}
	entries, err := NewSealedFileJournal(path, testSealer{key: "k"}).Entries(ctx)
	if err != nil || len(entries) != 1 || entries[0].ID != "1" {
		t.Fatalf("entries %+v, err %v; want the one entry", entries, err)
	}
}
