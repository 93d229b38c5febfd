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

package pg_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

// appsState is a state shaped like that of n apps of 10 Kubernetes
// objects each (4 ConfigMaps, 3 Secrets, 2 Services, a ServiceAccount):
// per object its identity, a random UID and resource version, and its
// manifest as applied. 1,000 apps encode to about 20 MB.
func appsState(n int) *state.State {
	s := state.NewState()
	s.Lineage = "3d0c6a52-8f4e-4c1b-9a7d-2e5f6b7c8d9e"
	kinds := []string{"ConfigMap", "ConfigMap", "ConfigMap", "ConfigMap", "Secret", "Secret", "Secret", "Service", "Service", "ServiceAccount"}
	for i := range n {
		app := fmt.Sprintf("app-%04d", i)
		ns := fmt.Sprintf("bench-%d", i%10)
		objects := make([]cty.Value, len(kinds))
		for k, kind := range kinds {
			name := fmt.Sprintf("%s-%s-%d", app, strings.ToLower(kind), k)
			var manifest strings.Builder
			fmt.Fprintf(&manifest, "apiVersion: v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: %s\n    app.kubernetes.io/managed-by: slipway\n    slipway.dev/app: %s\n  annotations:\n    slipway.dev/source: gitops/apps/%s\n", kind, name, ns, app, app, app)
			switch kind {
			case "ConfigMap", "Secret":
				manifest.WriteString("data:\n")
				for d := range 28 {
					fmt.Fprintf(&manifest, "  key-%02d: value %d of %s, setting %d for the service\n", d, d, name, d*i)
				}
			case "Service":
				fmt.Fprintf(&manifest, "spec:\n  selector:\n    app.kubernetes.io/name: %s\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n", app)
			}
			objects[k] = cty.ObjectVal(map[string]cty.Value{
				"api_version":      cty.StringVal("v1"),
				"kind":             cty.StringVal(kind),
				"namespace":        cty.StringVal(ns),
				"name":             cty.StringVal(name),
				"uid":              cty.StringVal(uuid()),
				"resource_version": cty.StringVal(fmt.Sprint(100000 + i*10 + k)),
				"manifest":         cty.StringVal(manifest.String()),
			})
		}
		addr := addrs.Resource{Kind: addrs.App, Name: "bench"}.Instance(addrs.StringKey(app))
		s.Resources[addr.String()] = &state.ResourceInstance{
			Addr:     addr,
			Provider: addrs.Provider{Name: "kubernetes"},
			Type:     "kubernetes_app",
			Value: cty.ObjectVal(map[string]cty.Value{
				"namespace": cty.StringVal(ns),
				"revision":  cty.StringVal(uuid()[:8]),
				"objects":   cty.ListVal(objects),
			}),
		}
	}
	return s
}

func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// BenchmarkWriteRead writes a changed state and reads it back through
// a second client, reporting the document's size and the bytes the row
// holds:
//
//	go test -run '^$' -bench WriteRead -benchtime 5x ./state/pg
func BenchmarkWriteRead(b *testing.B) {
	for _, bc := range []struct {
		name string
		st   *state.State
	}{
		{"large-20MB", statetest.Large(20 << 20)},
		{"apps-1000x10", appsState(1000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			w := newWhere(b)
			writer := backend(b, newStore(b, w, pg.Config{}), state.DefaultWorkspace)
			reader := backend(b, newStore(b, w, pg.Config{}), state.DefaultWorkspace)
			doc, err := state.Encode(bc.st)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("write", func(b *testing.B) {
				for i := range b.N {
					bc.st.Outputs["n"] = &state.Output{Value: cty.NumberIntVal(int64(i))}
					if err := writer.Write(b.Context(), bc.st); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("read", func(b *testing.B) {
				for range b.N {
					if _, err := reader.Read(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
			})
			var stored, onDisk int64
			if err := adminConn(b, w).QueryRow(b.Context(), "SELECT octet_length(data), pg_column_size(data) FROM "+
				pgx.Identifier{w.Schema, "states"}.Sanitize()).Scan(&stored, &onDisk); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: document %d bytes, stored %d bytes (%.1f%%), %d bytes in the table",
				bc.name, len(doc), stored, 100*float64(stored)/float64(len(doc)), onDisk)
		})
	}
}
