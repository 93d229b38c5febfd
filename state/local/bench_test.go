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
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
	"slipway.dev/slipway/state/statetest"
)

// BenchmarkRead measures reading the state of 1,000 apps of 10 objects as
// the backend stores it, and its parts: decompressing the file and
// decoding the document.
//
//	go test -run '^$' -bench Read -benchtime 5x -count 3 ./state/local
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	be := local.New(path)
	ctx := context.Background()
	if err := be.Write(ctx, statetest.Apps(1000)); err != nil {
		b.Fatal(err)
	}
	stored, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	gunzip := func(b *testing.B) []byte {
		zr, err := gzip.NewReader(bytes.NewReader(stored))
		if err != nil {
			b.Fatal(err)
		}
		doc, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		return doc
	}
	b.Run("Read", func(b *testing.B) {
		for b.Loop() {
			if _, err := be.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Gunzip", func(b *testing.B) {
		for b.Loop() {
			gunzip(b)
		}
	})
	doc := gunzip(b)
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, err := state.Decode(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWrite measures the checkpoints of an apply of 1,000 apps: a
// Write of the state with one app changed, after this Backend's own
// Write ("after its own write"), and after a write of another process
// ("after another's write"), which reads the file first.
//
//	go test -run '^$' -bench Write -benchtime 10x -count 3 ./state/local
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	s := statetest.Apps(1000)
	change := func(i int) {
		for _, ri := range s.Resources {
			ri.Private = []byte(fmt.Sprint(i))
			return
		}
	}
	for _, other := range []bool{false, true} {
		name := "after its own write"
		if other {
			name = "after another's write"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "state.json")
			be := local.New(path)
			if err := be.Write(ctx, s); err != nil {
				b.Fatal(err)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				if other {
					b.StopTimer()
					// Another process's write replaces the file.
					change(-i)
					if err := local.New(path).Write(ctx, s); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				change(i)
				if err := be.Write(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
