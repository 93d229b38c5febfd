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
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStagingReplaces(t *testing.T) {
	t.Parallel()
	gomod := `module k8s.io/kubernetes

go 1.24.0

require k8s.io/api v0.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	github.com/example/fork => github.com/example/fork v1.2.3
	example.com/local => ../local
)

replace k8s.io/apimachinery => ./staging/src/k8s.io/apimachinery
`
	path := filepath.Join(t.TempDir(), "go.mod")
	if err := os.WriteFile(path, []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := stagingReplaces(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"k8s.io/api", "k8s.io/apimachinery", "k8s.io/client-go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stagingReplaces (-want +got):\n%s", diff)
	}
}

func TestGoLine(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]string{
		"go1.26.8":               "go 1.26.8",
		"go1.27rc1":              "go 1.27rc1",
		"go1.26.8 X:nodwarf5":    "go 1.26.8",
		"go1.26-devel_abc123 +x": "go 1.26",
	} {
		if got := (&builder{goVersion: version}).goLine(); got != want {
			t.Errorf("goLine for %q = %q, want %q", version, got, want)
		}
	}
}

func TestCacheDirFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLIPWAY_TESTBED_CACHE", dir)
	got, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	if got != dir {
		t.Errorf("CacheDir() = %q, want %q", got, dir)
	}
}
