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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk"
)

// secret is the value of the sensitive variable the configurations below
// thread through every block kind. It is distinctive, so that finding it
// anywhere means it leaked.
const secret = "Qz7-hush-hush-4b1e"

// secretsConfig threads var.secret through everything that runs without a
// cluster: the file provider's path (so its computed id), content (so its
// computed sha256) and a for_each value, a resource built from another's
// computed attribute, a provider that repeats it in its log, progress and
// warnings, a local, a git source read from a local repository whose path
// is sensitive too, a pipeline stage's env and commands, and sensitive
// outputs.
const secretsConfig = `
variable "secret" {
  type      = string
  sensitive = true
}

variable "repo" {
  type      = string
  sensitive = true
}

locals {
  greeting = "token=${var.secret}"
}

resource "file" "by_path" {
  path    = "out/${var.secret}.txt"
  content = "nothing to hide\n"
}

resource "file" "by_content" {
  path    = "out/content.txt"
  content = local.greeting
}

resource "file" "each" {
  for_each = { a = var.secret }
  path     = "out/each-${each.key}.txt"
  content  = each.value
}

resource "testkit_echo" "says" {
  message = "the secret is ${var.secret}"
}

resource "file" "derived" {
  path    = "out/derived.txt"
  content = "id ${file.by_path.id}, sum ${file.by_content.sha256}\n"
}

source "git" "app" {
  url    = var.repo
  branch = "main"
}

pipeline "ci" {
  source = source.git.app
  stage "echo" {
    env = { TOKEN = var.secret }
    run = ["echo the token is $TOKEN", "echo ${var.secret} again"]
  }
}

output "greeting" {
  value     = local.greeting
  sensitive = true
}

output "derived" {
  value     = file.derived.content
  sensitive = true
}
`

// secretDerived lists what must not be shown: the secret, and the sha256
// of each content made from it, which the file provider computes.
var secretDerived = []string{secret, sha256Hex("token=" + secret), sha256Hex(secret)}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// secretErrors are configurations that fail because of the secret: each
// refusal and error must say why without quoting it.
var secretErrors = map[string]struct {
	config, want string
	// applyOnly: plan succeeds, and only apply meets the error;
	// validates: validate meets it too.
	applyOnly, validates bool
}{
	"for_each_set": {`resource "file" "f" {
  for_each = toset([var.secret])
  path     = "out/f.txt"
  content  = "x"
}
`, "Invalid for_each argument", false, true},
	"count": {`resource "file" "f" {
  count   = length(var.secret)
  path    = "out/f-${count.index}.txt"
  content = "x"
}
`, "Invalid count argument", false, true},
	"tonumber": {`output "o" {
  value     = tonumber(var.secret)
  sensitive = true
}
`, "an argument is sensitive", false, false},
	"parseint": {`output "o" {
  value     = parseint(var.secret, 10)
  sensitive = true
}
`, "an argument is sensitive", false, false},
	"timeadd": {`output "o" {
  value     = timeadd(var.secret, "1h")
  sensitive = true
}
`, "an argument is sensitive", false, false},
	"file": {`output "o" {
  value     = file(var.secret)
  sensitive = true
}
`, "an argument is sensitive", false, false},
	"templatefile": {`output "o" {
  value     = templatefile("${var.secret}.tmpl", {})
  sensitive = true
}
`, "an argument is sensitive", false, false},
	"provider_error": {`resource "file" "f" {
  path    = "blocker/${var.secret}/f.txt"
  content = "x"
}
`, "Cannot write file", true, false},
}

// TestSecretsStaySecret runs every command that shows configuration,
// plans, state, outputs or logs, as text and as JSON, over configurations
// that use a sensitive variable everywhere, and checks that its value
// appears in none of what they print nor in any log: only in the state
// and in saved plans, which hold it by design, and in the files the
// configuration writes.
func TestSecretsStaySecret(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git to make the pipeline's repository")
	}
	root := t.TempDir()
	repo := filepath.Join(root, "repo-Wv3kR9")
	gitInit(t, repo)
	// The repository's path is a secret too: the source's url.
	revealing := append(secretDerived[:len(secretDerived):len(secretDerived)], repo)

	dir := filepath.Join(root, "road")
	writeConfig(t, dir, secretsConfig)
	env := secretEnv("SLIPWAY_VAR_repo=" + repo)

	run := func(env []string, args ...string) cliResult {
		t.Helper()
		r := runCLI(t, dir, env, args...)
		r.assertNoSecret(t, revealing)
		if r.code != 0 {
			t.Fatalf("slipway %s exited %d:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r
	}
	mustClean := func(args ...string) cliResult {
		t.Helper()
		return run(env, args...)
	}

	mustClean("init")
	mustClean("validate")
	mustClean("validate", "-json")
	mustClean("plan")
	mustClean("plan", "-json")
	mustClean("plan", "-markdown")
	// Providers' own log lines too.
	run(append(env, "SLIPWAY_LOG=trace"), "plan")
	mustClean("plan", "-out=saved.plan")
	mustClean("show", "saved.plan")
	mustClean("show", "-json", "saved.plan")
	mustClean("show", "-html", "saved.plan")
	apply := mustClean("apply", "saved.plan")
	// What the provider said arrives, masked: progress, log, warning.
	for _, want := range []string{"testkit_echo.says: echoing the secret is ***", "file.by_path: writing out/***.txt", "[echo] the token is ***"} {
		if !strings.Contains(apply.stdout, want) {
			t.Errorf("apply does not print %q:\n%s", want, apply.stdout)
		}
	}
	for _, want := range []string{"echoing the secret is ***", "Warning: Echo"} {
		if !strings.Contains(apply.stderr, want) {
			t.Errorf("apply does not print %q on standard error:\n%s", want, apply.stderr)
		}
	}
	mustClean("plan", "-detailed-exitcode")
	mustClean("plan", "-json")
	mustClean("show")
	mustClean("show", "-json")
	mustClean("state", "list")
	for _, addr := range []string{"file.by_path", "file.by_content", `file.each["a"]`, "file.derived", "testkit_echo.says", "pipeline.ci", "source.git.app"} {
		mustClean("state", "show", addr)
	}
	mustClean("output")
	mustClean("logs", "pipeline.ci")
	mustClean("logs", "pipeline.ci", "echo")
	mustClean("graph")
	mustClean("apply", "-auto-approve", "-replace=pipeline.ci")
	mustClean("destroy", "-auto-approve")

	// Asking for a sensitive output by name, or for every output as
	// JSON, is asking for its value, as in Terraform.
	mustClean("apply", "-auto-approve")
	for _, args := range [][]string{{"output", "-json"}, {"output", "greeting"}} {
		if r := runCLI(t, dir, env, args...); !strings.Contains(r.stdout, secret) {
			t.Errorf("slipway %s does not give the sensitive value:\n%s", strings.Join(args, " "), r.stdout)
		}
	}

	for name, tc := range secretErrors {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, "errors", name)
			writeConfig(t, dir, "variable \"secret\" {\n  sensitive = true\n}\n\n"+tc.config)
			if err := os.WriteFile(filepath.Join(dir, "blocker"), []byte("a file where a directory is wanted\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			env := secretEnv()
			runCLI(t, dir, env, "init").assertNoSecret(t, revealing)
			for _, args := range [][]string{{"validate"}, {"validate", "-json"}, {"plan"}, {"plan", "-json"}, {"plan", "-markdown"}, {"apply", "-auto-approve"}} {
				r := runCLI(t, dir, env, args...)
				r.assertNoSecret(t, revealing)
				if args[0] == "validate" && !tc.validates || tc.applyOnly && args[0] == "plan" {
					if r.code != 0 {
						t.Errorf("slipway %s exited %d:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
					}
					continue
				}
				if r.code == 0 {
					t.Errorf("slipway %s succeeded; want an error", strings.Join(args, " "))
				}
				if !strings.Contains(r.stdout+r.stderr, tc.want) {
					t.Errorf("slipway %s does not say %q:\n%s%s", strings.Join(args, " "), tc.want, r.stdout, r.stderr)
				}
			}
			assertNoSecretInFiles(t, dir, revealing, "slipway.slipstate", "slipway.slipstate.backup")
		})
	}

	// The state and saved plans hold secrets by design, and out/ holds
	// the files the configuration writes. The git provider's clone of the
	// repository records its url, as git does.
	assertNoSecretInFiles(t, dir, revealing, "slipway.slipstate", "slipway.slipstate.backup", "saved.plan", "out",
		filepath.Join(".home", ".cache", "slipway", "git", "repos"))
}

func secretEnv(extra ...string) []string {
	return append([]string{"SLIPWAY_VAR_secret=" + secret, "SLIPWAY_PROVIDER_PATH=" + binDir()}, extra...)
}

func writeConfig(t *testing.T, dir, config string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gitInit makes a repository with one commit on main.
func gitInit(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "README"}, {"commit", "-q", "-m", "first"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

type cliResult struct {
	args           []string
	stdout, stderr string
	code           int
}

// runCLI runs slipway in dir and returns what it printed and its exit code.
func runCLI(t *testing.T, dir string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliResult{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("slipway %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// assertNoSecret checks what a command printed for any of revealing.
func (r cliResult) assertNoSecret(t *testing.T, revealing []string) {
	t.Helper()
	for name, s := range map[string]string{"standard output": r.stdout, "standard error": r.stderr} {
		for _, x := range revealing {
			if i := strings.Index(s, x); i >= 0 {
				t.Errorf("slipway %s printed %q on its %s:\n%s", strings.Join(r.args, " "), x, name, around(s, i))
			}
		}
	}
}

// assertNoSecretInFiles checks every file below dir, by name and content,
// for any of revealing, except those allowed (paths relative to dir; a
// directory allows all it holds).
func assertNoSecretInFiles(t *testing.T, dir string, revealing []string, allowed ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, a := range allowed {
			if rel == a {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if strings.Contains(rel, secret) {
			t.Errorf("the secret names a file: %s", rel)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := readPlain(p)
		if err != nil {
			return err
		}
		for _, x := range revealing {
			if i := strings.Index(string(b), x); i >= 0 {
				t.Errorf("%s holds %q:\n%s", rel, x, around(string(b), i))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// around is the text near position i, for a failure message.
func around(s string, i int) string {
	lo, hi := max(i-300, 0), min(i+300, len(s))
	return s[lo:hi]
}

// echoer is the testkit resource testkit_echo: it repeats its message in
// its log, its apply progress, a warning and its computed id, as a
// provider might repeat a secret it was given.
type echoer struct{}

func (echoer) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"message": {Type: cty.String, Required: true},
		"id":      {Type: cty.String, Computed: true},
	}}
}

func (echoer) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	msg := sdk.GetString(req.PlannedState, "message")
	fmt.Fprintf(os.Stderr, "[WARN] echoing %s\n", msg)
	req.Progress("echoing " + msg)
	resp.Diagnostics.AddWarning("Echo", msg)
	resp.NewState = sdk.With(req.PlannedState, "id", cty.StringVal("echo: "+msg))
}

func (echoer) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	resp.NewState = req.State
}
