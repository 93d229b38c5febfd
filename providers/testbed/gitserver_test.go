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

package testbed_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/providers/testbed"
)

// TestGitServer pushes and fetches over smart HTTP with the git CLI, the
// way slipway's git source and users' tools reach a hosted server.
func TestGitServer(t *testing.T) {
	t.Parallel()
	g, err := testbed.StartGitServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Error(err)
		}
	})

	first, err := g.CreateRepo("app", map[string]string{
		"main.tf":            "app \"web\" {}\n",
		"deploy/values.yaml": "replicas: 1\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := lsRemote(t, g.RepoURL("app")); got != first {
		t.Errorf("ls-remote main = %q, want the initial commit %q", got, first)
	}

	second, err := g.Commit("app", map[string]string{"deploy/values.yaml": "replicas: 3\n"}, []string{"main.tf"}, "scale up")
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatalf("Commit returned the initial commit %s", first)
	}
	if got := lsRemote(t, g.RepoURL("app")); got != second {
		t.Errorf("ls-remote main = %q, want the new commit %q", got, second)
	}

	// A fresh clone over HTTP sees the change and the removal.
	dir := filepath.Join(t.TempDir(), "clone")
	git(t, "", "clone", "--quiet", g.RepoURL("app"), dir)
	if got := git(t, dir, "log", "-1", "--format=%H %s"); got != second+" scale up" {
		t.Errorf("clone HEAD = %q, want %q", got, second+" scale up")
	}
	values, err := os.ReadFile(filepath.Join(dir, "deploy", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(values) != "replicas: 3\n" {
		t.Errorf("deploy/values.yaml = %q, want %q", values, "replicas: 3\n")
	}
	if _, err := os.Stat(filepath.Join(dir, "main.tf")); err == nil {
		t.Error("main.tf still exists after Commit removed it")
	}
}

func TestGitServerRejectsMissingRepo(t *testing.T) {
	t.Parallel()
	g, err := testbed.StartGitServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Commit("missing", map[string]string{"a": "b"}, nil, "x"); err == nil {
		t.Error("Commit to a repo that does not exist succeeded")
	}
	if _, err := g.CreateRepo("../escape", nil); err == nil {
		t.Error("CreateRepo with a name outside the root succeeded")
	}
}

// lsRemote returns the hash of main on url, asked over the network.
func lsRemote(t *testing.T, url string) string {
	t.Helper()
	out := git(t, "", "ls-remote", url, "refs/heads/main")
	hash, _, _ := strings.Cut(out, "\t")
	return hash
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
