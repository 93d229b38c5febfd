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

package state

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// fixtureSealer sealed testdata/journal/sealed.journal.
var fixtureSealer = testSealer{key: "fixture"}

// journalFixtureEntries are the entries of the journals in
// testdata/journal, which slipway 0.1's FileJournal wrote, one of them
// sealed line by line by fixtureSealer: an apply that created file.a,
// replaced file.c (deleting the deposed object) and was killed while it
// updated file.b and deleted file.d, then a later run that resolved an
// older interrupted change, op-0.
func journalFixtureEntries(t testing.TB) []JournalEntry {
	t.Helper()
	addr := func(s string) addrs.ResourceInstance {
		a, diags := addrs.ParseResourceInstance(s)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		return a
	}
	at := func(sec int) time.Time { return time.Date(2026, 3, 4, 5, 6, sec, 789000000, time.UTC) }
	file := addrs.Provider{Name: "file"}
	a := addr(`file.a["k"]`)
	planned := &ResourceInstance{Addr: a, Provider: file, Type: "file", SchemaVersion: 2,
		Value: cty.ObjectVal(map[string]cty.Value{
			"content": cty.StringVal("héllo\n\t\"quoted\" \u2028 <tag>"),
			"secret":  cty.StringVal("s3cr3t"),
			"id":      cty.NullVal(cty.String), // known after apply
			"ports":   cty.ListVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
			"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core")}),
		}),
		Sensitive:    []cty.Path{cty.GetAttrPath("secret")},
		Private:      []byte{0, 1, 2, 0xff},
		Dependencies: []addrs.Resource{{Kind: addrs.Managed, Type: "file", Name: "b"}},
	}
	created := *planned
	created.Value = cty.ObjectVal(map[string]cty.Value{
		"content": cty.StringVal("héllo\n\t\"quoted\" \u2028 <tag>"),
		"secret":  cty.StringVal("s3cr3t"),
		"id":      cty.StringVal("x-1"),
		"ports":   cty.ListVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
		"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core")}),
	})
	simple := func(s, content string) *ResourceInstance {
		ra := addr(s)
		return &ResourceInstance{Addr: ra, Provider: file, Type: "file",
			Value: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(content), "n": cty.NumberFloatVal(0.5)})}
	}
	b, c, d := simple("file.b", "b"), simple("file.c[0]", "c"), simple("file.d", "d")
	c.Tainted = true
	return []JournalEntry{
		{Kind: "begin", Time: at(1), Operation: Operation{ID: "op-1", Addr: a, Action: "create", Planned: planned}},
		{Kind: "begin", Time: at(2), Operation: Operation{ID: "op-2", Addr: b.Addr, Action: "update", Planned: b}},
		{Kind: "end", Time: at(3), Operation: Operation{ID: "op-1", Addr: a}, Now: &created},
		{Kind: "begin", Time: at(4), Operation: Operation{ID: "op-3", Addr: c.Addr, Action: "delete", Planned: c, Deposed: true}},
		{Kind: "end", Time: at(5), Operation: Operation{ID: "op-3", Addr: c.Addr}},
		{Kind: "begin", Time: at(6), Operation: Operation{ID: "op-4", Addr: d.Addr, Action: "delete", Planned: d}},
		{Kind: "resolve", Time: at(7), Operation: Operation{ID: "op-0"}},
	}
}

var journalCmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
	cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) }),
}

// TestJournalFixtures reads journals that an earlier slipway wrote, and
// checks that what slipway writes now is byte for byte what it wrote
// then: Reseal with the same Sealer rewrites every line as it was, and
// Compact keeps the lines of the interrupted intents as they were.
func TestJournalFixtures(t *testing.T) {
	t.Parallel()
	want := journalFixtureEntries(t)
	for name, s := range map[string]Sealer{"plain.journal": nil, "sealed.journal": fixtureSealer} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fixture, err := os.ReadFile(filepath.Join("testdata", "journal", name))
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(fixture, []byte("\n"))
			path := filepath.Join(t.TempDir(), "s.journal")
			if err := os.WriteFile(path, fixture, 0o600); err != nil {
				t.Fatal(err)
			}
			j := NewSealedFileJournal(path, s)
			got, err := j.Entries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, journalCmpOpts); diff != "" {
				t.Fatalf("entries (-want +got):\n%s", diff)
			}

			if err := j.Reseal(ctx); err != nil {
				t.Fatal(err)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, fixture) {
				t.Fatalf("Reseal with the same Sealer changed the journal:\n%s\nwant:\n%s", now, fixture)
			}

			if err := j.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			// op-2 and op-4 never ended: their begins, lines 2 and 6.
			wantCompact := append(append([]byte(nil), lines[1]...), lines[5]...)
			if now, _ := os.ReadFile(path); !bytes.Equal(now, wantCompact) {
				t.Fatalf("Compact left:\n%s\nwant the lines of op-2 and op-4 as they were:\n%s", now, wantCompact)
			}
		})
	}
}
