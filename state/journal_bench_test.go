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

package state_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// BenchmarkCompact measures the compaction at the end of an apply of
// 1,000 apps: a journal of each app's intent and outcome, three of the
// intents never ended.
//
//	go test -run '^$' -bench Compact -benchtime 5x -count 3 ./state
func BenchmarkCompact(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "journal")
	j := state.NewFileJournal(path)
	i := 0
	for _, ri := range statetest.Apps(1000).Resources {
		id := fmt.Sprint("op-", i)
		if err := j.Begin(ctx, state.Operation{ID: id, Addr: ri.Addr, Action: "update", Planned: ri}); err != nil {
			b.Fatal(err)
		}
		if i%300 != 7 {
			if err := j.End(ctx, id, ri.Addr, ri); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
	full, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(full)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(path, full, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := state.NewFileJournal(path).Compact(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	left, err := state.NewFileJournal(path).Entries(ctx)
	if err != nil || len(left) != 4 {
		b.Fatalf("after compaction: %d entries, %v; want the 4 intents never ended", len(left), err)
	}
}
