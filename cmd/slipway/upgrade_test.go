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

package main

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestStateUpgradeThroughAPluginProcess applies a widget with version 1
// of its schema, then plans and applies with version 2, whose upgrader
// turns the stored string size into a number: the plan shows no change,
// and the state then holds version 2 and the number. Going back to
// version 1 is refused with an error that says why.
func TestStateUpgradeThroughAPluginProcess(t *testing.T) {
	t.Parallel()
	dir := workdir(t, map[string]string{"main.slip.hcl": `
resource "testkit_widget" "w" {
  name = "w"
  size = 3
}
`})
	run := func(v2 bool, args ...string) (string, error) {
		cmd := slipway(dir, args...)
		if v2 {
			cmd.Env = append(cmd.Env, "SLIPWAY_TESTKIT_WIDGET_V2=1")
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(false, "apply", "-auto-approve"); err != nil {
		t.Fatalf("apply with version 1: %v\n%s", err, out)
	}
	ri := readState(t, dir).Resources["testkit_widget.w"]
	if ri == nil || ri.SchemaVersion != 1 || !ri.Value.GetAttr("size").RawEquals(cty.StringVal("3")) {
		t.Fatalf("after the first apply: %+v", ri)
	}

	out, err := run(true, "plan", "-detailed-exitcode")
	if err != nil || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan with version 2: %v, want no changes\n%s", err, out)
	}
	if ri := readState(t, dir).Resources["testkit_widget.w"]; ri.SchemaVersion != 1 {
		t.Errorf("a plan wrote state: schema version %d", ri.SchemaVersion)
	}
	if out, err := run(true, "apply", "-auto-approve"); err != nil || !strings.Contains(out, "0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply with version 2: %v\n%s", err, out)
	}
	ri = readState(t, dir).Resources["testkit_widget.w"]
	if ri.SchemaVersion != 2 || !ri.Value.GetAttr("size").RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("after the apply with version 2: schema version %d, size %#v; want 2 and the number 3", ri.SchemaVersion, ri.Value.GetAttr("size"))
	}
	if out, err := run(true, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("plan after the upgrade: %v\n%s", err, out)
	}

	out, err = run(false, "plan")
	if exitCode(err) != 1 || !strings.Contains(out, "State written by a newer provider") || !strings.Contains(out, "schema version 2 of testkit_widget") {
		t.Errorf("plan with version 1 after the upgrade: exit %d, want 1 and an error about the newer state\n%s", exitCode(err), out)
	}
}
