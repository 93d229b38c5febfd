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
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
	"slipway.dev/slipway/state/statetest"
)

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
		{"apps-1000x10", statetest.Apps(1000)},
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
