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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// This file is the write side of the cached repository: objects for a
// new commit, written with go-git's plumbing into the cached bare
// repository, and the push of that commit. The caller holds the URL's
// lock throughout.

// remoteBranch lists the remote's refs (ls-remote) and returns the commit
// branch points at there.
func (r *repo) remoteBranch(ctx context.Context, branch string) (plumbing.Hash, advertised, error) {
	list, err := r.listRemote(ctx)
	if err != nil {
		return plumbing.ZeroHash, advertised{}, &remoteError{op: "list refs of", url: r.shown, err: err}
	}
	refs := newAdvertised(list)
	head, ok := refs.hash[plumbing.NewBranchReferenceName(branch)]
	if !ok {
		return plumbing.ZeroHash, refs, &refNotFoundError{kind: "branch", name: branch, url: r.shown, available: refs.short(branchPrefix)}
	}
	return head, refs, nil
}

// branchHead returns the commit branch points at on the remote, fetching
// it into the cache when it is not there yet.
func (r *repo) branchHead(ctx context.Context, branch string) (*object.Commit, error) {
	head, _, err := r.remoteBranch(ctx, branch)
	if err != nil {
		return nil, err
	}
	if !r.has(head) {
		if err := r.fetch(ctx, branchSpec(branch)); err != nil {
			return nil, &remoteError{op: "fetch from", url: r.shown, err: err}
		}
	}
	c, err := r.commit(head)
	if err != nil {
		return nil, fmt.Errorf("read branch %s at %s: %w", branch, head, err)
	}
	return c, nil
}

// branchSpec fetches a branch of the remote into the same branch of the
// cache, as resolve does.
func branchSpec(branch string) config.RefSpec {
	name := plumbing.NewBranchReferenceName(branch)
	return config.RefSpec(fmt.Sprintf("+%s:%s", name, name))
}

// ensureCommit makes sure commit h is in the cache, fetching branch and
// then every branch and tag when it is not.
func (r *repo) ensureCommit(ctx context.Context, refs advertised, branch string, h plumbing.Hash) (*object.Commit, error) {
	if !r.has(h) {
		if err := r.fetch(ctx, branchSpec(branch)); err != nil {
			return nil, &remoteError{op: "fetch from", url: r.shown, err: err}
		}
	}
	if !r.has(h) {
		res, err := r.resolveCommit(ctx, refs, h)
		if err != nil {
			return nil, err
		}
		return res.commit, nil
	}
	return r.commit(h)
}

// writeCommit writes a commit on parent whose tree is parent's with the
// files changed, and returns its hash. Nothing refers to it yet.
func (r *repo) writeCommit(parent *object.Commit, files []fileChange, sig object.Signature, message string) (plumbing.Hash, error) {
	tree := parent.TreeHash
	for _, f := range files {
		blob, err := r.writeObject(plumbing.BlobObject, f.after)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", f.path, err)
		}
		if tree, err = r.setPath(tree, strings.Split(f.path, "/"), blob); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	if !strings.HasSuffix(message, "\n") {
		message += "\n"
	}
	c := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      message,
		TreeHash:     tree,
		ParentHashes: []plumbing.Hash{parent.Hash},
	}
	obj := r.git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.git.Storer.SetEncodedObject(obj)
}

// writeObject stores an object of type t with content data.
func (r *repo) writeObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := r.git.Storer.NewEncodedObject()
	obj.SetType(t)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		_ = w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.git.Storer.SetEncodedObject(obj)
}

// setPath returns the hash of the tree tree (zero for a new, empty one)
// with the file at parts set to blob. Every other entry is kept as it is;
// an existing file keeps its mode (an executable stays one), a new file is
// a regular one.
func (r *repo) setPath(tree plumbing.Hash, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if !tree.IsZero() {
		t, err := r.git.TreeObject(tree)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = append(entries, t.Entries...)
	}
	name := parts[0]
	if !safeName(name) {
		return plumbing.ZeroHash, fmt.Errorf("unsafe name %q", name)
	}
	idx := -1
	for i, e := range entries {
		if e.Name == name {
			idx = i
			break
		}
	}
	var entry object.TreeEntry
	if len(parts) == 1 {
		entry = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: blob}
		if idx >= 0 {
			switch m := entries[idx].Mode; m {
			case filemode.Regular, filemode.Executable:
				entry.Mode = m
			case filemode.Deprecated:
			default:
				return plumbing.ZeroHash, fmt.Errorf("%q is a %s, not a regular file", name, modeName(m))
			}
		}
	} else {
		sub := plumbing.ZeroHash
		if idx >= 0 {
			if entries[idx].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%q is a %s, not a directory", name, modeName(entries[idx].Mode))
			}
			sub = entries[idx].Hash
		}
		h, err := r.setPath(sub, parts[1:], blob)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entry = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
	}
	if idx >= 0 {
		entries[idx] = entry
	} else {
		entries = append(entries, entry)
	}
	sortTreeEntries(entries)
	t := &object.Tree{Entries: entries}
	obj := r.git.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.git.Storer.SetEncodedObject(obj)
}

// sortTreeEntries sorts entries as git requires: by name, a directory's
// name compared as if it ended in "/".
func sortTreeEntries(entries []object.TreeEntry) {
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
}

func modeName(m filemode.FileMode) string {
	switch m {
	case filemode.Dir:
		return "directory"
	case filemode.Symlink:
		return "symbolic link"
	case filemode.Submodule:
		return "submodule"
	}
	return "file"
}

// push pushes commit to branch of the remote, on the condition that the
// branch is still at parent: never forced, so the remote refuses anything
// that is not a fast-forward, and go-git checks the branch is where the
// commit was made on before it sends anything. On success the cache's
// branch points at commit too.
func (r *repo) push(ctx context.Context, commit, parent plumbing.Hash, branch string) error {
	rem, err := r.git.Remote(remoteName)
	if err != nil {
		return err
	}
	dst := plumbing.NewBranchReferenceName(branch)
	err = rem.PushContext(ctx, &gogit.PushOptions{
		RemoteName:        remoteName,
		RefSpecs:          []config.RefSpec{config.RefSpec(commit.String() + ":" + dst.String())},
		RequireRemoteRefs: []config.RefSpec{config.RefSpec(parent.String() + ":" + dst.String())},
		Auth:              r.auth,
		Force:             false,
	})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return err
	}
	return r.git.Storer.SetReference(plumbing.NewHashReference(dst, commit))
}
