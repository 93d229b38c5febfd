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
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
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
		v, diags := decodeApp(rc, typeOf(rc), appSchema, sc.EvalContext(), nil, nil)
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

// memoHost keeps what Recall is given under the name alone, as a memo
// whose every instance read the same would.
type memoHost struct {
	kind.Host
	kept map[string]any
}

func (h *memoHost) Recall(_ *lang.Resource, _ kind.Instance, name string) (any, bool, func(any)) {
	v, ok := h.kept[name]
	return v, ok, func(v any) { h.kept[name] = v }
}

// TestRecalledAppResolvesItsDirectoryAgain: a configuration recalled from
// an earlier plan is used only if its source path still resolves, with
// its links, where it did then; a link moved since is followed again, and
// one that now leads outside the checkout is refused as without a memo.
// A decode with a diagnostic is not kept.
func TestRecalledAppResolvesItsDirectoryAgain(t *testing.T) {
	t.Parallel()
	checkout := t.TempDir()
	for _, d := range []string{"apps/web", "apps/api"} {
		if err := os.MkdirAll(filepath.Join(checkout, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target string) {
		t.Helper()
		os.Remove(filepath.Join(checkout, "apps", "current"))
		if err := os.Symlink(target, filepath.Join(checkout, "apps", "current")); err != nil {
			t.Fatal(err)
		}
	}
	sc := scope{Sources: map[string]cty.Value{"git.gitops": withAttr(gitSource("gitops", commitA), builtin.SourceDir, cty.StringVal(checkout))}}
	h := &memoHost{kept: map[string]any{}}
	decode := func(path string) (string, []string, string) {
		t.Helper()
		rc := loadBlock(t, `app "web" {
  source {
    repo = source.git.gitops
    path = "`+path+`"
  }
}`)
		// Each call stands for a plan of its own: the links are followed
		// afresh.
		v, diags := recalledApp(h, rc, kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)}, typeOf(rc), appSchema, sc.EvalContext(), new(confine.Roots))
		if len(diags) > 0 {
			return "", summaries(diags), diags[0].Detail
		}
		return v.GetAttr(builtin.AppManifestsDir).AsString(), nil, ""
	}
	web, api := filepath.Join(checkout, "apps", "web"), filepath.Join(checkout, "apps", "api")

	link("web")
	for range 2 {
		if dir, sums, _ := decode("apps/current"); dir != web || sums != nil {
			t.Fatalf("manifests_dir %q %q, want %q", dir, sums, web)
		}
	}
	if len(h.kept) != 1 {
		t.Fatalf("kept %d configurations, want 1", len(h.kept))
	}
	link("api")
	if dir, sums, _ := decode("apps/current"); dir != api || sums != nil {
		t.Errorf("after the link moved: manifests_dir %q %q, want %q", dir, sums, api)
	}
	link("/etc")
	if _, sums, detail := decode("apps/current"); len(sums) != 1 || !strings.Contains(detail, "leads outside the repository") {
		t.Errorf("with the link leading to /etc: %q %q, want the path refused", sums, detail)
	}
	// The refused decode is not kept: the last kept one is the one that
	// resolved to api.
	if m, ok := h.kept["app config "+builtin.KubernetesApp].(*appMemo); !ok || m.dir.AsString() != api {
		t.Errorf("kept %#v, want the configuration that resolved to %s", h.kept, api)
	}
}
