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
	"testing"

	"slipway.dev/slipway/lang"
)

func TestRolloutOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `
rollout "canary" {}
app "safe" {
  source { repo = "x" }
  rollout = rollout.canary
}
app "plain" {
  source { repo = "x" }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for addr, want := range map[string]string{"app.safe": "rollout.canary", "app.plain": ""} {
		if got := rolloutOf(cfg.Resources[addr]); got != want {
			t.Errorf("rolloutOf(%s) = %q, want %q", addr, got, want)
		}
	}
}
