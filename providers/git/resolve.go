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

package git

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// want is what a source asks for: exactly one of a branch, a tag or a
// commit, or none of them for the remote's default branch.
type want struct {
	branch string
	tag    string
	commit plumbing.Hash
}

// resolved is a source's want resolved to a commit present in the cache.
type resolved struct {
	// ref is the full reference name, empty for a pinned commit.
	ref    plumbing.ReferenceName
	commit *object.Commit
}

// refNotFoundError says a branch or tag the source names does not exist
// on the remote.
type refNotFoundError struct {
	kind      string // "branch" or "tag"
	name      string
	url       string
	available []string // short names of the remote's refs of that kind, sorted
}

func (e *refNotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found in %s", e.kind, e.name, e.url)
}

// commitNotFoundError says a pinned commit is in none of the remote's
// branches and tags.
type commitNotFoundError struct {
	commit plumbing.Hash
	url    string
}

func (e *commitNotFoundError) Error() string {
	return fmt.Sprintf("commit %s not found in %s", e.commit, e.url)
}

// noDefaultBranchError says the remote's HEAD names no branch.
type noDefaultBranchError struct {
	url       string
	available []string
}

func (e *noDefaultBranchError) Error() string {
	return fmt.Sprintf("%s has no default branch", e.url)
}

// remoteError is a failure to talk to the remote: listing its refs or
// fetching from it.
type remoteError struct {
	op  string // "list refs of" or "fetch from"
	url string
	err error
}

func (e *remoteError) Error() string { return fmt.Sprintf("%s %s: %v", e.op, e.url, e.err) }
func (e *remoteError) Unwrap() error { return e.err }

// resolve finds the commit w names and makes sure the repository holds
// it, talking to the remote as little as it can: a pinned commit already
// cached needs nothing, a ref needs one ls-remote, and a fetch happens
// only when the commit is not cached yet.
func (r *repo) resolve(ctx context.Context, w want) (resolved, error) {
	if !w.commit.IsZero() && r.has(w.commit) {
		c, err := r.commit(w.commit)
		return resolved{commit: c}, err
	}
	list, err := r.listRemote(ctx)
	if err != nil {
		return resolved{}, &remoteError{op: "list refs of", url: r.shown, err: err}
	}
	refs := newAdvertised(list)
	if !w.commit.IsZero() {
		return r.resolveCommit(ctx, refs, w.commit)
	}

	var name plumbing.ReferenceName
	switch {
	case w.branch != "":
		name = plumbing.NewBranchReferenceName(w.branch)
		if _, ok := refs.hash[name]; !ok {
			return resolved{}, &refNotFoundError{kind: "branch", name: w.branch, url: r.shown, available: refs.short(branchPrefix)}
		}
	case w.tag != "":
		name = plumbing.NewTagReferenceName(w.tag)
		if _, ok := refs.hash[name]; !ok {
			return resolved{}, &refNotFoundError{kind: "tag", name: w.tag, url: r.shown, available: refs.short(tagPrefix)}
		}
	default:
		name = refs.head
		if _, ok := refs.hash[name]; !ok {
			return resolved{}, &noDefaultBranchError{url: r.shown, available: refs.short(branchPrefix)}
		}
	}

	target := refs.commitOf(name)
	if !r.has(target) {
		spec := config.RefSpec(fmt.Sprintf("+%s:%s", name, name))
		if err := r.fetch(ctx, spec); err != nil {
			return resolved{}, &remoteError{op: "fetch from", url: r.shown, err: err}
		}
		target = refs.hash[name] // the peeled hash may be of an object the fetch did not bring
	}
	c, err := r.commit(target)
	if err != nil {
		return resolved{}, fmt.Errorf("read %s at %s: %w", name, target, err)
	}
	return resolved{ref: name, commit: c}, nil
}

// resolveCommit fetches a pinned commit that is not cached. It fetches the
// refs that point at it when there are any, and otherwise every branch and
// tag: servers need not serve a commit that no ref names.
func (r *repo) resolveCommit(ctx context.Context, refs advertised, h plumbing.Hash) (resolved, error) {
	var specs []config.RefSpec
	for _, name := range refs.names() {
		if refs.commitOf(name) == h {
			specs = append(specs, config.RefSpec(fmt.Sprintf("+%s:%s", name, name)))
		}
	}
	if len(specs) == 0 {
		specs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}
	}
	if err := r.fetch(ctx, specs...); err != nil {
		return resolved{}, &remoteError{op: "fetch from", url: r.shown, err: err}
	}
	if !r.has(h) {
		return resolved{}, &commitNotFoundError{commit: h, url: r.shown}
	}
	c, err := r.commit(h)
	return resolved{commit: c}, err
}

const (
	branchPrefix = "refs/heads/"
	tagPrefix    = "refs/tags/"
)

// advertised is a remote's reference list, as ls-remote shows it.
type advertised struct {
	hash   map[plumbing.ReferenceName]plumbing.Hash
	peeled map[plumbing.ReferenceName]plumbing.Hash // annotated tag -> its commit
	head   plumbing.ReferenceName                   // the branch HEAD names, if any
}

func newAdvertised(refs []*plumbing.Reference) advertised {
	a := advertised{hash: map[plumbing.ReferenceName]plumbing.Hash{}, peeled: map[plumbing.ReferenceName]plumbing.Hash{}}
	for _, ref := range refs {
		name := ref.Name()
		switch {
		case name == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference:
			a.head = ref.Target()
		case ref.Type() != plumbing.HashReference:
		case strings.HasSuffix(string(name), "^{}"):
			a.peeled[plumbing.ReferenceName(strings.TrimSuffix(string(name), "^{}"))] = ref.Hash()
		default:
			a.hash[name] = ref.Hash()
		}
	}
	return a
}

// commitOf is the commit name points at, peeling an annotated tag.
func (a advertised) commitOf(name plumbing.ReferenceName) plumbing.Hash {
	if h, ok := a.peeled[name]; ok {
		return h
	}
	return a.hash[name]
}

// names lists the branch and tag names, sorted.
func (a advertised) names() []plumbing.ReferenceName {
	var out []plumbing.ReferenceName
	for name := range a.hash {
		if name.IsBranch() || name.IsTag() {
			out = append(out, name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// short lists the names under prefix without it, sorted.
func (a advertised) short(prefix string) []string {
	var out []string
	for name := range a.hash {
		if s, ok := strings.CutPrefix(string(name), prefix); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// closest is the candidate nearest to name, if one is near enough to be a
// likely typo.
func closest(name string, candidates []string) (string, bool) {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein.Distance(strings.ToLower(name), strings.ToLower(c), nil)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(2, len(name)/3)
	return best, bestDist >= 0 && bestDist <= limit
}
