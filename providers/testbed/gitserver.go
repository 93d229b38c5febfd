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

package testbed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// GitServer is git's own smart-HTTP server, git http-backend, run behind
// net/http/cgi on 127.0.0.1. Clients fetch and push over the network
// protocol exactly as they would against a hosted git server.
type GitServer struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// Root holds the bare repositories, NAME.git.
	Root string

	gitBin string
	srv    *http.Server
	served chan error
	mu     sync.Mutex // serialises CreateRepo and Commit, whose pushes would race

	closeOnce sync.Once
	closeErr  error
}

// gitIdentity makes commits the same on every machine, whatever the user's
// git configuration, and keeps git from asking a terminal for anything.
var gitIdentity = []string{
	"GIT_AUTHOR_NAME=slipway testbed",
	"GIT_AUTHOR_EMAIL=testbed@slipway.dev",
	"GIT_COMMITTER_NAME=slipway testbed",
	"GIT_COMMITTER_EMAIL=testbed@slipway.dev",
	"GIT_CONFIG_NOSYSTEM=1",
	"GIT_CONFIG_GLOBAL=" + os.DevNull,
	"GIT_TERMINAL_PROMPT=0",
}

// StartGitServer serves the bare repositories under root over smart HTTP.
// Pushes are accepted without authentication: the server listens on
// 127.0.0.1 only and serves test data.
func StartGitServer(root string) (*GitServer, error) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("find git for the test git server (apt-get install git): %w", err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("create git server root: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, fmt.Errorf("resolve git server root: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for git server: %w", err)
	}
	handler := &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		Dir:  root,
		Env: append([]string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			// http-backend refuses anonymous pushes unless a repo sets
			// http.receivepack; setting it here as well covers repos
			// that tests put under root without CreateRepo.
			"GIT_CONFIG_COUNT=1",
			"GIT_CONFIG_KEY_0=http.receivepack",
			"GIT_CONFIG_VALUE_0=true",
		}, gitIdentity...),
		// http-backend's complaints (a missing repo, a refused push) reach
		// the client as HTTP errors already; on our stderr they would
		// interleave with test output.
		Stderr: io.Discard,
	}
	g := &GitServer{
		URL:    "http://" + ln.Addr().String(),
		Root:   root,
		gitBin: gitBin,
		srv:    &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second},
		served: make(chan error, 1),
	}
	go func() { g.served <- g.srv.Serve(ln) }()
	return g, nil
}

// Close stops the server, letting requests in flight finish for a few
// seconds first. It is safe to call more than once.
func (g *GitServer) Close() error {
	g.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := g.srv.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = g.srv.Close()
		}
		if serveErr := <-g.served; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
			g.closeErr = fmt.Errorf("git server: %w", serveErr)
		} else if err != nil {
			g.closeErr = fmt.Errorf("stop git server: %w", err)
		}
	})
	return g.closeErr
}

// RepoURL returns the clone URL of the repository NAME.
func (g *GitServer) RepoURL(name string) string {
	return g.URL + "/" + name + ".git"
}

// CreateRepo creates the bare repository NAME.git on branch main with one
// commit holding files (slash-separated path to content), and returns the
// commit's hash.
func (g *GitServer) CreateRepo(name string, files map[string]string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !filepath.IsLocal(name) {
		return "", fmt.Errorf("create repo %q: name must be a relative path inside the server root", name)
	}
	bare := filepath.Join(g.Root, filepath.FromSlash(name)+".git")
	if _, err := os.Stat(bare); err == nil {
		return "", fmt.Errorf("create repo %q: %s already exists", name, bare)
	}
	if _, err := g.git("", "init", "--quiet", "--bare", "--initial-branch=main", bare); err != nil {
		return "", fmt.Errorf("create repo %q: %w", name, err)
	}
	if _, err := g.git(bare, "config", "http.receivepack", "true"); err != nil {
		return "", fmt.Errorf("create repo %q: %w", name, err)
	}
	work, err := os.MkdirTemp("", "slipway-git-")
	if err != nil {
		return "", fmt.Errorf("create repo %q: %w", name, err)
	}
	defer os.RemoveAll(work)
	if _, err := g.git(work, "init", "--quiet", "--initial-branch=main"); err != nil {
		return "", fmt.Errorf("create repo %q: %w", name, err)
	}
	commit, err := g.commitAndPush(work, files, nil, "initial commit", bare)
	if err != nil {
		return "", fmt.Errorf("create repo %q: %w", name, err)
	}
	return commit, nil
}

// Commit clones NAME over HTTP, writes files, removes the paths in remove,
// commits with message and pushes to main over HTTP. It returns the new
// commit's hash.
func (g *GitServer) Commit(name string, files map[string]string, remove []string, message string) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	work, err := os.MkdirTemp("", "slipway-git-")
	if err != nil {
		return "", fmt.Errorf("commit to %q: %w", name, err)
	}
	defer os.RemoveAll(work)
	if _, err := g.git("", "clone", "--quiet", "--branch", "main", g.RepoURL(name), work); err != nil {
		return "", fmt.Errorf("commit to %q: %w", name, err)
	}
	commit, err := g.commitAndPush(work, files, remove, message, "origin")
	if err != nil {
		return "", fmt.Errorf("commit to %q: %w", name, err)
	}
	return commit, nil
}

// commitAndPush changes the work tree, commits everything and pushes the
// commit to main on remote. An empty change still makes a commit, so every
// call moves the branch.
func (g *GitServer) commitAndPush(work string, files map[string]string, remove []string, message, remote string) (string, error) {
	for _, p := range remove {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return "", fmt.Errorf("remove %q: path must be relative and inside the repository", p)
		}
		if err := os.RemoveAll(filepath.Join(work, filepath.FromSlash(p))); err != nil {
			return "", fmt.Errorf("remove %q: %w", p, err)
		}
	}
	for p, content := range files {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return "", fmt.Errorf("write %q: path must be relative and inside the repository", p)
		}
		full := filepath.Join(work, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return "", fmt.Errorf("write %q: %w", p, err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return "", fmt.Errorf("write %q: %w", p, err)
		}
	}
	if _, err := g.git(work, "add", "--all"); err != nil {
		return "", err
	}
	if _, err := g.git(work, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", message); err != nil {
		return "", err
	}
	if _, err := g.git(work, "push", "--quiet", remote, "HEAD:refs/heads/main"); err != nil {
		return "", err
	}
	out, err := g.git(work, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// git runs the git CLI in dir with the fixed identity and returns stdout.
func (g *GitServer) git(dir string, args ...string) (string, error) {
	cmd := exec.Command(g.gitBin, args...)
	cmd.Dir = dir
	// Drop the caller's GIT_* variables: a GIT_DIR or GIT_INDEX_FILE left by
	// a hook that runs the tests would point these commands elsewhere.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, gitIdentity...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
