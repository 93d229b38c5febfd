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
	"context"
	"sort"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// Providers are given the values of sensitive variables in clear, and
// their diagnostics, progress messages and errors may quote them ("Cannot
// write file out/hunter2.txt"). Everything a provider says is masked as
// pipeline output is, the values replaced by ***, where it reaches the
// engine: before anything prints it or keeps it (an app's sync history).

// maskDiags masks the summaries and details of a provider's diagnostics
// in place.
func maskDiags(d sdk.Diagnostics, secrets []string) {
	for i := range d {
		d[i].Summary = lang.MaskSensitive(d[i].Summary, secrets)
		d[i].Detail = lang.MaskSensitive(d[i].Detail, secrets)
	}
}

// maskedError is an error whose text had secrets in it. It still wraps
// the original, for errors.Is.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// maskErr masks an error's text; an error without secrets in it is
// returned as it is.
func maskErr(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	if msg := lang.MaskSensitive(err.Error(), secrets); msg != err.Error() {
		return &maskedError{msg: msg, err: err}
	}
	return err
}

// maskCalls masks what a batched provider call returns: each response's
// diagnostics, and the call's error.
func maskCalls[Q, R any](call func(context.Context, []Q) ([]R, error), set *secretSet, diags func(*R) sdk.Diagnostics) func(context.Context, []Q) ([]R, error) {
	return func(ctx context.Context, reqs []Q) ([]R, error) {
		resps, err := call(ctx, reqs)
		secrets := set.strings()
		if len(secrets) == 0 {
			return resps, err
		}
		for i := range resps {
			maskDiags(diags(&resps[i]), secrets)
		}
		return resps, maskErr(err, secrets)
	}
}

// secretSet is the strings masked in what providers say: the values of
// sensitive variables from the start, and the values computed from them
// (a sha256 of a secret in a path) as evaluation finds them, so that a
// provider quoting one is masked too. It only grows, and is safe for
// concurrent use; a nil set masks nothing.
type secretSet struct {
	mu     sync.RWMutex
	list   []string // longest first, so that a longer secret is masked whole
	seen   map[string]bool
	notify func([]string)
}

func newSecretSet(initial []string, notify func([]string)) *secretSet {
	s := &secretSet{seen: map[string]bool{}, notify: notify}
	s.add(initial)
	return s
}

// add adds strings to the set, and tells notify of the new ones.
func (s *secretSet) add(more []string) {
	if s == nil || len(more) == 0 {
		return
	}
	s.mu.Lock()
	var added []string
	for _, m := range more {
		if !s.seen[m] {
			s.seen[m] = true
			added = append(added, m)
		}
	}
	if len(added) > 0 {
		list := append(append([]string(nil), s.list...), added...)
		sort.SliceStable(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
		s.list = list
	}
	s.mu.Unlock()
	if len(added) > 0 && s.notify != nil {
		s.notify(added)
	}
}

// strings is the set now.
func (s *secretSet) strings() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list
}

// sensitiveStrings lists the known, non-empty strings at paths in v (and
// inside what they hold), for the secret set.
func sensitiveStrings(v cty.Value, paths []cty.Path) []string {
	var out []string
	for _, p := range paths {
		sv, err := p.Apply(v)
		if err != nil {
			continue
		}
		_ = cty.Walk(sv, func(_ cty.Path, e cty.Value) (bool, error) {
			e, _ = e.Unmark()
			if e.IsKnown() && !e.IsNull() && e.Type() == cty.String && e.AsString() != "" {
				out = append(out, e.AsString())
			}
			return e.IsKnown() && !e.IsNull(), nil
		})
	}
	return out
}
