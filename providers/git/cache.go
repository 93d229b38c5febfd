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
	url     string
	dir     string
	auth    transport.AuthMethod
	git     *gogit.Repository
	release func()
}

// open locks the repository of url and opens it, creating it when it does
// not exist yet (or replacing it when it cannot be opened). The caller must
// close it.
func (c *cache) open(ctx context.Context, url string, auth transport.AuthMethod) (*repo, error) {
	if err := os.MkdirAll(c.reposDir(), 0o755); err != nil {
		return nil, fmt.Errorf("create git cache: %w", err)
	}
	key := repoKey(url)
	dir := filepath.Join(c.reposDir(), key)
	release, err := c.locks.lock(ctx, key, dir+".lock")
	if err != nil {
		return nil, err
	}
	r := &repo{url: url, dir: dir, auth: auth, release: release}
	if r.git, err = openRepo(dir, url); err != nil {
		r.git, err = initRepo(dir, url)
	}
	if err != nil {
		release()
		return nil, err
	}
	return r, nil
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

// openRepo opens the bare repository at dir if it exists and fetches from url.
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
		return nil, fmt.Errorf("cached repository %s fetches from %v, not %s", dir, urls, url)
	}
	return g, nil
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
