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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

func TestReadLocalCheckout(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "gitops", "main")
	first := repo.commit("Add the app", map[string]string{
		"apps/web/deploy.yaml": "kind: web\n",
		"apps/api/deploy.yaml": "kind: api\n",
		".gitignore":           "*.tmp\n",
	})
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)

	clone := t.TempDir()
	repo.git(clone, "clone", "-q", repo.url, ".")
	repo.git(clone, "checkout", "-q", "-b", "pr-1")
	local := func(attrs map[string]cty.Value, dir string) sdk.SourceReadResponse {
		t.Helper()
		resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{
			Address: "source.git.gitops", TypeName: "git", Config: sourceSchema.Object(attrs),
			PriorState: cty.NullVal(sourceSchema.ImpliedType()), LocalDir: dir,
		}})
		if err != nil {
			t.Fatalf("read source: %v", err)
		}
		return resps[0]
	}
	cfg := map[string]cty.Value{"url": str(repo.url), "branch": str("main"), "path": str("apps")}

	// A clean checkout: its HEAD, read where it is.
	resp := local(cfg, clone)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("read: %v", resp.Diagnostics.Err())
	}
	checkState(t, resp.State, map[string]string{
		"commit": first, "short_commit": first[:7], "ref": "refs/heads/pr-1",
		"dir": filepath.Join(clone, "apps"), "message": "Add the app",
	})
	if resp.LocalRevision != first {
		t.Errorf("local revision %q, want %q", resp.LocalRevision, first)
	}
	if got := resp.State.GetAttr("directories"); !got.RawEquals(cty.ListVal([]cty.Value{str("api"), str("web")})) {
		t.Errorf("directories = %#v", got)
	}

	// An ignored file does not make it dirty; an edit does, and the
	// revision names the files, so every edit shows another revision.
	if err := os.WriteFile(filepath.Join(clone, "scratch.tmp"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp := local(cfg, clone); resp.LocalRevision != first {
		t.Errorf("with an ignored file: revision %q, want %q", resp.LocalRevision, first)
	}
	if err := os.WriteFile(filepath.Join(clone, "apps", "web", "deploy.yaml"), []byte("kind: web2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirty := local(cfg, clone)
	if !strings.HasPrefix(dirty.LocalRevision, first+"+dirty.") {
		t.Errorf("dirty revision %q, want %s+dirty.HASH", dirty.LocalRevision, first)
	}
	if got := sdk.GetString(dirty.State, "short_commit"); got != first[:7]+"-dirty" {
		t.Errorf("dirty short_commit %q", got)
	}
	if again := local(cfg, clone); again.LocalRevision != dirty.LocalRevision {
		t.Errorf("the same dirty tree read twice: %q then %q", dirty.LocalRevision, again.LocalRevision)
	}
	if err := os.WriteFile(filepath.Join(clone, "apps", "web", "deploy.yaml"), []byte("kind: web3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if other := local(cfg, clone); other.LocalRevision == dirty.LocalRevision {
		t.Errorf("two different dirty trees share revision %q", other.LocalRevision)
	}

	// Nothing of the checkout reached the cache: no repository, no tree.
	for _, sub := range []string{"repos", "trees"} {
		entries, _ := os.ReadDir(filepath.Join(cacheDir, sub))
		if len(entries) > 0 {
			t.Errorf("the cache's %s holds %d entries after local reads only", sub, len(entries))
		}
	}

	// Mistakes are clear errors.
	other := srv.newRepo(t, "other", "main")
	other.commit("Other", map[string]string{"x.yaml": "kind: x\n"})
	otherClone := t.TempDir()
	repo.git(otherClone, "clone", "-q", other.url, ".")
	for name, tc := range map[string]struct {
		dir, want string
	}{
		"not a checkout": {t.TempDir(), "Not a git checkout"},
		"missing":        {filepath.Join(t.TempDir(), "nope"), "Not a git checkout"},
		"a subdirectory": {filepath.Join(clone, "apps"), "Not a git checkout"},
		"another repo":   {otherClone, "Local checkout of another repository"},
		"bare":           {repo.bare, "Not a git checkout"},
	} {
		resp := local(cfg, tc.dir)
		if !resp.Diagnostics.HasErrors() || resp.Diagnostics[0].Summary != tc.want {
			t.Errorf("%s: diagnostics %v, want %q", name, resp.Diagnostics, tc.want)
		}
	}
	missing := map[string]cty.Value{"url": str(repo.url), "path": str("apps/none")}
	if resp := local(missing, clone); !resp.Diagnostics.HasErrors() || resp.Diagnostics[0].Summary != "Path not found in local checkout" {
		t.Errorf("missing path: %v", resp.Diagnostics)
	}
}

func TestRepoIdentity(t *testing.T) {
	t.Parallel()
	same := [][2]string{
		{"https://github.com/org/repo.git", "git@github.com:org/repo.git"},
		{"https://github.com/org/repo", "ssh://git@GitHub.com:22/org/repo.git"},
		{"http://127.0.0.1:8418/gitops.git", "http://127.0.0.1:8418/gitops.git/"},
		{"/srv/git/repo.git", "file:///srv/git/repo.git"},
	}
	for _, p := range same {
		if repoIdentity(p[0]) != repoIdentity(p[1]) {
			t.Errorf("%q and %q should name one repository: %q vs %q", p[0], p[1], repoIdentity(p[0]), repoIdentity(p[1]))
		}
	}
	differ := [][2]string{
		{"https://github.com/org/repo.git", "https://github.com/org/other.git"},
		{"https://github.com/org/repo.git", "https://gitlab.com/org/repo.git"},
	}
	for _, p := range differ {
		if repoIdentity(p[0]) == repoIdentity(p[1]) {
			t.Errorf("%q and %q should differ", p[0], p[1])
		}
	}
}

// TestSourceLinksStayInside: a commit, or a local checkout, holding a
// symbolic link that leads out of the repository is refused, as Argo CD
// refuses out-of-bounds symlinks, so that nothing reading the source's
// files reads a file of the machine instead; links inside are kept.
func TestSourceLinksStayInside(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "gitops", "main")
	repo.commit("Add the app", map[string]string{"apps/web/deploy.yaml": "kind: web\n"})
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(repo.work, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("deploy.yaml", "apps/web/current.yaml")
	link("web", "apps/alias")
	inside := repo.commit("Links inside", nil)
	c := startProvider(t, newCacheDir(t), nil)
	cfg := map[string]cty.Value{"url": str(repo.url), "branch": str("main"), "path": str("apps")}
	if resp := read(t, c, false, cfg); resp.Diagnostics.HasErrors() {
		t.Fatalf("a commit with links inside the repository: %v", resp.Diagnostics.Err())
	}

	link("/proc/self/environ", "apps/web/env.yaml")
	link("../../..", "apps/up")
	repo.commit("Links out", nil)
	resp := read(t, c, false, cfg)
	if err := resp.Diagnostics.Err(); err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "outside") {
		t.Errorf("a commit with links out of the repository: %v; want it refused", err)
	}

	clone := t.TempDir()
	repo.git(clone, "clone", "-q", repo.url, ".")
	local := func() error {
		t.Helper()
		resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{
			Address: "source.git.gitops", TypeName: "git", Config: sourceSchema.Object(cfg),
			PriorState: cty.NullVal(sourceSchema.ImpliedType()), LocalDir: clone,
		}})
		if err != nil {
			t.Fatal(err)
		}
		return resps[0].Diagnostics.Err()
	}
	if err := local(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a local checkout with links out of it: %v; want it refused", err)
	}
	repo.git(clone, "checkout", "-q", inside)
	if err := local(); err != nil {
		t.Errorf("a local checkout with links inside: %v", err)
	}
	// Untracked too: what is in the work tree is what the plan reads.
	if err := os.Symlink("/etc/hostname", filepath.Join(clone, "apps", "web", "host.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := local(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a local checkout with an untracked link out of it: %v; want it refused", err)
	}
}
