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
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// TestWorkspaces keeps a state per workspace, lists them, and deletes one
// with everything it had, but never the default one or one that is locked.
// Another configuration in the same namespace sees none of them.
func TestWorkspaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	store := openStore(t, s, nil)
	list := func(st state.Store, want ...string) {
		t.Helper()
		got, err := st.Workspaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Workspaces (-want +got):\n%s", diff)
		}
	}
	list(store, "default")

	for _, ws := range []string{"prod", "dev"} {
		b, err := store.Backend(ws)
		if err != nil {
			t.Fatal(err)
		}
		st := statetest.Sample()
		st.Outputs["workspace"] = &state.Output{Value: cty.StringVal(ws)}
		if err := b.Write(ctx, st); err != nil {
			t.Fatal(err)
		}
		addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: ws}.Instance(addrs.NoKey)
		if err := b.(state.Journaled).Journal().Begin(ctx, state.Operation{ID: "op-" + ws, Addr: addr, Action: "create"}); err != nil {
			t.Fatal(err)
		}
	}
	list(store, "default", "dev", "prod")
	for _, ws := range []string{"prod", "dev"} {
		b, _ := openStore(t, s, nil).Backend(ws)
		got, err := b.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o := got.Outputs["workspace"]; o == nil || o.Value.AsString() != ws {
			t.Errorf("workspace %s holds the state of %v", ws, o)
		}
	}
	other := s
	other.Suffix = "other"
	list(openStore(t, other, nil), "default")

	if err := store.DeleteWorkspace(ctx, "default"); err == nil {
		t.Errorf("DeleteWorkspace(default) succeeded")
	}
	if _, err := store.Backend("Not_Valid"); err == nil {
		t.Errorf("Backend of an invalid workspace name succeeded")
	}

	// A workspace locked by another client is refused, naming the holder.
	held, _ := openStore(t, s, nil).Backend("prod")
	info := state.NewLockInfo("apply")
	if _, err := held.Lock(ctx, info); err != nil {
		t.Fatal(err)
	}
	err := store.DeleteWorkspace(ctx, "prod")
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != info.ID || !strings.Contains(err.Error(), "locked") {
		t.Errorf("DeleteWorkspace of a locked workspace = %v, want it refused naming lock %s", err, info.ID)
	}
	list(store, "default", "dev", "prod")
	if err := held.Unlock(ctx, info.ID); err != nil {
		t.Fatal(err)
	}

	if err := store.DeleteWorkspace(ctx, "prod"); err != nil {
		t.Fatalf("DeleteWorkspace(prod): %v", err)
	}
	list(store, "default", "dev")
	for _, sec := range secrets(t, s)[roleChunk] {
		if sec.Labels[labelWorkspace] == "prod" {
			t.Errorf("Secret %s of the deleted workspace is left", sec.Name)
		}
	}
	for _, sec := range secrets(t, s)[roleJournal] {
		if sec.Labels[labelWorkspace] == "prod" {
			t.Errorf("journal Secret %s of the deleted workspace is left", sec.Name)
		}
	}
	if _, err := adminClient(t).CoordinationV1().Leases(s.Namespace).Get(ctx, store.leaseName("prod"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Lease of the deleted workspace: %v, want it gone", err)
	}
	b, _ := store.Backend("prod")
	if got, err := b.Read(ctx); err != nil || !got.Empty() {
		t.Errorf("Read of the deleted workspace: %v, empty %v; want an empty state", err, got != nil && got.Empty())
	}
	if entries, err := b.(state.Journaled).Journal().Entries(ctx); err != nil || len(entries) != 0 {
		t.Errorf("journal of the deleted workspace: %d entries, %v; want none", len(entries), err)
	}
	if err := store.DeleteWorkspace(ctx, "prod"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("DeleteWorkspace of a workspace that does not exist = %v", err)
	}
}

// TestWorkspaceDeleteFailingPartway: a delete that fails partway (here
// the API server refuses to delete the journal's Secrets) leaves the
// workspace whole, for the next delete: never a journal without its
// state, which a new workspace of the same name would inherit and replay.
func TestWorkspaceDeleteFailingPartway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	var refuse atomic.Bool
	store := openStore(t, s, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			if refuse.Load() && req.Method == http.MethodDelete && strings.Contains(req.URL.Query().Get("labelSelector"), labelRole+"="+roleJournal) {
				return nil, errors.New("test: the journal cannot be deleted")
			}
			return rt.RoundTrip(req)
		})
	})
	b, _ := store.Backend("staging")
	st := statetest.Sample()
	if err := b.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "left"}.Instance(addrs.NoKey)
	if err := b.(state.Journaled).Journal().Begin(ctx, state.Operation{ID: "op-left", Addr: addr, Action: "create"}); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	if err := store.DeleteWorkspace(ctx, "staging"); err == nil || !strings.Contains(err.Error(), "cannot be deleted") {
		t.Fatalf("DeleteWorkspace with the journal's delete refused: %v; want it to fail", err)
	}
	// Whole: the state is there to read, and a second delete takes it all.
	again, _ := openStore(t, s, nil).Backend("staging")
	if got, err := again.Read(ctx); err != nil || got.Empty() {
		t.Fatalf("the workspace after the failed delete: %v, empty %v; want its state", err, got != nil && got.Empty())
	}
	refuse.Store(false)
	if err := store.DeleteWorkspace(ctx, "staging"); err != nil {
		t.Fatalf("the second DeleteWorkspace: %v", err)
	}
	fresh, _ := openStore(t, s, nil).Backend("staging")
	if entries, err := fresh.(state.Journaled).Journal().Entries(ctx); err != nil || len(entries) != 0 {
		t.Errorf("a new workspace of the name inherits %d journal entries (%v)", len(entries), err)
	}
}
