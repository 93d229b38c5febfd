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

package confine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// EscapeError is a symbolic link that leads outside the directory a path
// must stay in.
type EscapeError struct {
	// Link is the link's path, relative to Root and slash-separated.
	Link string
	// Target is what the link holds, as written.
	Target string
	// Root is the directory the path must stay in.
	Root string
}

func (e *EscapeError) Error() string {
	return fmt.Sprintf("%s is a symbolic link to %s, which is outside %s", e.Link, e.Target, e.Root)
}

// OutsideError is a path that climbs out of its directory as written
// (an absolute path, or one with too many "..").
type OutsideError struct {
	Name string
	Root string
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("%q is not inside %s", e.Name, e.Root)
}

// Within reports whether path p is dir or inside it, lexically: both are
// taken as they are, so give paths with their links resolved.
func Within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Resolve returns the path that name, relative to root, leads to once
// every symbolic link on the way is followed (root's own links included),
// with no link left in it. A link that leads outside root is an
// *EscapeError naming it; a name that is absolute or climbs out of root
// with ".." is an *OutsideError. The parts of name that do not exist yet
// are joined as they are. name may use '/' or the OS separator.
//
// A link whose target stays inside root only by going through another
// link is resolved as if root were the file system's root (the way
// filepath-securejoin does), so the result is inside root in every case.
func Resolve(root, name string) (string, error) {
	realRoot, err := Root(root)
	if err != nil {
		return "", err
	}
	return resolve(root, realRoot, name)
}

// ResolveIn is Resolve with root's own links already followed: realRoot
// is what Root(root) returned. A caller that resolves many names in one
// root follows its links once.
func ResolveIn(root, realRoot, name string) (string, error) {
	return resolve(root, realRoot, name)
}

// resolve is Resolve with root already resolved to realRoot.
func resolve(root, realRoot, name string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", &OutsideError{Name: name, Root: root}
	}
	v := &vfs{root: realRoot, shown: root}
	p, err := securejoin.SecureJoinVFS(realRoot, clean, v)
	if v.escape != nil {
		return "", v.escape
	}
	if err != nil {
		return "", err
	}
	return p, nil
}

// Root is dir made absolute with its links resolved: the form the paths
// Resolve returns start with.
func Root(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	return r, nil
}

// Rel is Resolve's result for name relative to the resolved root, for
// opening it through an os.Root of root.
func Rel(root, name string) (string, error) {
	realRoot, err := Root(root)
	if err != nil {
		return "", err
	}
	return rel(root, realRoot, name)
}

func rel(root, realRoot, name string) (string, error) {
	p, err := resolve(root, realRoot, name)
	if err != nil {
		return "", err
	}
	return filepath.Rel(realRoot, p)
}

// Roots remembers the roots it has resolved, and the names it resolved
// in them, for a caller that resolves names in the same few roots many
// times in one piece of work: an app block's plan resolves a path of its
// source's checkout for each of its 1,000 instances, twice (to find its
// tool, then its directory), and following the checkout's own links each
// time was most of the cost. The zero Roots is ready to use and safe for
// concurrent use; a nil *Roots remembers nothing. Keep one no longer
// than the work it serves: a link changed meanwhile is not seen.
type Roots struct {
	mu    sync.Mutex
	m     map[string]resolvedRoot
	names map[[2]string]resolvedRoot // by root and name: the name's rel
}

type resolvedRoot struct {
	real string
	err  error
}

// Rel is the package's Rel, following root's links, and name's, only
// the first time.
func (r *Roots) Rel(root, name string) (string, error) {
	if r == nil {
		return Rel(root, name)
	}
	key := [2]string{root, name}
	r.mu.Lock()
	done, ok := r.names[key]
	r.mu.Unlock()
	if ok {
		return done.real, done.err
	}
	p, err := r.rel(root, name)
	r.mu.Lock()
	if r.names == nil {
		r.names = map[[2]string]resolvedRoot{}
	}
	r.names[key] = resolvedRoot{real: p, err: err}
	r.mu.Unlock()
	return p, err
}

// Root is the package's Root, following the links of dir's parent only
// the first time: the apps of one plan are directories of a few
// checkouts, and Root lstats every name of a path from "/".
func (r *Roots) Root(dir string) (string, error) {
	if r == nil {
		return Root(dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(abs)
	if parent == abs {
		return Root(abs)
	}
	got := r.root(parent)
	if got.err != nil {
		return Root(abs) // its error, for the whole path
	}
	p := filepath.Join(got.real, filepath.Base(abs))
	fi, err := os.Lstat(p)
	if err != nil {
		return Root(abs)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		// Followed from its resolved directory, as EvalSymlinks of the
		// whole path follows it.
		return filepath.EvalSymlinks(p)
	}
	return p, nil
}

// root is Root(dir), resolved once.
func (r *Roots) root(dir string) resolvedRoot {
	r.mu.Lock()
	got, ok := r.m[dir]
	r.mu.Unlock()
	if ok {
		return got
	}
	got.real, got.err = Root(dir)
	r.mu.Lock()
	if r.m == nil {
		r.m = map[string]resolvedRoot{}
	}
	r.m[dir] = got
	r.mu.Unlock()
	return got
}

func (r *Roots) rel(root, name string) (string, error) {
	got := r.root(root)
	if got.err != nil {
		return "", got.err
	}
	return rel(root, got.real, name)
}

// vfs is the file system as securejoin walks it, checking each link it
// meets: one that leads outside root stops the walk with an EscapeError.
type vfs struct {
	root   string // resolved
	shown  string // as the caller gave it, for messages
	escape *EscapeError
}

func (v *vfs) Lstat(name string) (os.FileInfo, error) { return os.Lstat(name) }

func (v *vfs) Readlink(name string) (string, error) {
	dest, err := os.Readlink(name)
	if err != nil {
		return "", err
	}
	// securejoin hands over links whose directory has no link left in
	// it, so where dest leads is plain path arithmetic from there.
	target := dest
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(name), target)
	}
	target = filepath.Clean(target)
	if !Within(v.root, target) {
		// An absolute target may reach root through links of its own
		// (/tmp is a link on some systems).
		if real, err := evalExisting(target); err == nil && Within(v.root, real) {
			target = real
		} else {
			link, _ := filepath.Rel(v.root, name)
			v.escape = &EscapeError{Link: filepath.ToSlash(link), Target: dest, Root: v.shown}
			return "", v.escape
		}
	}
	if filepath.IsAbs(dest) {
		// securejoin reads an absolute target from root, as in a chroot.
		rel, err := filepath.Rel(v.root, target)
		if err != nil {
			return "", err
		}
		return string(filepath.Separator) + rel, nil
	}
	return dest, nil
}

// evalExisting resolves the links of the part of p that exists, and
// joins the rest.
func evalExisting(p string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return "", err
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}
