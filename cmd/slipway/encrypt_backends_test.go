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

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
)

// sealableConfig keeps a marker in a resource's value, and a change in
// flight when an apply with -var nap=1h is killed.
const sealableConfig = `
variable "nap" {
  type    = string
  default = "0s"
}

resource "testkit_sleep" "nap" {
  name     = "nap %[1]s"
  duration = var.nap
}
`

// stateEncryption is the encryption block's part of the slipway block:
// the passphrase comes from SLIPWAY_STATE_PASSPHRASE.
const stateEncryption = `
  encryption {
    key_provider "pbkdf2" "main" {
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method = method.aes_gcm.main
    }
  }
`

// slipway state encrypt and state decrypt move the state and the intent
// journal that backend kubernetes or pg keeps into encryption and out of
// it, in every workspace: every stored piece sealed, or none; state pull
// gives the same bytes throughout; the interrupted change in the journal
// survives both; a wrong passphrase changes nothing.
func TestStateEncryptRemoteBackends(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: needs the testbed control plane and PostgreSQL")
	}
	for _, tc := range []struct {
		name string
		// backend returns the backend block and what it stores, by name:
		// each piece a Sealer seals.
		backend func(t *testing.T) (string, func() map[string][]byte)
	}{
		{"kubernetes", func(t *testing.T) (string, func() map[string][]byte) {
			cluster, ns := testNamespace(t)
			admin, err := clientset.NewForConfig(cluster.Config)
			if err != nil {
				t.Fatal(err)
			}
			block := fmt.Sprintf("  backend \"kubernetes\" {\n    config_path    = %q\n    namespace      = %q\n    secret_suffix  = \"sealed\"\n    lease_duration = \"3s\"\n  }\n", cluster.Kubeconfig, ns)
			return block, func() map[string][]byte {
				list, err := admin.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=slipway"})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string][]byte{}
				for _, sec := range list.Items {
					for key, data := range sec.Data {
						out[sec.Name+" "+key] = data
					}
				}
				return out
			}
		}},
		{"pg", func(t *testing.T) (string, func() map[string][]byte) {
			srv := testbed.SharedPostgres(t)
			schema := fmt.Sprintf("e2e_%d_%d", os.Getpid(), pgSchemas.Add(1))
			block := fmt.Sprintf("  backend \"pg\" {\n    conn_str    = %q\n    schema_name = %q\n    lock_ttl    = \"3s\"\n  }\n", srv.URL("postgres"), schema)
			return block, func() map[string][]byte {
				ctx := context.Background()
				c, err := pgx.Connect(ctx, srv.URL("postgres"))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close(ctx)
				out := map[string][]byte{}
				rows, err := c.Query(ctx, fmt.Sprintf(`SELECT 'state ' || workspace, data FROM %[1]s.states
UNION ALL SELECT 'digest ' || workspace, content_digest FROM %[1]s.states
UNION ALL SELECT 'journal ' || workspace || ' ' || seq, entry FROM %[1]s.journal`, pgx.Identifier{schema}.Sanitize()))
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var name string
					var data []byte
					if err := rows.Scan(&name, &data); err != nil {
						t.Fatal(err)
					}
					out[name] = data
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return out
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			marker := "mk-" + rand.Text()
			block, stored := tc.backend(t)
			body := fmt.Sprintf(sealableConfig, marker)
			plainConfig := "slipway {\n" + block + "}\n" + body
			sealedConfig := "slipway {\n" + block + stateEncryption + "}\n" + body
			right := []string{"SLIPWAY_PROVIDER_PATH=" + binDir(), "SLIPWAY_STATE_PASSPHRASE=correct-horse-battery-staple"}
			wrong := []string{"SLIPWAY_STATE_PASSPHRASE=wrong-horse-battery-staple"}
			dir := workdir(t, map[string]string{"main.slip.hcl": plainConfig})
			must := func(env []string, args ...string) string {
				t.Helper()
				out, errOut, code := runEnv(t, dir, env, args...)
				if code != 0 {
					t.Fatalf("slipway %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
				}
				return out + errOut
			}
			pull := func(env []string) string {
				t.Helper()
				out, errOut, code := runEnv(t, dir, env, "state", "pull")
				if code != 0 {
					t.Fatalf("state pull: exit %d\n%s", code, errOut)
				}
				return out
			}
			// sealed checks that every stored piece is sealed, or none,
			// and that the interrupted change is still in the journal.
			sealed := func(step string, want bool) {
				t.Helper()
				data := stored()
				if len(data) < 3 {
					t.Fatalf("after %s: the backend stores %d pieces (%q), want the state, its digest and the journal", step, len(data), slices.Sorted(maps.Keys(data)))
				}
				for name, b := range data {
					if state.IsSealed(b) != want {
						t.Errorf("after %s: %s sealed = %v, want %v", step, name, !want, want)
					}
					if want && strings.Contains(string(b), marker) {
						t.Errorf("after %s: %s holds the marker", step, name)
					}
				}
			}

			must(right, "apply", "-auto-approve")
			// A second workspace: encrypt and decrypt store it again too,
			// or the key the docs then say to drop would take it along.
			must(right, "workspace", "new", "staging")
			must(right, "apply", "-auto-approve")
			must(right, "workspace", "select", "default")
			killMidApply(t, dir, right, "apply", "-auto-approve", "-var", "nap=1h")
			before := pull(nil)
			sealed("an apply killed mid-change", false)

			writeConfig(t, dir, sealedConfig)
			if out, errOut, code := runEnv(t, dir, right, "plan", "-lock-timeout=60s"); code != 1 || !strings.Contains(errOut, "slipway state encrypt") {
				t.Errorf("plan over unencrypted state with a state target: exit %d, want 1 naming slipway state encrypt\n%s%s", code, out, errOut)
			}
			// The killed apply's lock expires by itself.
			if out := must(right, "state", "encrypt", "-lock-timeout=60s"); !strings.Contains(out, "(default, staging)") {
				t.Errorf("state encrypt does not say it covered both workspaces:\n%s", out)
			}
			sealed("state encrypt", true)
			if got := pull(right); got != before {
				t.Errorf("state pull after state encrypt differs from before")
			}
			if out := must(right, "state", "list"); !strings.Contains(out, "testkit_sleep.nap") {
				t.Errorf("state list after state encrypt does not report the interrupted change:\n%s", out)
			}

			was := stored()
			for _, cmd := range []string{"encrypt", "decrypt"} {
				if out, errOut, code := runEnv(t, dir, wrong, "state", cmd); code != 1 || !strings.Contains(errOut, "check the passphrase") {
					t.Errorf("state %s with a wrong passphrase: exit %d, want 1 saying to check the passphrase\n%s%s", cmd, code, out, errOut)
				}
			}
			if now := stored(); !maps.EqualFunc(was, now, func(a, b []byte) bool { return string(a) == string(b) }) {
				t.Errorf("a refused state encrypt or decrypt changed what the backend stores")
			}

			must(right, "state", "decrypt")
			sealed("state decrypt", false)
			writeConfig(t, dir, plainConfig)
			if got := pull(nil); got != before {
				t.Errorf("state pull after state decrypt differs from before")
			}
			if out := must(nil, "state", "list"); !strings.Contains(out, "testkit_sleep.nap") {
				t.Errorf("state list after state decrypt does not report the interrupted change:\n%s", out)
			}
			// The interrupted change is read back and finished.
			must(right, "apply", "-auto-approve")
			if out, errOut, code := runEnv(t, dir, nil, "plan", "-detailed-exitcode"); code != 0 {
				t.Errorf("plan -detailed-exitcode at the end: exit %d, want 0\n%s%s", code, out, errOut)
			}
		})
	}
}
