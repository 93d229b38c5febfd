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

package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/state"
)

// TestLockFollowsNoLink: a lock file that is a symbolic link (one a
// repository holds, to a file of the user's) is not written through:
// locking, which writes the holder's record and empties the file at the
// end, fails and says why, and the file it leads to keeps its bytes; a
// link to nothing creates nothing.
func TestLockFollowsNoLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	precious := filepath.Join(dir, "precious")
	if err := os.WriteFile(precious, []byte("a file of the user's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "slipway.slipstate")
	for _, target := range []string{precious, filepath.Join(dir, "nothing")} {
		os.Remove(path + ".lock")
		if err := os.Symlink(target, path+".lock"); err != nil {
			t.Fatal(err)
		}
		_, err := New(path).Lock(context.Background(), state.NewLockInfo("plan"))
		if err == nil || !strings.Contains(err.Error(), "is a symbolic link, which slipway does not write through") {
			t.Errorf("Lock through a link to %s: %v, want an error saying it is a link", filepath.Base(target), err)
		}
	}
	if b, err := os.ReadFile(precious); err != nil || string(b) != "a file of the user's\n" {
		t.Errorf("the file the lock file led to holds %q (%v)", b, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nothing")); !os.IsNotExist(err) {
		t.Errorf("locking through a link to nothing created it: %v", err)
	}
}
