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
	"encoding/json"
	"fmt"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// MoveInstanceSections moves the members of from, in the state sections
// its kind keys by instance address (kind.InstanceSections), to the
// address to, replacing what to had there: `state mv` runs it for each
// instance it moves. nil kinds means DefaultKinds.
func MoveInstanceSections(st *state.State, kinds []kind.Kind, from, to addrs.ResourceInstance) error {
	return editInstanceSections(st, kinds, from, func(m map[string]json.RawMessage) {
		if v, ok := m[from.String()]; ok {
			m[to.String()] = v
			delete(m, from.String())
		}
	})
}

// ForgetInstanceSections removes the members of addr from the state
// sections its kind keys by instance address: `state rm` runs it for each
// instance it forgets, so that a later object at the address does not
// inherit them (an app's rollback to the sync of another app).
func ForgetInstanceSections(st *state.State, kinds []kind.Kind, addr addrs.ResourceInstance) error {
	return editInstanceSections(st, kinds, addr, func(m map[string]json.RawMessage) {
		delete(m, addr.String())
	})
}

func editInstanceSections(st *state.State, kinds []kind.Kind, addr addrs.ResourceInstance, edit func(map[string]json.RawMessage)) error {
	k, ok := kindMap(kinds)[addr.Resource.Kind].(kind.InstanceSections)
	if !ok {
		return nil
	}
	for _, name := range k.InstanceSections() {
		raw, ok := st.Extra[name]
		if !ok {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("state section %s is unreadable: %w", name, err)
		}
		if _, ok := m[addr.String()]; !ok {
			continue
		}
		edit(m)
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		st.Extra[name] = b
	}
	return nil
}
