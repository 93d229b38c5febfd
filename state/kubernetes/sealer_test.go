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

package kubernetes

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// testSealer is AES-GCM under a key, with a prefix that marks what it
// sealed. It stands in for slipway's encryption, which has its own tests.
type testSealer struct{ key byte }

var sealedPrefix = []byte("TESTSEALED:")

func (s testSealer) aead() cipher.AEAD {
	block, err := aes.NewCipher(bytes.Repeat([]byte{s.key}, 32))
	if err != nil {
		panic(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}

func (s testSealer) Seal(plain []byte) ([]byte, error) {
	gcm := s.aead()
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return append(append(append([]byte(nil), sealedPrefix...), nonce...), gcm.Seal(nil, nonce, plain, nil)...), nil
}

func (s testSealer) Open(stored []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(stored, sealedPrefix)
	if !ok {
		return nil, errors.New("not encrypted, and this test sealer accepts nothing else")
	}
	gcm := s.aead()
	if len(rest) < gcm.NonceSize() {
		return nil, errors.New("too short")
	}
	plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], nil)
	if err != nil {
		return nil, errors.New("wrong key")
	}
	return plain, nil
}

// TestSealed: with a Sealer, no Secret holds anything readable, the state
// and journal read back, and a client with the wrong key can neither read
// nor overwrite.
func TestSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	open := func(key byte) *Backend {
		cfg := s.config()
		cfg.Sealer = testSealer{key: key}
		st, err := newStore(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := st.backend(s.Workspace)
		return b
	}
	b := open(1)
	want := statetest.Sample() // holds "hunter2", a sensitive output
	if err := b.Write(ctx, want); err != nil {
		t.Fatal(err)
	}
	ri := fileInstance("secret", "hunter2")
	if err := b.Journal().Begin(ctx, state.Operation{ID: "1", Addr: ri.Addr, Action: "create", Planned: ri}); err != nil {
		t.Fatal(err)
	}
	for role, secs := range secrets(t, s) {
		for _, sec := range secs {
			for key, data := range sec.Data {
				if bytes.Contains(data, []byte("hunter2")) {
					t.Errorf("%s Secret %s, key %s, holds the secret in the clear", role, sec.Name, key)
				}
				if !bytes.HasPrefix(data, sealedPrefix) {
					t.Errorf("%s Secret %s, key %s, is not sealed", role, sec.Name, key)
				}
				if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
					if plain, err := io.ReadAll(zr); err == nil {
						t.Errorf("%s Secret %s, key %s, decompresses without a key: %.40q", role, sec.Name, key, plain)
					}
				}
			}
		}
	}

	got, err := open(1).Read(ctx)
	if err != nil {
		t.Fatalf("Read with the key: %v", err)
	}
	if diff := statetest.Diff(want, got); diff != "" {
		t.Errorf("Read with the key (-want +got):\n%s", diff)
	}
	if entries, err := open(1).Journal().Entries(ctx); err != nil || len(entries) != 1 {
		t.Errorf("journal with the key: %d entries, %v; want 1", len(entries), err)
	}
	// The same content again writes nothing, though every seal differs.
	same := statetest.Sample()
	if err := open(1).Write(ctx, same); err != nil || same.Serial != want.Serial {
		t.Errorf("Write of the same content: serial %d, %v; want %d", same.Serial, err, want.Serial)
	}

	wrong := open(2)
	if _, err := wrong.Read(ctx); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("Read with the wrong key = %v, want it refused", err)
	}
	if _, err := wrong.Journal().Entries(ctx); err == nil {
		t.Errorf("journal read with the wrong key succeeded")
	}
	if err := wrong.Write(ctx, statetest.Sample()); err == nil || !strings.Contains(err.Error(), "cannot be decrypted") {
		t.Errorf("Write with the wrong key = %v, want it refused", err)
	}
	plain := openBackend(t, s)
	if err := plain.Write(ctx, statetest.Sample()); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("Write without encryption over an encrypted state = %v, want it refused", err)
	}
	if _, err := plain.Read(ctx); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("Read without encryption of an encrypted state = %v, want it to say the state is encrypted", err)
	}
	if _, err := plain.Journal().Entries(ctx); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("journal read without encryption = %v, want it to say the journal is encrypted", err)
	}
	got, err = open(1).Read(ctx)
	if err != nil {
		t.Fatalf("Read after the refused writes: %v", err)
	}
	if got.Serial != want.Serial {
		t.Errorf("serial after the refused writes = %d, want %d as it was", got.Serial, want.Serial)
	}
}
