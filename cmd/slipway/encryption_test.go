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
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"slipway.dev/slipway/state"
)

// encryptedConfig encrypts state and saved plans with a passphrase from
// a sensitive variable, and threads var.secret through a resource's
// value and computed id, an output, a resource that an apply is killed
// in, and a pipeline's environment and log.
const encryptedConfig = `
variable "secret" {
  type      = string
  sensitive = true
}

variable "state_passphrase" {
  type      = string
  sensitive = true
}

variable "nap" {
  type    = string
  default = "0s"
}

variable "repo" {
  type = string
}

slipway {
  encryption {
    key_provider "pbkdf2" "main" {
      passphrase = var.state_passphrase
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method   = method.aes_gcm.main
      enforced = true
    }
    plan {
      method   = method.aes_gcm.main
      enforced = true
    }
  }
}

resource "testkit_echo" "says" {
  message = "the secret is ${var.secret}"
}

resource "testkit_sleep" "nap" {
  name     = "nap ${var.secret}"
  duration = var.nap
}

source "git" "app" {
  url    = var.repo
  branch = "main"
}

pipeline "ci" {
  source = source.git.app
  stage "echo" {
    env = { TOKEN = var.secret }
    run = ["echo the token is $TOKEN"]
  }
}

output "greeting" {
  value     = "token=${var.secret}"
  sensitive = true
}
`

// revealingForms are the ways a marker could be readable in a file: as it
// is, in hex, and in base64 (standard and URL alphabets) at each of the
// three alignments it can have inside a longer base64 text.
func revealingForms(marker string) []string {
	forms := []string{marker, hex.EncodeToString([]byte(marker))}
	for off := range 3 {
		b := append(bytes.Repeat([]byte{'-'}, off), marker...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := enc.EncodeToString(b)
			// Leave out the characters that mix in the padding bytes or
			// what follows the marker.
			start := (off*8 + 5) / 6
			end := len(b) * 8 / 6
			forms = append(forms, s[start:end])
		}
	}
	return forms
}

// snapshot reads every file below dir, by path.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := readPlain(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// assertNothingReadable fails for every file below dir whose name or
// content holds any of forms: no exception, not even .git directories.
func assertNothingReadable(t *testing.T, dir string, forms []string) {
	t.Helper()
	files := snapshot(t, dir)
	for rel, b := range files {
		for _, f := range forms {
			if strings.Contains(rel, f) {
				t.Errorf("the secret names a file: %s", rel)
			}
			if i := bytes.Index(b, []byte(f)); i >= 0 {
				t.Errorf("%s holds %q:\n%q", rel, f, around(string(b), i))
			}
		}
	}
	names := slices.Sorted(maps.Keys(files))
	t.Logf("%d files below the working directory hold nothing of the secret: %s", len(files), strings.Join(names, " "))
}

// TestEncryptionHidesSecretsInEveryFile applies a configuration with a
// sensitive variable through every way slipway writes files — a saved
// plan and its apply, a second apply that makes a backup, an apply
// killed mid-change that leaves the intent journal behind, a pipeline
// run with its logs, state encrypt after decrypt — and reads every file
// below the working directory (which holds HOME, so caches too) for the
// secret in any form. A wrong passphrase is refused, saying so, and
// leaves every file byte for byte as it was.
func TestEncryptionHidesSecretsInEveryFile(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("needs git to make the pipeline's repository")
	}
	marker := "mk-" + rand.Text()
	forms := revealingForms(marker)
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	gitInit(t, repo)
	dir := filepath.Join(root, "road")
	writeConfig(t, dir, encryptedConfig)
	env := []string{"SLIPWAY_VAR_secret=" + marker, "SLIPWAY_VAR_repo=" + repo, "SLIPWAY_PROVIDER_PATH=" + binDir()}
	right := append(slices.Clone(env), "SLIPWAY_VAR_state_passphrase=correct-horse-battery-staple")
	wrong := append(slices.Clone(env), "SLIPWAY_VAR_state_passphrase=wrong-horse-battery-staple")

	run := func(env []string, args ...string) cliResult {
		t.Helper()
		r := runCLI(t, dir, env, args...)
		r.assertNoSecret(t, forms)
		if r.code != 0 {
			t.Fatalf("slipway %s exited %d:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r
	}
	run(right, "init")
	run(right, "plan", "-out=saved.plan")
	run(right, "show", "saved.plan")
	run(right, "apply", "saved.plan")
	// A second writer of the state backs up the first state. (The
	// replaced echo comes back as it was, so the state changes by the
	// nap's duration: an apply that leaves the state as it was writes
	// nothing, and backs nothing up.)
	run(right, "apply", "-auto-approve", "-replace=testkit_echo.says", "-var", "nap=1ms")
	// Asking for a sensitive output by name is asking for its value.
	if r := runCLI(t, dir, right, "output", "greeting"); r.code != 0 || !strings.Contains(r.stdout, marker) {
		t.Errorf("output greeting does not give the value back: %q", r.stdout)
	}
	for _, name := range []string{"saved.plan", "slipway.slipstate", "slipway.slipstate.backup"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !state.IsSealed(b) {
			t.Errorf("%s is not sealed (%v)", name, err)
		}
	}

	// Killed while a change is in flight, the apply leaves its intent,
	// with the secret in its planned value, in the journal.
	killMidApply(t, dir, right, "apply", "-auto-approve", "-var", "nap=1h")
	journal := filepath.Join(dir, "slipway.slipstate.journal")
	if b, err := os.ReadFile(journal); err != nil || len(b) == 0 || b[0] == '{' {
		t.Fatalf("no sealed journal after the kill (%v): %.80q", err, b)
	}
	assertNothingReadable(t, dir, forms)
	if r := run(right, "state", "list"); !strings.Contains(r.stderr, "testkit_sleep.nap") {
		t.Errorf("state list does not report the interrupted change:\n%s", r.stderr)
	}
	// The dead apply's lock record goes, as after any run.
	forceUnlockDead(t, dir, right)

	before := snapshot(t, dir)
	for _, args := range [][]string{
		{"plan"}, {"apply", "-auto-approve"}, {"apply", "saved.plan"}, {"show", "saved.plan"}, {"show"},
		{"state", "list"}, {"state", "rm", "testkit_echo.says"}, {"state", "encrypt"}, {"state", "decrypt"}, {"output"},
	} {
		r := runCLI(t, dir, wrong, args...)
		r.assertNoSecret(t, forms)
		if r.code != 1 || !strings.Contains(r.stderr, "check the passphrase / key provider") {
			t.Errorf("slipway %s with a wrong passphrase: exit %d, want 1 saying to check the passphrase:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	after := snapshot(t, dir)
	for rel, b := range before {
		if !bytes.Equal(b, after[rel]) {
			t.Errorf("%s changed although the passphrase was wrong", rel)
		}
	}
	for rel := range after {
		if before[rel] == nil {
			t.Errorf("%s appeared although the passphrase was wrong", rel)
		}
	}

	// With the right passphrase the interrupted change is read back and
	// the apply finishes; decrypting and encrypting again leaves nothing
	// readable either.
	run(right, "apply", "-auto-approve")
	run(right, "state", "decrypt")
	// The state file is compressed, so the marker shows only once it is
	// read: without a key.
	if b, err := os.ReadFile(filepath.Join(dir, "slipway.slipstate")); err != nil || state.IsSealed(b) {
		t.Errorf("state decrypt did not store the state unencrypted (%v)", err)
	} else if doc, err := state.Encode(readState(t, dir)); err != nil || !bytes.Contains(doc, []byte(marker)) {
		t.Errorf("the state read without a key after state decrypt lacks the secret it holds (%v)", err)
	}
	if r := runCLI(t, dir, right, "plan"); r.code != 1 || !strings.Contains(r.stderr, "slipway state encrypt") {
		t.Errorf("plan over unencrypted state with an enforced state target: exit %d, want 1 naming slipway state encrypt:\n%s", r.code, r.stderr)
	}
	run(right, "state", "encrypt")
	run(right, "plan", "-detailed-exitcode")
	assertNothingReadable(t, dir, forms)
}

// killMidApply runs slipway until an apply reports a change in flight
// ("sleeping"), then kills it and its providers with SIGKILL.
func killMidApply(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"))
	cmd.Env = append(cmd.Env, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "sleeping") {
			break
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	if sc.Err() != nil || !strings.Contains(sc.Text(), "sleeping") {
		t.Fatalf("the apply ended before a change was in flight:\n%s", stderr.String())
	}
}

// forceUnlockDead releases the lock a killed apply recorded.
func forceUnlockDead(t *testing.T, dir string, env []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "slipway.slipstate.lock"))
	if err != nil {
		t.Fatal(err)
	}
	var info state.LockInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("the killed apply's lock record: %v: %q", err, b)
	}
	if r := runCLI(t, dir, env, "force-unlock", "-force", info.ID); r.code != 0 {
		t.Fatalf("force-unlock: %s%s", r.stdout, r.stderr)
	}
}

// TestRevealingForms checks the checker: the marker inside any longer
// text is found in that text's hex and base64 forms.
func TestRevealingForms(t *testing.T) {
	t.Parallel()
	marker := "mk-" + rand.Text()
	forms := revealingForms(marker)
	for pre := range 6 {
		text := []byte(strings.Repeat("x", pre) + marker + "yz")
		for _, enc := range []string{hex.EncodeToString(text), base64.StdEncoding.EncodeToString(text), base64.RawURLEncoding.EncodeToString(text)} {
			found := false
			for _, f := range forms {
				found = found || strings.Contains(enc, f)
			}
			if !found {
				t.Errorf("%q (the marker after %d bytes) holds none of the forms %q", enc, pre, forms)
			}
		}
	}
}

// TestEncryptedFallbackStateFile fills the disk (a file size limit, as
// ulimit -f sets) part-way through an apply, so that the state that
// could not be saved goes to the fallback file slipway.slipstate.errored.
// It is sealed like the state; state push opens it, and nothing in the
// working directory holds the secret.
func TestEncryptedFallbackStateFile(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs 400 resources")
	}
	marker := "mk-" + rand.Text()
	dir := t.TempDir()
	src := `
variable "secret" {
  type      = string
  sensitive = true
}

slipway {
  encryption {
    key_provider "pbkdf2" "main" {
      iterations = 200000
    }
    method "aes_gcm" "main" {
      keys = key_provider.pbkdf2.main
    }
    state {
      method = method.aes_gcm.main
    }
  }
}

resource "testkit_echo" "says" {
  message = "the secret is ${var.secret}"
}

resource "file_ticket" "t" {
  count      = 400
  dir        = "${path.module}/tickets"
  title      = "ticket ${count.index}"
  depends_on = [testkit_echo.says]
}
`
	writeConfig(t, dir, src)
	// The passphrase comes from the environment, as the block sets none.
	env := []string{"SLIPWAY_VAR_secret=" + marker, "SLIPWAY_PROVIDER_PATH=" + binDir(), "SLIPWAY_STATE_PASSPHRASE=correct-horse-battery-staple"}
	if r := runCLI(t, dir, env, "init"); r.code != 0 {
		t.Fatalf("init: %s%s", r.stdout, r.stderr)
	}
	cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$0" apply -auto-approve`, filepath.Join(binDir(), "slipway"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if exitCode(err) != 1 || !strings.Contains(string(out), "slipway state push") {
		t.Fatalf("exit %d, want 1 and the fallback file named\n%s", exitCode(err), tail(out))
	}
	errored := filepath.Join(dir, "slipway.slipstate.errored")
	b, err := os.ReadFile(errored)
	if err != nil {
		t.Fatalf("no fallback state file: %v\n%s", err, tail(out))
	}
	if !state.IsSealed(b) {
		t.Errorf("the fallback state file is not sealed: %.60q", b)
	}
	assertNothingReadable(t, dir, revealingForms(marker))
	if r := runCLI(t, dir, env, "state", "push", errored); r.code != 0 {
		t.Fatalf("state push of the sealed fallback file: %s%s", r.stdout, r.stderr)
	}
	if r := runCLI(t, dir, env, "state", "list"); !strings.Contains(r.stdout, "testkit_echo.says") {
		t.Errorf("the pushed state lacks testkit_echo.says:\n%s%s", r.stdout, r.stderr)
	}
	assertNothingReadable(t, dir, revealingForms(marker))
}
