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
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
	"slipway.dev/slipway/state/statetest"
)

// TestStoreConformance runs the Store suite, WriteSerial's included.
func TestStoreConformance(t *testing.T) {
	t.Parallel()
	statetest.TestStore(t, func(t *testing.T) state.Store { return openStore(t, newSite(t), nil) })
}

// resealKeys are the Sealers of statetest.TestReseal, with passphrases.
func resealKeys(t *testing.T) statetest.ResealKeys {
	t.Helper()
	method := func(name string) *encryption.Method {
		p, err := encryption.NewPBKDF2("key_provider.pbkdf2."+name, encryption.PBKDF2Options{Passphrase: "passphrase-of-key-" + name, Iterations: encryption.MinIterations})
		if err != nil {
			t.Fatal(err)
		}
		return &encryption.Method{Addr: "method.aes_gcm." + name, Type: "aes_gcm", Keys: p}
	}
	a, b, c := method("a"), method("b"), method("c")
	sa, sb := encryption.NewSealer("state", a), encryption.NewSealer("state", b)
	return statetest.ResealKeys{
		A: sa, B: sb, Wrong: encryption.NewSealer("state", c),
		Encrypt: sa.AcceptingPlain(),
		Rotate:  encryption.NewSealer("state", b, a),
		Decrypt: sb.Decrypting(),
	}
}

// TestReseal moves a workspace's state and journal into encryption, onto
// another key and out again, in the cluster.
func TestReseal(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.Workspace = "resealed"
	statetest.TestReseal(t, resealKeys(t), func(t *testing.T, sealer state.Sealer) state.Backend {
		cfg := s.config()
		cfg.Sealer = sealer
		st, err := newStore(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.Backend(s.Workspace)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, func(t *testing.T) map[string][]byte {
		// The pointer's digest, the chunks and the journal records, named
		// by their place, as each Reseal renames them.
		out := map[string][]byte{}
		all := secrets(t, s)
		if p := all[rolePointer]; len(p) == 1 {
			out["digest"] = p[0].Data["digest"]
		} else {
			t.Fatalf("%d pointers", len(p))
		}
		for _, role := range []string{roleChunk, roleJournal} {
			secs := all[role]
			if role == roleChunk && len(secs) != 1 {
				// One generation of one chunk: a Reseal leaves no other.
				t.Errorf("%d chunks, want the one of the generation the pointer names", len(secs))
			}
			slices.SortFunc(secs, func(x, y corev1.Secret) int {
				return cmp.Or(cmp.Compare(num(x.Labels[labelSeq]), num(y.Labels[labelSeq])), cmp.Compare(num(x.Labels[labelPart]), num(y.Labels[labelPart])))
			})
			for i, sec := range secs {
				for key, data := range sec.Data {
					out[fmt.Sprintf("%s %d %s", role, i, key)] = data
				}
			}
		}
		return out
	})
}

func num(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
