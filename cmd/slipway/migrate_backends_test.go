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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientset "k8s.io/client-go/kubernetes"

	"slipway.dev/slipway/providers/testbed"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/kubernetes"
	"slipway.dev/slipway/state/pg"
)

// testNamespace makes a namespace of the testbed control plane for one
// test, deleted after it, and returns the cluster and its name.
func testNamespace(t *testing.T) (*testbed.Cluster, string) {
	t.Helper()
	cluster := testbed.Shared(t)
	admin, err := clientset.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	rand.Read(b[:])
	ns := "e2e-state-" + hex.EncodeToString(b[:])
	if _, err := admin.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	return cluster, ns
}

// run runs slipway in dir with env added, and returns its standard
// output, standard error and exit code.
func runEnv(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := slipway(dir, args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), exitCode(err)
}

// inWorkspace is the environment that selects workspace ws.
func inWorkspace(ws string) []string { return []string{"SLIPWAY_WORKSPACE_NAME=" + ws} }

// init -migrate-state -force-copy moves two workspaces' states from
// backend local to kubernetes, to pg, and back to local: after every hop
// slipway state pull gives, in each workspace, the very bytes it gave
// before the first (lineage and serial included), the destination holds
// that lineage and serial, and a plan finds nothing to change.
func TestMigrateStateAcrossBackends(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: needs the testbed control plane and PostgreSQL")
	}
	cluster, ns := testNamespace(t)
	srv := testbed.SharedPostgres(t)
	schema := fmt.Sprintf("e2e_%d_%d", os.Getpid(), pgSchemas.Add(1))
	workspaces := []string{state.DefaultWorkspace, "staging"}

	dir := workdir(t, map[string]string{"main.slip.hcl": migrateConfig})
	mustRun(t, dir, "apply", "-auto-approve")
	mustRun(t, dir, "workspace", "new", "staging")
	mustRun(t, dir, "apply", "-auto-approve")

	pull := func(ws string) string {
		t.Helper()
		out, errOut, code := runEnv(t, dir, inWorkspace(ws), "state", "pull")
		if code != 0 {
			t.Fatalf("state pull in %s: exit %d\n%s", ws, code, errOut)
		}
		return out
	}
	want := map[string]*state.State{}
	pulled := map[string]string{}
	for _, ws := range workspaces {
		pulled[ws] = pull(ws)
		st, err := state.Decode([]byte(pulled[ws]))
		if err != nil {
			t.Fatal(err)
		}
		if st.Serial == 0 || len(st.Resources) != 1 {
			t.Fatalf("workspace %s before the migrations: serial %d, %d resources", ws, st.Serial, len(st.Resources))
		}
		want[ws] = st
	}
	if want[state.DefaultWorkspace].Lineage == want["staging"].Lineage {
		t.Fatalf("the two workspaces share lineage %s: the test could not tell them apart", want["staging"].Lineage)
	}

	kubeBackend := fmt.Sprintf("slipway {\n  backend \"kubernetes\" {\n    config_path   = %q\n    namespace     = %q\n    secret_suffix = \"moved\"\n  }\n}\n", cluster.Kubeconfig, ns)
	pgBackend := fmt.Sprintf("slipway {\n  backend \"pg\" {\n    conn_str    = %q\n    schema_name = %q\n  }\n}\n", srv.URL("postgres"), schema)
	kubeStore, err := kubernetes.NewStore(kubernetes.Config{ConfigPath: cluster.Kubeconfig, Namespace: ns, SecretSuffix: "moved"})
	if err != nil {
		t.Fatal(err)
	}
	var pgStore *pg.Store
	back := filepath.Join(dir, "back", "moved.slipstate")
	hops := []struct {
		name    string
		backend string
		// env is what opening the previous backend needs: init keeps no
		// secret argument (pg's conn_str) of it.
		env   []string
		store func(t *testing.T) state.Store
	}{
		{"kubernetes", kubeBackend, nil, func(*testing.T) state.Store { return kubeStore }},
		{"pg", pgBackend, nil, func(t *testing.T) state.Store {
			if pgStore == nil {
				s, err := pg.NewStore(context.Background(), pg.Config{ConnStr: srv.URL("postgres"), SchemaName: schema})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(s.Close)
				pgStore = s
			}
			return pgStore
		}},
		{"local", "slipway {\n  backend \"local\" {\n    path = \"back/moved.slipstate\"\n  }\n}\n", []string{"PG_CONN_STR=" + srv.URL("postgres")},
			func(*testing.T) state.Store { return nil }},
	}
	for _, hop := range hops {
		writeConfig(t, dir, hop.backend+migrateConfig)
		out, errOut, code := runEnv(t, dir, hop.env, "init", "-migrate-state", "-force-copy")
		if code != 0 {
			t.Fatalf("init -migrate-state -force-copy to %s: exit %d\n%s%s", hop.name, code, out, errOut)
		}
		if !strings.Contains(out, "Copied the state of 2 workspaces") {
			t.Errorf("init -migrate-state to %s did not copy both workspaces:\n%s", hop.name, out)
		}
		if out := mustRun(t, dir, "workspace", "list"); !strings.Contains(out, "default") || !strings.Contains(out, "staging") {
			t.Errorf("workspace list after the move to %s:\n%s", hop.name, out)
		}
		for _, ws := range workspaces {
			if got := pull(ws); got != pulled[ws] {
				st, _ := state.Decode([]byte(got))
				t.Errorf("after the move to %s, state pull in %s differs from before the first move (lineage %s serial %d, want %s %d)",
					hop.name, ws, st.Lineage, st.Serial, want[ws].Lineage, want[ws].Serial)
			}
			// Stored there, not read through from the previous backend.
			var stored *state.State
			if s := hop.store(t); s != nil {
				b, err := s.Backend(ws)
				if err != nil {
					t.Fatal(err)
				}
				if stored, err = b.Read(context.Background()); err != nil {
					t.Fatalf("reading %s in backend %s: %v", ws, hop.name, err)
				}
			} else {
				path := back
				if ws != state.DefaultWorkspace {
					path = filepath.Join(back+".d", ws, filepath.Base(back))
				}
				if _, err := os.Stat(path); err != nil {
					t.Fatalf("workspace %s was not copied to %s: %v", ws, path, err)
				}
				stored, _ = storeState(t, back, ws)
			}
			if stored.Lineage != want[ws].Lineage || stored.Serial != want[ws].Serial {
				t.Errorf("backend %s holds workspace %s as lineage %s serial %d, want %s %d", hop.name, ws, stored.Lineage, stored.Serial, want[ws].Lineage, want[ws].Serial)
			}
			out, errOut, code := runEnv(t, dir, inWorkspace(ws), "plan", "-detailed-exitcode")
			if code != 0 {
				t.Errorf("plan -detailed-exitcode in %s after the move to %s: exit %d, want 0\n%s%s", ws, hop.name, code, out, errOut)
			}
		}
	}
	if names, err := kubeStore.Workspaces(context.Background()); err != nil || !slices.Equal(names, workspaces) {
		t.Errorf("the kubernetes backend keeps workspaces %q (%v), want %q", names, err, workspaces)
	}
}
