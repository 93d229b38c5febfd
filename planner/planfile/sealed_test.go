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

package planfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
)

func planSealer(t *testing.T, passphrase string) *encryption.Sealer {
	t.Helper()
	p, err := encryption.NewPBKDF2("key_provider.pbkdf2.main", encryption.PBKDF2Options{Passphrase: passphrase, Iterations: encryption.MinIterations})
	if err != nil {
		t.Fatal(err)
	}
	return encryption.NewSealer("plan", &encryption.Method{Addr: "method.aes_gcm.main", Type: "aes_gcm", Keys: p})
}

func TestSealedRoundTrip(t *testing.T) {
	t.Parallel()
	const marker = "Qz7-hush-hush-4b1e"
	want := fullPlan(plans.NormalMode)
	want.Variables = map[string]cty.Value{"secret": cty.StringVal(marker)}
	want.SensitiveVariables = []string{"secret"}
	s := planSealer(t, "correct-horse-battery")
	path := filepath.Join(t.TempDir(), "plan.out")
	if err := WriteSealed(path, want, s); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !state.IsSealed(raw) {
		t.Fatalf("the plan file is not sealed: %q", raw[:20])
	}
	// Nothing readable, not even after a gunzip of what follows the header.
	if bytes.Contains(raw, []byte(marker)) {
		t.Error("the sealed plan holds the secret")
	}
	if _, body, ok := bytes.Cut(raw, []byte("\n")); ok {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			t.Errorf("the sealed body is a gzip stream: %v", zr.Header)
		}
	}
	got, err := ReadSealed(path, planSealer(t, "correct-horse-battery"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	if _, err := Read(path); !errors.Is(err, state.ErrEncrypted) {
		t.Errorf("Read without a Sealer: %v, want ErrEncrypted", err)
	}
	if _, err := ReadSealed(path, planSealer(t, "wrong-horse-battery-staple")); !errors.Is(err, encryption.ErrWrongKey) {
		t.Errorf("ReadSealed with a wrong key: %v, want ErrWrongKey", err)
	}
	plain := filepath.Join(t.TempDir(), "plain.out")
	if err := Write(plain, want); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSealed(plain, s); !errors.Is(err, encryption.ErrNotEncrypted) {
		t.Errorf("an unencrypted plan where plans are encrypted: %v, want ErrNotEncrypted", err)
	}
}
