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

package file

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// TestMain lets sdktest re-run this test binary as the provider plugin.
func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"file": New})
}

func config(path, content string) cty.Value {
	return schema.Object(map[string]cty.Value{"path": cty.StringVal(path), "content": cty.StringVal(content)})
}

// stateValue is st as slipway stores it.
func stateValue(t *testing.T, st fileState) cty.Value {
	t.Helper()
	v, err := sdk.ValueOf(st)
	if err == nil {
		v, err = schema.Conform(v)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSchemaRoundTrip(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	got := sdktest.ResourceSchema(t, c, "file")
	if diff := cmp.Diff(schema, got, cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
		cmp.Comparer(func(a, b cty.Value) bool {
			return a == cty.NilVal && b == cty.NilVal || a != cty.NilVal && b != cty.NilVal && a.RawEquals(b)
		})); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	path := filepath.Join(t.TempDir(), "sub", "dir", "motd")

	// Create: the parent directories appear, the mode defaults to 0644.
	st := sdktest.PlanApply(t, c, "file", config(path, "hello\n"))
	checkFile(t, path, "hello\n", 0o644)
	want := stateValue(t, state(path, "hello\n", "0644"))
	if !st.RawEquals(want) {
		t.Errorf("state after create:\n got %#v\nwant %#v", st, want)
	}
	if got := sdktest.Refresh(t, c, "file", st); !got.RawEquals(st) {
		t.Errorf("read after create = %#v, want the state unchanged", got)
	}

	// Update content and mode in place.
	cfg := sdk.With(config(path, "bye\n"), "mode", cty.StringVal("0600"))
	plan := sdktest.Plan(t, c, "file", st, cfg)
	if len(plan.RequiresReplace) > 0 {
		t.Errorf("content change requires replacement: %#v", plan.RequiresReplace)
	}
	if got := sdk.GetString(plan.PlannedState, "sha256"); got != hash("bye\n") {
		t.Errorf("planned sha256 = %q, want the new content's", got)
	}
	st = sdktest.Apply(t, c, "file", st, cfg, plan)
	checkFile(t, path, "bye\n", 0o600)

	// Drift: an edit by hand shows up on read.
	if err := os.WriteFile(path, []byte("edited by hand\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	drift := sdktest.Refresh(t, c, "file", st)
	if got := sdk.GetString(drift, "content"); got != "edited by hand\n" {
		t.Errorf("content after a hand edit = %q", got)
	}
	if got := sdk.GetString(drift, "sha256"); got != hash("edited by hand\n") {
		t.Errorf("sha256 after a hand edit = %q", got)
	}
	// ...and planning from it puts the configured content back.
	st = sdktest.PlanApplyFrom(t, c, "file", drift, cfg)
	checkFile(t, path, "bye\n", 0o600)

	// Changing the path replaces the file.
	newPath := filepath.Join(filepath.Dir(path), "motd2")
	plan = sdktest.Plan(t, c, "file", st, sdk.With(cfg, "path", cty.StringVal(newPath)))
	if len(plan.RequiresReplace) != 1 || !plan.RequiresReplace[0].Equals(cty.GetAttrPath("path")) {
		t.Errorf("RequiresReplace = %#v, want [path]", plan.RequiresReplace)
	}

	// Delete.
	if st = sdktest.PlanApplyFrom(t, c, "file", st, cty.NilVal); !st.IsNull() {
		t.Errorf("state after delete = %#v, want null", st)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file still there after delete: %v", err)
	}
}

func TestReadOfFileDeletedByHandIsNull(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	path := filepath.Join(t.TempDir(), "f")
	st := sdktest.PlanApply(t, c, "file", config(path, "x"))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got := sdktest.Refresh(t, c, "file", st); !got.IsNull() {
		t.Errorf("read of a deleted file = %#v, want null", got)
	}
}

func TestUnknownContentPlansUnknownChecksum(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	cfg := sdk.With(config(filepath.Join(t.TempDir(), "f"), ""), "content", cty.UnknownVal(cty.String))
	plan := sdktest.Plan(t, c, "file", cty.NilVal, cfg)
	if sdk.IsKnown(plan.PlannedState, "sha256") {
		t.Errorf("planned sha256 is known for unknown content: %#v", plan.PlannedState)
	}
	if got := sdk.GetString(plan.PlannedState, "mode"); got != "0644" {
		t.Errorf("planned mode = %q, want the default", got)
	}
}

func TestValidateRejectsBadMode(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{
		{TypeName: "file", Config: sdk.With(config("/tmp/x", "x"), "mode", cty.StringVal("644"))},
		{TypeName: "file", Config: schema.Object(map[string]cty.Value{"path": cty.StringVal("/tmp/x")})},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, attr := range []string{"mode", "content"} {
		d := resps[i].Diagnostics
		if len(d) != 1 || !d[0].Attribute.Equals(cty.GetAttrPath(attr)) {
			t.Errorf("config %d: diagnostics %#v, want one about %s", i, d, attr)
		}
	}
}

func TestImportByPath(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "file")
	path := filepath.Join(t.TempDir(), "existing")
	if err := os.WriteFile(path, []byte("already here"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Import(t.Context(), sdk.ImportRequest{Address: "file.existing", TypeName: "file", ID: path})
	if err != nil || resp.Diagnostics.HasErrors() {
		t.Fatalf("import: %v %v", resp.Diagnostics, err)
	}
	if want := stateValue(t, state(path, "already here", "0640")); !resp.State.RawEquals(want) {
		t.Errorf("imported state:\n got %#v\nwant %#v", resp.State, want)
	}
	resp, err = c.Import(t.Context(), sdk.ImportRequest{TypeName: "file", ID: path + ".missing"})
	if err != nil || !resp.Diagnostics.HasErrors() {
		t.Errorf("import of a missing file: %v %v, want an error diagnostic", resp.Diagnostics, err)
	}
}

func checkFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != content {
		t.Errorf("%s holds %q, want %q", path, data, content)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != mode {
		t.Errorf("%s has mode %04o, want %04o", path, info.Mode().Perm(), mode)
	}
}
