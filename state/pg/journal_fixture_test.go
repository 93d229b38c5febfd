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
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
)

// TestJournalRowsFixture stores the lines of a journal that slipway 0.1
// wrote (state/testdata/journal/plain.journal) as pg has always stored
// them, a row per line with its newline, and checks that the journal
// reads them as the file journal does, that Compact keeps the rows of the
// interrupted intents byte for byte, and that an entry appended now is
// one such row.
func TestJournalRowsFixture(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	fixture := filepath.Join("..", "testdata", "journal", "plain.journal")
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	lines[len(lines)-1] = append(lines[len(lines)-1], '\n')
	w := newWhere(t)
	b := backend(t, newStore(t, w, pg.Config{}), state.DefaultWorkspace)
	table := pgx.Identifier{w.Schema, "journal"}.Sanitize()
	c := adminConn(t, w)
	if _, err := c.Exec(ctx, "INSERT INTO "+table+" (workspace, entry) SELECT $1, e FROM unnest($2::bytea[]) WITH ORDINALITY AS u(e, n) ORDER BY n",
		state.DefaultWorkspace, lines); err != nil {
		t.Fatal(err)
	}
	rows := func() [][]byte {
		t.Helper()
		rs, err := c.Query(ctx, "SELECT entry FROM "+table+" WHERE workspace = $1 ORDER BY seq", state.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, pgx.RowTo[[]byte])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	want, err := state.NewFileJournal(fixture).Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Journal().Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{
		cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
		cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) }),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("entries (-file journal +pg journal):\n%s", diff)
	}

	mustLock(t, b, "apply")
	if err := b.Journal().Compact(ctx); err != nil {
		t.Fatal(err)
	}
	// op-2 and op-4 never ended: their begins, lines 2 and 6.
	if diff := cmp.Diff([][]byte{lines[1], lines[5]}, rows()); diff != "" {
		t.Fatalf("rows after Compact (-want +got):\n%s", diff)
	}

	if err := b.Journal().Resolve(ctx, "op-2"); err != nil {
		t.Fatal(err)
	}
	after := rows()
	if len(after) != 3 {
		t.Fatalf("%d rows after a Resolve, want 3", len(after))
	}
	last := after[2]
	if bytes.Count(last, []byte("\n")) != 1 || !bytes.HasSuffix(last, []byte("\n")) {
		t.Fatalf("the row appended is %q, want one line with its newline", last)
	}
	if e, err := state.DecodeJournalEntry(last); err != nil || e.Kind != "resolve" || e.ID != "op-2" {
		t.Fatalf("the row appended decodes to %+v, %v; want the resolve of op-2", e, err)
	}
}
