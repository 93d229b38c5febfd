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
)

// TestLoadLocksRefusesDeepNesting checks that a lock file nested deep
// enough to overflow the parser's stack is refused with a diagnostic.
func TestLoadLocksRefusesDeepNesting(t *testing.T) {
	dir := t.TempDir()
	deep := "provider \"file\" {\n  hashes = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n}\n"
	if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte(deep), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := LoadLocks(dir)
	if len(diags) != 1 || diags[0].Summary != "Nesting too deep" || diags[0].Subject.Start.Line != 2 {
		t.Fatalf("LoadLocks: %v", diags)
	}
}
