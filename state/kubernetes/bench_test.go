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
	"testing"

	"github.com/zclconf/go-cty/cty"

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

// TestThousandAppsStored: the state of 1,000 apps of 10 objects is stored
// in at most 4 MB and reads back byte-equal.
func TestThousandAppsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	want := statetest.Apps(1000)
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
		{"apps1000", func() *state.State { return statetest.Apps(1000) }},
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
