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
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// TestMain lets sdktest re-run this test binary as the provider plugin.
func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"git": New})
}

// startProvider starts the provider through the real protocol and
// configures it with a cache of its own (or the one given).
func startProvider(t *testing.T, cacheDir string, block map[string]cty.Value) *host.Client {
	t.Helper()
	if cacheDir == "" {
		cacheDir = newCacheDir(t)
	}
	c := sdktest.Start(t, "git")
	attrs := map[string]cty.Value{"cache_dir": cty.StringVal(cacheDir)}
	for k, v := range block {
		attrs[k] = v
	}
	diags, err := c.Configure(t.Context(), providerSchema.Object(attrs))
	if err != nil || diags.HasErrors() {
		t.Fatalf("configure: %v %v", diags, err)
	}
	return c
}

// newCacheDir is a cache directory that the test removes at its end,
// checkouts (which are read-only) included.
func newCacheDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() { _ = removeTree(dir) }) // runs before TempDir's own cleanup
	return dir
}

// read resolves one git source.
func read(t *testing.T, c *host.Client, hard bool, attrs map[string]cty.Value) sdk.SourceReadResponse {
	t.Helper()
	resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{
		Address: "source.git.test", TypeName: "git", Config: sourceSchema.Object(attrs),
		PriorState: cty.NullVal(sourceSchema.ImpliedType()), Hard: hard,
	}})
	if err != nil {
		t.Fatalf("read source: %v", err)
	}
	return resps[0]
}

// mustRead resolves one git source and fails the test on an error.
func mustRead(t *testing.T, c *host.Client, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	resp := read(t, c, false, attrs)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("read source: %v", resp.Diagnostics.Err())
	}
	return resp.State
}

func str(s string) cty.Value { return cty.StringVal(s) }

func TestReadBranch(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	first := repo.commit("Add the app\n\nWith a body that is not the subject.", map[string]string{
		"README.md":         "hello\n",
		"bin/run.sh":        "#!/bin/sh\necho run\n",
		"docs/readme-link":  "->../README.md",
		"apps/web/app.yaml": "kind: web\n",
	})
	c := startProvider(t, "", nil)

	st := mustRead(t, c, map[string]cty.Value{"url": str(repo.url), "branch": str("main")})
	dir := sdk.GetString(st, "dir")
	want := map[string]string{
		"url": repo.url, "branch": "main", "commit": first, "short_commit": first[:7],
		"ref": "refs/heads/main", "message": "Add the app", "author": "Slipway Test <test@slipway.dev>",
		"time": "2024-01-02T03:05:05Z",
	}
	checkState(t, st, want)
	if !filepath.IsAbs(dir) {
		t.Errorf("dir %q is not absolute", dir)
	}
	checkFile(t, filepath.Join(dir, "README.md"), "hello\n", 0o444)
	checkFile(t, filepath.Join(dir, "bin", "run.sh"), "#!/bin/sh\necho run\n", 0o555)
	checkFile(t, filepath.Join(dir, "apps", "web", "app.yaml"), "kind: web\n", 0o444)
	if target, err := os.Readlink(filepath.Join(dir, "docs", "readme-link")); err != nil || target != "../README.md" {
		t.Errorf("docs/readme-link: link to %q (%v), want a link to ../README.md", target, err)
	}
	if info, err := os.Stat(filepath.Join(dir, "apps")); err != nil || info.Mode().Perm() != 0o555 {
		t.Errorf("apps: %v %v, want a read-only directory", info, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !os.IsNotExist(err) {
		t.Errorf("the checkout has a .git: %v", err)
	}

	// A new commit pushed is seen by the next read, in a checkout of its own.
	second := repo.commit("Change the readme", map[string]string{"README.md": "hello again\n"})
	st2 := mustRead(t, c, map[string]cty.Value{"url": str(repo.url), "branch": str("main")})
	checkState(t, st2, map[string]string{"commit": second, "message": "Change the readme"})
	checkFile(t, filepath.Join(sdk.GetString(st2, "dir"), "README.md"), "hello again\n", 0o444)
	checkFile(t, filepath.Join(dir, "README.md"), "hello\n", 0o444) // the first checkout is untouched
}

func TestDefaultBranchIsRemoteHEAD(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "trunk", "trunk")
	sha := repo.commit("First", map[string]string{"a": "a\n"})
	repo.git(repo.work, "push", "-q", "origin", "HEAD:refs/heads/aaa-other") // sorts before trunk
	c := startProvider(t, "", nil)
	st := mustRead(t, c, map[string]cty.Value{"url": str(repo.url)})
	checkState(t, st, map[string]string{"commit": sha, "ref": "refs/heads/trunk"})
	if !st.GetAttr("branch").IsNull() {
		t.Errorf("branch = %#v, want it left null as configured", st.GetAttr("branch"))
	}
}

func TestTagAndCommit(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	v1 := repo.commit("Release 1", map[string]string{"VERSION": "1\n"})
	repo.git(repo.work, "tag", "v1")                                                 // lightweight
	repo.git(repo.work, "tag", "-a", "v1-annotated", "-m", "One")                    // a tag object
	middle := repo.commit("Between releases", map[string]string{"VERSION": "1.5\n"}) // no ref points here
	v2 := repo.commit("Release 2", map[string]string{"VERSION": "2\n"})
	repo.git(repo.work, "push", "-q", "origin", "--tags")

	for _, tc := range []struct {
		name   string
		config map[string]cty.Value
		commit string
		ref    string
	}{
		{"lightweight tag", map[string]cty.Value{"tag": str("v1")}, v1, "refs/tags/v1"},
		{"annotated tag", map[string]cty.Value{"tag": str("v1-annotated")}, v1, "refs/tags/v1-annotated"},
		{"old commit", map[string]cty.Value{"commit": str(v1)}, v1, ""},
		{"commit no ref points at", map[string]cty.Value{"commit": str(middle)}, middle, ""},
		{"head commit", map[string]cty.Value{"commit": str(strings.ToUpper(v2))}, v2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startProvider(t, "", nil)
			tc.config["url"] = str(repo.url)
			st := mustRead(t, c, tc.config)
			checkState(t, st, map[string]string{"commit": tc.commit, "ref": tc.ref})
			want := map[string]string{v1: "1\n", middle: "1.5\n", v2: "2\n"}[tc.commit]
			checkFile(t, filepath.Join(sdk.GetString(st, "dir"), "VERSION"), want, 0o444)
		})
	}
}

func TestPathAndDirectories(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "gitops", "main")
	repo.commit("Apps", map[string]string{
		"apps/web/kustomization.yaml": "resources: []\n",
		"apps/api/deploy.yaml":        "kind: Deployment\n",
		"apps/.hidden/x":              "x\n",
		"apps/README.md":              "apps\n",
		"apps/link":                   "->web",
		"top/x":                       "x\n",
	})
	c := startProvider(t, "", nil)

	root := mustRead(t, c, map[string]cty.Value{"url": str(repo.url)})
	checkDirectories(t, root, []string{"apps", "top"})

	st := mustRead(t, c, map[string]cty.Value{"url": str(repo.url), "path": str("apps/")})
	checkDirectories(t, st, []string{"api", "web"})
	if got, want := sdk.GetString(st, "dir"), filepath.Join(sdk.GetString(root, "dir"), "apps"); got != want {
		t.Errorf("dir = %q, want %q", got, want)
	}
	if got := sdk.GetString(st, "path"); got != "apps/" {
		t.Errorf("path = %q, want it as configured", got)
	}
	checkFile(t, filepath.Join(sdk.GetString(st, "dir"), "api", "deploy.yaml"), "kind: Deployment\n", 0o444)

	leaf := mustRead(t, c, map[string]cty.Value{"url": str(repo.url), "path": str("apps/web")})
	checkDirectories(t, leaf, []string{})
}

func TestUnchangedSourceIsNotFetchedAgain(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	sha := repo.commit("One", map[string]string{"a": "a\n"})
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)
	cfg := map[string]cty.Value{"url": str(repo.url), "branch": str("main")}

	st := mustRead(t, c, cfg)
	if _, fetches := srv.counts(); fetches == 0 {
		t.Fatalf("the first read fetched nothing")
	}
	dir := sdk.GetString(st, "dir")

	// Unchanged: one ls-remote, no fetch, the same checkout. A second
	// provider process sharing the cache behaves the same.
	for _, client := range []*host.Client{c, startProvider(t, cacheDir, nil)} {
		again := mustRead(t, client, cfg)
		if lsRemotes, fetches := srv.counts(); lsRemotes != 1 || fetches != 0 {
			t.Errorf("read of an unchanged source: %d ls-remotes and %d fetches, want 1 and 0", lsRemotes, fetches)
		}
		if !again.RawEquals(st) {
			t.Errorf("read of an unchanged source changed state:\n got %#v\nwant %#v", again, st)
		}
	}

	// A hard refresh drops the repository and the checkout and fetches.
	repoDir := filepath.Join(cacheDir, "repos", repoKey(repo.url))
	markers := []string{filepath.Join(repoDir, "marker"), filepath.Join(dir, "marker")}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range markers {
		if err := os.WriteFile(m, []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	resp := read(t, c, true, cfg)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("hard read: %v", resp.Diagnostics.Err())
	}
	checkState(t, resp.State, map[string]string{"commit": sha, "dir": dir})
	if _, fetches := srv.counts(); fetches == 0 {
		t.Errorf("a hard refresh fetched nothing")
	}
	for _, m := range markers {
		if _, err := os.Stat(m); !os.IsNotExist(err) {
			t.Errorf("%s survived a hard refresh: %v", m, err)
		}
	}
	checkFile(t, filepath.Join(dir, "a"), "a\n", 0o444)
}

func TestPinnedCachedCommitNeedsNoServer(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	sha := repo.commit("One", map[string]string{"a": "a\n"})
	cacheDir := newCacheDir(t)
	cfg := map[string]cty.Value{"url": str(repo.url), "commit": str(sha)}
	want := mustRead(t, startProvider(t, cacheDir, nil), cfg)

	srv.stop()
	got := mustRead(t, startProvider(t, cacheDir, nil), cfg)
	if !got.RawEquals(want) {
		t.Errorf("offline read:\n got %#v\nwant %#v", got, want)
	}
	// A branch needs the server to say where it is.
	resp := read(t, startProvider(t, cacheDir, nil), false, map[string]cty.Value{"url": str(repo.url), "branch": str("main")})
	checkDiag(t, resp.Diagnostics, "Cannot reach git repository", "url", repo.url, "not an authentication failure")
}

func TestDiagnostics(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	repo.commit("One", map[string]string{"apps/web/x": "x\n", "file": "f\n"})
	repo.git(repo.work, "push", "-q", "origin", "HEAD:refs/heads/release-1.0")
	repo.git(repo.work, "tag", "v1.0.0")
	repo.git(repo.work, "push", "-q", "origin", "--tags")
	c := startProvider(t, "", nil)

	closed := httpURLOfClosedServer(t) + "/app.git"
	for _, tc := range []struct {
		name    string
		config  map[string]cty.Value
		summary string
		attr    string
		detail  []string
	}{
		{"misspelt branch", map[string]cty.Value{"branch": str("mian")},
			"Git branch not found", "branch", []string{`"mian"`, `Did you mean "main"?`, `Its branches are: "main", "release-1.0".`}},
		{"unrelated branch", map[string]cty.Value{"branch": str("feature/zzzzzzzz")},
			"Git branch not found", "branch", []string{`Its branches are: "main", "release-1.0".`}},
		{"missing tag", map[string]cty.Value{"tag": str("v1.0.1")},
			"Git tag not found", "tag", []string{`Did you mean "v1.0.0"?`, `Its tags are: "v1.0.0".`}},
		{"missing commit", map[string]cty.Value{"commit": str(strings.Repeat("ab", 20))},
			"Git commit not found", "commit", []string{strings.Repeat("ab", 20), repo.url}},
		{"short commit", map[string]cty.Value{"commit": str("abcdef1")},
			"Invalid commit hash", "commit", []string{"all 40"}},
		{"branch and tag", map[string]cty.Value{"branch": str("main"), "tag": str("v1.0.0")},
			"Conflicting git refs", "tag", []string{"branch and tag"}},
		{"missing path", map[string]cty.Value{"path": str("apps/nope")},
			"Path not found in repository", "path", []string{`"apps/nope"`}},
		{"path of a file", map[string]cty.Value{"path": str("file")},
			"Path not found in repository", "path", []string{`"file"`}},
		{"path outside", map[string]cty.Value{"path": str("../x")},
			"Invalid path", "path", []string{"leaves the repository"}},
		{"missing repository", map[string]cty.Value{"url": str(srv.srv.URL + "/nope.git")},
			"Git repository not found", "url", []string{"/nope.git"}},
		{"unreachable server", map[string]cty.Value{"url": str(closed)},
			"Cannot reach git repository", "url", []string{closed, "not an authentication failure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.config["url"]; !ok {
				tc.config["url"] = str(repo.url)
			}
			resp := read(t, c, false, tc.config)
			checkDiag(t, resp.Diagnostics, tc.summary, tc.attr, tc.detail...)
		})
	}
}

func TestEmptyRepository(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "empty", "main")
	resp := read(t, startProvider(t, "", nil), false, map[string]cty.Value{"url": str(repo.url)})
	checkDiag(t, resp.Diagnostics, "Git repository is empty", "url", repo.url)
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "private", "main")
	sha := repo.commit("Secret", map[string]string{"a": "a\n"})
	srv.requireAuth("robot", "s3cret")
	cfg := map[string]cty.Value{"url": str(repo.url)}

	resp := read(t, startProvider(t, "", nil), false, cfg)
	checkDiag(t, resp.Diagnostics, "Git authentication failed", "url", repo.url, "username and password")
	resp = read(t, startProvider(t, "", map[string]cty.Value{"username": str("robot"), "password": str("wrong")}), false, cfg)
	checkDiag(t, resp.Diagnostics, "Git authentication failed", "url", repo.url)

	c := startProvider(t, "", map[string]cty.Value{"username": str("robot"), "password": str("s3cret")})
	checkState(t, mustRead(t, c, cfg), map[string]string{"commit": sha})
}

func TestLocalRepositories(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	sha := repo.commit("One", map[string]string{"apps/a/x": "x\n"})
	c := startProvider(t, "", nil)
	for name, url := range map[string]string{
		"file URL":            "file://" + filepath.ToSlash(repo.bare),
		"path of a bare repo": repo.bare,
		"path of a work tree": repo.work,
	} {
		t.Run(name, func(t *testing.T) {
			st := mustRead(t, c, map[string]cty.Value{"url": str(url), "path": str("apps")})
			checkState(t, st, map[string]string{"commit": sha, "ref": "refs/heads/main", "url": url})
			checkDirectories(t, st, []string{"a"})
		})
	}
	lsRemotes, fetches := srv.counts()
	if lsRemotes != 0 || fetches != 0 {
		t.Errorf("local reads went to the HTTP server: %d ls-remotes, %d fetches", lsRemotes, fetches)
	}
}

func TestConcurrentReadsOfOneURL(t *testing.T) {
	t.Parallel()
	srv := newGitServer(t)
	repo := srv.newRepo(t, "app", "main")
	sha := repo.commit("One", map[string]string{"a": "a\n"})
	cacheDir := newCacheDir(t)
	clients := []*host.Client{startProvider(t, cacheDir, nil), startProvider(t, cacheDir, nil)}

	const perClient = 4
	var wg sync.WaitGroup
	errs := make(chan string, len(clients))
	for _, c := range clients {
		wg.Go(func() {
			reqs := make([]sdk.SourceReadRequest, perClient)
			for i := range reqs {
				reqs[i] = sdk.SourceReadRequest{
					Address: "source.git.x", TypeName: "git",
					Config:     sourceSchema.Object(map[string]cty.Value{"url": str(repo.url)}),
					PriorState: cty.NullVal(sourceSchema.ImpliedType()),
				}
			}
			resps, err := c.ReadSources(t.Context(), reqs)
			if err != nil {
				errs <- err.Error()
				return
			}
			for _, r := range resps {
				if r.Diagnostics.HasErrors() {
					errs <- r.Diagnostics.Err().Error()
				} else if got := sdk.GetString(r.State, "commit"); got != sha {
					errs <- "commit " + got + ", want " + sha
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	entries, err := os.ReadDir(filepath.Join(cacheDir, "trees"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{sha}, names); diff != "" {
		t.Errorf("trees (-want +got):\n%s", diff)
	}
}

func TestUnknownConfigResolvesUnknown(t *testing.T) {
	t.Parallel()
	c := startProvider(t, "", nil)
	resp := read(t, c, false, map[string]cty.Value{"url": cty.UnknownVal(cty.String)})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	for _, name := range append([]string{"commit"}, computed...) {
		if resp.State.GetAttr(name).IsKnown() {
			t.Errorf("%s is known for an unknown url: %#v", name, resp.State.GetAttr(name))
		}
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "git")
	got, err := c.Schemas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := &sdk.ProviderSchemas{
		Metadata:  sdk.Metadata{Name: "git", Version: "0.1.0", Offline: true, Sessions: true},
		Provider:  providerSchema,
		Resources: map[string]sdk.Schema{"git_promote": promoteSchema},
		Sources:   map[string]sdk.Schema{"git": sourceSchema},
	}
	typeEq := cmp.Options{
		cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
		cmp.Comparer(func(a, b cty.Value) bool {
			return a == cty.NilVal && b == cty.NilVal || a != cty.NilVal && b != cty.NilVal && a.RawEquals(b)
		}),
	}
	if diff := cmp.Diff(want, got, typeEq, cmp.Transformer("emptyMap", func(m map[string]sdk.Schema) map[string]sdk.Schema {
		if len(m) == 0 {
			return nil
		}
		return m
	})); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
}

func checkState(t *testing.T, st cty.Value, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got := sdk.GetString(st, name); got != w {
			t.Errorf("%s = %q, want %q", name, got, w)
		}
	}
}

func checkDirectories(t *testing.T, st cty.Value, want []string) {
	t.Helper()
	v := st.GetAttr("directories")
	got := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		got = append(got, e.AsString())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directories (-want +got):\n%s", diff)
	}
}

func checkFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if string(data) != content {
		t.Errorf("%s holds %q, want %q", path, data, content)
	}
	if info, err := os.Lstat(path); err != nil || info.Mode().Perm() != mode {
		t.Errorf("%s: mode %v (%v), want %04o", path, info.Mode(), err, mode)
	}
}

// checkDiag checks that diags is one error with summary, about attr, whose
// detail holds every one of details.
func checkDiag(t *testing.T, diags sdk.Diagnostics, summary, attr string, details ...string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("diagnostics %#v, want one", diags)
	}
	d := diags[0]
	if d.Severity != sdk.Error || d.Summary != summary {
		t.Errorf("diagnostic %q (severity %d), want the error %q; detail: %s", d.Summary, d.Severity, summary, d.Detail)
	}
	if !d.Attribute.Equals(cty.GetAttrPath(attr)) {
		t.Errorf("diagnostic about %#v, want %s", d.Attribute, attr)
	}
	for _, s := range details {
		if !strings.Contains(d.Detail, s) {
			t.Errorf("detail %q does not say %q", d.Detail, s)
		}
	}
}

// httpURLOfClosedServer is the URL of a server that is no longer there.
func httpURLOfClosedServer(t *testing.T) string {
	srv := newGitServer(t)
	srv.stop()
	return srv.srv.URL
}
