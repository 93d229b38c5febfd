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

import (
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// FormatVersion is the version of the JSON plan document and of saved
// plan files. Bump the minor for additions, the major for breaking changes.
const FormatVersion = "1.6"

// Mode is the kind of plan.
type Mode byte

const (
	NormalMode Mode = iota
	DestroyMode
	RefreshOnlyMode
)

func (m Mode) String() string {
	return [...]string{"normal", "destroy", "refresh-only"}[m]
}

// Interrupted is a change that an apply began and never finished (the
// process was killed), read back through its provider by this plan.
type Interrupted struct {
	// ID is the operation's ID in the intent journal.
	ID     string
	Addr   addrs.ResourceInstance
	Action Action
	// Outcome says what the read found: InterruptedAdopted,
	// InterruptedAbsent or InterruptedInState.
	Outcome string
}

// What reading an interrupted change back found.
const (
	// InterruptedAdopted: the object exists; the plan takes it into state
	// instead of creating it again.
	InterruptedAdopted = "adopted"
	// InterruptedAbsent: nothing was made; the plan creates it as usual.
	InterruptedAbsent = "absent"
	// InterruptedInState: the instance is in state, and refresh reads it
	// as any other.
	InterruptedInState = "in state"
)

// Plan is everything one `slipway plan` proposes.
type Plan struct {
	Mode           Mode
	SlipwayVersion string
	Timestamp      time.Time

	// Changes holds one change per resource instance in configuration or
	// state, no-ops included, sorted by address.
	Changes []*ResourceChange
	// Drift holds what refresh found changed outside slipway, as changes
	// from the recorded state to the refreshed one.
	Drift []*ResourceChange
	// Outputs holds the changes of root outputs, sorted by name.
	Outputs []*OutputChange
	// Interrupted lists the changes an interrupted apply left unfinished,
	// as this plan read them back through their providers. Applying the
	// plan resolves them.
	Interrupted []*Interrupted
	// Upgraded lists the instances whose stored state the plan upgraded
	// to their provider's current schema version, by address. They need
	// no change, but applying the plan records the upgraded states. It
	// is not saved in plan files: applying a saved plan records them all
	// the same.
	Upgraded []string

	// Workspace is the workspace whose state the plan was made against;
	// applying a saved plan in another is refused. Plans saved before
	// workspaces existed have none: see WorkspaceName.
	Workspace string
	// PriorLineage and PriorSerial identify the state the plan was made
	// against; applying a saved plan against any other state is refused.
	PriorLineage string
	PriorSerial  uint64
	// PriorJournal is the mark of the state's journal the plan was made
	// with (state.JournalMark, "" for an empty one): an apply that ran or
	// was killed since leaves other entries, and moves no serial.
	PriorJournal string
	// ConfigHash identifies the configuration files the plan was made
	// from; applying a saved plan to other files is refused.
	ConfigHash string
	// Variables are the input variable values the plan was made with.
	Variables map[string]cty.Value
	// SensitiveVariables names the variables declared sensitive; views
	// mask their values.
	SensitiveVariables []string

	// Options the plan was made with.
	Targets  []string
	Excludes []string
	Replace  []string
	Refresh  bool

	// Errored is set when planning stopped on errors; such a plan is shown
	// but can never be applied.
	Errored bool

	// Offline is set for a plan made without reaching the cluster (plan
	// -offline): apps were rendered and compared with what state recorded
	// at the last apply, not with the live objects.
	Offline bool
	// LocalSources are the sources read from local checkouts instead of
	// their remotes (plan -source NAME=DIR), sorted by address.
	LocalSources []LocalSource
	// NotPlanned lists, sorted, the instances an offline plan could not
	// plan: their providers cannot plan without reaching what they manage.
	NotPlanned []string
}

// LocalSource is a source a preview plan read from a local checkout.
type LocalSource struct {
	Addr string `json:"address"` // source.git.gitops
	Dir  string `json:"dir"`
	// Revision is the checkout's HEAD commit, with "+dirty.HASH" (a hash
	// of its files) when its work tree has uncommitted changes.
	Revision string `json:"revision"`
}

// Preview reports whether the plan only previews: made offline or from
// local checkouts, it shows what a change would do and is never applied.
func (p *Plan) Preview() bool { return p.Offline || len(p.LocalSources) > 0 }

// OfflineNote is what every view of an offline plan says of it.
const OfflineNote = "offline: compared with the state of the last apply, not with the cluster"

// WorkspaceName is the plan's workspace, the default one when it names
// none.
func (p *Plan) WorkspaceName() string {
	if p.Workspace == "" {
		return state.DefaultWorkspace
	}
	return p.Workspace
}

// ResourceChange is the planned change of one resource instance.
type ResourceChange struct {
	Addr     addrs.ResourceInstance
	Provider addrs.Provider
	// Type is the resource or source type (empty for pipeline, app, rollout).
	Type   string
	Action Action
	// Reason says why, for machines; ReasonDetail for people
	// ("source.git.app moved 1a2b3c4 -> 9f8e7d6").
	Reason       Reason
	ReasonDetail string

	// Before is the prior (refreshed) value, null on create. After is the
	// planned value, null on delete; it may hold unknown values.
	Before cty.Value
	After  cty.Value
	// BeforeSensitive and AfterSensitive are the paths of sensitive values.
	BeforeSensitive []cty.Path
	AfterSensitive  []cty.Path
	// RequiresReplace lists the attributes whose change forced a replace.
	RequiresReplace []cty.Path
	// ReplaceReasons says, for the path of RequiresReplace at the same
	// index, why its change forces replacement ("the API cannot rename a
	// repository"); it may be shorter, and "" says nothing.
	ReplaceReasons []string
	// Local names, sorted, the attributes whose values only make sense
	// on the machine that made the plan (cache paths, from the schema's
	// Local flag). A difference in them alone is never a change, and the
	// human and Markdown views leave them out.
	Local []string
	// Private is the provider's planned private data, handed to apply.
	Private []byte
	// RefreshedPrivate, on a no-op, is the private data the refresh read
	// when it differs from what state records (the kubernetes provider's
	// record of where it last read an app's objects, made anew once they
	// were written to and found as recorded): applying the plan records
	// it, as it records a refreshed value, and changes nothing else.
	RefreshedPrivate []byte
	// Nested holds the object-level changes inside this one (the
	// Kubernetes objects of an app), each addressed relative to it.
	Nested []*NestedChange
	// NestedFrom names the attributes Nested was drawn from; human views
	// show the nested changes instead of diffing those attributes again.
	NestedFrom []string
	// Rollout is the rollout block an app follows ("rollout.canary"),
	// or "": the views and policies show which apps roll out safely.
	Rollout string
	// RolloutStatus is the road the app's rollout will take and where it
	// stands (from the app's planned rollout_status), or nil when the
	// change rolls nothing out.
	RolloutStatus *rolloutspec.Status
	// PreviousAddr, when not nil, is where state records the object: the
	// plan moves it to Addr, as Terraform's implied moves do when count is
	// added to a block (file.a to file.a[0]) or taken off it (back). The
	// change is planned from it there; applying the plan moves it in state
	// first, which is a change even when Action is NoOp.
	PreviousAddr *addrs.ResourceInstance
}

// NestedChange is one object inside a resource change, such as the
// apps/v1 Deployment web/web of app.web.
type NestedChange struct {
	// Address names the object within its parent ("apps/v1 Deployment web/web").
	Address         string
	Action          Action
	Reason          Reason
	Before, After   cty.Value
	BeforeSensitive []cty.Path
	AfterSensitive  []cty.Path
	// Random are the fields a chart renders differently each time
	// (randAlphaNum, now, uuidv4): views mark them as random rather than
	// as a change of the user's.
	Random []cty.Path
}

// OutputChange is the planned change of a root output.
type OutputChange struct {
	Name      string
	Action    Action
	Before    cty.Value
	After     cty.Value
	Sensitive bool
}

// ReleaseValues drops the change's values (and its nested changes'),
// keeping what it is: its address, action and reasons. An apply calls it
// once the instance is applied, so that the plan's values are not held
// beside the state the apply builds from the applied ones.
func (c *ResourceChange) ReleaseValues() {
	c.Before, c.After = cty.NilVal, cty.NilVal
	for _, n := range c.Nested {
		n.Before, n.After = cty.NilVal, cty.NilVal
	}
}

// Summary counts the planned actions.
type Summary struct {
	Add, Change, Destroy, Run, Read int
}

// Summary counts what the plan will do. A replace counts once as add and
// once as destroy, as Terraform counts it.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Add++
		case Update:
			s.Change++
		case Delete:
			s.Destroy++
		case DeleteThenCreate, CreateThenDelete:
			s.Add++
			s.Destroy++
		case Run:
			s.Run++
		case Read:
			s.Read++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything:
// a resource action other than no-op or read, or an output change.
func (p *Plan) HasChanges() bool {
	// Changes an interrupted apply left unfinished are resolved only by
	// applying the plan that read them back.
	if len(p.Interrupted) > 0 {
		return true
	}
	for _, c := range p.Changes {
		if c.Action != NoOp && c.Action != Read || c.PreviousAddr != nil {
			return true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			return true
		}
	}
	return false
}

// RecordsRefresh reports whether applying the plan would record private
// data a refresh read, though it changes nothing (RefreshedPrivate).
func (p *Plan) RecordsRefresh() bool {
	for _, c := range p.Changes {
		if c.Action == NoOp && c.RefreshedPrivate != nil {
			return true
		}
	}
	return false
}

// Change returns the change of addr, or nil.
func (p *Plan) Change(addr addrs.ResourceInstance) *ResourceChange {
	for _, c := range p.Changes {
		if c.Addr == addr {
			return c
		}
	}
	return nil
}

// Partial reports whether the plan was made with -target or -exclude, so
// that it may leave out changes the configuration asks for. Every view
// says so.
func (p *Plan) Partial() bool {
	return len(p.Targets) > 0 || len(p.Excludes) > 0
}

// RolloutSensitive reports, from an app value's sensitive paths, whether
// the words of its rollout may carry a secret:
// its status, what the plan proposes, or the strategy they come from (an
// analysis URL with a token, say) is sensitive.
func RolloutSensitive(paths []cty.Path) bool {
	for _, attr := range []string{builtin.AppRolloutStatus, builtin.AppRolloutPlan, builtin.AppRollout} {
		at := cty.GetAttrPath(attr)
		for _, p := range paths {
			if len(p) == 0 || (len(p) <= len(at) && p.Equals(at[:len(p)])) || (len(p) > len(at) && p[:len(at)].Equals(at)) {
				return true
			}
		}
	}
	return false
}
