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
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
	"slipway.dev/slipway/planner/plugins/oci"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// InitArgs are init's flags.
type InitArgs struct {
	LockArgs
	Upgrade bool
	// Platforms are the platforms (OS_ARCH) besides this one whose
	// provider binaries the lock file must accept too.
	Platforms []string
	// MigrateState copies every workspace's state from the backend init
	// last set up to the configured one, when they differ.
	MigrateState bool
	// ForceCopy answers yes to the migration question (and implies
	// MigrateState).
	ForceCopy bool
	// Reconfigure sets up the configured backend without copying
	// anything from the previous one.
	Reconfigure bool
	// Input allows questions; with -input=false init never asks.
	Input bool
}

// Init runs `slipway init`: it finds every provider the configuration
// needs, pins each in the lock file and creates nothing else.
func (m *Meta) Init(ctx context.Context, a InitArgs) int {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	for _, p := range a.Platforms {
		if err := plugins.CheckPlatform(p); err != nil {
			m.View.Error(fmt.Errorf("-platform: %w", err))
			return 1
		}
	}
	if !m.initBackend(ctx, cfg, a) {
		return 1
	}
	old, d := plugins.LoadLocks(m.Dir)
	if a.Upgrade {
		// Every pin is made again: a lock file slipway cannot read is
		// replaced, not a reason to stop.
		old = &plugins.Locks{Providers: map[string]*plugins.Lock{}}
	} else {
		diags = append(diags, d...)
	}
	var st = emptyState()
	if _, _, d := m.sealers(cfg, nil); d.HasErrors() {
		// The state is read only for the providers it alone still
		// needs: without its key, init goes on without it.
		st = m.stateWithoutKey(ctx, cfg, d, &diags)
	} else {
		var d hcl.Diagnostics
		st, d = m.initState(ctx, cfg)
		diags = append(diags, d...)
	}
	search, d := plugins.LoadSearchPath(m.Dir)
	diags = append(diags, d...)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	m.View.Printf("%s\n\n", m.View.Bold("Initializing provider plugins..."))
	locks, d := plugins.Install(ctx, planner.Requirements(cfg, st), old, plugins.InstallOptions{
		Search: search, Builtins: m.Builtins, SlipwayVersion: m.Version, Upgrade: a.Upgrade, Platforms: a.Platforms, Stderr: m.View.Stderr,
		Registry: oci.Options{UserAgent: "slipway/" + m.Version},
		Pulled: func(name, version, platform, ref string) {
			m.View.Printf("- %s v%s: pulled the %s build from %s\n", name, version, platform, ref)
		},
		Report: func(name, version, path string, builtin bool) {
			if builtin {
				m.View.Printf("- %s: built into slipway\n", name)
				return
			}
			m.View.Printf("- %s v%s: %s\n", name, version, path)
		},
	})
	diags = append(diags, d...)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	if err := locks.Save(m.Dir); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("\n%s\n\nslipway recorded the providers' versions and hashes in %s; commit it with your configuration.\n",
		m.View.Green("slipway has been successfully initialized!"), plugins.LockFileName)
	m.Hint("Run \"slipway plan\" to see what slipway would change.\n")
	return 0
}

// initState is the selected workspace's state, for the providers of what
// it holds; empty when the workspace does not exist yet (init is what a
// new working directory runs first) or the state cannot be read.
func (m *Meta) initState(ctx context.Context, cfg *lang.Config) (*state.State, hcl.Diagnostics) {
	s, diags := m.store(cfg)
	if diags.HasErrors() {
		return emptyState(), diags
	}
	ws, err := m.workspace()
	if err != nil {
		return emptyState(), errorDiags(err)
	}
	if found, _, err := exists(ctx, s, ws); err != nil || !found {
		if err == nil && ws != state.DefaultWorkspace {
			m.View.Eprintf("Warning: the selected workspace %q (%s) does not exist in this backend; create it with slipway workspace new %s, or select another.\n\n", ws, m.workspaceSource(), ws)
		}
		return emptyState(), nil
	}
	b, err := s.Backend(ws)
	if err != nil {
		return emptyState(), errorDiags(err)
	}
	if st, err := b.Read(ctx); err == nil {
		return st, nil
	}
	return emptyState(), nil
}

// initBackend sets up the configured backend: it records its
// configuration, and when init set up another before, copies every
// workspace's state from that one (-migrate-state) or forgets it
// (-reconfigure). It reports and returns false on failure.
func (m *Meta) initBackend(ctx context.Context, cfg *lang.Config, a InitArgs) bool {
	if a.ForceCopy {
		a.MigrateState = true
	}
	if a.MigrateState && a.Reconfigure {
		m.View.Error(errors.New("-migrate-state and -reconfigure exclude each other: -migrate-state copies the states to the new backend, -reconfigure leaves them behind"))
		return false
	}
	// The states are moved sealed as the configuration says; without the
	// key, init can still record the backend, but not move them.
	sealer, _, sealDiags := m.sealers(cfg, nil)
	cur := m.backendConfig(cfg)
	to, diags := m.openStore(cur, sealer)
	if !diags.HasErrors() {
		_, d := backendArgs(cur)
		diags = append(diags, d...)
	}
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return false
	}
	rec, err := m.readBackendRecord()
	if err != nil && !a.Reconfigure {
		m.View.Error(err)
		return false
	}
	record := func() bool {
		r, diags := newBackendRecord(cur)
		if diags.HasErrors() {
			m.View.Diagnostics(diags)
			return false
		}
		if err := m.writeBackendRecord(r); err != nil {
			m.View.Error(fmt.Errorf("recording the backend configuration: %w", err))
			return false
		}
		return true
	}
	if rec == nil {
		return record()
	}
	same, diags := rec.matches(cur)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return false
	}
	if same {
		if rec.Implied {
			return record()
		}
		return true
	}
	curRec, _ := newBackendRecord(cur)
	switch {
	case a.Reconfigure:
		m.View.Printf("%s\n\nslipway now uses backend %s. The states in backend %s were not copied; they stay where they are.\n\n",
			m.View.Bold("Reconfiguring the backend..."), curRec.describe(), rec.describe())
		return record()
	case !a.MigrateState:
		m.View.Diagnostics(m.checkBackendUnchanged(cur))
		return false
	}
	if sealDiags.HasErrors() {
		m.View.Diagnostics(sealDiags)
		return false
	}
	old, missing, err := rec.config(cur)
	if err != nil {
		m.View.Error(fmt.Errorf("opening the previous backend %s from %s: %w; run slipway init -reconfigure to leave its states behind", rec.describe(), backendRecordName, err))
		return false
	}
	from, diags := m.openStore(old, sealer)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		m.View.Error(fmt.Errorf("cannot open the previous backend %s to copy its states; run slipway init -reconfigure to leave them behind", rec.describe()))
		return false
	}
	m.View.Printf("%s\n\nMigrating from backend %s to backend %s.\n", m.View.Bold("Initializing the backend..."), rec.describe(), curRec.describe())
	if len(missing) > 0 {
		them := pick(len(missing), "it", "them")
		m.View.Printf("The previous backend's %s %s not recorded, as %s hold a secret: it is opened without %s, and must find %s in its environment.\n",
			strings.Join(missing, ", "), pick(len(missing), "argument was", "arguments were"), pick(len(missing), "it may", "they may"), them, them)
	}
	if sameLocalFiles(from, to) {
		m.View.Printf("Both keep their states in the same files: there is nothing to copy.\n\n")
		return record()
	}
	opts := state.MigrateOptions{
		Lock: func(ctx context.Context, b state.Backend, ws string) (func(), error) {
			return m.lock(ctx, b, a.LockArgs, "init -migrate-state")
		},
		Confirm: func(plan []state.Migrated) (bool, error) {
			return m.confirmMigration(plan, rec, curRec, a)
		},
	}
	done, err := state.Migrate(ctx, from, to, opts)
	if err != nil {
		m.View.Error(err)
		return false
	}
	n := 0
	for _, d := range done {
		if d.Copied {
			n++
		}
	}
	m.View.Printf("\n%s\n", m.View.Green(fmt.Sprintf("Copied the state of %d %s to the new backend, each with its lineage and serial.", n, pick(n, "workspace", "workspaces"))))
	if n > 0 {
		m.View.Printf("The previous backend still holds them; delete them there once you no longer need them.\n")
	}
	m.View.Printf("\n")
	return record()
}

// confirmMigration asks whether to copy what plan says, unless -force-copy
// said yes already.
func (m *Meta) confirmMigration(plan []state.Migrated, from, to *backendRecord, a InitArgs) (bool, error) {
	var list strings.Builder
	for _, p := range plan {
		if !p.Copied {
			continue
		}
		fmt.Fprintf(&list, "    %s (lineage %s, serial %d", p.Workspace, p.Lineage, p.Serial)
		if p.Entries > 0 {
			fmt.Fprintf(&list, ", %d intent journal %s", p.Entries, pick(p.Entries, "entry", "entries"))
		}
		list.WriteString(")\n")
	}
	if a.ForceCopy {
		m.View.Printf("Copying (-force-copy):\n%s", list.String())
		return true, nil
	}
	if !a.Input {
		return false, errors.New("the backend's states would be copied, but -input=false forbids asking: add -force-copy to copy them without asking, or run slipway init -migrate-state at a terminal")
	}
	m.View.Printf("\n%s\n  Pre-existing state was found while migrating\n    from backend %s\n    to the newly configured backend %s.\n  These workspaces' states are copied, each keeping its lineage and serial:\n\n%s\n  Only 'yes' will be accepted to copy; anything else changes nothing.\n\n  Enter a value: ",
		m.View.Bold("Do you want to copy existing state to the new backend?"), from.describe(), to.describe(), list.String())
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	m.View.Printf("\n")
	if strings.TrimSpace(line) != "yes" {
		return false, errors.New("migration cancelled: nothing was copied and the backend configuration init recorded is unchanged; run slipway init -reconfigure to use the new backend without copying")
	}
	return true, nil
}

// sameLocalFiles reports whether two Stores are local ones over the same
// files, as "state.slipstate" and "./state.slipstate" are.
func sameLocalFiles(a, b state.Store) bool {
	la, ok1 := a.(*local.Store)
	lb, ok2 := b.(*local.Store)
	if !ok1 || !ok2 {
		return false
	}
	for _, ws := range []string{state.DefaultWorkspace, "x"} {
		pa, err1 := filepath.Abs(la.Path(ws))
		pb, err2 := filepath.Abs(lb.Path(ws))
		if err1 != nil || err2 != nil || pa != pb {
			return false
		}
	}
	return true
}
