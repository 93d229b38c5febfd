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
	"fmt"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/internal/kubetest"
)

// TestRefreshServesThePlanOfEachAppOnce: one refresh of the apps of two
// blocks serves the plan of each block, each app once, with the apps it
// found as recorded; a plan of apps it did not refresh, a second plan of
// an app (apply's), and a plan after refreshReuse LIST afresh.
func TestRefreshServesThePlanOfEachAppOnce(t *testing.T) {
	t.Parallel()
	p := newProvider()
	set := &kube.LiveSet{Selector: managedSelector}
	p.keepRefreshed(&sharedLive{set: set}, map[string]bool{"a": true, "b": true, "c": true}, map[string]bool{"a": true, "c": true})

	take := func(keys ...string) (bool, string) {
		s, rec := p.takeRefreshed(keys)
		return s.set == set, fmt.Sprint(rec)
	}
	check := func(what string, gotSet bool, gotRec string, wantSet bool, wantRec string) {
		t.Helper()
		if gotSet != wantSet || gotRec != wantRec {
			t.Errorf("%s: the refresh's LISTs %v, as recorded %s; want %v, %s", what, gotSet, gotRec, wantSet, wantRec)
		}
	}
	s, r := take("x")
	check("apps it did not refresh", s, r, false, "map[]")
	s, r = take("a", "b")
	check("the first block", s, r, true, "map[a:true]")
	s, r = take("a")
	check("apply's plan of an app planned already", s, r, false, "map[]")
	s, r = take("c")
	check("the second block", s, r, true, "map[c:true]")
	s, r = take("c")
	check("once every app was planned", s, r, false, "map[]")

	p.keepRefreshed(&sharedLive{set: set}, map[string]bool{"a": true}, map[string]bool{"a": true})
	p.refreshes[0].at = time.Now().Add(-refreshReuse - time.Second)
	s, r = take("a")
	check("after refreshReuse", s, r, false, "map[]")

	// Two refreshes: each serves the plan of its own apps, a later
	// refresh of an app supersedes an earlier one, and a plan of apps of
	// both gets the one that covered more of them.
	other := &kube.LiveSet{Selector: managedSelector}
	p.keepRefreshed(&sharedLive{set: set}, map[string]bool{"a": true, "b": true, "c": true}, map[string]bool{"a": true, "b": true})
	p.keepRefreshed(&sharedLive{set: other}, map[string]bool{"c": true, "d": true}, map[string]bool{"c": true, "d": true})
	got, rec := p.takeRefreshed([]string{"a", "c", "d"})
	if got.set != other || fmt.Sprint(rec) != "map[c:true d:true]" {
		t.Errorf("a plan of a, c and d: the second refresh %v, as recorded %v; want true, map[c:true d:true]", got.set == other, rec)
	}
	s, r = take("b")
	check("the first refresh's other app", s, r, true, "map[b:true]")
	if len(p.refreshes) != 0 {
		t.Errorf("%d refreshes kept once every app was planned", len(p.refreshes))
	}
}

// TestConfigureStartsANewSession: a process that serves several plans
// (slipway agent) is configured again for each; the refreshes, the
// elided refresh's records, and an offline configuration of
// the session before are not the next session's.
func TestConfigureStartsANewSession(t *testing.T) {
	t.Parallel()
	p := newProvider()
	ctx := context.Background()
	var resp sdk.ConfigureResponse
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(nil), Offline: true}, &resp)
	if !p.offline || resp.Diagnostics.HasErrors() {
		t.Fatalf("an offline Configure: offline %v, %v", p.offline, resp.Diagnostics)
	}
	kept := newSharedLive()
	p.keepRefreshed(kept, map[string]bool{"a": true}, map[string]bool{"a": true})
	p.keepElided(map[string]elidedRecord{"a": {}})

	kubeconfig := kubetest.UnreachableKubeconfig(t)
	resp = sdk.ConfigureResponse{}
	p.Configure(ctx, sdk.ConfigureRequest{Config: providerSchema.Object(map[string]cty.Value{"kubeconfig": cty.StringVal(kubeconfig)})}, &resp)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	if p.offline {
		t.Error("the session after an offline one is still offline")
	}
	if s, rec := p.takeRefreshed([]string{"a"}); s == kept || rec != nil {
		t.Errorf("the last session's refresh serves the next: its LISTs %v, found as recorded %v", s == kept, rec)
	}
	p.elidedMu.Lock()
	defer p.elidedMu.Unlock()
	if p.elided != nil {
		t.Errorf("the last session's elided refresh is kept: %d records", len(p.elided))
	}
}
