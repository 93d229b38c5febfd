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
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
	"slipway.dev/slipway/state"
)

// Resident is what a process that serves many plans keeps between them
// (slipway agent), so that a plan it serves pays neither for starting
// the providers nor for decoding a state it decoded before:
//
//   - the provider processes whose schemas say each Configure starts a
//     new session (sdk.Metadata.Sessions), for as long as the lock file
//     and the provider search path are those they were started from;
//   - the state last decoded, with a digest of the stored bytes it was
//     decoded from: a plan reads the bytes (a few milliseconds) and
//     decodes them again only when they changed;
//   - the evaluations of kinds' blocks that the last plans made
//     (planner.EvalMemo), found again only under the digest of all they
//     read, and forgotten with the providers they were made for.
//
// Everything else (configuration, variables, the lock, the intent
// journal, the sources, the cluster) is read afresh by every plan, as a
// plan in a process of its own reads it (the kubernetes provider kept
// reads the cluster through watches it keeps current). Operations must not overlap:
// the agent serves one at a time.
type Resident struct {
	set    *plugins.Set
	setKey string
	log    switchWriter

	launchedMu sync.Mutex
	launched   []string

	stateSum [sha256.Size]byte
	state    *state.State

	memo *planner.EvalMemo
}

// Launched returns the names of the providers started since it was last
// called, sorted, and forgets them.
func (r *Resident) Launched() []string {
	r.launchedMu.Lock()
	defer r.launchedMu.Unlock()
	out := r.launched
	r.launched = nil
	slices.Sort(out)
	return out
}

// CloseProviders ends every provider kept running: after an operation
// the user stopped, whose providers may have been halted, or when the
// process ends.
func (r *Resident) CloseProviders() {
	if r.set != nil {
		r.set.Close()
	}
	r.set, r.setKey = nil, ""
}

// providers returns the set of providers m's operation uses: the one kept
// from the last operation when it was started from the same lock file
// and search path, or else a new one (the old one closed). The providers'
// log lines go to m's view while the operation runs.
func (r *Resident) providers(m *Meta) (*plugins.Set, hcl.Diagnostics) {
	fresh, diags := m.providerSet()
	r.log.set(m.View.LogWriter())
	key, err := providerSetKey(m.Dir, fresh)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read the lock file", Detail: err.Error()})
		return fresh, diags
	}
	if r.set != nil && key == r.setKey && fresh.StopGrace == r.set.StopGrace {
		// A provider whose process exited since (killed, out of memory)
		// is started again.
		r.set.Release(context.Background())
		return r.set, diags
	}
	r.CloseProviders()
	// Other providers may convert the same configuration otherwise.
	r.memo = planner.NewEvalMemo()
	fresh.Resident = true
	fresh.Stderr = &r.log
	fresh.Launched = func(name string) {
		r.launchedMu.Lock()
		defer r.launchedMu.Unlock()
		r.launched = append(r.launched, name)
	}
	r.set, r.setKey = fresh, key
	return fresh, diags
}

// providerSetKey identifies what a set of providers was started from:
// the lock file's content and the directories searched for binaries.
func providerSetKey(dir string, set *plugins.Set) (string, error) {
	lock, err := os.ReadFile(filepath.Join(dir, plugins.LockFileName))
	if err != nil && !os.IsNotExist(err) {
		return "", err
	}
	h := sha256.New()
	h.Write(lock)
	if set.Search != nil {
		fmt.Fprintf(h, "\x00%q %q %t", set.Search.Dirs, set.Search.Local, set.Search.Trusted)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// holdsState reports whether r keeps a state from an earlier plan.
func (r *Resident) holdsState() bool { return r.state != nil }

// readState reads b's state, decoding it only when its stored bytes are
// not the ones the state kept was decoded from. The state returned may be
// the one kept: the caller must not change it (a plan does not; replaying
// the intent journal copies it first).
func (r *Resident) readState(ctx context.Context, b state.Backend) (*state.State, error) {
	rr, ok := b.(state.RawReader)
	if !ok {
		return b.Read(ctx)
	}
	raw, err := rr.ReadRaw(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	if r.state != nil && sum == r.stateSum {
		// The state kept was decoded under the keys of an earlier plan;
		// this one's must open the same bytes (opening sealed bytes
		// costs a few milliseconds; decoding them is what is saved).
		if err := rr.CheckRaw(raw); err != nil {
			return nil, err
		}
		return r.state, nil
	}
	st, err := rr.DecodeRaw(raw)
	if err != nil {
		return nil, err
	}
	r.state, r.stateSum = st, sum
	return st, nil
}

// switchWriter writes to the writer set last: the log lines of providers
// kept running go to the operation that runs at the time.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = w
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return len(p), nil
	}
	return s.w.Write(p)
}
