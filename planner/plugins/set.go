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

package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"slipway.dev/slipway/plugin-sdk/host"
)

// Set starts the providers one operation needs and ends them on Close.
// It is safe for concurrent use.
type Set struct {
	// Builtins are the names the slipway binary serves itself.
	Builtins map[string]bool
	// Self is the path of the slipway executable, for built-ins.
	Self  string
	Locks *Locks
	// Search is where third-party provider binaries are looked for; only
	// a binary whose hash Locks lists is run.
	Search *SearchPath
	// Stderr receives the plugins' own log lines.
	Stderr io.Writer
	// SlipwayVersion is told to providers when they start, and is the
	// version a built-in provider's pin must name.
	SlipwayVersion string
	// StopGrace is how long Halt lets a provider's calls in flight run
	// after Stop before it kills the provider; 0 means
	// host.DefaultStopGrace.
	StopGrace time.Duration
	// Launched, when set, is told the name of each provider once its
	// process has started.
	Launched func(name string)
	// Resident says the set is kept for the plans that follow (slipway
	// agent), and with it the processes of the providers that start a
	// new session at each Configure: they are told so when configured
	// (sdk.ConfigureRequest.Resident).
	Resident bool

	mu      sync.Mutex
	clients map[string]*host.Client
	// launching are the providers Get is starting, by key.
	launching map[string]*launch
	// halting is held by Halt while it runs, so that Close waits for it
	// instead of ending the providers it is stopping.
	halting sync.Mutex
}

// command returns the command that serves provider name. For a
// third-party provider it is the first binary on the search path whose
// hash the lock file lists, opened and hashed once; release must be
// called once the command has started, or has failed to (host.Launch
// calls it).
func (s *Set) command(name string) (cmd *exec.Cmd, release func(), err error) {
	lock := s.Locks.Providers[name]
	if s.Builtins[name] {
		if lock != nil && lock.Builtin() && lock.SlipwayVersion != s.SlipwayVersion {
			return nil, nil, fmt.Errorf("provider %q is pinned in %s to the one built into slipway %s, but this is slipway %s: if you upgraded slipway on purpose, run \"slipway init -upgrade\"", name, LockFileName, lock.SlipwayVersion, s.SlipwayVersion)
		}
		self := s.Self
		if self == "" {
			var err error
			if self, err = os.Executable(); err != nil {
				return nil, nil, fmt.Errorf("find the slipway executable to serve provider %q: %w", name, err)
			}
		}
		return exec.Command(self, "provider", "serve", name), func() {}, nil
	}
	if lock == nil || lock.Builtin() {
		return nil, nil, fmt.Errorf("provider %q is not installed: run \"slipway init\" to find slipway-provider-%s and pin it in %s", name, name, LockFileName)
	}
	search := s.Search
	if search == nil {
		search = &SearchPath{}
	}
	cands := Candidates(name, search.Dirs)
	if len(cands) == 0 {
		advice := fmt.Sprintf(`Install version %s, which %s pins, into one of those directories, or run "slipway init -upgrade" to pin another.`, lock.Version, LockFileName)
		if lock.Source != "" {
			advice = fmt.Sprintf(`Run "slipway init" to pull version %s, which %s pins, from %s.`, lock.Version, LockFileName, lock.Source)
		}
		return nil, nil, fmt.Errorf("provider %q is not installed. %s", name, search.notFound(name, advice))
	}
	bin, seen, err := openPinned(lock, cands)
	if err != nil {
		return nil, nil, fmt.Errorf("provider %q: %w", name, err)
	}
	if bin == nil {
		return nil, nil, fmt.Errorf("%s If you replaced it on purpose, run \"slipway init -upgrade\"", mismatch(lock, seen))
	}
	return bin.command(), bin.close, nil
}

// Get returns the running client of the provider configuration key
// (provider.NAME or provider.NAME.ALIAS: each configuration gets its own
// process, since Configure is once per process), starting it on first use.
func (s *Set) Get(ctx context.Context, key, name string) (*host.Client, error) {
	s.mu.Lock()
	if c := s.clients[key]; c != nil {
		s.mu.Unlock()
		return c, nil
	}
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("provider %q: %w", name, err)
	}
	// One launch per key; the providers of different keys start at once
	// (each is a process whose start takes a while).
	if l := s.launching[key]; l != nil {
		s.mu.Unlock()
		select {
		case <-l.done:
			return l.c, l.err
		case <-ctx.Done():
			return nil, fmt.Errorf("provider %q: %w", name, ctx.Err())
		}
	}
	l := &launch{done: make(chan struct{})}
	if s.launching == nil {
		s.launching = map[string]*launch{}
	}
	s.launching[key] = l
	s.mu.Unlock()
	defer close(l.done)

	l.c, l.err = s.launch(ctx, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.launching[key] != l {
		// Closed while it started: nothing will close it later.
		if l.c != nil {
			l.c.Close()
		}
		l.c, l.err = nil, fmt.Errorf("provider %q: the providers were closed while it started", name)
		return nil, l.err
	}
	delete(s.launching, key)
	if l.err != nil {
		return nil, l.err
	}
	if s.clients == nil {
		s.clients = map[string]*host.Client{}
	}
	s.clients[key] = l.c
	return l.c, nil
}

// launch is a provider being started by Get.
type launch struct {
	done chan struct{}
	c    *host.Client
	err  error
}

func (s *Set) launch(ctx context.Context, name string) (*host.Client, error) {
	cmd, release, err := s.command(name)
	if err != nil {
		return nil, err
	}
	// A built-in provider is this build serving it: it admits this
	// process by the socket's peer, with no certificates to make.
	c, err := host.Launch(ctx, host.LaunchConfig{Name: name, Cmd: cmd, Stderr: s.Stderr, SlipwayVersion: s.SlipwayVersion, Resident: s.Resident, Release: release, Peer: s.Builtins[name]})
	if err == nil && s.Launched != nil {
		s.Launched(name)
	}
	return c, err
}

// Close ends every started provider, once a Halt in progress is done.
func (s *Set) Close() {
	s.end(nil)
}

// Release ends the operation that used the set, for a process that
// serves many (slipway agent): the providers whose schemas say they
// start a new session at each Configure (sdk.Metadata.Sessions) keep
// running for the next operation, and every other one is ended as Close
// ends it. A provider whose process has exited is forgotten, so the next
// operation starts it again.
func (s *Set) Release(ctx context.Context) {
	s.end(func(c *host.Client) bool { return !c.Exited() && keepsSessions(ctx, c) })
}

// end ends every started provider but those keep says to keep, once a
// Halt in progress is done. Without keep, it ends them all, and those
// still starting are ended once they have.
func (s *Set) end(keep func(*host.Client) bool) {
	s.halting.Lock()
	defer s.halting.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Each waits for its process to exit: all at once, the command
	// ends when the slowest has, not after the sum of them.
	var wg sync.WaitGroup
	for key, c := range s.clients {
		if keep != nil && keep(c) {
			continue
		}
		delete(s.clients, key)
		wg.Go(c.Close)
	}
	if keep == nil {
		s.launching = nil
	}
	wg.Wait()
}

// keepsSessions reports whether c's provider may be configured again for
// another operation.
func keepsSessions(ctx context.Context, c *host.Client) bool {
	sch, err := c.Schemas(ctx)
	return err == nil && sch.Metadata.Sessions
}

// Stop sends Stop to every started provider, in parallel, which cancels
// their calls in flight, and returns without waiting for them to stop:
// the operation ends, and Close ends the processes.
func (s *Set) Stop() {
	// A provider that does not answer is ended by Close.
	s.tellAll(func(ctx context.Context, c *host.Client) { c.Stop(ctx) })
}

// tellAll calls tell with each started provider, in parallel, each with
// stopWait to answer, and returns at once.
func (s *Set) tellAll(tell func(context.Context, *host.Client)) {
	s.mu.Lock()
	clients := slices.Collect(maps.Values(s.clients))
	s.mu.Unlock()
	for _, c := range clients {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), stopWait)
			defer cancel()
			tell(ctx, c)
		}()
	}
}

// stopWait bounds how long Stop waits for a provider's answer.
const stopWait = 2 * time.Second

// Interrupt sends a graceful Stop to every started provider that
// understands one, in parallel, and returns without waiting: the
// applies in flight finish their changes and end early the waits the
// next apply can resume (host.Client.Interrupt). Nothing is cancelled.
func (s *Set) Interrupt() {
	// One that does not answer finishes as it would have.
	s.tellAll(func(ctx context.Context, c *host.Client) { c.Interrupt(ctx) })
}

// Halt stops every started provider at once, all in parallel: each is
// sent Stop, which cancels its calls in flight, and one whose calls have
// not returned within StopGrace is killed. It returns an error for each
// provider it killed, saying so. The processes of the providers that
// stopped keep running until Close.
func (s *Set) Halt() []error {
	s.halting.Lock()
	defer s.halting.Unlock()
	s.mu.Lock()
	clients := make([]*host.Client, 0, len(s.clients))
	for _, k := range slices.Sorted(maps.Keys(s.clients)) {
		clients = append(clients, s.clients[k])
	}
	s.mu.Unlock()
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Halt(s.StopGrace)
		}()
	}
	wg.Wait()
	return slices.DeleteFunc(errs, func(err error) bool { return err == nil })
}

// FindPinned returns the path of the first binary on the search path
// whose hash the pin lists, without running it. Otherwise it says why
// slipway would not start the provider.
func FindPinned(l *Lock, sp *SearchPath) (string, error) {
	if sp == nil {
		sp = &SearchPath{}
	}
	cands := Candidates(l.Name, sp.Dirs)
	if len(cands) == 0 {
		return "", fmt.Errorf("the pinned binary is not on the search path: %s", sp.notFound(l.Name, "Run slipway init to see where slipway looks."))
	}
	path, seen, err := pinnedPath(l, cands)
	if err != nil {
		return "", err
	}
	if path == "" {
		return "", errors.New(mismatch(l, seen))
	}
	return path, nil
}
