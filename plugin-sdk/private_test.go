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

package sdk_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
)

// TestPrivateStateCrossesOnce speaks the protocol to the server: a host
// that keeps each item's private state gets none back that is the one it
// sent, and a plan after a refresh may leave out the private state the
// refresh was sent; a host that does not ask gets every private state
// back, as before.
func TestPrivateStateCrossesOnce(t *testing.T) {
	srv := sdk.NewProtocolServer(testprovider.New())
	ctx := t.Context()
	schema, err := srv.GetSchema(ctx, &protocol.GetSchema_Request{})
	if err != nil || !schema.KeepsReadPrivate {
		t.Fatalf("GetSchema: keeps_read_private %v (%v), want true", schema.GetKeepsReadPrivate(), err)
	}
	ty := testprovider.Schema.ImpliedType()
	enc := func(v cty.Value) *protocol.DynamicValue {
		t.Helper()
		dv, err := wire.EncodeValue(v, ty)
		if err != nil {
			t.Fatal(err)
		}
		return dv
	}
	state := enc(obj(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("id-a"), "note": cty.StringVal("recorded")}))
	config := enc(obj(map[string]cty.Value{"name": cty.StringVal("a")}))
	read := func(omit bool, items ...*protocol.ReadResources_Item) []*protocol.ReadResources_Result {
		t.Helper()
		resp, err := srv.ReadResources(ctx, &protocol.ReadResources_Request{Items: items, OmitUnchangedPrivate: omit})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Results
	}
	plan := func(items ...*protocol.PlanResources_Item) []*protocol.PlanResources_Result {
		t.Helper()
		resp, err := srv.PlanResources(ctx, &protocol.PlanResources_Request{Items: items, OmitUnchangedPrivate: true})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Results
	}

	// A host that does not ask gets the private state back.
	old := read(false, &protocol.ReadResources_Item{Address: "elided.old", TypeName: "elided", StateElided: true, Private: []byte("plan")})
	if !old[0].Unchanged || string(old[0].Private) != "plan" || old[0].PrivateUnchanged {
		t.Errorf("read for a host that keeps no private state: %v", old[0])
	}

	// Found unchanged from its private state alone: the result says so
	// and leaves the private state out.
	rs := read(true,
		&protocol.ReadResources_Item{Address: "elided.a", TypeName: "elided", StateElided: true, Private: []byte("plan")},
		&protocol.ReadResources_Item{Address: "batch.b", TypeName: "batch", State: state, Private: []byte("batch private")},
	)
	for i, r := range rs {
		if !r.PrivateUnchanged || len(r.Private) != 0 {
			t.Errorf("read %d: private_unchanged %v, private %q; want it left out", i, r.PrivateUnchanged, r.Private)
		}
	}
	if !rs[0].Unchanged {
		t.Errorf("elided read: %v, want unchanged", rs[0])
	}

	// The plan leaves out the private state the refresh was sent: the
	// provider plans from it (PlanElided answers unchanged only for
	// "plan"), and the result leaves it out too.
	ps := plan(
		&protocol.PlanResources_Item{Address: "elided.a", TypeName: "elided", Config: config, PriorFromRefresh: true, PriorPrivateFromRefresh: true},
		&protocol.PlanResources_Item{Address: "batch.b", TypeName: "batch", Config: config, PriorFromRefresh: true, PriorPrivateFromRefresh: true},
	)
	if r := ps[0]; !r.Unchanged || r.PriorMissing || !r.PrivateUnchanged || len(r.PlannedPrivate) != 0 {
		t.Errorf("elided plan: %v; want unchanged, its private state left out", r)
	}
	if r := ps[1]; r.PriorMissing || !r.PrivateUnchanged || len(r.PlannedPrivate) != 0 || len(r.Diagnostics) != 0 {
		t.Errorf("batch plan: %v; want its private state left out", r)
	}

	// What a refresh kept is taken once; and private state is taken from
	// a refresh only with the prior state.
	again := plan(
		&protocol.PlanResources_Item{Address: "elided.a", TypeName: "elided", Config: config, PriorFromRefresh: true, PriorPrivateFromRefresh: true},
		&protocol.PlanResources_Item{Address: "elided.c", TypeName: "elided", Config: config, PriorState: state, PriorPrivateFromRefresh: true},
	)
	for i, r := range again {
		if !r.PriorMissing {
			t.Errorf("plan %d without a refresh's record: %v, want prior_missing", i, r)
		}
	}

	// A later read may leave out the private state this process was last
	// sent for the address; without such a record, the host is asked to
	// send the item again.
	rs = read(true,
		&protocol.ReadResources_Item{Address: "elided.a", TypeName: "elided", StateElided: true, PrivateAsLastRead: true},
		&protocol.ReadResources_Item{Address: "elided.never", TypeName: "elided", StateElided: true, PrivateAsLastRead: true},
		&protocol.ReadResources_Item{Address: "batch.never", TypeName: "batch", State: state, PrivateAsLastRead: true},
	)
	if r := rs[0]; !r.Unchanged || !r.PrivateUnchanged || r.StateMissing {
		t.Errorf("read with the private state left out: %v; want unchanged (ReadElided was given \"plan\")", r)
	}
	for _, r := range rs[1:] {
		if !r.StateMissing || r.Unchanged {
			t.Errorf("read of a private state never sent: %v, want state_missing", r)
		}
	}
	// Two items of one address in a request: the one that leaves out its
	// private state takes what an earlier request was sent ("plan"), not
	// what the other item of this one brings.
	rs = read(true,
		&protocol.ReadResources_Item{Address: "elided.a", TypeName: "elided", StateElided: true, Private: []byte("other")},
		&protocol.ReadResources_Item{Address: "elided.a", TypeName: "elided", StateElided: true, PrivateAsLastRead: true},
	)
	if !rs[0].StateMissing || !rs[1].Unchanged {
		t.Errorf("two items of one address: %v and %v; want state_missing (\"other\"), then unchanged (\"plan\", sent before)", rs[0], rs[1])
	}

	// What a process was sent is kept for the session and the next
	// (Configure starts a session): found a session later, it is kept
	// again; two sessions without a read forget it.
	provCfg, err := wire.EncodeValue(cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hi-")}), cty.Object(map[string]cty.Type{"greeting": cty.String}))
	if err != nil {
		t.Fatal(err)
	}
	configure := func() {
		t.Helper()
		if _, err := srv.Configure(ctx, &protocol.Configure_Request{Config: provCfg}); err != nil {
			t.Fatal(err)
		}
	}
	readB := func() bool {
		t.Helper()
		return read(true, &protocol.ReadResources_Item{Address: "batch.b", TypeName: "batch", State: state, PrivateAsLastRead: true})[0].StateMissing
	}
	configure()
	if readB() {
		t.Error("a session after it was sent: state_missing, want the private state found")
	}
	configure()
	configure()
	if !readB() {
		t.Error("two sessions without a read: the private state found, want state_missing")
	}

	// A private state sent with the plan is used, and left out of the
	// result only when the plan keeps it.
	sent := plan(&protocol.PlanResources_Item{Address: "elided.d", TypeName: "elided", Config: config, PriorElided: true, PriorPrivate: []byte("plan")})
	if r := sent[0]; !r.Unchanged || !r.PrivateUnchanged || len(r.PlannedPrivate) != 0 {
		t.Errorf("plan with its private state: %v", r)
	}
}
