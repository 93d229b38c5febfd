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

//go:build unix

package confine

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenFileFollowsNoLink: OpenFile opens and creates files, refuses a
// link at the path (to a file, whose bytes stay, or to nothing, which it
// does not create) and anything but a file.
func TestOpenFileFollowsNoLink(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	if err := os.WriteFile(precious, []byte("the user's"), 0o600); err != nil {
		t.Fatal(err)
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	f, err := OpenFile(filepath.Join(dir, "new"), flag, 0o600)
	if err != nil {
		t.Fatalf("a new file: %v", err)
	}
	f.Close()
	for _, target := range []string{precious, filepath.Join(dir, "nothing")} {
		link := filepath.Join(dir, "link-to-"+filepath.Base(target))
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenFile(link, flag, 0o600); !errors.Is(err, ErrLink) {
			t.Errorf("a link to %s: %v, want ErrLink", filepath.Base(target), err)
		}
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "the user's" {
		t.Errorf("the file a link led to holds %q (%v)", b, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nothing")); !os.IsNotExist(err) {
		t.Errorf("opening a link to nothing created it: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(fifo, os.O_RDWR, 0); !errors.Is(err, ErrNotFile) {
		t.Errorf("a FIFO: %v, want ErrNotFile", err)
	}
}
