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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// The state benchmarks, on the shared control plane:
//
//	go test -run '^$' -bench State ./state/kubernetes
//
// Each state is written (its content changed each time, so every Write
// stores a new generation), written unchanged (one GET), and read by
// another client. The metrics say what is stored: the document's size,
// the bytes in Secrets, and the chunks.

// appsState is the state of n apps of 10 objects each (4 ConfigMaps, 3
// Secrets, 2 Services, 1 ServiceAccount, as examples/bench/apps.sh makes
// them), shaped as the kubernetes provider records them: the inventory,
// every object as applied, and the private data with a hash of each.
func appsState(n int) *state.State {
	s := state.NewState()
	s.Lineage = "3741e235-0491-4ef5-9f1f-ccdf9ab2dfb6"
	str := cty.StringVal
	for i := range n {
		app := fmt.Sprintf("app-%04d", i)
		ns := fmt.Sprintf("bench-%d", i%10)
		meta := func(name string) cty.Value {
			return cty.ObjectVal(map[string]cty.Value{
				"labels": cty.ObjectVal(map[string]cty.Value{
					"app.kubernetes.io/managed-by": str("slipway"),
					"slipway.dev/app":              str("bench-" + app),
				}),
				"name":      str(name),
				"namespace": str(ns),
			})
		}
		objects := map[string]cty.Value{}
		var inventory []cty.Value
		hashes := map[string]string{}
		add := func(kind, name string, fields map[string]cty.Value) {
			id := fmt.Sprintf("v1 %s %s/%s", kind, ns, name)
			fields["apiVersion"], fields["kind"], fields["metadata"] = str("v1"), str(kind), meta(name)
			objects[id] = cty.ObjectVal(fields)
			inventory = append(inventory, str(id))
			sum := sha256.Sum256([]byte(id))
			hashes[id] = hex.EncodeToString(sum[:])
		}
		for c := range 4 {
			add("ConfigMap", fmt.Sprintf("%s-cm%d", app, c), map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"key": str(fmt.Sprintf("value-%d-%d", i, c))})})
		}
		for c := range 3 {
			add("Secret", fmt.Sprintf("%s-secret%d", app, c), map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"token": str(fmt.Sprintf("dC0%d", i*3+c))})})
		}
		for c := range 2 {
			add("Service", fmt.Sprintf("%s-svc%d", app, c), map[string]cty.Value{"spec": cty.ObjectVal(map[string]cty.Value{
				"ports":    cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(int64(80 + c))})}),
				"selector": cty.ObjectVal(map[string]cty.Value{"app": str(app)}),
			})})
		}
		add("ServiceAccount", app+"-sa", map[string]cty.Value{})
		private, _ := json.Marshal(map[string]any{"v": 1, "hashes": hashes})
		addr := addrs.Resource{Kind: addrs.App, Name: "bench"}.Instance(addrs.StringKey(app))
		s.Resources[addr.String()] = &state.ResourceInstance{
			Addr: addr, Provider: addrs.Provider{Name: "kubernetes"}, Type: "kubernetes_app",
			Value: cty.ObjectVal(map[string]cty.Value{
				"name":          str("bench-" + app),
				"manifests_dir": str("/srv/gitops/apps/" + app),
				"namespace":     cty.NullVal(cty.String),
				"prune":         cty.True,
				"revision":      cty.NullVal(cty.String),
				"inventory":     cty.ListVal(inventory),
				"objects":       cty.ObjectVal(objects),
			}),
			Private: private,
		}
	}
	return s
}

// TestThousandAppsStored: the state of 1,000 apps of 10 objects is stored
// in at most 4 MB and reads back byte-equal.
func TestThousandAppsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	want := appsState(1000)
	if err := openBackend(t, s).Write(ctx, want); err != nil {
		t.Fatal(err)
	}
	secs := secrets(t, s)
	p, err := parsePointer(&secs[rolePointer][0])
	if err != nil {
		t.Fatal(err)
	}
	plain := mustEncode(t, want)
	if p.size > 4<<20 {
		t.Errorf("the state of 1,000 apps (%d bytes) is stored in %d bytes, more than 4 MiB", len(plain), p.size)
	}
	got, err := openBackend(t, s).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(mustEncode(t, got)) != string(plain) {
		t.Errorf("the state of 1,000 apps read back different")
	}
	t.Logf("1,000 apps: %d bytes stored as %d in %d chunks", len(plain), p.size, p.chunks)
}

func BenchmarkState(b *testing.B) {
	for _, bc := range []struct {
		name string
		st   func() *state.State
	}{
		{"apps1000", func() *state.State { return appsState(1000) }},
		{"large20MB", func() *state.State { return statetest.Large(20 << 20) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s := newSite(b)
			w := openBackend(b, s)
			st := bc.st()
			if err := w.Write(ctx, st); err != nil {
				b.Fatal(err)
			}
			report := func(b *testing.B) {
				p, err := w.pointer(ctx)
				if err != nil {
					b.Fatal(err)
				}
				plain, _ := state.Encode(st)
				b.ReportMetric(float64(len(plain))/1e6, "doc-MB")
				b.ReportMetric(float64(p.size)/1e6, "stored-MB")
				b.ReportMetric(float64(p.chunks), "chunks")
			}
			b.Run("write", func(b *testing.B) {
				i := 0
				for b.Loop() {
					i++
					st.Outputs["n"] = &state.Output{Value: cty.NumberIntVal(int64(i))}
					if err := w.Write(ctx, st); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
			b.Run("unchanged", func(b *testing.B) {
				for b.Loop() {
					if err := w.Write(ctx, st); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("read", func(b *testing.B) {
				r := openBackend(b, s)
				for b.Loop() {
					if _, err := r.Read(ctx); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
		})
	}
}
