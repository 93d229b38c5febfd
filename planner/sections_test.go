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
	"testing"

	"slipway.dev/slipway/state"
)

// TestUpdateSectionMember: a section updated member by member shows every
// update in the next snapshot, leaves other sections and earlier snapshots
// as they were, starts afresh when it is not a JSON object, and ignores a
// value that is not JSON.
func TestUpdateSectionMember(t *testing.T) {
	t.Parallel()
	st := state.NewState()
	st.Extra = map[string]json.RawMessage{
		"s":     json.RawMessage(`{"a":1,"b":2}`),
		"other": json.RawMessage(`"kept"`),
		"bad":   json.RawMessage(`[1,2]`),
	}
	a := (&Context{State: st}).NewApplier()
	set := func(section, member, value string) {
		t.Helper()
		a.updateMember(section, member, func(json.RawMessage) json.RawMessage {
			if value == "" {
				return nil
			}
			return json.RawMessage(value)
		})
	}
	var seen string
	a.updateMember("s", "b", func(cur json.RawMessage) json.RawMessage {
		seen = string(cur)
		return json.RawMessage(`3`)
	})
	if seen != "2" {
		t.Errorf("the update of s.b was given %q, want its value 2", seen)
	}
	set("s", "c", `{"k":true}`)
	set("s", "a", "")
	set("s", "d", `{not json`)
	set("bad", "x", `1`)
	first := a.Snapshot()
	want := map[string]string{"s": `{"b":3,"c":{"k":true}}`, "other": `"kept"`, "bad": `{"x":1}`}
	for name, w := range want {
		if got := string(first.Extra[name]); got != w {
			t.Errorf("section %s = %s, want %s", name, got, w)
		}
	}

	set("s", "b", `4`)
	if got := string(first.Extra["s"]); got != want["s"] {
		t.Errorf("an update after a snapshot changed it: %s", got)
	}
	if got := string(a.Snapshot().Extra["s"]); got != `{"b":4,"c":{"k":true}}` {
		t.Errorf("the next snapshot has s = %s", got)
	}
}
