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
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
	"slipway.dev/slipway/state"
)

// Meta is what every operation shares: where it runs and where it writes.
type Meta struct {
	// Dir is the configuration directory (-chdir, or the working directory).
	Dir     string
	View    *views.View
	Stdin   io.Reader
	Env     []string
	Version string
	// Builtins are the providers the slipway binary serves itself.
	Builtins map[string]bool
	// Stop is done once the user asked to stop (the first Ctrl-C): apply
	// starts nothing new and lets what runs finish. The context commands
	// are given is cancelled by the second.
	Stop context.Context
	// Halter, when set, stops the providers of the operation when the
	// user stops it at once (see Halter).
	Halter *Halter
	// Resident, when set, is what the process keeps between the plans it
	// serves (slipway agent): plan takes its providers and its state from
	// it, and leaves them to it.
	Resident *Resident

	askMu sync.Mutex // one approval question at a time
	enc   *sealers   // the encryption block's Sealers, built once; see sealers

	openedMu sync.Mutex
	opened   []state.Store // the stores openStore opened, for Close
}

// Close releases what the command opened: the connection pools of the
// state backends it used. A process of its own would let them go as it
// exits; the agent serves many commands in one process, and each left a
// pool of idle connections open on the database server.
func (m *Meta) Close() {
	m.openedMu.Lock()
	opened := m.opened
	m.opened = nil
	m.openedMu.Unlock()
	for _, s := range opened {
		if c, ok := s.(interface{ Close() }); ok {
			c.Close()
		}
	}
}

// InAutomation reports whether slipway runs in automation
// (SLIPWAY_IN_AUTOMATION set to anything non-empty, as Terraform's
// TF_IN_AUTOMATION): the hints that tell a person which command to run
// next are left out, since a pipeline runs its own next step.
func (m *Meta) InAutomation() bool {
	for _, kv := range m.Env {
		if v, ok := strings.CutPrefix(kv, "SLIPWAY_IN_AUTOMATION="); ok && v != "" {
			return true
		}
	}
	return false
}

// Hint prints a "run this next" line for a person at a terminal; in
// automation it prints nothing.
func (m *Meta) Hint(format string, args ...any) {
	if m.InAutomation() {
		return
	}
	m.View.Printf(format, args...)
}

// VarArgs are the input variable flags.
type VarArgs struct {
	Vars     []string
	VarFiles []string
	// fromPlan: the values come from a saved plan, so none are loaded.
	fromPlan bool
}

// LockArgs are the state locking flags.
type LockArgs struct {
	Lock        bool
	LockTimeout time.Duration
}

func (m *Meta) loadConfig() (*lang.Config, hcl.Diagnostics) {
	cfg, diags := lang.LoadDir(m.Dir)
	if cfg != nil {
		m.View.Files = cfg.Files
	}
	return cfg, diags
}

// backendConfigured loads the configuration for the commands that need
// only its backend block (the state commands, force-unlock, reseal,
// rollout status). A directory without configuration files uses the
// local backend, as Terraform's does; a configuration with errors is
// refused: the error may have dropped the backend block, and the
// commands would then read or write a local state beside the real one,
// silently.
func (m *Meta) backendConfigured() (*lang.Config, hcl.Diagnostics) {
	cfg, diags := m.loadConfig()
	if cfg == nil || len(cfg.Sources) == 0 || !diags.HasErrors() {
		return cfg, nil
	}
	return cfg, append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Backend unknown",
		Detail:   "The configuration has the errors above, so slipway cannot tell which backend holds the state: it leaves the state alone rather than use the local one by mistake. Fix them (slipway validate lists them), then run the command again.",
	})
}

// lock takes the state lock for an operation, waiting up to the lock
// timeout; the returned function releases it.
func (m *Meta) lock(ctx context.Context, b state.Backend, la LockArgs, operation string) (func(), error) {
	if !la.Lock {
		return func() {}, nil
	}
	info := state.NewLockInfo(operation)
	info.Version = m.Version
	lctx, cancel := context.WithTimeout(ctx, la.LockTimeout)
	defer cancel()
	id, err := b.Lock(lctx, info)
	if err != nil {
		var le *state.LockedError
		if errors.As(err, &le) {
			if le.Info == nil {
				// The holder left no record of itself (an empty or
				// damaged lock record): there is no ID to force-unlock.
				return nil, fmt.Errorf("%w\n\nslipway waited %s for the lock (-lock-timeout). The holder left no record of who it is, so there is no lock ID to force-unlock: wait for it to finish (-lock-timeout=5m), or find the process that holds the lock and stop it, and its lock is released as it exits", lockedWhy(le), la.LockTimeout)
			}
			return nil, fmt.Errorf("%w\n\nslipway waited %s for the lock (-lock-timeout). If no slipway is running and the holder is gone, release it with: slipway force-unlock %s", err, la.LockTimeout, le.Info.ID)
		}
		// Every backend's Lock says "locking state: ..." itself.
		return nil, err
	}
	if sr, ok := b.(staleReporter); ok {
		if err := sr.StaleRecord(); err != nil {
			m.View.Eprintf("Warning: %v. slipway took it for a stale lock, which no process held, and replaced it.\n\n", err)
		}
	}
	return func() {
		if err := b.Unlock(context.WithoutCancel(ctx), id); err != nil {
			m.View.Error(fmt.Errorf("release the state lock: %w", err))
		}
		if cr, ok := b.(cleanupReporter); ok {
			if err := cr.CleanupFailed(); err != nil {
				m.View.Eprintf("Warning: %v.\n\n", err)
			}
		}
	}, nil
}

// A cleanupReporter is a backend whose writes remove what older writes
// left, and says when they could not (kubernetes' older generations).
type cleanupReporter interface {
	CleanupFailed() error
}

// A staleReporter is a backend that says when it took a lock over a lock
// record that was not valid (local's lock file, emptied or cut short).
type staleReporter interface {
	StaleRecord() error
}

// lockedWhy is a LockedError without a holder, with the backend's reason
// when it gave one beyond the wait's end.
func lockedWhy(le *state.LockedError) error {
	if le.Err == nil || le.Err == context.DeadlineExceeded || le.Err == context.Canceled {
		return le
	}
	return fmt.Errorf("%w: %w", le, le.Err)
}

// providerSet prepares the providers of a configuration from the lock file
// and the user's search path.
func (m *Meta) providerSet() (*plugins.Set, hcl.Diagnostics) {
	locks, diags := plugins.LoadLocks(m.Dir)
	search, d := plugins.LoadSearchPath(m.Dir)
	diags = append(diags, d...)
	grace, err := m.stopGrace()
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Invalid SLIPWAY_STOP_GRACE", Detail: err.Error()})
	}
	return &plugins.Set{Builtins: m.Builtins, Locks: locks, Search: search, Stderr: m.View.LogWriter(), SlipwayVersion: m.Version, StopGrace: grace}, diags
}

// session is what plan, apply and destroy set up: configuration, state
// under lock, providers and a planner context.
type session struct {
	cfg     *lang.Config
	backend state.Backend
	unlock  func()
	ctx     *planner.Context
	// resident: the providers are a Resident's, released rather than
	// ended when the operation is done.
	resident bool
	// replayed says the state read holds changes replayed from the
	// intent journal, which no state file holds yet.
	replayed bool
	// resumeGC puts the garbage collector's pacing back (holdGC).
	resumeGC func()
	// unwatch forgets the providers the Halter watches for the session.
	unwatch func()
}

func (s *session) close() {
	if s.resumeGC != nil {
		s.resumeGC()
	}
	if s.ctx != nil && s.ctx.Providers != nil {
		if s.resident {
			s.ctx.Providers.Release(context.Background())
		} else {
			s.ctx.Providers.Close()
		}
	}
	if s.unwatch != nil {
		s.unwatch()
	}
	if s.unlock != nil {
		s.unlock()
	}
}

// open loads configuration and variables, locks and reads state, and
// prepares providers. On failure it reports and returns nil.
func (m *Meta) open(ctx context.Context, va VarArgs, la LockArgs, operation string, parallelism int) *session {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil
	}
	var vars map[string]cty.Value
	if !va.fromPlan {
		var d hcl.Diagnostics
		vars, d = lang.LoadVariableValues(cfg, lang.VarOptions{CLIVars: va.Vars, VarFiles: va.VarFiles, Env: m.Env})
		diags = append(diags, d...)
		m.View.SetSecrets(lang.SensitiveStrings(cfg, vars))
		// The encryption block takes -var values too: its Sealers are
		// built with them here, and backend reports their mistakes.
		m.sealers(cfg, vars)
	}
	b, d := m.backend(cfg)
	diags = append(diags, d...)
	var set *plugins.Set
	if m.Resident != nil {
		set, d = m.Resident.providers(m)
	} else {
		set, d = m.providerSet()
	}
	diags = append(diags, d...)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil
	}
	m.View.Diagnostics(diags)
	s := &session{cfg: cfg, backend: b, resident: m.Resident != nil}
	// Once ctx ends (the user stops the operation at once), the
	// providers are sent Stop, and killed if they do not.
	s.unwatch = m.Halter.watch(ctx, set)
	unlock, err := m.lock(ctx, b, la, operation)
	if err != nil {
		m.View.Error(err)
		s.unwatch()
		return nil
	}
	s.unlock = unlock
	// The configuration's providers start while the state is read: for
	// a large state both take a while, and neither needs the other.
	// A provider that hangs at start is abandoned at the first Ctrl-C,
	// even in apply, which otherwise lets what runs finish.
	startCtx := ctx
	if m.Stop != nil {
		startCtx = m.Stop
	}
	began := time.Now()
	var (
		starting sync.WaitGroup
		onDemand = map[string]bool{}
		warmed   time.Duration
	)
	// All at once: each is a process whose start takes a while.
	var first sync.WaitGroup
	for _, r := range planner.Requirements(cfg, nil) {
		if r.OnDemand {
			onDemand[r.Name] = true // the plan starts it if a block asks for it
			continue
		}
		first.Go(func() { set.Get(startCtx, addrs.Provider{Name: r.Name}.String(), r.Name) })
	}
	starting.Go(func() {
		first.Wait()
		warmed = time.Since(began)
	})
	var (
		st      *state.State
		pending []state.Pending
		mark    string // the journal's (state.JournalMark)
	)
	// Held until the plan is made (session.close, or Apply once it
	// begins to apply).
	s.resumeGC = holdGCFor(m.Resident)
	if m.Resident != nil {
		read := func(ctx context.Context) (*state.State, error) { return m.Resident.readState(ctx, b) }
		st, pending, mark, err = readJournalWith(ctx, b, read, true)
	} else {
		st, pending, mark, err = readJournal(ctx, b)
	}
	readIn := time.Since(began)
	if err == nil && len(onDemand) > 0 {
		// What state holds needs its provider from the start (a chart
		// app's helm provider): it starts beside the others still
		// starting, not once the plan begins.
		for _, r := range planner.Requirements(cfg, st) {
			if onDemand[r.Name] && !r.OnDemand {
				starting.Go(func() { set.Get(startCtx, addrs.Provider{Name: r.Name}.String(), r.Name) })
			}
		}
	}
	starting.Wait()
	m.debugf("state: read in %s, alongside the providers' start, which took %s", readIn.Round(time.Millisecond), warmed.Round(time.Millisecond))
	if err != nil {
		set.Close()
		s.close()
		m.View.Error(err)
		return nil
	}
	s.replayed = mark != ""
	ws, _ := m.workspace() // m.backend read it already
	s.ctx = &planner.Context{Config: cfg, State: st, Variables: vars, Providers: set, Parallelism: parallelism, Version: m.Version,
		Journal: journalOf(b), Pending: pending, JournalMark: mark, Stop: m.Stop, Workspace: ws, OnSecrets: m.View.AddSecrets}
	if m.Resident != nil {
		s.ctx.Memo = m.Resident.memo
	}
	return s
}

// Debugf is debugf, for the commands outside this package.
func (m *Meta) Debugf(format string, args ...any) { m.debugf(format, args...) }

// debugf writes a line of slipway's own to standard error when SLIPWAY_LOG
// asks for debug output (debug or trace), as providers' debug lines are
// shown then: timings a person or a benchmark looks for, not progress.
func (m *Meta) debugf(format string, args ...any) {
	switch strings.ToLower(EnvOf(m.Env, "SLIPWAY_LOG")) {
	case "debug", "trace":
		fmt.Fprintf(m.View.LogWriter(), "[DEBUG] slipway: "+format+"\n", args...)
	}
}

// EnvOf is the value of name in env (KEY=VALUE entries), the last one
// winning as in a process's environment; "" when unset.
func EnvOf(env []string, name string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == name {
			v = val
		}
	}
	return v
}
