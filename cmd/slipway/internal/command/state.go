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

package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/state"
)

// StateArgs are the flags of the state subcommands.
type StateArgs struct {
	LockArgs
	Addrs []string
	// Force lets state push replace a state of another lineage or a
	// higher serial.
	Force bool
}

// withState runs fn on the state under lock and writes the result back
// when fn reports a change.
func (m *Meta) withState(ctx context.Context, la LockArgs, op string, fn func(*state.State) (bool, error)) int {
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	b, diags := m.backend(cfg)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	unlock, err := m.lock(ctx, b, la, op)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	defer unlock()
	if err := editState(ctx, b, fn); err != nil {
		m.View.Error(err)
		return 1
	}
	return 0
}

// editState reads the state of b (held locked by the caller) with the
// journal's finished changes, folds them into the stored state
// (foldJournal), and writes back what fn makes of it when fn reports a
// change.
func editState(ctx context.Context, b state.Backend, fn func(*state.State) (bool, error)) error {
	st, _, mark, err := readJournal(ctx, b)
	if err != nil {
		return err
	}
	if err := foldJournal(ctx, b, st, mark); err != nil {
		return err
	}
	changed, err := fn(st)
	if err != nil || !changed {
		return err
	}
	return b.Write(context.WithoutCancel(ctx), st)
}

// StateList runs `slipway state list [ADDR...]`.
func (m *Meta) StateList(ctx context.Context, a StateArgs) int {
	st, pending, ok := m.readStatePending(ctx)
	if !ok {
		return 1
	}
	filters, err := parseAddrs(a.Addrs)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	for _, k := range st.SortedAddrs() {
		ri := st.Resources[k]
		if len(filters) > 0 && !matchesAny(ri.Addr, filters) {
			continue
		}
		m.View.Printf("%s\n", k)
	}
	m.printPending(pending)
	return 0
}

// printPending lists, on stderr so that scripts reading the list are not
// misled, the changes an interrupted apply left unfinished: the next plan
// reads them back.
func (m *Meta) printPending(pending []state.Pending) {
	if len(pending) == 0 {
		return
	}
	m.View.Eprintf("\n%d %s an interrupted apply left unfinished; the next plan reads %s back through the provider:\n",
		len(pending), pick(len(pending), "change", "changes"), pick(len(pending), "it", "them"))
	for _, p := range pending {
		m.View.Eprintf("  %s %s (%s, began %s)\n", p.Action, p.Addr, p.ID, p.Began.Local().Format("2006-01-02 15:04:05"))
	}
}

// StateShow runs `slipway state show ADDR`.
func (m *Meta) StateShow(ctx context.Context, a StateArgs) int {
	if len(a.Addrs) != 1 {
		m.View.Error(errors.New("state show takes exactly one address, like slipway state show file.a"))
		return 1
	}
	st, ok := m.readState(ctx)
	if !ok {
		return 1
	}
	ri := st.Resources[canonical(a.Addrs[0])]
	if ri == nil {
		m.View.Error(fmt.Errorf("no instance %s in state; see slipway state list", a.Addrs[0]))
		return 1
	}
	render.HumanResource(m.View.Stdout, ri, render.Options{Color: m.View.Color})
	return 0
}

// StateRm runs `slipway state rm ADDR...`: slipway forgets the objects
// without deleting them.
func (m *Meta) StateRm(ctx context.Context, a StateArgs) int {
	filters, err := parseAddrs(a.Addrs)
	if err != nil || len(filters) == 0 {
		m.View.Error(fmt.Errorf("state rm needs at least one valid address: %v", err))
		return 1
	}
	// What it did is said once the state holding it is written.
	var removed []string
	rc := m.withState(ctx, a.LockArgs, "state rm", func(st *state.State) (bool, error) {
		removed = nil
		for _, k := range st.SortedAddrs() {
			ri := st.Resources[k]
			if !matchesAny(ri.Addr, filters) {
				continue
			}
			if err := planner.ForgetInstanceSections(st, nil, ri.Addr); err != nil {
				return false, fmt.Errorf("cannot remove %s: %w", k, err)
			}
			delete(st.Resources, k)
			removed = append(removed, k)
		}
		if len(removed) == 0 {
			return false, fmt.Errorf("no instance in state matches %s", strings.Join(a.Addrs, ", "))
		}
		return true, nil
	})
	if rc != 0 {
		return rc
	}
	for _, k := range removed {
		m.View.Printf("Removed %s\n", k)
	}
	m.View.Printf("Successfully removed %d resource instance(s).\n", len(removed))
	return 0
}

// StateMv runs `slipway state mv SRC DST`.
func (m *Meta) StateMv(ctx context.Context, a StateArgs) int {
	if len(a.Addrs) != 2 {
		m.View.Error(errors.New("state mv takes a source and a destination address, like slipway state mv file.a file.b"))
		return 1
	}
	src, err := parseAddrs(a.Addrs[:1])
	if err != nil {
		m.View.Error(err)
		return 1
	}
	dst, err := parseAddrs(a.Addrs[1:])
	if err != nil {
		m.View.Error(err)
		return 1
	}
	var moved []string
	rc := m.withState(ctx, a.LockArgs, "state mv", func(st *state.State) (bool, error) {
		moved = nil
		from, to := src[0], dst[0]
		if from.Resource.Kind != to.Resource.Kind || from.Resource.Type != to.Resource.Type {
			return false, fmt.Errorf("cannot move %s to %s: an object keeps its kind and type", from, to)
		}
		for _, k := range st.SortedAddrs() {
			ri := st.Resources[k]
			var target addrs.ResourceInstance
			switch {
			case ri.Addr == from:
				target = to
			case from.Key == nil && ri.Addr.Resource == from.Resource && to.Key == nil:
				target = to.Resource.Instance(ri.Addr.Key)
			default:
				continue
			}
			if st.Resources[target.String()] != nil {
				return false, fmt.Errorf("cannot move %s to %s: the destination already exists in state", ri.Addr, target)
			}
			if err := planner.MoveInstanceSections(st, nil, ri.Addr, target); err != nil {
				return false, fmt.Errorf("cannot move %s to %s: %w", ri.Addr, target, err)
			}
			delete(st.Resources, k)
			ri.Addr = target
			st.Resources[target.String()] = ri
			moved = append(moved, fmt.Sprintf("Moved %s to %s", k, target))
		}
		if len(moved) == 0 {
			return false, fmt.Errorf("no instance in state matches %s", from)
		}
		return true, nil
	})
	if rc != 0 {
		return rc
	}
	for _, line := range moved {
		m.View.Printf("%s\n", line)
	}
	return 0
}

// StatePull runs `slipway state pull`: the raw state document on stdout.
func (m *Meta) StatePull(ctx context.Context) int {
	st, pending, ok := m.readStatePending(ctx)
	if !ok {
		return 1
	}
	b, err := state.Encode(st)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Stdout.Write(b)
	if len(pending) > 0 {
		// The document carries no journal: pushed elsewhere, the next
		// plan there would not read these back, and would make them
		// again.
		m.printPending(pending)
		m.View.Eprintf("The pulled state does not hold %s: a state push of it into another backend loses %s. slipway init -migrate-state copies the journal with the state; or run slipway plan here first, and apply it, which records %s.\n",
			pick(len(pending), "this change", "these changes"), pick(len(pending), "it", "them"), pick(len(pending), "it", "them"))
	}
	return 0
}

// StatePush runs `slipway state push FILE` ("-" for stdin). It refuses a
// state of another lineage, or one older than the current, unless -force.
func (m *Meta) StatePush(ctx context.Context, a StateArgs) int {
	if len(a.Addrs) != 1 {
		m.View.Error(errors.New("state push takes one file (or - for standard input)"))
		return 1
	}
	var data []byte
	var err error
	if a.Addrs[0] == "-" {
		data, err = io.ReadAll(m.Stdin)
	} else {
		data, err = os.ReadFile(a.Addrs[0])
	}
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if state.IsSealed(data) {
		// A fallback state file is sealed as the state is.
		cfg, diags := m.backendConfigured()
		if !diags.HasErrors() {
			_, _, diags = m.sealers(cfg, nil)
		}
		if diags.HasErrors() {
			m.View.Diagnostics(diags)
			return 1
		}
		var sealer state.Sealer
		if t := m.enc.targets.State; t != nil {
			sealer = t.AcceptingPlain()
		}
		if data, err = state.Open(sealer, data); err != nil {
			m.View.Error(fmt.Errorf("%s: %w", a.Addrs[0], err))
			return 1
		}
	}
	pushed, err := state.Decode(data)
	if err != nil {
		m.View.Error(fmt.Errorf("%s: %w", a.Addrs[0], err))
		return 1
	}
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	b, diags := m.backend(cfg)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	unlock, err := m.lock(ctx, b, a.LockArgs, "state push")
	if err != nil {
		m.View.Error(err)
		return 1
	}
	defer unlock()
	st, _, mark, err := readJournal(ctx, b)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if err := pushable(st, pushed, a.Force); err != nil {
		m.View.Error(err)
		return 1
	}
	// The journal's finished changes are of the state replaced: folded
	// into it first, none is replayed over the state pushed.
	if err := foldJournal(ctx, b, st, mark); err != nil {
		m.View.Error(err)
		return 1
	}
	ctx = context.WithoutCancel(ctx)
	// A newer version of the state keeps its serial, as it had it in the
	// backend it was pulled from; anything else (a -force push) takes the
	// next serial here, so that the serial never goes backwards.
	sw, ok := b.(state.SerialWriter)
	if ok && !a.Force && pushed.Serial > st.Serial {
		err = sw.WriteSerial(ctx, pushed)
	} else {
		err = b.Write(ctx, pushed)
	}
	if err != nil {
		m.View.Error(err)
		return 1
	}
	return 0
}

// pushable refuses, unless force, a pushed state that is not a later
// version of the current one: another lineage, an older serial, or the
// same serial with other content. An empty current state takes anything.
func pushable(cur, pushed *state.State, force bool) error {
	if force || cur.Empty() {
		return nil
	}
	switch {
	case pushed.Lineage != cur.Lineage:
		return fmt.Errorf("cannot push: the file's lineage %s differs from the current state's %s; use -force to replace it anyway", pushed.Lineage, cur.Lineage)
	case pushed.Serial < cur.Serial:
		return fmt.Errorf("cannot push: the file's serial %d is older than the current state's %d; use -force to replace it anyway", pushed.Serial, cur.Serial)
	case pushed.Serial == cur.Serial:
		if err := state.CheckReplace(cur, pushed); err != nil {
			return fmt.Errorf("cannot push: the file has the current state's serial %d but other content; use -force to replace it anyway", cur.Serial)
		}
	}
	return nil
}

// ForceUnlock runs `slipway force-unlock LOCK_ID`.
func (m *Meta) ForceUnlock(ctx context.Context, id string, force bool) int {
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	b, diags := m.backend(cfg)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	if !force {
		m.View.Printf("Do you really want to force-unlock?\n  slipway will remove the lock %s on the state. Only 'yes' will be accepted.\n\n  Enter a value: ", id)
		var answer string
		fmt.Fscanln(m.Stdin, &answer)
		if answer != "yes" {
			m.View.Printf("\nForce-unlock cancelled.\n")
			return 1
		}
	}
	if err := b.ForceUnlock(ctx, id); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s The state has been unlocked.\n", m.View.Green("slipway state has been successfully unlocked!"))
	return 0
}

func parseAddrs(list []string) ([]addrs.ResourceInstance, error) {
	var out []addrs.ResourceInstance
	for _, s := range list {
		ai, diags := addrs.ParseResourceInstance(s)
		if diags.HasErrors() {
			return nil, fmt.Errorf("invalid address %q: %s", s, diags[0].Detail)
		}
		out = append(out, ai)
	}
	return out, nil
}

// canonical rewrites an address in its canonical spelling.
func canonical(s string) string {
	if ai, diags := addrs.ParseResourceInstance(s); !diags.HasErrors() {
		return ai.String()
	}
	return s
}

// matchesAny: a filter without a key matches every instance of its block.
func matchesAny(a addrs.ResourceInstance, filters []addrs.ResourceInstance) bool {
	for _, f := range filters {
		if f == a || (f.Key == nil && f.Resource == a.Resource) {
			return true
		}
	}
	return false
}

// Import runs `slipway import ADDR ID`: it adopts an existing object into
// state under the address of a declared resource block.
func (m *Meta) Import(ctx context.Context, a ImportArgs) int {
	addr, err := parseAddrs([]string{a.Addr})
	if err != nil {
		m.View.Error(err)
		return 1
	}
	s := m.open(ctx, a.VarArgs, a.LockArgs, "import", 0)
	if s == nil {
		return 1
	}
	defer s.close()
	ri, diags := s.ctx.Import(ctx, addr[0], a.ID)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	st := s.ctx.State.DeepCopy()
	// The state was read with the journal's finished changes replayed:
	// folded into the stored state first, none (the delete of a killed
	// destroy) can be replayed over the import.
	if err := foldJournal(ctx, s.backend, st, s.ctx.JournalMark); err != nil {
		m.View.Error(err)
		return 1
	}
	st.Resources[ri.Addr.String()] = ri
	if err := s.backend.Write(context.WithoutCancel(ctx), st); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s\n\nThe object is now managed by slipway as %s.\n", m.View.Green("Import successful!"), ri.Addr)
	m.Hint("Run slipway plan to compare it with its configuration.\n")
	return 0
}

// ImportArgs are import's flags.
type ImportArgs struct {
	VarArgs
	LockArgs
	Addr string
	ID   string
}

// pick is one or many by n.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
