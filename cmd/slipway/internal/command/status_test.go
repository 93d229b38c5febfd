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
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner"
	appkind "slipway.dev/slipway/planner/app"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// hostileText is what an object's status condition or a stage may say:
// a clipboard write (OSC 52), a line erased, a bell, a bidi override.
const hostileText = "ok\r\x1b[2K\x1b]52;c;Y3VybCBldmlsfHNo\x07 evil\u202Etxt"

// hostileShown is hostileText as a terminal must be given it.
const hostileShown = `ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007 evil\u202Etxt`

// TestStatusEscapesMessages: an app's message, its objects' health
// messages (which whoever can write an object's status writes), and what
// state records of syncs and pipeline runs are shown escaped, so that
// none of it can set the clipboard, erase a line or reorder what is
// shown. The -json document keeps the text as it is.
func TestStatusEscapesMessages(t *testing.T) {
	t.Parallel()
	st := appStatus{Status: planner.Status{
		Addr: addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey),
		Sync: "OutOfSync", Health: "Degraded", Revision: "abc" + hostileText, Message: "sync failed: " + hostileText,
		Objects: []sdk.ObjectStatus{{ID: "apps/v1 Deployment web/web", Sync: "Synced", Health: "Degraded", Message: "condition says " + hostileText}},
	}, History: []appkind.SyncRecord{{ID: 1, Revision: "rev" + hostileText, Time: time.Unix(0, 0), Result: "succeeded"}}}

	var out bytes.Buffer
	m := &Meta{View: &views.View{Stdout: &out, Stderr: &out}}
	m.printStatus(&out, st)
	got := out.String()
	if strings.ContainsAny(got, "\r\x1b\x07\u202E") {
		t.Errorf("a raw control reached the terminal:\n%q", got)
	}
	for _, want := range []string{"Message:        sync failed: " + hostileShown + "\n", "condition says " + hostileShown + "\n", "abc" + hostileShown, "rev" + hostileShown} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}

	js, err := json.Marshal(statusJSON("default", []appStatus{st}))
	if err != nil {
		t.Fatal(err)
	}
	var doc StatusDocument
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Apps[0].Message != st.Message || doc.Apps[0].Objects[0].Message != st.Objects[0].Message {
		t.Errorf("-json changed the messages: %+v", doc.Apps[0])
	}

	out.Reset()
	m.printPipeline(pipelineRun{addr: "pipeline.ci", value: cty.ObjectVal(map[string]cty.Value{
		"commit": cty.StringVal("c0ffee" + hostileText),
		"run": cty.ObjectVal(map[string]cty.Value{
			"number": cty.NumberIntVal(2), "status": cty.StringVal("failed"), "commit": cty.StringVal(hostileText),
			"started": cty.StringVal(hostileText), "finished": cty.StringVal(hostileText), "failed_stage": cty.StringVal(hostileText),
			"log_dir": cty.StringVal(hostileText),
			"stages": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"name": cty.StringVal(hostileText), "status": cty.StringVal(hostileText), "attempts": cty.NumberIntVal(1), "duration": cty.StringVal(hostileText),
			})}),
		}),
	})})
	if got := out.String(); strings.ContainsAny(got, "\r\x1b\x07\u202E") || !strings.Contains(got, hostileShown) {
		t.Errorf("a pipeline's run is not shown escaped:\n%q", got)
	}
}

// TestStatusUnreadableHistoryExits1: status reports an unreadable
// history as an error, and exits 1 for it, as it does for every other
// error, after showing what it could.
func TestStatusUnreadableHistoryExits1(t *testing.T) {
	t.Parallel()
	for name, args := range map[string]StatusArgs{"text": {}, "json": {JSON: true}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte("locals {\n  x = 1\n}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			st := state.NewState()
			st.Extra = map[string]json.RawMessage{"app_history": json.RawMessage(`["not a map"]`)}
			if err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Write(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			m, out, errs := rolloutMeta(dir)
			if code := m.Status(context.Background(), args); code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, out, errs)
			}
			if !strings.Contains(errs.String(), "Unreadable history") {
				t.Errorf("no error for the history:\n%s", errs)
			}
		})
	}
}

// TestRollbackRefusesAFailedSync: a sync that failed is no place to roll
// back to, even named by its ID; the error says which to pick.
func TestRollbackRefusesAFailedSync(t *testing.T) {
	t.Parallel()
	dir := appStateDir(t, "app.web")
	st, err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hist, err := json.Marshal(map[string][]appkind.SyncRecord{"app.web": {
		{ID: 1, Revision: "rev-good", ManifestsDir: "/cache/trees/rev-good/apps/web", Result: "succeeded"},
		{ID: 2, Revision: "rev-bad", ManifestsDir: "/cache/trees/rev-bad/apps/web", Result: "failed", Message: "boom"},
		{ID: 3, Revision: "rev-new", ManifestsDir: "/cache/trees/rev-new/apps/web", Result: "succeeded"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	st.Extra["app_history"] = hist
	st.Resources["app.web"].Type = builtin.KubernetesApp
	if err := local.New(filepath.Join(dir, state.DefaultLocalPath)).Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	m, out, errs := rolloutMeta(dir)
	if code := m.Rollback(context.Background(), ApplyArgs{AutoApprove: true}, "app.web", "2"); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if want := `cannot roll back app.web: sync 2 did not succeed (result "failed")`; !strings.Contains(errs.String(), want) {
		t.Errorf("the error lacks %q:\n%s", want, errs)
	}
	if strings.Contains(out.String(), "Rolling app.web back") {
		t.Errorf("it rolled back:\n%s", out)
	}
}
