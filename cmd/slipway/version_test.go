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
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"slipway.dev/slipway/examples/provider-file/file"
)

// runSlipway runs the slipway command (this test binary) in dir and
// returns its standard output; it fails the test unless it exits 0.
func runSlipway(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"))
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("slipway %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

type versionDoc struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
	Providers []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Found   string `json:"found"`
		Path    string `json:"path"`
	} `json:"providers"`
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	// This test binary is not stamped, so it is "dev".
	human := runSlipway(t, dir, nil, "version")
	if !strings.HasPrefix(human, "slipway dev\n") || !strings.Contains(human, runtime.Version()) {
		t.Errorf("slipway version printed:\n%s", human)
	}
	for _, flag := range []string{"-version", "--version"} {
		if got := runSlipway(t, dir, nil, flag); got != human {
			t.Errorf("slipway %s printed:\n%s\nslipway version printed:\n%s", flag, got, human)
		}
	}

	// No configuration: no providers, and an empty list rather than null.
	out := runSlipway(t, dir, nil, "version", "-json")
	if !strings.Contains(out, `"providers": []`) {
		t.Errorf("without a configuration, providers is not an empty list:\n%s", out)
	}
	var doc versionDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	want := versionDoc{Version: "dev", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	want.Providers = doc.Providers[:0]
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("slipway version -json (-want +got):\n%s", diff)
	}

	// A configuration with a built-in provider and a third-party one,
	// before and after slipway init pins the third-party one.
	config := `source "git" "app" {
  url = "http://127.0.0.1:1/app.git"
}

resource "file" "a" {
  path    = "a.txt"
  content = "a"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"SLIPWAY_PROVIDER_PATH=" + binDir()}
	fileProvider := filepath.Join(binDir(), "slipway-provider-file")
	fileVersion := file.New().Metadata().Version
	gitVersion := builtinProviders["git"]().Metadata().Version
	type provider struct{ Name, Version, Found, Path string }
	providers := func() []provider {
		var doc versionDoc
		if err := json.Unmarshal([]byte(runSlipway(t, dir, env, "version", "-json")), &doc); err != nil {
			t.Fatal(err)
		}
		var out []provider
		for _, p := range doc.Providers {
			out = append(out, provider(p))
		}
		return out
	}
	if diff := cmp.Diff([]provider{
		{Name: "file", Found: "search_path", Path: fileProvider},
		{Name: "git", Version: gitVersion, Found: "builtin"},
	}, providers()); diff != "" {
		t.Errorf("providers before slipway init (-want +got):\n%s", diff)
	}
	runSlipway(t, dir, env, "init")
	if diff := cmp.Diff([]provider{
		{Name: "file", Version: fileVersion, Found: "lock_file", Path: fileProvider},
		{Name: "git", Version: gitVersion, Found: "builtin"},
	}, providers()); diff != "" {
		t.Errorf("providers after slipway init (-want +got):\n%s", diff)
	}
}
