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
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"slipway.dev/slipway/internal/confine"
)

// Modes of a published checkout: nothing in it is writable, so a pipeline
// that writes into its source's checkout fails at once instead of changing
// what every later reader of that commit sees.
const (
	modeDir  fs.FileMode = 0o555
	modeFile fs.FileMode = 0o444
	modeExec fs.FileMode = 0o555
)

// staleAfter is how old a leftover temporary directory (of a run that was
// killed while writing) must be before it is removed.
const staleAfter = time.Hour

// checkout returns the directory holding the files of commit, writing it
// first when it is not there. The files are written into a temporary
// directory beside it and renamed into place, so a reader sees the whole
// tree or none of it. With replace, an existing checkout is swapped for a
// fresh one (a hard refresh).
func (c *cache) checkout(r *repo, commit *object.Commit, replace bool) (string, error) {
	trees := c.treesDir()
	dir := filepath.Join(trees, commit.Hash.String())
	// No access for others, a cache of an earlier version's included: a
	// private repository's files are not theirs; the checkouts inside
	// keep their read-only modes.
	if err := privateDirAll(trees); err != nil {
		return "", fmt.Errorf("create checkout directory: %w", err)
	}
	if !replace {
		if _, err := os.Lstat(dir); err == nil {
			return dir, nil
		}
	}
	removeStale(trees)
	tmp, err := os.MkdirTemp(trees, ".tmp-"+commit.Hash.String()+"-")
	if err != nil {
		return "", fmt.Errorf("create checkout directory: %w", err)
	}
	tree, err := commit.Tree()
	if err == nil {
		err = r.writeTree(tmp, tree.Hash)
	}
	if err == nil {
		err = linksInside(tmp)
	}
	if err == nil {
		err = os.Chmod(tmp, modeDir)
	}
	if err != nil {
		_ = removeTree(tmp)
		return "", fmt.Errorf("check out commit %s: %w", commit.Hash, err)
	}
	if replace {
		if err := swapOut(trees, dir); err != nil {
			_ = removeTree(tmp)
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process published the same commit first; its tree is
		// the same as ours.
		_ = removeTree(tmp)
		if _, serr := os.Lstat(dir); serr == nil {
			return dir, nil
		}
		return "", fmt.Errorf("publish checkout of %s: %w", commit.Hash, err)
	}
	return dir, nil
}

// linksInside refuses a tree (a checkout, a local work tree) holding a
// symbolic link that leads outside it, as Argo CD refuses a repository
// with out-of-bounds symlinks: whatever reads the source's files (a
// manifest, a kustomization, a chart's .Files.Get, a values file, the
// configuration's file()) would otherwise read a file of the machine
// slipway runs on, and show it in the plan, for a branch under review
// too. A link inside the tree is kept, also one through other links
// that stay inside. The .git directory is not looked into.
func linksInside(root string) error {
	err := confine.LinksWithin(root, func(name, _ string) bool { return name == ".git" })
	var escape *confine.EscapeError
	if errors.As(err, &escape) {
		return fmt.Errorf("%w: slipway reads no repository with a symbolic link that leads out of it (as Argo CD refuses out-of-bounds symlinks); make the link relative and inside the repository, or copy the file in", err)
	}
	return err
}

// swapOut moves the published checkout dir out of the way and removes it.
// The rename comes first so dir never holds a partly removed tree, and
// stays inside trees because moving a read-only directory to another
// parent is refused.
func swapOut(trees, dir string) error {
	old := filepath.Join(trees, ".old-"+filepath.Base(dir)+"-"+rand.Text())
	if err := os.Rename(dir, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("replace checkout: %w", err)
	}
	if err := removeTree(old); err != nil {
		return fmt.Errorf("replace checkout: %w", err)
	}
	return nil
}

// writeTree writes the tree h into dir, which exists and is empty.
// Executable files keep their executable bit, symbolic links are written as
// links, and a submodule becomes an empty directory, as git leaves it
// before `submodule update`.
func (r *repo) writeTree(dir string, h plumbing.Hash) error {
	tree, err := r.git.TreeObject(h)
	if err != nil {
		return err
	}
	for _, e := range tree.Entries {
		if !safeName(e.Name) {
			return fmt.Errorf("tree %s holds an unsafe name %q", h, e.Name)
		}
		p := filepath.Join(dir, e.Name)
		switch e.Mode {
		case filemode.Dir:
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
			if err := r.writeTree(p, e.Hash); err != nil {
				return err
			}
			if err := os.Chmod(p, modeDir); err != nil {
				return err
			}
		case filemode.Regular, filemode.Deprecated:
			if err := r.writeBlob(p, e.Hash, modeFile); err != nil {
				return err
			}
		case filemode.Executable:
			if err := r.writeBlob(p, e.Hash, modeExec); err != nil {
				return err
			}
		case filemode.Symlink:
			target, err := r.readBlob(e.Hash)
			if err != nil {
				return err
			}
			if err := os.Symlink(string(target), p); err != nil {
				return err
			}
		case filemode.Submodule:
			if err := os.Mkdir(p, modeDir); err != nil {
				return err
			}
		default:
			return fmt.Errorf("tree %s: %q has an unknown mode %s", h, e.Name, e.Mode)
		}
	}
	return nil
}

// writeBlob writes blob h to a new file at p with the given mode. O_EXCL
// refuses to write through anything already at p, such as a link.
func (r *repo) writeBlob(p string, h plumbing.Hash, mode fs.FileMode) error {
	blob, err := r.git.BlobObject(h)
	if err != nil {
		return err
	}
	src, err := blob.Reader()
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(p, mode) // exact, whatever the umask
	}
	return err
}

func (r *repo) readBlob(h plumbing.Hash) ([]byte, error) {
	blob, err := r.git.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// safeName reports whether a tree entry's name can be written inside the
// checkout without escaping it or posing as repository metadata.
func safeName(name string) bool {
	switch {
	case name == "", name == ".", name == "..":
		return false
	case strings.ContainsAny(name, "/\\\x00"):
		return false
	case strings.EqualFold(name, ".git"):
		return false
	}
	return true
}

// removeTree removes a checkout, making its directories writable first.
func removeTree(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

// removeStale removes temporary directories that killed runs left behind.
func removeStale(trees string) {
	entries, err := os.ReadDir(trees)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".tmp-") && !strings.HasPrefix(e.Name(), ".old-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			_ = removeTree(filepath.Join(trees, e.Name()))
		}
	}
}
