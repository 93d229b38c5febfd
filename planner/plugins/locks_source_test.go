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

package plugins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A pin from a registry keeps its source and index digest through the
// lock file, and a digest without a source, or without its scheme, is
// refused.
func TestLockSourceAndDigest(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("ab", 32)
	want := &Lock{Name: "jira", Version: "1.2.0", Hashes: []string{"sha256:" + strings.Repeat("01", 32)},
		Source: "registry.example.com/acme/jira", Digest: digest}
	dir := t.TempDir()
	if err := (&Locks{Providers: map[string]*Lock{"jira": want}}).Save(dir); err != nil {
		t.Fatal(err)
	}
	got, diags := LoadLocks(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if d := cmp.Diff(want, got.Providers["jira"]); d != "" {
		t.Errorf("lock after a round trip (-want +got):\n%s", d)
	}

	for name, body := range map[string]string{
		"digest without source": `version = "1.2.0"
  digest  = "` + digest + `"
  hashes  = ["sha256:01"]`,
		"digest without scheme": `version = "1.2.0"
  source  = "registry.example.com/acme/jira"
  digest  = "` + strings.Repeat("ab", 32) + `"
  hashes  = ["sha256:01"]`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte("provider \"jira\" {\n  "+body+"\n}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, diags := LoadLocks(dir); !diags.HasErrors() || !strings.Contains(diags.Error(), "needs a source and is written sha256:HEX") {
			t.Errorf("%s: %v", name, diags)
		}
	}
}
