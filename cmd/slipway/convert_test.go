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
	"path/filepath"
	"strings"
	"testing"
)

// convertFixtures is where the converter's fixtures live: one directory
// per tool, of Argo CD or Flux manifests as users write them.
var convertFixtures = filepath.Join("internal", "convert", "testdata")

// TestConvertedConfigurationsValidate runs `slipway convert` over every
// fixture of both tools, one file at a time and each tool's directory as
// a whole (where objects refer to each other across files), and checks
// that what it writes passes `slipway init` and `slipway validate` with
// neither an error nor a warning. A fixture added to the converter's
// testdata is checked here without a change to this test.
func TestConvertedConfigurationsValidate(t *testing.T) {
	t.Parallel()
	n := 0
	for _, tool := range []string{"argocd", "flux"} {
		dir := filepath.Join(convertFixtures, tool)
		files, err := filepath.Glob(filepath.Join(dir, "*.y*ml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no %s fixtures in %s: did they move?", tool, dir)
		}
		for _, fixture := range append(files, dir) {
			n++
			t.Run(tool+"/"+filepath.Base(fixture), func(t *testing.T) {
				t.Parallel()
				checkConverted(t, tool, fixture)
			})
		}
	}
	if n == 0 {
		t.Fatal("no fixtures converted")
	}
}

// checkConverted converts fixture with tool and validates the output.
func checkConverted(t *testing.T, tool, fixture string) {
	abs, err := filepath.Abs(fixture)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "conv")
	var stdout, stderr strings.Builder
	err = runSlipwayIn(t.TempDir(), &stdout, &stderr, "convert", tool, abs, "-out", out)
	// 2: written, with things not converted (listed on standard error).
	if code := exitCode(err); code != 0 && code != 2 {
		t.Fatalf("slipway convert %s %s exited %d:\n%s", tool, fixture, code, stderr.String())
	}
	written, _ := filepath.Glob(filepath.Join(out, "*.slip.hcl"))
	if len(written) == 0 {
		t.Fatalf("slipway convert %s %s wrote no configuration:\n%s", tool, fixture, stderr.String())
	}
	if o, err := slipwayIn(out, "init"); err != nil {
		t.Fatalf("slipway init of the conversion of %s failed (%v):\n%s\n%s", fixture, err, o, dump(t, written))
	}
	js, err := slipwayStdout(out, "validate", "-json")
	var res struct {
		Valid        bool `json:"valid"`
		WarningCount int  `json:"warning_count"`
	}
	if jerr := json.Unmarshal([]byte(js), &res); err != nil || jerr != nil || !res.Valid || res.WarningCount > 0 {
		human, _ := slipwayIn(out, "validate")
		t.Fatalf("the conversion of %s (slipway convert %s) is not valid (%v):\n%s\n%s", fixture, tool, err, human, dump(t, written))
	}
}

// dump is the converted files, to show with a failure.
func dump(t *testing.T, files []string) string {
	var b strings.Builder
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("# " + filepath.Base(f) + "\n" + string(src) + "\n")
	}
	return b.String()
}
