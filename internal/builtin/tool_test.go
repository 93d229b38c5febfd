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

package builtin

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetectTool(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		files []string
		want  Tool
		why   string
	}{
		"chart":                  {files: []string{"Chart.yaml", "templates/deployment.yaml"}, want: ToolHelm, why: "Chart.yaml found"},
		"chart with kustomize":   {files: []string{"Chart.yaml", "kustomization.yaml"}, want: ToolHelm, why: "Chart.yaml found"},
		"kustomization.yaml":     {files: []string{"kustomization.yaml"}, want: ToolKustomize, why: "kustomization.yaml found"},
		"kustomization.yml":      {files: []string{"kustomization.yml"}, want: ToolKustomize, why: "kustomization.yml found"},
		"Kustomization":          {files: []string{"Kustomization"}, want: ToolKustomize, why: "Kustomization found"},
		"plain":                  {files: []string{"deployment.yaml"}, want: ToolPlain, why: "no Chart.yaml or kustomization file"},
		"a directory named so":   {files: []string{"Chart.yaml/x.yaml"}, want: ToolPlain, why: "no Chart.yaml or kustomization file"},
		"chart only in a subdir": {files: []string{"web/Chart.yaml"}, want: ToolPlain, why: "no Chart.yaml or kustomization file"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, why := DetectTool(dir)
			if got != tc.want || why != tc.why {
				t.Errorf("DetectTool = %v (%s), want %v (%s)", got, why, tc.want, tc.why)
			}
		})
	}
	if got, _ := DetectTool(filepath.Join(t.TempDir(), "missing")); got != ToolPlain {
		t.Errorf("a missing directory is %v, want plain YAML (the provider says what is missing)", got)
	}
}
