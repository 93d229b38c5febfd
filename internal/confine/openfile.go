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
)

// ErrLink and ErrNotFile are what OpenFile refuses, wrapped in an
// *fs.PathError.
var (
	ErrLink    = errors.New("is a symbolic link, which slipway does not write through")
	ErrNotFile = errors.New("is not a file")
)

// OpenFile opens the file at path as os.OpenFile does, but not through a
// symbolic link at its last element, and only a regular file: where
// slipway writes a file of its own in a directory a repository fills (a
// state lock, an agent's log), the repository may hold a link to a file
// of the user's, which the write would change or empty. Unix refuses the
// link as it opens (O_NOFOLLOW); Windows, which has no such flag, by an
// Lstat before the open.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	if noFollow == 0 {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrLink}
		}
	}
	f, err := os.OpenFile(path, flag|noFollow, perm)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrLink}
		}
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotFile}
	}
	return f, nil
}
