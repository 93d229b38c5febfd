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

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"slipway.dev/slipway/providers/testbed"
)

// TestProvidersFromOCIRegistry publishes examples/provider-file, built for
// two platforms, to the testbed's registry with `providers push`, and uses
// it from a fresh configuration on a fresh home directory, as a team
// would: init pulls and pins it, plan and apply run it, init again pulls
// nothing, a colleague's init refuses the binary once the tag was pushed
// again with another, init -upgrade pins the new one, and a constraint
// that no tag meets is an error that lists the versions.
func TestProvidersFromOCIRegistry(t *testing.T) {
	t.Parallel()
	reg, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(func() { _ = reg.Close() })

	here := runtime.GOOS + "_" + runtime.GOARCH
	other := runtime.GOOS + "_arm64"
	if runtime.GOARCH == "arm64" {
		other = runtime.GOOS + "_amd64"
	}
	dist := t.TempDir()
	ociBuild(t, dist, here)
	ociBuild(t, dist, other)
	repo := reg.Addr + "/acme/file"

	out, err := slipwayFresh(t, dist, t.TempDir(), "providers", "push", dist, repo+":0.1.0")
	if err != nil {
		t.Fatalf("providers push: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("Pushed provider file 0.1.0 for %s to %s:0.1.0", strings.Join(ociSorted(here, other), ", "), repo); !strings.Contains(out, want) {
		t.Fatalf("providers push said:\n%s\nwant %q", out, want)
	}
	digest := regexp.MustCompile(`index (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
	if digest == nil {
		t.Fatalf("providers push printed no index digest:\n%s", out)
	}

	cfg := func(constraint string) string {
		return fmt.Sprintf(`slipway {
  required_providers {
    file = { source = %q, version = %q }
  }
}

resource "file" "motd" {
  path    = "motd.txt"
  content = "hello\n"
}
`, repo, constraint)
	}
	dir := t.TempDir()
	ociWrite(t, filepath.Join(dir, "main.slip.hcl"), cfg("~> 0.1"))
	home := t.TempDir()

	out, err = slipwayFresh(t, dir, home, "init", "-platform="+other)
	if err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	for _, p := range []string{here, other} {
		if want := fmt.Sprintf("pulled the %s build from %s", p, repo); !strings.Contains(out, want) {
			t.Errorf("init said:\n%s\nwant %q", out, want)
		}
		installed := filepath.Join(home, ".slipway", "providers", "file", "0.1.0", p, "slipway-provider-file")
		if got, want := ociHash(t, installed), ociHash(t, filepath.Join(dist, "slipway-provider-file_"+p)); got != want {
			t.Errorf("the %s binary installed at %s is %s, pushed %s", p, installed, got, want)
		}
	}
	lock := ociRead(t, filepath.Join(dir, ".slipway.lock.hcl"))
	for _, want := range []string{
		`version = "0.1.0"`,
		fmt.Sprintf(`source  = %q`, repo),
		fmt.Sprintf(`digest  = %q`, digest[1]),
		ociHash(t, filepath.Join(dist, "slipway-provider-file_"+here)),
		ociHash(t, filepath.Join(dist, "slipway-provider-file_"+other)),
	} {
		if !strings.Contains(lock, want) {
			t.Errorf("the lock file lacks %s:\n%s", want, lock)
		}
	}

	if out, err := slipwayFresh(t, dir, home, "apply", "-auto-approve"); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if got := ociRead(t, filepath.Join(dir, "motd.txt")); got != "hello\n" {
		t.Errorf("apply wrote %q", got)
	}
	if out, err := slipwayFresh(t, dir, home, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after apply: %v\n%s", err, out)
	}

	out, err = slipwayFresh(t, dir, home, "init")
	if err != nil || strings.Contains(out, "pulled") {
		t.Errorf("init again pulled or failed: %v\n%s", err, out)
	}
	if again := ociRead(t, filepath.Join(dir, ".slipway.lock.hcl")); again != lock {
		t.Errorf("init again changed the lock file:\n%s\nwas:\n%s", again, lock)
	}

	// The tag is pushed again with another binary (stripped: other bytes,
	// the same provider).
	tampered := t.TempDir()
	ociBuild(t, tampered, here, "-ldflags=-s -w")
	out, err = slipwayFresh(t, tampered, t.TempDir(), "providers", "push", tampered, repo+":0.1.0")
	if err != nil {
		t.Fatalf("push again: %v\n%s", err, out)
	}
	newDigest := regexp.MustCompile(`index (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
	if newDigest == nil || newDigest[1] == digest[1] {
		t.Fatalf("the second push gave the index %v, the first %s", newDigest, digest[1])
	}
	colleague := t.TempDir()
	out, err = slipwayFresh(t, dir, colleague, "init")
	if exitCode(err) != 1 {
		t.Fatalf("init of a tampered artifact exited %d:\n%s", exitCode(err), out)
	}
	for _, want := range []string{"Provider binary changed", ociHash(t, filepath.Join(dist, "slipway-provider-file_"+here)),
		ociHash(t, filepath.Join(tampered, "slipway-provider-file_"+here)), digest[1], newDigest[1]} {
		if !strings.Contains(ociFlat(out), want) {
			t.Errorf("init of a tampered artifact does not name %s:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(colleague, ".slipway", "providers", "file")); !os.IsNotExist(err) {
		t.Errorf("the refused binary was installed: %v", err)
	}

	out, err = slipwayFresh(t, dir, colleague, "init", "-upgrade")
	if err != nil {
		t.Fatalf("init -upgrade: %v\n%s", err, out)
	}
	if lock := ociRead(t, filepath.Join(dir, ".slipway.lock.hcl")); !strings.Contains(lock, newDigest[1]) || !strings.Contains(lock, ociHash(t, filepath.Join(tampered, "slipway-provider-file_"+here))) {
		t.Errorf("init -upgrade did not pin the new binary:\n%s", lock)
	}

	none := t.TempDir()
	ociWrite(t, filepath.Join(none, "main.slip.hcl"), cfg("~> 9.0"))
	out, err = slipwayFresh(t, none, t.TempDir(), "init")
	if want := fmt.Sprintf(`no version of %s matches "~> 9.0"; its tags hold 0.1.0`, repo); exitCode(err) != 1 || !strings.Contains(ociFlat(out), want) {
		t.Errorf("init with no matching tag exited %d:\n%s\nwant %q", exitCode(err), out, want)
	}
}

// ociBuild cross-compiles examples/provider-file for platform (OS_ARCH) into
// dir as slipway-provider-file_OS_ARCH.
func ociBuild(t *testing.T, dir, platform string, flags ...string) {
	t.Helper()
	goos, goarch, _ := strings.Cut(platform, "_")
	args := append([]string{"build", "-o", filepath.Join(dir, "slipway-provider-file_"+platform)}, flags...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = filepath.Join("..", "..", "examples", "provider-file") // a module of its own
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for %s: %v\n%s", platform, err, out)
	}
}

// slipwayFresh runs slipway in dir as a user whose home is home, with
// nothing on the search path but the home's own provider cache and no
// registry credentials.
func slipwayFresh(t *testing.T, dir, home string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "SLIPWAY_PROVIDER_PATH=") && !strings.HasPrefix(e, "DOCKER_CONFIG=") && !strings.HasPrefix(e, "HOME=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+home, "NO_COLOR=1")
	ownGroup(cmd)
	defer endGroup(cmd)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func ociHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func ociRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ociWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ociFlat joins the lines of a message that the view wrapped.
func ociFlat(s string) string { return strings.Join(strings.Fields(s), " ") }

func ociSorted(a, b string) []string {
	if a > b {
		a, b = b, a
	}
	return []string{a, b}
}
