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

package planner

import (
	"context"
	"maps"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// upgradeStates brings every instance in the prior state whose stored
// schema version is older than its provider's schema up to date, through
// the provider's UpgradeState, before anything refreshes or plans it. It
// replaces the walk's state with a copy holding the upgraded values and
// versions, and returns the addresses it upgraded. A stored version newer
// than the provider's is an error: that state was written by a newer
// provider, and this one would misread it.
//
// Sources are read afresh at every plan, so their stored versions do not
// matter; instances of types the provider does not declare are reported
// where they are planned.
func (w *walker) upgradeStates(ctx context.Context) ([]string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	todo := map[addrs.Provider][]*state.ResourceInstance{}
	for _, k := range kind.SortedKeys(w.c.State.Resources) {
		ri := w.c.State.Resources[k]
		if ri.Type == "" || ri.Addr.Resource.Kind == addrs.Source {
			continue
		}
		conn := w.conn(ri.Provider)
		if conn == nil {
			continue
		}
		sch, ok := conn.schemas.Resources[ri.Type]
		if !ok {
			continue
		}
		switch {
		case ri.SchemaVersion > sch.Version:
			diags = append(diags, kind.Errorf("State written by a newer provider", nil,
				"The state of %s was written by provider %q with schema version %d of %s, but the provider in use (version %s) knows only versions up to %d. Use a provider version at least as new as the one that wrote the state (run slipway init -upgrade after installing it); a provider cannot read state from its future.",
				ri.Addr, ri.Provider.Name, ri.SchemaVersion, ri.Type, conn.schemas.Metadata.Version, sch.Version))
		case ri.SchemaVersion < sch.Version:
			todo[ri.Provider] = append(todo[ri.Provider], ri)
		}
	}
	if len(todo) == 0 || diags.HasErrors() {
		return nil, diags
	}

	var (
		mu       sync.Mutex
		upgraded = map[string]*state.ResourceInstance{}
		wg       sync.WaitGroup
	)
	for pa, insts := range todo {
		conn := w.conn(pa)
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqs := make([]sdk.UpgradeStateRequest, 0, len(insts))
			var d hcl.Diagnostics
			for _, ri := range insts {
				raw, err := ctyjson.Marshal(ri.Value, ri.Value.Type())
				if err != nil {
					d = append(d, kind.Errorf("State upgrade failed", nil, "Encoding the stored state of %s: %v.", ri.Addr, err))
					continue
				}
				reqs = append(reqs, sdk.UpgradeStateRequest{Address: ri.Addr.String(), TypeName: ri.Type, Version: ri.SchemaVersion, RawState: raw})
			}
			call := maskCalls(conn.client.UpgradeState, conn.secrets, func(r *sdk.UpgradeStateResponse) sdk.Diagnostics { return r.Diagnostics })
			resps, err := call(ctx, reqs)
			if err != nil {
				d = append(d, kind.Errorf("State upgrade failed", nil, "Upgrading the stored state of provider %q's resources: %v", pa.Name, err))
			}
			mu.Lock()
			defer mu.Unlock()
			diags = append(diags, d...)
			for i, resp := range resps {
				ri := w.c.State.Resources[reqs[i].Address]
				diags = append(diags, kind.ProviderDiags(resp.Diagnostics, reqs[i].Address, nil)...)
				if resp.Diagnostics.HasErrors() {
					continue
				}
				nr := *ri
				nr.Value = resp.State
				nr.SchemaVersion = conn.schemas.Resources[ri.Type].Version
				upgraded[reqs[i].Address] = &nr
			}
		}()
	}
	wg.Wait()
	if diags.HasErrors() {
		return nil, diags
	}

	st := *w.c.State
	st.Resources = maps.Clone(st.Resources)
	maps.Copy(st.Resources, upgraded)
	c := *w.c
	c.State = &st
	w.c = &c
	w.prior = map[addrs.Resource][]*state.ResourceInstance{}
	for _, ri := range st.Resources {
		w.prior[ri.Addr.Resource] = append(w.prior[ri.Addr.Resource], ri)
	}
	out := make([]string, 0, len(upgraded))
	for a := range upgraded {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, diags
}
