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

package plans

// Action is what a change does to its object.
type Action byte

const (
	NoOp Action = iota
	Create
	Read
	Update
	// DeleteThenCreate replaces an object, deleting the old one first.
	DeleteThenCreate
	// CreateThenDelete replaces an object, creating the new one first
	// (lifecycle create_before_destroy).
	CreateThenDelete
	Delete
	// Run executes a pipeline.
	Run
)

var actionNames = [...]string{"no-op", "create", "read", "update", "replace", "replace", "delete", "run"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// Symbol is the marker views print before a change.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Read:
		return "<="
	case Update:
		return "~"
	case DeleteThenCreate:
		return "-/+"
	case CreateThenDelete:
		return "+/-"
	case Delete:
		return "-"
	case Run:
		return ">"
	}
	return " "
}

// IsReplace reports whether the action replaces an object.
func (a Action) IsReplace() bool { return a == DeleteThenCreate || a == CreateThenDelete }

// JSONActions is the action as the list the JSON plan format uses, in the
// order the steps happen (["delete","create"] for a replace).
func (a Action) JSONActions() []string {
	switch a {
	case DeleteThenCreate:
		return []string{"delete", "create"}
	case CreateThenDelete:
		return []string{"create", "delete"}
	}
	return []string{a.String()}
}

// Reason says why a change was planned, in a form bots can branch on; the
// human wording is in ResourceChange.ReasonDetail.
type Reason string

const (
	ReasonNone             Reason = ""
	ReasonNew              Reason = "new"                // declared, not in state
	ReasonConfigChanged    Reason = "config_changed"     // configuration differs from state
	ReasonReplaceRequested Reason = "replace_by_request" // -replace ADDR
	ReasonReplaceAttrs     Reason = "replace_because_cannot_update"
	ReasonTainted          Reason = "replace_because_tainted"
	ReasonReplaceTriggered Reason = "replace_by_triggers" // lifecycle.replace_triggered_by
	ReasonRemoved          Reason = "delete_because_no_resource_config"
	ReasonCountIndex       Reason = "delete_because_count_index"
	ReasonEachKey          Reason = "delete_because_each_key"
	ReasonDestroy          Reason = "delete_because_destroy"
	ReasonDeletedOutside   Reason = "create_because_deleted_outside" // refresh found it gone
	ReasonDrift            Reason = "update_because_drift"           // refresh found it changed
	ReasonInputsChanged    Reason = "run_because_inputs_changed"     // a pipeline's inputs moved
	ReasonLastRunFailed    Reason = "run_because_last_run_failed"    // a pipeline's last run failed, its inputs unmoved
	ReasonAdopted          Reason = "adopt_existing"                 // an object of an app taken over from Argo CD or Flux
	ReasonKept             Reason = "keep_on_destroy"                // an object of an app its destroy leaves in place (a no-op)
)

// ParseAction returns the Action that String names; "replace" names
// DeleteThenCreate.
func ParseAction(s string) (Action, bool) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), true
		}
	}
	return NoOp, false
}
