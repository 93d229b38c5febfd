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

package kubernetes

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRenderRunsNothingFromTheRepository: a preview renders a branch
// nobody approved yet, so a kustomization that asks for an exec function
// or helm chart inflation must fail to render, and run nothing.
func TestRenderRunsNothingFromTheRepository(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{
		"exec generator": {
			"kustomization.yaml": "generators:\n  - gen.yaml\n",
			"gen.yaml": "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: gen\n  annotations:\n" +
				"    config.kubernetes.io/function: |\n      exec:\n        path: ./run.sh\n",
		},
		"helm charts": {
			"kustomization.yaml": "helmCharts:\n  - name: web\n    releaseName: web\n    repo: http://127.0.0.1:1/charts\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			marker := filepath.Join(dir, "ran")
			files["run.sh"] = "#!/bin/sh\ntouch " + marker + "\necho '{}'\n"
			for n, c := range files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := render(dir); err == nil {
				t.Errorf("render succeeded; want an error for what it may not run")
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("render ran a program of the repository")
			}
		})
	}
}
