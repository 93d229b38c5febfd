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

package command

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"slipway.dev/slipway/lang"
)

// FmtArgs are fmt's flags.
type FmtArgs struct {
	Check     bool
	Diff      bool
	Recursive bool
	Write     bool
	List      bool
	Paths     []string
}

// Fmt runs `slipway fmt`: it rewrites configuration files in the
// canonical style, lists the files it changed, and with -check changes
// nothing and exits 3 when a file is not formatted (Terraform's code).
func (m *Meta) Fmt(a FmtArgs) int {
	paths := a.Paths
	if len(paths) == 0 {
		paths = []string{m.Dir}
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			m.View.Error(err)
			return 1
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (!a.Recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if isConfigFile(d.Name()) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			m.View.Error(err)
			return 1
		}
	}
	unformatted := false
	failed := false
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			m.View.Error(err)
			failed = true
			continue
		}
		out, diags := lang.Format(src)
		if diags.HasErrors() {
			m.View.Diagnostics(diags)
			failed = true
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = true
		if a.List {
			m.View.Printf("%s\n", f)
		}
		if a.Diff {
			m.View.Printf("%s", unifiedDiff(f, src, out))
		}
		if a.Write && !a.Check {
			if err := os.WriteFile(f, out, 0o644); err != nil {
				m.View.Error(err)
				failed = true
			}
		}
	}
	switch {
	case failed:
		return 1
	case a.Check && unformatted:
		return 3
	}
	return 0
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".slip.hcl") || strings.HasSuffix(name, ".slipvars")
}

// unifiedDiff renders a diff with the system's diff command when present,
// as terraform fmt -diff does, and falls back to the whole new file.
func unifiedDiff(name string, a, b []byte) string {
	dir, err := os.MkdirTemp("", "slipway-fmt")
	if err == nil {
		defer os.RemoveAll(dir)
		old, nw := filepath.Join(dir, "old"), filepath.Join(dir, "new")
		os.WriteFile(old, a, 0o600)
		os.WriteFile(nw, b, 0o600)
		out, _ := exec.Command("diff", "-u", "--label", "old/"+name, "--label", "new/"+name, old, nw).Output()
		if len(out) > 0 {
			return string(out)
		}
	}
	return fmt.Sprintf("--- %s (formatted)\n%s", name, b)
}
