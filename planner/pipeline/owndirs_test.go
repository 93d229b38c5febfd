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

package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// TestRunStaysInItsOwnDirectories: a run cleans its workspace (removes
// all of it) and writes its logs under .slipway/pipelines/NAME. A
// repository that holds a link there, to a CI server's home, say, had
// the run remove that directory's workspace and write into it; a link at
// a stage's log had the log written through it. The run refuses, and
// nothing outside is touched.
func TestRunStaysInItsOwnDirectories(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  stage "test" { run = "echo tested" }
}
`
	for name, link := range map[string]struct{ at, to string }{
		"the pipeline's directory": {at: ".slipway/pipelines/app", to: "."},
		"its workspace":            {at: ".slipway/pipelines/app/workspace", to: "workspace"},
		"its runs":                 {at: ".slipway/pipelines/app/runs", to: "."},
		"a run's directory":        {at: ".slipway/pipelines/app/runs/1", to: "."},
		"a stage's log":            {at: ".slipway/pipelines/app/runs/1/test.log", to: "workspace/keep.txt"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, outside := t.TempDir(), t.TempDir()
			keep := filepath.Join(outside, "workspace", "keep.txt")
			if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keep, []byte("kept\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			at := filepath.Join(dir, link.at)
			if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, link.to), at); err != nil {
				t.Fatal(err)
			}
			sc := scope{Sources: map[string]cty.Value{
				"git.app": withAttr(gitSource("app", "main", commitA), builtin.SourceDir, cty.StringVal(t.TempDir())),
			}}
			h := &fakeRunHost{dir: dir, sc: sc}
			rc := loadBlock(t, src)
			_, diags := runInstance(t.Context(), h, rc, kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)})
			if !diags.HasErrors() {
				t.Fatalf("the run went through a link a repository holds: %v", diags)
			}
			if b, err := os.ReadFile(keep); err != nil || string(b) != "kept\n" {
				t.Errorf("the directory the link leads to changed: keep.txt %q, %v", b, err)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Errorf("the run wrote beside what the link leads to: %d entries", len(entries))
			}
			var said []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					said = append(said, d.Summary+": "+d.Detail)
				}
			}
			if text := strings.Join(said, "\n"); !strings.Contains(text, "link") {
				t.Errorf("the error does not say a link is in the way:\n%s", text)
			}
		})
	}
}

// TestRunMayKeepSlipwayElsewhere: the pipelines' directory itself may be
// reached through a link, as .slipway kept on another disk is.
func TestRunMayKeepSlipwayElsewhere(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  stage "test" { run = "echo tested" }
}
`
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, ".slipway")); err != nil {
		t.Fatal(err)
	}
	sc := scope{Sources: map[string]cty.Value{
		"git.app": withAttr(gitSource("app", "main", commitA), builtin.SourceDir, cty.StringVal(t.TempDir())),
	}}
	h := &fakeRunHost{dir: dir, sc: sc}
	rc := loadBlock(t, src)
	if _, diags := runInstance(t.Context(), h, rc, kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)}); diags.HasErrors() {
		t.Fatalf("a run with .slipway on another disk: %v", diags)
	}
	b, err := os.ReadFile(filepath.Join(elsewhere, "pipelines", "app", "runs", "1", "test.log"))
	if err != nil || !strings.Contains(string(b), "tested") {
		t.Errorf("the stage's log where .slipway leads: %q, %v", b, err)
	}
}
