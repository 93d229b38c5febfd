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
	"context"
	"os"
	"path/filepath"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// TestEncryptedJournalFixture reads an encrypted journal that slipway 0.1
// wrote (testdata/encrypted.journal: file.a's update began and ended,
// sealed by the "right" sealer), appends to it, and reads it back.
func TestEncryptedJournalFixture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	right, wrong := sealers()
	fixture, err := os.ReadFile(filepath.Join("testdata", "encrypted.journal"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fixture, []byte(marker)) {
		t.Fatal("the fixture holds the secret in clear")
	}
	path := newPath(t)
	if err := os.WriteFile(path+".journal", fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := local.NewBackend(path, local.Options{Sealer: wrong}).Journal().Entries(ctx); err == nil {
		t.Fatal("a wrong key read the journal")
	}
	j := local.NewBackend(path, local.Options{Sealer: right}).Journal()
	entries, err := j.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Kind != "begin" || entries[1].Kind != "end" || entries[1].ID != "op-1" ||
		entries[1].Now.Value.GetAttr("content").AsString() != marker {
		t.Fatalf("entries %+v; want the begin and end of op-1 with the secret content", entries)
	}
	ri := entries[1].Now
	if err := j.Begin(ctx, state.Operation{ID: "op-2", Addr: ri.Addr, Action: "delete", Planned: ri}); err != nil {
		t.Fatal(err)
	}
	entries, err = local.NewBackend(path, local.Options{Sealer: right}).Journal().Entries(ctx)
	if err != nil || len(entries) != 3 || entries[2].ID != "op-2" {
		t.Fatalf("entries %+v, %v; want op-2's begin after the two old entries", entries, err)
	}
	if pending := state.Replay(state.NewState(), entries); len(pending) != 1 || pending[0].ID != "op-2" {
		t.Fatalf("pending %+v; want op-2", pending)
	}
}
