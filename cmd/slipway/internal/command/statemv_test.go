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
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// appStateDir is a configuration directory whose local state holds the
// given apps, each with a sync of its own in the app_history section.
func appStateDir(t *testing.T, apps ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte("locals {\n  x = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := state.NewState()
	hist := map[string]any{}
	for _, addr := range apps {
		a, diags := addrs.ParseResourceInstance(addr)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		st.Resources[addr] = &state.ResourceInstance{Addr: a, Provider: addrs.Provider{Name: "kubernetes"}, Type: builtin.KubernetesApp,
			Value: cty.ObjectVal(map[string]cty.Value{builtin.AppName: cty.StringVal(a.Resource.Name)})}
		hist[addr] = []map[string]any{{"id": 1, "revision": "rev-of-" + addr, "manifests_dir": "deploy/" + a.Resource.Name, "result": "succeeded"}}
	}
	raw, err := json.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	st.Extra = map[string]json.RawMessage{"app_history": raw}
	if err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return dir
}

// historyIn is the app_history section of dir's state, by address.
func historyIn(t *testing.T, dir string) map[string]string {
	t.Helper()
	st, err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(st.Extra["app_history"], &h); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range h {
		out[k] = string(v)
	}
	return out
}

// TestStateMvCarriesAnAppsHistory: an app's syncs are kept by its
// address; a move that left them behind lost `slipway rollback` and the
// history of `status` for the app moved, and handed them to whatever app
// is declared later at the old address (a rollback to another app's
// manifests).
func TestStateMvCarriesAnAppsHistory(t *testing.T) {
	t.Parallel()
	dir := appStateDir(t, "app.web", "app.api")
	m, out, errs := rolloutMeta(dir)
	if code := m.StateMv(context.Background(), StateArgs{Addrs: []string{"app.web", "app.frontend"}}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out.String(), "Moved app.web to app.frontend") {
		t.Errorf("output: %s", out)
	}
	h := historyIn(t, dir)
	if _, ok := h["app.web"]; ok {
		t.Errorf("the history stayed at the old address: %s", h["app.web"])
	}
	if !strings.Contains(h["app.frontend"], "rev-of-app.web") {
		t.Errorf("the moved app has no history: %v", h)
	}
	if !strings.Contains(h["app.api"], "rev-of-app.api") {
		t.Errorf("another app's history changed: %v", h)
	}
}

// TestStateRmForgetsAnAppsHistory: a removed app's syncs go with it.
func TestStateRmForgetsAnAppsHistory(t *testing.T) {
	t.Parallel()
	dir := appStateDir(t, "app.web", "app.api")
	m, out, errs := rolloutMeta(dir)
	if code := m.StateRm(context.Background(), StateArgs{Addrs: []string{"app.web"}}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out.String(), "Removed app.web") {
		t.Errorf("output: %s", out)
	}
	h := historyIn(t, dir)
	if _, ok := h["app.web"]; ok {
		t.Errorf("a removed app's history stayed for the next app at its address: %s", h["app.web"])
	}
	if _, ok := h["app.api"]; !ok {
		t.Errorf("another app's history went: %v", h)
	}
}

// TestStateEditsSayNothingTheyDidNotWrite: when the state cannot be
// written, rm and mv fail without saying they removed or moved anything.
func TestStateEditsSayNothingTheyDidNotWrite(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"rm": {"app.web"}, "mv": {"app.web", "app.frontend"}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := appStateDir(t, "app.web")
			// The local backend keeps the state it replaces beside it; a
			// directory in the backup's place makes the write fail.
			if err := os.MkdirAll(filepath.Join(dir, state.DefaultLocalPath+".backup", "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			m, out, errs := rolloutMeta(dir)
			run := m.StateRm
			if name == "mv" {
				run = m.StateMv
			}
			if code := run(context.Background(), StateArgs{Addrs: args}); code == 0 {
				t.Fatalf("the write cannot succeed, yet exit 0: %s", out)
			}
			if s := out.String(); strings.Contains(s, "Removed") || strings.Contains(s, "Moved") {
				t.Errorf("said it changed the state it failed to write:\n%s\nstderr: %s", s, errs)
			}
		})
	}
}
