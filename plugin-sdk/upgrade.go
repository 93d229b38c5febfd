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

package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// StateUpgrader turns a stored state of one schema version into the next
// version's shape. state is the stored value as JSON decodes it: objects
// are map[string]any, lists []any, numbers json.Number (so that no
// precision is lost), and null attributes nil. The upgrader may change
// state in place and return it. An error stops the upgrade, and slipway
// then plans nothing for the instance.
type StateUpgrader func(ctx context.Context, state map[string]any) (map[string]any, error)

// ResourceWithUpgradeState is a resource type whose state has changed
// shape: its Schema's Version is above 0, and StateUpgraders has one
// upgrader for every older version slipway may have stored, keyed by the
// version it upgrades from. A state stored with version N goes through
// the upgraders of N, N+1, ... up to Version-1 in turn, and what the last
// returns is decoded against the current schema: it must have exactly
// the schema's attributes (those left out are null).
//
// Keep every upgrader once it is released: a user may skip provider
// versions, and their state is then upgraded through the whole chain.
type ResourceWithUpgradeState interface {
	Resource
	StateUpgraders() map[int64]StateUpgrader
}

// UpgradeStateRequest asks for a stored state in the current shape.
type UpgradeStateRequest struct {
	Address  string
	TypeName string
	// Version is the schema version the state was written with.
	Version int64
	// RawState is the stored state as JSON, in that version's shape.
	RawState []byte
}

// UpgradeStateResponse is the stored state in the current schema's type.
type UpgradeStateResponse struct {
	State       cty.Value
	Diagnostics Diagnostics
}

// UpgradeState brings raw, a state of resource type r stored with schema
// version from, up to r's current schema version through its upgraders,
// and decodes it against the current schema. The SDK calls it for
// slipway's UpgradeState requests; it is exported for tests that check
// an upgrader without a plugin process (sdktest.UpgradeState checks one
// through the real protocol).
func UpgradeState(ctx context.Context, r Resource, from int64, raw []byte) (cty.Value, Diagnostics) {
	return upgradeState(ctx, r, r.Schema(), from, raw, "the resource")
}

func upgradeState(ctx context.Context, r Resource, schema Schema, from int64, raw []byte, subj string) (cty.Value, Diagnostics) {
	var diags Diagnostics
	ty := schema.ImpliedType()
	to := schema.Version
	if from > to {
		diags.AddError("State written by a newer provider",
			fmt.Sprintf("The state of %s was written with schema version %d, but this provider's schema is version %d: it was written by a newer version of the provider. Use that version (or a newer one) again; a provider cannot downgrade state.", subj, from, to))
		return cty.NilVal, diags
	}
	if from < to {
		up, _ := r.(ResourceWithUpgradeState)
		var ups map[int64]StateUpgrader
		if up != nil {
			func() {
				defer recoverInto(&diags, subj, "StateUpgraders")
				ups = up.StateUpgraders()
			}()
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
		}
		var missing []int64
		for v := from; v < to; v++ {
			if ups[v] == nil {
				missing = append(missing, v)
			}
		}
		if len(missing) > 0 {
			diags.AddError("No state upgrader",
				fmt.Sprintf("The state of %s was written with schema version %d and the provider's schema is version %d, but the provider has no upgrader from version %s. This is a bug in the provider; please report it to its author.", subj, from, to, joinVersions(missing)))
			return cty.NilVal, diags
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var state map[string]any
		if err := dec.Decode(&state); err != nil {
			diags.AddError("Invalid stored state",
				fmt.Sprintf("The stored state of %s is not a JSON object: %s.", subj, err))
			return cty.NilVal, diags
		}
		for v := from; v < to; v++ {
			var err error
			func() {
				defer recoverInto(&diags, subj, fmt.Sprintf("the state upgrader from version %d", v))
				state, err = ups[v](ctx, state)
			}()
			if err == nil && state == nil && !diags.HasErrors() {
				err = fmt.Errorf("it returned no state")
			}
			if err != nil {
				diags.AddError("State upgrade failed",
					fmt.Sprintf("Upgrading the state of %s from schema version %d to %d failed: %s.", subj, v, v+1, err))
			}
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
		}
		var err error
		if raw, err = json.Marshal(state); err != nil {
			diags.AddError("State upgrade failed",
				fmt.Sprintf("The upgraded state of %s cannot be encoded as JSON: %s. This is a bug in the provider; please report it to its author.", subj, err))
			return cty.NilVal, diags
		}
	}
	v, err := ctyjson.Unmarshal(raw, ty)
	if err != nil {
		what := "The stored state"
		if from < to {
			what = fmt.Sprintf("The state upgraded from schema version %d", from)
		}
		diags.AddError("State does not match the schema",
			fmt.Sprintf("%s of %s does not match schema version %d: %s. This is a bug in the provider's state upgraders; please report it to its author.", what, subj, to, err))
		return cty.NilVal, diags
	}
	return v, diags
}

// joinVersions lists versions, in the order given, for a message.
func joinVersions(vs []int64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, ", ")
}
