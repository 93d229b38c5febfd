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

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
)

// TestSourcePathSymlinks checks that an app's source path is resolved
// with its links before the check that it is inside the checkout.
func TestSourcePathSymlinks(t *testing.T) {
	t.Parallel()
	checkout := t.TempDir()
	os.MkdirAll(filepath.Join(checkout, "apps", "web"), 0o755)
	for link, target := range map[string]string{
		"etc":           "/etc",
		"apps/host":     "../..",
		"apps/current":  "web",
		"apps/absolute": filepath.Join(checkout, "apps", "web"),
	} {
		if err := os.Symlink(target, filepath.Join(checkout, link)); err != nil {
			t.Fatal(err)
		}
	}
	sc := scope{Sources: map[string]cty.Value{"git.gitops": withAttr(gitSource("gitops", commitA), builtin.SourceDir, cty.StringVal(checkout))}}
	decode := func(path string) (cty.Value, []string, string) {
		rc := loadBlock(t, `app "web" {
  source {
    repo = source.git.gitops
    path = "`+path+`"
  }
}`)
		v, diags := decodeApp(rc, typeOf(rc), appSchema, sc.EvalContext(), nil)
		detail := ""
		if len(diags) > 0 {
			detail = diags[0].Detail
		}
		return v, summaries(diags), detail
	}
	for path, want := range map[string]string{
		"etc":           `path "etc" leads outside the repository: etc is a symbolic link to /etc, which is outside ` + checkout + `.`,
		"etc/ssl":       `path "etc/ssl" leads outside the repository: etc is a symbolic link to /etc`,
		"apps/host/tmp": `path "apps/host/tmp" leads outside the repository: apps/host is a symbolic link to ../.., which is outside ` + checkout,
	} {
		_, sums, detail := decode(path)
		if len(sums) != 1 || sums[0] != "Invalid app source path" || !strings.Contains(detail, want) {
			t.Errorf("path %q: %q %q, want Invalid app source path saying %q", path, sums, detail, want)
		}
	}
	// Links inside the checkout are followed.
	for _, path := range []string{"apps/current", "apps/absolute", "apps/web"} {
		v, sums, _ := decode(path)
		if len(sums) != 0 {
			t.Fatalf("path %q: %q", path, sums)
		}
		if got, want := v.GetAttr(builtin.AppManifestsDir).AsString(), filepath.Join(checkout, "apps", "web"); got != want {
			t.Errorf("path %q: manifests_dir %q, want %q", path, got, want)
		}
	}
}
