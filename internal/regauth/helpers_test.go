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

package regauth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// TestCheckHelpers: the names docker/cli looks up on PATH pass; a name
// it would run by a path, or that is not a program's name, is refused,
// and the error names the file, the key and the helper.
func TestCheckHelpers(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"", "ecr-login", "gcloud", "desktop", "osxkeychain", "pass", "secretservice", "wincred", "acr_env", "v1.2"} {
		if err := CheckHelpers("config.json", ok, map[string]string{"ghcr.io": ok}); err != nil {
			t.Errorf("helper %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"x/run", ".hidden", "../x/run", "/usr/bin/evil", `x\run`, "a b", "-rf", "..", "."} {
		err := CheckHelpers("/ci/config.json", bad, nil)
		var he *HelperError
		if !errors.As(err, &he) || he.Key != "credsStore" || he.Helper != bad || he.File != "/ci/config.json" {
			t.Errorf("credsStore %q: %v, want it refused", bad, err)
		}
		err = CheckHelpers("/ci/config.json", "", map[string]string{"ghcr.io": "gcloud", "registry.example.com": bad})
		if !errors.As(err, &he) || he.Key != `credHelpers["registry.example.com"]` || he.Helper != bad {
			t.Errorf("credHelpers %q: %v, want it refused", bad, err)
		}
	}
	err := CheckHelpers("/ci/config.json", "", map[string]string{"registry.example.com": "x/run"})
	for _, want := range []string{"/ci/config.json", `"x/run"`, `credHelpers["registry.example.com"]`, "not a plain program name", "relative to the working directory", "PATH"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to say %q", err, want)
		}
	}
}

// helperScript is a docker credential helper that leaves a mark when it
// runs, and hands out robot's credentials.
func helperScript(marker string) string {
	return "#!/bin/sh\ncat >/dev/null\ntouch '" + marker + "'\necho '{\"ServerURL\":\"registry.example.com\",\"Username\":\"robot\",\"Secret\":\"s3cret\"}'\n"
}

// TestDefaultKeychain: every file authn.DefaultKeychain may read is
// checked before it resolves, whichever one it would pick, and a helper
// by a path in any of them runs nothing; a helper on PATH runs, as
// docker runs it.
func TestDefaultKeychain(t *testing.T) {
	// Not parallel: the test sets the working directory and the
	// environment.
	dir := t.TempDir()
	t.Chdir(dir)
	marker := filepath.Join(dir, "helper-ran")
	for p, content := range map[string]string{
		"docker-credential-x/run":     helperScript(marker),
		"bin/docker-credential-plain": helperScript(marker),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	ref := name.MustParseReference("registry.example.com/team/app:v1").Context()
	env := func(home string) {
		t.Setenv("HOME", home)
		for _, v := range []string{"DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_AUTH_CONFIG"} {
			t.Setenv(v, "")
		}
	}
	write := func(p, content string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	for i, tc := range []struct {
		name string
		// place writes config where one of the locations is, and
		// returns that file.
		place func(root, config string) string
	}{
		{"home", func(root, c string) string { return write(filepath.Join(root, ".docker", "config.json"), c) }},
		{"DOCKER_CONFIG", func(root, c string) string {
			t.Setenv("DOCKER_CONFIG", filepath.Join(root, "ci"))
			return write(filepath.Join(root, "ci", "config.json"), c)
		}},
		{"REGISTRY_AUTH_FILE", func(root, c string) string {
			t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(root, "auth.json"))
			return write(filepath.Join(root, "auth.json"), c)
		}},
		{"XDG_RUNTIME_DIR", func(root, c string) string {
			t.Setenv("XDG_RUNTIME_DIR", filepath.Join(root, "run"))
			return write(filepath.Join(root, "run", "containers", "auth.json"), c)
		}},
		{"XDG_CONFIG_HOME", func(root, c string) string {
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg"))
			return write(filepath.Join(root, "xdg", "containers", "auth.json"), c)
		}},
		{"podman default", func(root, c string) string {
			return write(filepath.Join(root, ".config", "containers", "auth.json"), c)
		}},
	} {
		for _, cfg := range []struct{ json, key string }{
			{`{"credsStore": "x/run"}`, "credsStore"},
			{`{"credHelpers": {"registry.example.com": "x/run"}}`, `credHelpers["registry.example.com"]`},
			// docker/cli reads the first JSON value and ignores the rest:
			// a check that gave up on the whole file let the helper run.
			{`{"credsStore": "x/run"} and then not JSON`, "credsStore"},
		} {
			root := filepath.Join(dir, "case", strings.ReplaceAll(tc.name, " ", "-"), cfg.key[:4]+string(rune('a'+i)))
			env(root)
			file := tc.place(root, cfg.json)
			_, err := DefaultKeychain{}.Resolve(ref)
			var he *HelperError
			if !errors.As(err, &he) || he.File != file || he.Helper != "x/run" || he.Key != cfg.key {
				t.Errorf("%s holding %s: error %v, want the refusal of %s", tc.name, cfg.json, err, file)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("%s holding %s: the helper docker-credential-x/run in the working directory ran", tc.name, cfg.json)
				os.Remove(marker)
			}
			// docker/cli keeps the first default directory it finds
			// (config.Dir) for the life of the process: the next case
			// must not find this file there.
			if err := os.RemoveAll(root); err != nil {
				t.Fatal(err)
			}
		}
	}

	// A helper on PATH runs. (DOCKER_CONFIG names the directory too:
	// docker/cli kept the first case's home as its default.)
	root := filepath.Join(dir, "plain")
	env(root)
	write(filepath.Join(root, ".docker", "config.json"), `{"credHelpers": {"registry.example.com": "plain"}}`)
	t.Setenv("DOCKER_CONFIG", filepath.Join(root, ".docker"))
	a, err := DefaultKeychain{}.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := a.Authorization()
	if err != nil || auth.Username != "robot" || auth.Password != "s3cret" {
		t.Errorf("the helper on PATH gave %+v, %v; want robot's credentials", auth, err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the helper on PATH did not run")
	}
}
