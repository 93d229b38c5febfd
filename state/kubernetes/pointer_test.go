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
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// TestParsePointerBoundsTheChunks: a pointer whose chunk count is damaged
// (edited by hand to a huge number) is an error that says so, not an
// allocation of that many chunks, which ended every reader of the state
// with an out-of-memory or "makeslice" panic.
func TestParsePointerBoundsTheChunks(t *testing.T) {
	t.Parallel()
	pointer := func(chunks string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Annotations: map[string]string{
			annSerial: "3", annChunks: chunks, annSize: "100", annGeneration: "g1", annChecksum: "sha256:x",
		}}}
	}
	if p, err := parsePointer(pointer("2")); err != nil || p.chunks != 2 {
		t.Fatalf("a sound pointer: %+v, %v", p, err)
	}
	for _, bad := range []string{"999999999999", "65537", "0", "-1", "x"} {
		if _, err := parsePointer(pointer(bad)); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("chunks %q: %v; want the pointer damaged", bad, err)
		}
	}
}

// TestWriteWhoseAnswerIsLost: the update of the pointer lands, but its
// answer never comes back (a timeout, a reset connection: client-go does
// not retry an update). The write asks what the pointer names: it names
// the new state, which is kept, and the write succeeds. Taking the lost
// answer for a failure deleted the chunks the pointer named, and every
// read after it failed until the pointer was edited by hand.
func TestWriteWhoseAnswerIsLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	var lose atomic.Bool
	store := openStore(t, s, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			resp, err := rt.RoundTrip(req)
			if err == nil && req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/secrets/") && lose.CompareAndSwap(true, false) {
				resp.Body.Close()
				return nil, errors.New("test: the connection was reset before the answer came")
			}
			return resp, err
		})
	})
	b, err := store.backend(s.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	first := statetest.Sample()
	if err := b.Write(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := statetest.Sample()
	second.Outputs["written_twice"] = &state.Output{Value: cty.StringVal("second")}
	lose.Store(true)
	if err := b.Write(ctx, second); err != nil {
		t.Fatalf("a write whose pointer update landed failed: %v", err)
	}
	if lose.Load() {
		t.Fatal("the test lost no answer: it shows nothing")
	}
	got, err := openBackend(t, s).Read(ctx)
	if err != nil {
		t.Fatalf("read after the write: %v", err)
	}
	if got.Outputs["written_twice"] == nil || got.Serial != second.Serial {
		t.Errorf("read serial %d with outputs %v; want the second write's, serial %d", got.Serial, got.Outputs, second.Serial)
	}
}

// TestCleanupFailureIsReported: a Role without deletecollection on
// Secrets lets every write succeed and every older generation stay, to
// pile up in etcd. The backend says so (CleanupFailed), which the
// commands print as a warning when they release the lock.
func TestCleanupFailureIsReported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	store := openStore(t, s, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			if req.Method == http.MethodDelete && req.URL.Query().Get("labelSelector") != "" {
				return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/json"}}, Request: req,
					Body: io.NopCloser(strings.NewReader(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"secrets is forbidden: cannot deletecollection"}`))}, nil
			}
			return rt.RoundTrip(req)
		})
	})
	b, err := store.backend(s.Workspace)
	if err != nil {
		t.Fatal(err)
	}
	st := statetest.Sample()
	if err := b.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Outputs["again"] = &state.Output{Value: cty.StringVal("x")}
	if err := b.Write(ctx, st); err != nil {
		t.Fatalf("the write itself must succeed: %v", err)
	}
	if err := b.CleanupFailed(); err == nil || !strings.Contains(err.Error(), "deletecollection on secrets") {
		t.Errorf("CleanupFailed = %v; want it to say the older state stays, and what the Role needs", err)
	}
}
