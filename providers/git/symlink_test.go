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
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"
)

// memCommit stores files (path to content; "->TARGET" makes a symbolic
// link) as the tree of a commit in memory and returns the commit.
func memCommit(t *testing.T, files map[string]string) *object.Commit {
	t.Helper()
	g, err := gogit.Init(memory.NewStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &repo{git: g}
	type node struct {
		files map[string]*node
		blob  plumbing.Hash
		mode  filemode.FileMode
	}
	root := &node{files: map[string]*node{}}
	for p, content := range files {
		mode := filemode.Regular
		if target, ok := strings.CutPrefix(content, "->"); ok {
			mode, content = filemode.Symlink, target
		}
		h, err := r.writeObject(plumbing.BlobObject, []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		n := root
		parts := strings.Split(p, "/")
		for _, d := range parts[:len(parts)-1] {
			if n.files[d] == nil {
				n.files[d] = &node{files: map[string]*node{}}
			}
			n = n.files[d]
		}
		n.files[parts[len(parts)-1]] = &node{blob: h, mode: mode}
	}
	var write func(n *node) plumbing.Hash
	write = func(n *node) plumbing.Hash {
		var entries []object.TreeEntry
		for name, c := range n.files {
			if c.files != nil {
				entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: write(c)})
			} else {
				entries = append(entries, object.TreeEntry{Name: name, Mode: c.mode, Hash: c.blob})
			}
		}
		sortTreeEntries(entries)
		obj := g.Storer.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := g.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	sig := object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	c := &object.Commit{Author: sig, Committer: sig, Message: "m\n", TreeHash: write(root)}
	obj := g.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	commit, err := g.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return commit
}

// TestPromotePathSymlinks checks that a promote's path is resolved with
// the links of the repository before it is edited, and that a link out of
// the repository is refused, naming it and its target.
func TestPromotePathSymlinks(t *testing.T) {
	t.Parallel()
	commit := memCommit(t, map[string]string{
		kustPath:                     kustomization,
		"apps/myapp/deployment.yaml": deployment,
		"apps/current":               "->myapp",
		"apps/abs":                   "->/etc",
		"apps/up":                    "->../..",
		"apps/loop":                  "->loop",
		"env/prod":                   "->../apps/current",
		"config.yaml":                "->apps/myapp/deployment.yaml",
	})
	tree, err := commit.Tree()
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"apps/current":                   "apps/myapp",
		"env/prod/kustomization.yaml":    "apps/myapp/kustomization.yaml",
		"config.yaml":                    "apps/myapp/deployment.yaml",
		"apps/myapp":                     "apps/myapp",
		"apps/missing/new.yaml":          "apps/missing/new.yaml",
		"apps/current/../myapp/new.yaml": "apps/myapp/new.yaml",
	} {
		got, err := resolveTreePath(tree, p)
		if err != nil || got != want {
			t.Errorf("resolveTreePath(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
	for p, want := range map[string]string{
		"apps/abs":          `The path "apps/abs" leads outside the repository: apps/abs is a symbolic link to /etc, which is outside the repository.`,
		"apps/abs/hostname": `apps/abs is a symbolic link to /etc`,
		"apps/up/x":         `apps/up is a symbolic link to ../.., which is outside the repository`,
	} {
		_, err := resolveTreePath(tree, p)
		checkEditError(t, err, "path", "Path leads outside the repository")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("resolveTreePath(%q): %v, want it to say %q", p, err, want)
		}
	}
	_, err = resolveTreePath(tree, "apps/loop")
	checkEditError(t, err, "path", "Too many symbolic links")

	// The edit is made where the link leads.
	res, err := runEdit(&edit{mode: editImage, path: "apps/current", image: testImage, newTag: "new"}, commit)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, f := range res.files {
		changed = append(changed, f.path)
	}
	if diff := cmp.Diff([]string{kustPath}, changed); diff != "" {
		t.Errorf("files changed (-want +got):\n%s", diff)
	}
	// Content through a link outside is refused, before and at apply.
	for _, e := range []*edit{{mode: editContent, path: "apps/abs/passwd", content: "x"}, {mode: editImage, path: "apps/up", image: testImage, newTag: "new"}} {
		_, err := runEdit(e, commit)
		checkEditError(t, err, "path", "Path leads outside the repository")
		checkEditError(t, checkTarget(e, commit), "path", "Path leads outside the repository")
	}
}
