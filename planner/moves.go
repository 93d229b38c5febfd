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
	"fmt"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// impliedMoves are Terraform's implied moves of resource blocks: count
// added to a block whose one instance state records (file.a moves to
// file.a[0]), and count and for_each taken off a block whose instance
// [0] state records (file.a[0] moves to file.a). Each is keyed by the
// address it moves to; none is implied when the address it would move to
// is taken already. Only resource blocks move so: a kind's instances
// carry what their address names (a pipeline's directory, an app's
// history).
func impliedMoves(cfg *lang.Config, st *state.State) map[string]addrs.ResourceInstance {
	out := map[string]addrs.ResourceInstance{}
	for _, rc := range cfg.Resources {
		if rc.Addr.Kind != addrs.Managed {
			continue
		}
		bare, first := rc.Addr.Instance(addrs.NoKey), rc.Addr.Instance(addrs.IntKey(0))
		from, to := bare, first
		switch {
		case rc.Count != nil:
		case rc.ForEach == nil:
			from, to = first, bare
		default:
			continue
		}
		if st.Resources[from.String()] != nil && st.Resources[to.String()] == nil {
			out[to.String()] = from
		}
	}
	return out
}

// moveInstances moves the state entries of moves (keyed by the address
// they move to) to their new addresses, with what their kind keeps of
// them in state sections.
func moveInstances(st *state.State, kinds []kind.Kind, moves map[string]addrs.ResourceInstance) error {
	for _, to := range kind.SortedKeys(moves) {
		from := moves[to]
		ri := st.Resources[from.String()]
		if ri == nil || st.Resources[to] != nil {
			continue
		}
		dst, diags := addrs.ParseResourceInstance(to)
		if diags.HasErrors() {
			return fmt.Errorf("move %s to %s: %s", from, to, diags.Error())
		}
		moved := *ri
		moved.Addr = dst
		delete(st.Resources, from.String())
		st.Resources[to] = &moved
		if err := MoveInstanceSections(st, kinds, from, dst); err != nil {
			return fmt.Errorf("move %s to %s: %w", from, to, err)
		}
	}
	return nil
}
