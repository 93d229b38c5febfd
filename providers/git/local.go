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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// readLocal resolves a source from a local checkout instead of its remote
// (SourceReadRequest.LocalDir): the files of its work tree as they stand,
// at its HEAD commit. Nothing is fetched and nothing is written to the
// cache: the checkout is read where it is, so no cached tree or
// repository ever holds what a pull request's branch has.
func (s *source) readLocal(cfg cty.Value, localDir string, resp *sdk.SourceReadResponse) {
	_, rawURL, subdir, diags := parseConfig(cfg)
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return
	}
	shown := displayURL(rawURL) // never the URL's credentials
	lc, err := openLocal(localDir)
	if err != nil {
		resp.Diagnostics.AddError("Not a git checkout", redactSecrets(fmt.Sprintf("The local directory %s given for this source cannot be used: %v. Give the top directory of a git clone of %s (a pull request's branch checked out).", localDir, err, shown), rawURL))
		return
	}
	switch remotes := lc.remoteURLs(); {
	case len(remotes) == 0:
		resp.Diagnostics.AddWarning("Local checkout has no remote",
			fmt.Sprintf("%s has no git remote, so slipway cannot check that it is a clone of %s; it is used as given.", lc.root, shown))
	case !anySameRepo(remotes, rawURL):
		others := make([]string, len(remotes))
		for i, r := range remotes {
			others[i] = displayURL(r)
		}
		resp.Diagnostics.AddError("Local checkout of another repository",
			fmt.Sprintf("%s is a clone of %s, not of this source's repository %s. Give a checkout of %s, or name the source it belongs to.", lc.root, strings.Join(others, ", "), shown, shown))
		return
	}
	if err := linksInside(lc.root); err != nil {
		resp.Diagnostics.AddError("Symbolic link out of the local checkout", fmt.Sprintf("%s cannot be read: %v.", lc.root, err))
		return
	}
	dir := lc.root
	if subdir != "" {
		dir = filepath.Join(lc.root, filepath.FromSlash(subdir))
	}
	dirs, err := localSubdirectories(dir)
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("path"), "Path not found in local checkout",
			fmt.Sprintf("The path %q is not a directory in %s: %v.", subdir, lc.root, err))
		return
	}
	rev, dirty, err := lc.revision()
	if err != nil {
		resp.Diagnostics.AddError("Cannot read local checkout", fmt.Sprintf("Reading %s failed: %v.", lc.root, err))
		return
	}
	res := resolved{ref: lc.ref, commit: lc.commit}
	resp.State = resolvedState(cfg, res, dir, dirs)
	if dirty {
		// The short commit names what is really there, so an image
		// tagged with it in a preview never passes for the commit's.
		attrs := resp.State.AsValueMap()
		attrs[builtin.SourceShortCommit] = cty.StringVal(lc.commit.Hash.String()[:7] + "-dirty")
		resp.State = sourceSchema.Object(attrs)
	}
	resp.LocalRevision = rev
}

// localCheckout is a git work tree on local disk, at its HEAD.
type localCheckout struct {
	root   string
	repo   *gogit.Repository
	wt     *gogit.Worktree
	ref    plumbing.ReferenceName // the branch checked out; empty when detached
	commit *object.Commit
}

// openLocal opens the work tree at dir (which must be its top directory)
// and reads its HEAD commit.
func openLocal(dir string) (*localCheckout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, errors.New("it is not a directory")
	}
	repo, err := gogit.PlainOpenWithOptions(abs, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		return nil, errors.New("it is not the top directory of a git work tree (no .git in it)")
	}
	if err != nil {
		return nil, err
	}
	wt, err := repo.Worktree()
	if errors.Is(err, gogit.ErrIsBareRepository) {
		return nil, errors.New("it is a bare repository, with no work tree")
	}
	if err != nil {
		return nil, err
	}
	head, err := repo.Head()
	if err != nil {
		return nil, fmt.Errorf("its HEAD names no commit (%v)", err)
	}
	c, err := repo.CommitObject(head.Hash())
	if err != nil {
		return nil, fmt.Errorf("read its HEAD commit %s: %w", head.Hash(), err)
	}
	lc := &localCheckout{root: abs, repo: repo, wt: wt, commit: c}
	if head.Name().IsBranch() {
		lc.ref = head.Name()
	}
	return lc, nil
}

// remoteURLs lists the URLs of the checkout's remotes.
func (lc *localCheckout) remoteURLs() []string {
	rs, err := lc.repo.Remotes()
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Config().URLs...)
	}
	sort.Strings(out)
	return out
}

// revision is the checkout's HEAD commit, and when its work tree differs
// from it (changed, added or untracked files that .gitignore does not
// exclude), "HEAD+dirty.HASH" with a hash of the work tree's files.
func (lc *localCheckout) revision() (string, bool, error) {
	hash := lc.commit.Hash.String()
	st, err := lc.wt.Status()
	if err != nil {
		return "", false, fmt.Errorf("git status: %w", err)
	}
	if st.IsClean() {
		return hash, false, nil
	}
	sum, err := lc.treeHash()
	if err != nil {
		return "", false, err
	}
	return hash + "+dirty." + sum, true, nil
}

// treeHash sums the work tree's files (their paths, kinds and contents,
// .git and ignored files left out), so two previews of the same dirty
// tree show the same revision and any edit shows another.
func (lc *localCheckout) treeHash() (string, error) {
	patterns, _ := gitignore.ReadPatterns(lc.wt.Filesystem, nil)
	m := gitignore.NewMatcher(patterns)
	h := sha256.New()
	err := filepath.WalkDir(lc.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(lc.root, p)
		if err != nil || rel == "." {
			return err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if parts[0] == ".git" || m.Match(parts, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "l %s\x00%s\x00", filepath.ToSlash(rel), target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			fh := sha256.New()
			_, err = io.Copy(fh, f)
			f.Close()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "f %s\x00%o\x00%x\x00", filepath.ToSlash(rel), info.Mode().Perm()&0o111, fh.Sum(nil))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash the work tree: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// localSubdirectories lists dir's immediate subdirectories, sorted,
// hidden ones left out, as subdirectories does for a commit's tree.
func localSubdirectories(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// anySameRepo reports whether one of remotes names the repository at want.
func anySameRepo(remotes []string, want string) bool {
	w := repoIdentity(want)
	for _, r := range remotes {
		if repoIdentity(r) == w {
			return true
		}
	}
	return false
}

// repoIdentity reduces a repository's URL to what names the repository, so
// that the clone a CI job made over https matches a source read over ssh:
// host (lower case, no user or port) and path, without a trailing ".git"
// or slash. A local path stands for itself, made absolute.
func repoIdentity(raw string) string {
	s := strings.TrimSpace(raw)
	var host, p string
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return s
		}
		if u.Scheme == "file" {
			p = filepath.Clean(u.Path)
			break
		}
		host, p = strings.ToLower(u.Hostname()), u.Path
	case isSCPLike(s):
		at := strings.LastIndex(s[:strings.Index(s, ":")], "@")
		hostPart, path, _ := strings.Cut(s[at+1:], ":")
		host, p = strings.ToLower(hostPart), path
	default:
		abs, err := filepath.Abs(s)
		if err != nil {
			return s
		}
		p = abs
	}
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
	if host != "" {
		p = "/" + strings.TrimPrefix(p, "/")
	}
	return host + p
}

// isSCPLike reports whether s is git's scp-like form, [user@]host:path.
func isSCPLike(s string) bool {
	i := strings.Index(s, ":")
	if i <= 0 || strings.ContainsAny(s[:i], "/\\") {
		return false
	}
	// A Windows drive letter ("C:\repo") is a path, not a host.
	return !(i == 1 && len(s) > 2 && (s[2] == '\\' || s[2] == '/'))
}
