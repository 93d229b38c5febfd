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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// remoteName is the name of the one remote of every cached repository.
const remoteName = "origin"

// cache is the on-disk store of the git provider under one root:
//
//	repos/<key>       a bare repository per URL, key = sha256(url)[:16] in hex
//	                  of the URL without credentials (stripCredentials)
//	repos/<key>.lock  the lock file that serialises work on that repository
//	trees/<commit>    a read-only checkout of one commit, published whole
//
// Reads of sources and promotes (commit and push) open the same
// repositories under the same locks.
type cache struct {
	root  string
	locks keyLocks
}

func newCache(root string) *cache { return &cache{root: root} }

func (c *cache) reposDir() string { return filepath.Join(c.root, "repos") }
func (c *cache) treesDir() string { return filepath.Join(c.root, "trees") }

// repoKey names the cached repository of a URL.
func repoKey(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])[:16]
}

// repo is the cached bare repository of one URL, held under that URL's lock
// from open to close: nothing else in this or another process touches it
// meanwhile.
type repo struct {
	url     string // the remote, without credentials (stripCredentials)
	shown   string // the URL as messages show it (displayURL)
	dir     string
	auth    transport.AuthMethod
	git     *gogit.Repository
	release func()
}

// Modes of what the cache makes: no one outside its owner and group may
// read it, since a private repository's objects and checkouts are in it.
// Everything of a repository or a checkout lies under repos/ or trees/,
// which others cannot enter whatever modes go-git gives the files inside
// (its own, umask-dependent). The group keeps what the umask gives it, so
// that a cache_dir shared by a runner's users through their group (umask
// 002, a setgid directory) still works.
const (
	privateDir  fs.FileMode = 0o770
	privateFile fs.FileMode = 0o660
)

// privateDirAll makes dir and its missing parents (0770 less the umask),
// and takes from dir others' access when it was made earlier with it.
func privateDirAll(dir string) error {
	if err := os.MkdirAll(dir, privateDir); err != nil {
		return err
	}
	return noOthers(dir)
}

// noOthers takes others' permission bits from p. Only p's owner may: for
// another user of a shared cache, p stays as its owner left it.
func noOthers(p string) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o007 == 0 {
		return nil
	}
	if err := os.Chmod(p, info.Mode().Perm()&^0o007); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}

// open locks the repository of url and opens it, creating it when it does
// not exist yet (or replacing it when it cannot be opened). The caller must
// close it. The repository is keyed by, and fetches from, url without its
// credentials (they go to go-git in auth), so a token never reaches the
// disk and a URL with a rotated token shares the cache. A repository
// cached by an earlier version under the key of url with its credentials
// is taken over (its remote rewritten without them), or dropped.
func (c *cache) open(ctx context.Context, url string, auth transport.AuthMethod) (*repo, error) {
	if err := privateDirAll(c.reposDir()); err != nil {
		return nil, fmt.Errorf("create git cache: %w", err)
	}
	remote, _ := stripCredentials(url)
	key := repoKey(remote)
	dir := filepath.Join(c.reposDir(), key)
	release, err := c.locks.lock(ctx, key, dir+".lock")
	if err != nil {
		return nil, err
	}
	r := &repo{url: remote, shown: displayURL(url), dir: dir, auth: auth, release: release}
	if remote != url {
		if err := c.takeOverLegacy(ctx, repoKey(url), dir); err != nil {
			release()
			return nil, err
		}
	}
	if r.git, err = openRepo(dir, remote); err != nil {
		r.git, err = initRepo(dir, remote)
	}
	if err != nil {
		release()
		return nil, err
	}
	return r, nil
}

// takeOverLegacy moves the repository cached under legacy (the key of a
// URL with credentials, which earlier versions stored in its config) to
// dir, held locked by the caller, when dir has none yet, and removes it
// otherwise: either way no copy of the credentials is left on disk.
func (c *cache) takeOverLegacy(ctx context.Context, legacy, dir string) error {
	old := filepath.Join(c.reposDir(), legacy)
	if _, err := os.Lstat(old); err != nil {
		return nil // none: the usual case
	}
	release, err := c.locks.lock(ctx, legacy, old+".lock")
	if err != nil {
		return err
	}
	defer release()
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(old, dir); err == nil {
			return nil
		}
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("drop cached repository %s, whose remote holds credentials: %w", old, err)
	}
	return nil
}

// close releases the repository's lock.
func (r *repo) close() { r.release() }

// reset drops everything cached of the repository and starts it empty, for
// a hard refresh.
func (r *repo) reset() error {
	var err error
	r.git, err = initRepo(r.dir, r.url)
	return err
}

// openRepo opens the bare repository at dir if it exists and fetches from
// url. A remote that is url with credentials (written by an earlier
// version) is rewritten as url. The repository and its config are made
// private (an older cache's may not be).
func openRepo(dir, url string) (*gogit.Repository, error) {
	g, err := gogit.PlainOpen(dir)
	if err != nil {
		return nil, err
	}
	rem, err := g.Remote(remoteName)
	if err != nil {
		return nil, err
	}
	if urls := rem.Config().URLs; len(urls) != 1 || urls[0] != url {
		if len(urls) != 1 || !sameRemote(urls[0], url) {
			shown := make([]string, len(urls))
			for i, u := range urls {
				shown[i] = displayURL(u)
			}
			return nil, fmt.Errorf("cached repository %s fetches from %v, not %s", dir, shown, displayURL(url))
		}
		if err := setRemoteURL(g, url); err != nil {
			return nil, err
		}
	}
	if err := makePrivate(dir); err != nil {
		return nil, err
	}
	return g, nil
}

// sameRemote reports whether stored, a cached repository's remote, is url
// once its credentials are taken out.
func sameRemote(stored, url string) bool {
	s, _ := stripCredentials(stored)
	return s == url
}

// setRemoteURL makes url the one URL of the repository's remote.
func setRemoteURL(g *gogit.Repository, url string) error {
	cfg, err := g.Config()
	if err != nil {
		return fmt.Errorf("read cached repository config: %w", err)
	}
	rc, ok := cfg.Remotes[remoteName]
	if !ok {
		return fmt.Errorf("cached repository has no remote %s", remoteName)
	}
	rc.URLs = []string{url}
	if err := g.SetConfig(cfg); err != nil {
		return fmt.Errorf("rewrite cached repository config: %w", err)
	}
	return nil
}

// makePrivate takes others' access from a repository directory and its
// config.
func makePrivate(dir string) error {
	if err := noOthers(dir); err != nil {
		return fmt.Errorf("protect cached repository: %w", err)
	}
	if err := noOthers(filepath.Join(dir, "config")); err != nil {
		return fmt.Errorf("protect cached repository: %w", err)
	}
	return nil
}

// initRepo makes an empty bare repository at dir whose remote is url,
// replacing whatever was there. It is built beside dir and renamed into
// place, so a repository directory is never half made.
func initRepo(dir, url string) (*gogit.Repository, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create cached repository: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	g, err := gogit.PlainInit(tmp, true)
	if err == nil {
		_, err = g.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{url}})
	}
	if err == nil {
		err = makePrivate(tmp)
	}
	if err != nil {
		return nil, fmt.Errorf("create cached repository: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("drop cached repository: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("create cached repository: %w", err)
	}
	return gogit.PlainOpen(dir)
}

// listRemote lists the remote's references (ls-remote), peeled tags
// included as "refs/tags/NAME^{}".
func (r *repo) listRemote(ctx context.Context) ([]*plumbing.Reference, error) {
	rem, err := r.git.Remote(remoteName)
	if err != nil {
		return nil, err
	}
	return rem.ListContext(ctx, &gogit.ListOptions{Auth: r.auth, PeelingOption: gogit.AppendPeeled})
}

// fetch fetches refspecs from the remote into the repository; being up to
// date already is not an error.
func (r *repo) fetch(ctx context.Context, specs ...config.RefSpec) error {
	err := r.git.FetchContext(ctx, &gogit.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   specs,
		Auth:       r.auth,
		Tags:       gogit.NoTags,
	})
	if errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}

// has reports whether the object h is in the repository.
func (r *repo) has(h plumbing.Hash) bool {
	return r.git.Storer.HasEncodedObject(h) == nil
}

// commit returns the commit h names, peeling annotated tags.
func (r *repo) commit(h plumbing.Hash) (*object.Commit, error) {
	for range 16 { // tags of tags, but not forever
		obj, err := r.git.Object(plumbing.AnyObject, h)
		if err != nil {
			return nil, err
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			h = o.Target
		default:
			return nil, fmt.Errorf("object %s is a %s, not a commit", h, obj.Type())
		}
	}
	return nil, fmt.Errorf("object %s: too many nested tags", h)
}
