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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// heavyModules are the module path prefixes a provider built against the
// SDK alone must never see in its module graph: Kubernetes, Helm,
// kustomize and the image library are slipway's own requirements, not
// the SDK's.
var heavyModules = []string{"k8s.io/", "helm.sh/", "sigs.k8s.io/", "github.com/google/go-containerregistry", "slipway.dev/slipway "}

// TestExampleProviderBuildsAsAnOutsideModule copies each example provider
// (examples/provider-file and examples/provider-distribution) out of the
// repository, points its SDK requirement at plugin-sdk as an author's
// replace (or a published version) would, and builds it with nothing but
// the module cache: no workspace, no network. Its go.mod and its whole
// module graph must hold no Kubernetes, Helm or image-library module, and
// not slipway's own module either.
func TestExampleProviderBuildsAsAnOutsideModule(t *testing.T) {
	for _, name := range []string{"file", "distribution"} {
		t.Run(name, func(t *testing.T) { buildOutsideModule(t, "provider-"+name) })
	}
}

func buildOutsideModule(t *testing.T, module string) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	example := filepath.Join(repo, "examples", module)
	sdkDir := filepath.Join(repo, "plugin-sdk")

	// Fill the module cache with exactly the example's own requirements
	// and module graph (a no-op when an earlier build did), so that the
	// copy below is built and listed with the network off.
	goCmd(t, example, nil, "mod", "download")
	goCmd(t, example, nil, "list", "-m", "all")

	dir := filepath.Join(t.TempDir(), module)
	if err := os.CopyFS(dir, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	offline := []string{"GOPROXY=off", "GOFLAGS=-mod=mod"}
	goCmd(t, dir, offline, "mod", "edit", "-replace=slipway.dev/slipway/plugin-sdk="+sdkDir)
	goCmd(t, dir, offline, "build", "-o", filepath.Join(t.TempDir(), "slipway-"+module), ".")

	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	graph := goCmd(t, dir, offline, "list", "-m", "all")
	for _, heavy := range heavyModules {
		if strings.Contains(string(gomod), heavy) {
			t.Errorf("the example provider's go.mod requires %s:\n%s", strings.TrimSpace(heavy), gomod)
		}
		for _, m := range strings.Split(graph, "\n") {
			if strings.HasPrefix(m, heavy) {
				t.Errorf("the example provider's module graph holds %s (go list -m all); a provider that imports only the SDK must not need it", m)
			}
		}
	}
	if !strings.Contains(graph, "slipway.dev/slipway/plugin-sdk v0.2.0 => "+sdkDir) {
		t.Errorf("the example provider was not built against this repository's plugin-sdk; go list -m all:\n%s", graph)
	}
}

// goCmd runs the go command in dir, outside any workspace, with env added
// to the test's environment, and returns its standard output.
func goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOWORK=off"}, env...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return string(out)
}
