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
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
)

// sealers is what the encryption block set up, once per process.
type sealers struct {
	targets encryption.Targets
	diags   hcl.Diagnostics
}

// sealers returns the Sealers of the configuration's encryption block:
// for state (its backup, journal and fallback file too) and for saved
// plans, each nil when that target is not configured. They are built
// once per process, so that a passphrase is stretched once and every
// backend is given the same Sealer; the first call decides. vars are the
// input variables' values when the caller has loaded them (with -var);
// nil loads them from the environment, the .slipvars files and the
// defaults.
func (m *Meta) sealers(cfg *lang.Config, vars map[string]cty.Value) (stateSealer, planSealer state.Sealer, diags hcl.Diagnostics) {
	if m.enc == nil {
		m.enc = &sealers{}
		if cfg != nil && cfg.Slipway != nil && cfg.Slipway.Encryption != nil {
			if vars == nil {
				// Only the variables the block refers to matter here;
				// Setup reports those without a value.
				vars, _ = lang.LoadVariableValues(cfg, lang.VarOptions{Env: m.Env})
			}
			m.enc.targets, m.enc.diags = encryption.Setup(cfg.Slipway.Encryption, vars, m.Env)
		}
	}
	t := m.enc.targets
	// A nil *Sealer must be a nil interface, which means "no encryption".
	if t.State != nil {
		stateSealer = t.State
	}
	if t.Plan != nil {
		planSealer = t.Plan
	}
	return stateSealer, planSealer, m.enc.diags
}

// stateWithoutKey reads the state for init when the encryption block
// cannot be set up (encDiags say why): unencrypted state is read, and
// encrypted state is left out with encDiags as warnings.
func (m *Meta) stateWithoutKey(ctx context.Context, cfg *lang.Config, encDiags hcl.Diagnostics, diags *hcl.Diagnostics) *state.State {
	b, d := m.sealedBackend(cfg, nil)
	if d.HasErrors() {
		*diags = append(*diags, d...)
		return emptyState()
	}
	st, err := b.Read(ctx)
	if errors.Is(err, state.ErrEncrypted) {
		*diags = append(*diags, asWarnings(encDiags, "slipway init did not read the encrypted state: ")...)
	}
	if err != nil {
		return emptyState()
	}
	return st
}

// asWarnings returns diags as warnings, their details after prefix.
func asWarnings(diags hcl.Diagnostics, prefix string) hcl.Diagnostics {
	out := make(hcl.Diagnostics, 0, len(diags))
	for _, d := range diags {
		w := *d
		w.Severity = hcl.DiagWarning
		w.Detail = prefix + w.Detail
		out = append(out, &w)
	}
	return out
}

// encryptionVarsOnly reports whether every -var option sets a variable
// the encryption block refers to: those are the ones a saved plan cannot
// carry, since the plan cannot be opened without them.
func encryptionVarsOnly(cfg *lang.Config, vars []string) bool {
	if cfg == nil || cfg.Slipway == nil || cfg.Slipway.Encryption == nil {
		return false
	}
	used := cfg.Slipway.Encryption.Variables()
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(used, name) {
			return false
		}
	}
	return true
}

// planSealerFor is the Sealer of saved plans for show and apply PLANFILE,
// which may run outside a configuration: a directory that does not load
// encrypts nothing.
func (m *Meta) planSealerFor(va VarArgs) (*lang.Config, state.Sealer, bool) {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		return nil, nil, true
	}
	var vars map[string]cty.Value
	if len(va.Vars) > 0 {
		vars, _ = lang.LoadVariableValues(cfg, lang.VarOptions{CLIVars: va.Vars, Env: m.Env})
	}
	_, ps, d := m.sealers(cfg, vars)
	if d.HasErrors() {
		m.View.Diagnostics(d)
		return cfg, nil, false
	}
	return cfg, ps, true
}

// warnPlainPlan warns when state is encrypted and a saved plan, which
// holds the same secrets, is not.
func (m *Meta) warnPlainPlan(path string) {
	if m.enc == nil || m.enc.targets.Plan != nil || m.enc.targets.State == nil || !m.enc.targets.State.Encrypts() {
		return
	}
	m.View.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Saved plan is not encrypted",
		Detail: fmt.Sprintf("The state is encrypted, but %s is not: the encryption block has no plan target. A saved plan holds the values of sensitive variables and attributes; add plan { method = ... } to the encryption block to encrypt it.", path)}})
}

// StateCryptArgs are the flags of state encrypt and state decrypt.
type StateCryptArgs struct {
	VarArgs
	LockArgs
}

// StateEncrypt runs `slipway state encrypt`: under the state lock, the
// state, its backup, its journal and any fallback state file are stored
// again encrypted with the state target's method, whatever they were
// stored as (unencrypted, or under a fallback's key).
func (m *Meta) StateEncrypt(ctx context.Context, a StateCryptArgs) int {
	t, ok := m.cryptTargets(a.VarArgs)
	if !ok {
		return 1
	}
	if t == nil || !t.Encrypts() {
		m.View.Error(errors.New("slipway state encrypt needs an encryption block whose state target's method encrypts, like state { method = method.aes_gcm.main }; add one to the slipway block"))
		return 1
	}
	names, code := m.reseal(ctx, a.LockArgs, "state encrypt", t.AcceptingPlain())
	if code != 0 {
		return code
	}
	meth := t.Method()
	m.View.Printf("%s The state, its backup and its intent journal%s are stored encrypted by %s with %s.\n",
		m.View.Green("State encrypted."), ofWorkspaces(names), meth.Addr, meth.Keys.Addr())
	return 0
}

// StateDecrypt runs `slipway state decrypt`: under the state lock, the
// state, its backup, its journal and any fallback state file are stored
// again unencrypted.
func (m *Meta) StateDecrypt(ctx context.Context, a StateCryptArgs) int {
	t, ok := m.cryptTargets(a.VarArgs)
	if !ok {
		return 1
	}
	if t == nil {
		m.View.Error(errors.New("slipway state decrypt needs the encryption block the state was encrypted with, with its state target, to read it; add it back to the slipway block"))
		return 1
	}
	names, code := m.reseal(ctx, a.LockArgs, "state decrypt", t.Decrypting())
	if code != 0 {
		return code
	}
	m.View.Printf("%s The state, its backup and its intent journal%s are stored unencrypted.\n"+
		"Now remove the state target from the encryption block: while it is there, slipway refuses unencrypted state.\n", m.View.Green("State decrypted."), ofWorkspaces(names))
	return 0
}

// cryptTargets builds the state target's Sealer with the -var values.
func (m *Meta) cryptTargets(va VarArgs) (*encryption.Sealer, bool) {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, false
	}
	vars, _ := lang.LoadVariableValues(cfg, lang.VarOptions{CLIVars: va.Vars, VarFiles: va.VarFiles, Env: m.Env})
	if _, _, d := m.sealers(cfg, vars); d.HasErrors() {
		m.View.Diagnostics(d)
		return nil, false
	}
	return m.enc.targets.State, true
}

// reseal stores everything the backend holds, in every workspace, and
// the fallback state file, again with sealer, each workspace under its
// own state lock. A key is dropped from the configuration once nothing is
// stored under it: one workspace left under the old key would be lost
// with it.
// It returns the workspaces it stored again, and the exit code.
func (m *Meta) reseal(ctx context.Context, la LockArgs, op string, sealer *encryption.Sealer) ([]string, int) {
	cfg, diags := m.backendConfigured()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, 1
	}
	// The selected workspace is checked first, as every command does.
	if _, diags := m.sealedBackend(cfg, sealer); diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, 1
	}
	s, diags := m.sealedStore(cfg, sealer)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, 1
	}
	names, err := s.Workspaces(ctx)
	if err != nil {
		m.View.Error(err)
		return nil, 1
	}
	// The fallback file is opened first: a key that cannot open it
	// must stop everything before the backend is touched.
	errored := filepath.Join(m.Dir, erroredStateName)
	data, err := os.ReadFile(errored)
	var plain []byte
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		m.View.Error(err)
		return nil, 1
	default:
		if plain, err = sealer.Open(data); err != nil {
			m.View.Error(fmt.Errorf("%s: %w", errored, err))
			return nil, 1
		}
	}
	var done []string
	for _, ws := range names {
		if err := m.resealWorkspace(ctx, s, ws, la, op); err != nil {
			if len(names) > 1 {
				err = fmt.Errorf("workspace %q: %w\n\n%s; keep every key the encryption block has until slipway %s succeeds", ws, err, resealedSoFar(done, names), op)
			}
			m.View.Error(err)
			return nil, 1
		}
		done = append(done, ws)
	}
	if plain != nil {
		sealed, err := sealer.Seal(plain)
		if err == nil {
			err = writeFileAtomic(errored, sealed, 0o600)
		}
		if err != nil {
			m.View.Error(fmt.Errorf("%s: %w", errored, err))
			return nil, 1
		}
	}
	return names, 0
}

// resealWorkspace stores one workspace's state, backup and journal again
// under its lock.
func (m *Meta) resealWorkspace(ctx context.Context, s state.Store, ws string, la LockArgs, op string) error {
	b, err := s.Backend(ws)
	if err != nil {
		return err
	}
	rb, ok := b.(state.Resealer)
	if !ok {
		return fmt.Errorf("this backend cannot store its state again by itself; move the state with slipway state pull and slipway state push instead")
	}
	unlock, err := m.lock(ctx, b, la, op)
	if err != nil {
		return err
	}
	defer unlock()
	return rb.Reseal(ctx)
}

// ofWorkspaces names the workspaces a reseal covered when there are more
// than one.
func ofWorkspaces(names []string) string {
	if len(names) < 2 {
		return ""
	}
	return " of every workspace (" + strings.Join(names, ", ") + ")"
}

// resealedSoFar says which workspaces a reseal that stopped covered.
func resealedSoFar(done, names []string) string {
	if len(done) == 0 {
		return "No workspace was stored again"
	}
	return fmt.Sprintf("Stored again: %s; not yet: %s", strings.Join(done, ", "), strings.Join(names[len(done):], ", "))
}
