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

package confine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinksWithin walks the tree at root and returns the *EscapeError of the
// first symbolic link in it that leads outside root (followed through
// other links), or nil when every link stays inside. Directories for
// which skip returns true (given their name and path) are not walked.
// Errors reading the tree are returned as they are.
func LinksWithin(root string, skip func(name, path string) bool) error {
	real, err := Root(root)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && skip != nil && skip(d.Name(), p) {
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		var escape *EscapeError
		if _, err := ResolveIn(root, real, rel); errors.As(err, &escape) {
			return escape
		}
		return nil
	})
}

// LinkBeside finds, for a path p outside dir (both absolute, dir with
// its links resolved), the first symbolic link on p's way below where it
// leaves dir (their longest common parent): its path and what it holds.
// ok is false when there is none or p is inside dir. A file read beside
// a directory (a kustomize base, a values file next to a chart) is then
// where its path says, not wherever a link there leads. A part of the
// path that does not exist ends the search: reading it says what is
// missing.
func LinkBeside(dir, p string) (link, target string, ok bool) {
	if Within(dir, p) {
		return "", "", false
	}
	common := dir
	for !Within(common, p) {
		common = filepath.Dir(common)
	}
	rel, err := filepath.Rel(common, p)
	if err != nil {
		return "", "", false
	}
	cur := common
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return "", "", false
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(cur)
			return cur, target, true
		}
	}
	return "", "", false
}
