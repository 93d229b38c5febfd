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
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// withToken is rawURL with user and token as its userinfo, as CI systems
// write it ("https://x-access-token:TOKEN@github.com/org/repo.git").
func withToken(t *testing.T, rawURL, user, token string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, token)
	return u.String()
}

// checkNoSecret fails the test when any diagnostic or progress line holds
// one of secrets.
func checkNoSecret(t *testing.T, what string, diags sdk.Diagnostics, lines []string, secrets ...string) {
	t.Helper()
	var texts []string
	for _, d := range diags {
		texts = append(texts, d.Summary, d.Detail)
	}
	texts = append(texts, lines...)
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s: %q shows the secret %q", what, text, s)
			}
		}
	}
}

// checkCacheHoldsNo fails the test when a file under the cache holds
// secret, and checks the cache is its owner's only: repos/ and trees/
// (under which everything else lies), each repository and its config, and
// the lock files.
func checkCacheHoldsNo(t *testing.T, cacheDir, secret string) {
	t.Helper()
	err := filepath.WalkDir(cacheDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(cacheDir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		parent := filepath.Base(filepath.Dir(p))
		switch {
		case rel == "repos" || rel == "trees":
			checkMode(t, rel, info, 0o700)
		case parent == "repos" && d.IsDir():
			checkMode(t, rel, info, 0o700)
		case parent == "repos" && strings.HasSuffix(p, ".lock"):
			checkMode(t, rel, info, 0o600)
		case filepath.Base(p) == "config" && filepath.Base(filepath.Dir(filepath.Dir(p))) == "repos":
			checkMode(t, rel, info, 0o600)
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("the cache's %s holds the secret %q", rel, secret)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkMode checks that others have no access to what the cache made,
// and its owner what it needs (want's owner bits).
func checkMode(t *testing.T, rel string, info fs.FileInfo, want fs.FileMode) {
	t.Helper()
	if got := info.Mode().Perm(); got&0o007 != 0 || got&0o700 != want&0o700 {
		t.Errorf("the cache's %s has mode %#o, want %#o less the group's bits the umask takes, none for others", rel, got, want)
	}
}

func TestSourceURLTokenIsNeverShownNorStored(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "private", "main")
	sha := repo.commit("Secret", map[string]string{"a": "a\n"})
	const token, wrong = "ghs_tok3nV4lue", "ghs_wr0ngV4lue"
	srv.requireAuth("x-access-token", token)
	good := withToken(t, repo.url, "x-access-token", token)
	bad := withToken(t, repo.url, "x-access-token", wrong)
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)

	closed := withToken(t, httpURLOfClosedServer(t)+"/private.git", "x-access-token", token)
	missing := withToken(t, srv.srv.URL+"/nope.git", "x-access-token", token)
	for _, tc := range []struct {
		name    string
		config  map[string]cty.Value
		summary string
	}{
		{"wrong token", map[string]cty.Value{"url": str(bad)}, "Git authentication failed"},
		{"missing branch", map[string]cty.Value{"url": str(good), "branch": str("mian")}, "Git branch not found"},
		{"missing tag", map[string]cty.Value{"url": str(good), "tag": str("v9")}, "Git tag not found"},
		{"missing commit", map[string]cty.Value{"url": str(good), "commit": str(strings.Repeat("ab", 20))}, "Git commit not found"},
		{"missing path", map[string]cty.Value{"url": str(good), "path": str("nope")}, "Path not found in repository"},
		{"missing repository", map[string]cty.Value{"url": str(missing)}, "Git repository not found"},
		{"unreachable server", map[string]cty.Value{"url": str(closed)}, "Cannot reach git repository"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := read(t, c, false, tc.config)
			if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != tc.summary {
				t.Fatalf("diagnostics %v, want %q", resp.Diagnostics, tc.summary)
			}
			if d := resp.Diagnostics[0].Detail; tc.name != "missing path" && tc.name != "unreachable server" && !strings.Contains(d, srv.srv.URL+"/") {
				t.Errorf("detail %q does not name the repository", d)
			}
			checkNoSecret(t, tc.name, resp.Diagnostics, nil, token, wrong)
		})
	}

	// The token in the URL is what authenticates: it goes as basic auth.
	st := mustRead(t, c, map[string]cty.Value{"url": str(good), "branch": str("main")})
	checkState(t, st, map[string]string{"commit": sha})
	checkCacheHoldsNo(t, cacheDir, token)

	// A rotated token is the same repository: the commit is cached.
	const rotated = "ghs_r0tatedV4lue"
	srv.requireAuth("x-access-token", rotated)
	srv.counts()
	st = mustRead(t, c, map[string]cty.Value{"url": str(withToken(t, repo.url, "x-access-token", rotated)), "branch": str("main")})
	checkState(t, st, map[string]string{"commit": sha})
	if _, fetches := srv.counts(); fetches != 0 {
		t.Errorf("%d fetches after the token changed, want none: the cache is keyed by the URL without credentials", fetches)
	}
	checkCacheHoldsNo(t, cacheDir, rotated)
}

func TestLegacyCacheWithTokenIsRewritten(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "private", "main")
	sha := repo.commit("Secret", map[string]string{"a": "a\n"})
	const token = "ghs_l3gacyT0ken"
	srv.requireAuth("x-access-token", token)
	good := withToken(t, repo.url, "x-access-token", token)
	cacheDir := newCacheDir(t)

	// What an earlier version left: the repository keyed by the URL with
	// its token, which its config holds, world-readable.
	legacy := filepath.Join(cacheDir, "repos", repoKey(good))
	if err := os.MkdirAll(filepath.Dir(legacy), 0o755); err != nil {
		t.Fatal(err)
	}
	g, err := gogit.PlainInit(legacy, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{good}}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(legacy, 0o755); err != nil {
		t.Fatal(err)
	}

	c := startProvider(t, cacheDir, nil)
	st := mustRead(t, c, map[string]cty.Value{"url": str(good)})
	checkState(t, st, map[string]string{"commit": sha})
	checkCacheHoldsNo(t, cacheDir, token)
	if _, err := os.Stat(legacy); err == nil {
		t.Errorf("the repository cached under the key of the URL with its token is still there")
	}
	if _, err := gogit.PlainOpen(filepath.Join(cacheDir, "repos", repoKey(repo.url))); err != nil {
		t.Errorf("no repository cached under the key of the URL without its token: %v", err)
	}
}

func TestPromoteURLTokenIsNeverShown(t *testing.T) {
	t.Parallel()
	const token = "ghs_pr0moteT0ken"
	g := startGitServer(t)
	createGitops(t, g, nil)
	repoURL := withToken(t, g.RepoURL("gitops"), "x-access-token", token)
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)

	// A plan that fails names the repository, not the token.
	cfg := tagEdit(repoURL, "1.2.3")
	cfg["branch"] = str("nope")
	resp := planPromote(t, c, promoteCfg(cfg))
	if !resp.Diagnostics.HasErrors() {
		t.Fatalf("plan of a missing branch: no error")
	}
	checkNoSecret(t, "plan of a missing branch", resp.Diagnostics, nil, token)

	// A push that succeeds says where it pushed, not with what.
	ok := promoteCfg(tagEdit(repoURL, "1.2.3"))
	plan := mustPlan(t, c, ok)
	checkNoSecret(t, "plan", plan.Diagnostics, nil, token)
	st, progress := mustApply(t, c, ok, plan)
	if sdk.GetString(st, "commit") == "" {
		t.Fatalf("apply pushed no commit")
	}
	pushed := false
	for _, line := range progress {
		pushed = pushed || strings.HasPrefix(line, "pushed ")
	}
	if !pushed {
		t.Errorf("progress %q says nothing was pushed", progress)
	}
	checkNoSecret(t, "apply", nil, progress, token)
	checkCacheHoldsNo(t, cacheDir, token)

	// A promote refused for its credentials says so without them.
	srv := newGitServer(t)
	private := srv.newRepo(t, "gitops", "main")
	private.commit("Overlay", map[string]string{kustPath: kustomization})
	srv.requireAuth("x-access-token", "ghs_theR1ghtOne")
	refused := promoteCfg(tagEdit(withToken(t, private.url, "x-access-token", token), "1.2.3"))
	resp = planPromote(t, c, refused)
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Git authentication failed" {
		t.Fatalf("diagnostics %v, want an authentication failure", resp.Diagnostics)
	}
	checkNoSecret(t, "plan refused", resp.Diagnostics, nil, token)
}

// TestCacheKeepsOthersOut: what the cache holds is its owner's and
// group's alone, a cache of an earlier version (made 0755) included, its
// checkouts of commits already there too; the group keeps its access,
// so that a cache_dir shared through a group still works.
func TestCacheKeepsOthersOut(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "private", "main")
	repo.commit("Secret", map[string]string{"a": "a\n"})
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)
	if resp := read(t, c, false, map[string]cty.Value{"url": str(repo.url)}); len(resp.Diagnostics) != 0 {
		t.Fatalf("read: %v", resp.Diagnostics)
	}
	// As an earlier version left it, and a group that shares it.
	for _, d := range []string{"repos", "trees"} {
		if err := os.Chmod(filepath.Join(cacheDir, d), 0o775); err != nil {
			t.Fatal(err)
		}
	}
	// The same commit again: its checkout is there already.
	if resp := read(t, c, false, map[string]cty.Value{"url": str(repo.url)}); len(resp.Diagnostics) != 0 {
		t.Fatalf("read: %v", resp.Diagnostics)
	}
	for _, d := range []string{"repos", "trees"} {
		info, err := os.Stat(filepath.Join(cacheDir, d))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o770 {
			t.Errorf("the cache's %s has mode %#o, want 0770: others out, the group's access kept", d, got)
		}
	}
}
