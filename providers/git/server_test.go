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
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// gitServer is a real git server for tests: `git http-backend` behind
// net/http/cgi on 127.0.0.1, serving the bare repositories under root. It
// counts the requests of the smart HTTP protocol, so tests can tell an
// ls-remote from a fetch.
type gitServer struct {
	root string
	srv  *httptest.Server

	mu          sync.Mutex
	lsRemotes   int // GET info/refs?service=git-upload-pack: every ls-remote, and the start of every fetch
	uploadPacks int // POST git-upload-pack: a fetch
	// user and password, when set, are required as HTTP basic auth.
	user, password string
}

func newGitServer(t *testing.T) *gitServer {
	t.Helper()
	s := &gitServer{root: t.TempDir()}
	backend := &cgi.Handler{
		Path: filepath.Join(gitExecPath(t), "git-http-backend"),
		Env: []string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=/dev/null",
			"HOME=" + s.root,
		},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		user, password := s.user, s.password
		if strings.HasSuffix(r.URL.Path, "/info/refs") && r.URL.Query().Get("service") == "git-upload-pack" {
			s.lsRemotes++
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			s.uploadPacks++
		}
		s.mu.Unlock()
		if user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "unauthorised", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// requireAuth makes the server refuse requests without these credentials.
func (s *gitServer) requireAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.password = user, password
}

// counts returns the request counters and sets them back to zero.
func (s *gitServer) counts() (lsRemotes, uploadPacks int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lsRemotes, uploadPacks = s.lsRemotes, s.uploadPacks
	s.lsRemotes, s.uploadPacks = 0, 0
	return lsRemotes, uploadPacks
}

func (s *gitServer) stop() { s.srv.Close() }

// testRepo is a bare repository on the server and a work tree that
// commits and pushes to it with the git CLI.
type testRepo struct {
	t      *testing.T
	url    string // over HTTP
	bare   string // path of the bare repository
	work   string
	branch string
	home   string
	n      int // commits made, for distinct commit times
}

// newRepo makes an empty bare repository name.git whose HEAD names branch.
func (s *gitServer) newRepo(t *testing.T, name, branch string) *testRepo {
	t.Helper()
	r := &testRepo{
		t:      t,
		url:    s.srv.URL + "/" + name + ".git",
		bare:   filepath.Join(s.root, name+".git"),
		work:   t.TempDir(),
		branch: branch,
		home:   t.TempDir(),
	}
	r.git(s.root, "init", "--bare", "--initial-branch="+branch, r.bare)
	r.git(r.work, "init", "--initial-branch="+branch, ".")
	r.git(r.work, "remote", "add", "origin", r.bare)
	return r
}

// write sets files of the work tree (a trailing "->" makes a symbolic
// link: "link" -> "target"); an empty content removes the file.
func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.work, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files, commits them with message and pushes the branch;
// it returns the new commit's hash.
func (r *testRepo) commit(message string, files map[string]string) string {
	r.t.Helper()
	r.write(files)
	r.n++
	r.git(r.work, "add", "-A")
	r.git(r.work, "commit", "-q", "-m", message, "--date", r.date())
	r.git(r.work, "push", "-q", "origin", "HEAD:refs/heads/"+r.branch)
	return r.git(r.work, "rev-parse", "HEAD")
}

// date is the author and commit time of the n-th commit.
func (r *testRepo) date() string {
	return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(r.n) * time.Minute).Format(time.RFC3339)
}

// git runs the git CLI in dir with a fixed identity and no user or system
// configuration, and returns its trimmed output.
func (r *testRepo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"HOME="+r.home,
		"GIT_AUTHOR_NAME=Slipway Test",
		"GIT_AUTHOR_EMAIL=test@slipway.dev",
		"GIT_COMMITTER_NAME=Slipway Test",
		"GIT_COMMITTER_EMAIL=test@slipway.dev",
		"GIT_COMMITTER_DATE="+r.date(),
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

var (
	execPathOnce sync.Once
	execPath     string
	execPathErr  error
)

// gitExecPath is where git keeps its helpers (git-http-backend).
func gitExecPath(t *testing.T) string {
	t.Helper()
	execPathOnce.Do(func() {
		var out []byte
		out, execPathErr = exec.Command("git", "--exec-path").Output()
		execPath = strings.TrimSpace(string(out))
	})
	if execPathErr != nil {
		t.Fatalf("these tests run a real git server and need git: install it with `apt-get install -y git` (%v)", execPathErr)
	}
	if _, err := os.Stat(filepath.Join(execPath, "git-http-backend")); err != nil {
		t.Fatalf("these tests run git http-backend, which comes with git: install it with `apt-get install -y git` (%v)", err)
	}
	return execPath
}
