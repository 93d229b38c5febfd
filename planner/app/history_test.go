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
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

func rec(id int, rev, dir, result string) SyncRecord {
	return SyncRecord{ID: id, Revision: rev, ManifestsDir: dir, Result: result}
}

func TestRollbackRecord(t *testing.T) {
	t.Parallel()
	type result struct {
		Record SyncRecord
		Err    string
	}
	tests := map[string]struct {
		hist []SyncRecord
		id   int
		want result
	}{
		"a sync by id": {
			hist: []SyncRecord{rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "succeeded")},
			id:   1,
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		// Argo CD's history lists only successful syncs: a failed one's
		// manifests are what failed, not a place to return to.
		"not a failed sync, even by id": {
			hist: []SyncRecord{rec(1, commitA, "/pins/1", "failed"), rec(2, commitB, "/pins/2", "succeeded")},
			id:   1,
			want: result{Err: `sync 1 did not succeed (result "failed"), and slipway rolls back only to a successful sync; pick one whose result is succeeded (recorded: 1 (1a2b3c4, failed), 2 (9f8e7d6, succeeded))`},
		},
		"an id not in the history lists those that are": {
			hist: []SyncRecord{rec(4, commitA, "/pins/4", "succeeded"), rec(5, commitB, "/pins/5", "failed")},
			id:   9,
			want: result{Err: "no sync 9 in the history (recorded: 4 (1a2b3c4, succeeded), 5 (9f8e7d6, failed))"},
		},
		"a sync by id that recorded no manifests": {
			hist: []SyncRecord{rec(1, commitA, "", "succeeded"), rec(2, commitB, "/pins/2", "succeeded")},
			id:   1,
			want: result{Err: "sync 1 recorded no manifests to return to"},
		},
		"by default, the last successful sync of another revision": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "succeeded"),
				rec(3, commitC, "/pins/3", "succeeded"),
			},
			want: result{Record: rec(2, commitB, "/pins/2", "succeeded")},
		},
		"by default, not a sync of the current revision": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "succeeded"),
				rec(3, commitB, "/pins/3", "succeeded"),
			},
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		"by default, not a failed sync": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "failed"),
				rec(3, commitC, "/pins/3", "succeeded"),
			},
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		"by default, after a failed sync, the last successful one before it": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "succeeded"),
				rec(3, commitC, "/pins/3", "failed"),
			},
			want: result{Record: rec(2, commitB, "/pins/2", "succeeded")},
		},
		"by default, after a failed sync of the revision the last successful one synced, the one before": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "succeeded"),
				rec(3, commitB, "/pins/3", "failed"),
			},
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		"by default, never a failed sync, however recent": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "/pins/2", "failed"),
				rec(3, commitC, "/pins/3", "failed"),
			},
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		"by default, not a sync without manifests": {
			hist: []SyncRecord{
				rec(1, commitA, "/pins/1", "succeeded"), rec(2, commitB, "", "succeeded"),
				rec(3, commitC, "/pins/3", "succeeded"),
			},
			want: result{Record: rec(1, commitA, "/pins/1", "succeeded")},
		},
		"by default, nothing earlier to return to": {
			hist: []SyncRecord{rec(1, commitA, "/pins/1", "failed"), rec(2, commitA, "/pins/2", "succeeded")},
			want: result{Err: "no earlier successful sync of another revision is recorded (recorded: 1 (1a2b3c4, failed), 2 (1a2b3c4, succeeded))"},
		},
		"one sync alone": {
			hist: []SyncRecord{rec(1, "v1.2", "/pins/1", "succeeded")},
			want: result{Err: "no earlier successful sync of another revision is recorded (recorded: 1 (v1.2, succeeded))"},
		},
		"no history": {
			hist: nil,
			want: result{Err: "no syncs are recorded for this app"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := RollbackRecord(tc.hist, tc.id)
			got := result{Record: r}
			if err != nil {
				got.Err = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("RollbackRecord (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeApplyHost keeps the state sections an apply builds. The embedded
// interface is nil: a call the test does not expect panics.
type fakeApplyHost struct {
	kind.ApplyHost
	sections map[string]json.RawMessage
	recorded map[string]*state.ResourceInstance
	progress []string
}

func (h *fakeApplyHost) Recorded(addr addrs.ResourceInstance) *state.ResourceInstance {
	return h.recorded[addr.String()]
}

func (h *fakeApplyHost) Progress(addr addrs.ResourceInstance, msg string) {
	h.progress = append(h.progress, addr.String()+": "+msg)
}

// UpdateSectionMember updates the member as the engine does, decoding and
// encoding the whole section each time.
func (h *fakeApplyHost) UpdateSectionMember(name, member string, fn func(json.RawMessage) json.RawMessage) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(h.sections[name], &m); err != nil || m == nil {
		m = map[string]json.RawMessage{}
	}
	if next := fn(m[member]); next != nil {
		m[member] = next
	} else {
		delete(m, member)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	h.sections[name] = b
}

func TestRecordSync(t *testing.T) {
	t.Parallel()
	web := addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey)
	api := addrs.Resource{Kind: addrs.App, Name: "api"}.Instance(addrs.StringKey("eu"))
	cfg := func(dirAttr, dir, rev string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			builtin.AppName: cty.StringVal("web"), dirAttr: cty.StringVal(dir), builtin.AppRevision: cty.StringVal(rev),
		})
	}
	history := func(addr string, n, firstID int) map[string][]SyncRecord {
		var list []SyncRecord
		for i := range n {
			list = append(list, rec(firstID+i, fmt.Sprintf("r%d", firstID+i), "/d", "succeeded"))
		}
		return map[string][]SyncRecord{addr: list}
	}
	tests := map[string]struct {
		prior   any // the section before, as JSON; nil for none
		addr    addrs.ResourceInstance
		cfg     cty.Value
		failure error
		want    map[string][]SyncRecord
	}{
		"the first sync is 1, with its revision and manifests": {
			addr: web, cfg: cfg(builtin.AppManifestsDir, "/cache/gitops/apps/web", commitA),
			want: map[string][]SyncRecord{"app.web": {rec(1, commitA, "/cache/gitops/apps/web", "succeeded")}},
		},
		"a helm release records its chart directory": {
			addr: web, cfg: cfg(builtin.HelmChartDir, "/cache/gitops/charts/web", commitA),
			want: map[string][]SyncRecord{"app.web": {rec(1, commitA, "/cache/gitops/charts/web", "succeeded")}},
		},
		"a failed sync records why": {
			addr: web, cfg: cfg(builtin.AppManifestsDir, "/d", commitA), failure: errors.New("Deployment web/web is Degraded"),
			want: map[string][]SyncRecord{"app.web": {{ID: 1, Revision: commitA, ManifestsDir: "/d", Result: "failed", Message: "Deployment web/web is Degraded"}}},
		},
		"ids go on from the last one": {
			prior: history("app.web", 2, 7),
			addr:  web, cfg: cfg(builtin.AppManifestsDir, "/d", commitB),
			want: map[string][]SyncRecord{"app.web": {
				rec(7, "r7", "/d", "succeeded"), rec(8, "r8", "/d", "succeeded"), rec(9, commitB, "/d", "succeeded"),
			}},
		},
		"the history keeps the last syncs": {
			prior: history("app.web", HistoryLimit, 1),
			addr:  web, cfg: cfg(builtin.AppManifestsDir, "/d", commitB),
			want: func() map[string][]SyncRecord {
				h := history("app.web", HistoryLimit-1, 2)
				h["app.web"] = append(h["app.web"], rec(HistoryLimit+1, commitB, "/d", "succeeded"))
				return h
			}(),
		},
		"failed syncs go before successful ones": {
			prior: map[string][]SyncRecord{"app.web": append([]SyncRecord{rec(1, "good", "/d", "succeeded")}, func() []SyncRecord {
				var l []SyncRecord
				for i := 2; i <= HistoryLimit; i++ {
					l = append(l, SyncRecord{ID: i, Revision: "bad", ManifestsDir: "/d", Result: "failed"})
				}
				return l
			}()...)},
			addr: web, cfg: cfg(builtin.AppManifestsDir, "/d", "bad"), failure: errors.New("still failing"),
			want: map[string][]SyncRecord{"app.web": append([]SyncRecord{rec(1, "good", "/d", "succeeded")}, func() []SyncRecord {
				var l []SyncRecord
				for i := 3; i <= HistoryLimit; i++ {
					l = append(l, SyncRecord{ID: i, Revision: "bad", ManifestsDir: "/d", Result: "failed"})
				}
				return append(l, SyncRecord{ID: HistoryLimit + 1, Revision: "bad", ManifestsDir: "/d", Result: "failed", Message: "still failing"})
			}()...)},
		},
		"other apps' histories are kept": {
			prior: history("app.web", 1, 1),
			addr:  api, cfg: cfg(builtin.AppManifestsDir, "/d", commitA),
			want: map[string][]SyncRecord{
				"app.web":       {rec(1, "r1", "/d", "succeeded")},
				`app.api["eu"]`: {rec(1, commitA, "/d", "succeeded")},
			},
		},
		"an unreadable history starts afresh": {
			prior: "not a history",
			addr:  web, cfg: cfg(builtin.AppManifestsDir, "/d", commitA),
			want: map[string][]SyncRecord{"app.web": {rec(1, commitA, "/d", "succeeded")}},
		},
		"a configuration not known records no revision": {
			addr: web, cfg: cty.DynamicVal,
			want: map[string][]SyncRecord{"app.web": {rec(1, "", "", "succeeded")}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := &fakeApplyHost{sections: map[string]json.RawMessage{}}
			if tc.prior != nil {
				b, err := json.Marshal(tc.prior)
				if err != nil {
					t.Fatal(err)
				}
				h.sections[historyKey] = b
			}
			start := time.Now().UTC()
			recordSync(h, tc.addr, tc.cfg, tc.failure)
			got, err := History(&state.State{Extra: h.sections})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(SyncRecord{}, "Time")); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			list := got[tc.addr.String()]
			if last := list[len(list)-1]; last.Time.Before(start.Add(-time.Second)) || last.Time.Location() != time.UTC {
				t.Errorf("the sync is recorded at %v, want now in UTC", last.Time)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	type result struct {
		History map[string][]SyncRecord
		Err     bool
	}
	tests := map[string]struct {
		extra map[string]json.RawMessage
		want  result
	}{
		"no section":      {extra: nil, want: result{History: map[string][]SyncRecord{}}},
		"another section": {extra: map[string]json.RawMessage{"pipeline_runs": json.RawMessage(`{}`)}, want: result{History: map[string][]SyncRecord{}}},
		"a section": {
			extra: map[string]json.RawMessage{historyKey: json.RawMessage(`{"app.web":[{"id":3,"revision":"r","manifests_dir":"/d","time":"2025-01-02T03:04:05Z","result":"succeeded"}]}`)},
			want: result{History: map[string][]SyncRecord{"app.web": {{
				ID: 3, Revision: "r", ManifestsDir: "/d", Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Result: "succeeded",
			}}}},
		},
		"an unreadable section": {extra: map[string]json.RawMessage{historyKey: json.RawMessage(`[1, 2]`)}, want: result{Err: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, err := History(&state.State{Extra: tc.extra})
			got := result{History: h, Err: err != nil}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("History (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecordSyncSaysWhatComesAfterAPause: an apply that leaves a rollout
// at a pause ends with the line that tells the user what comes next.
func TestRecordSyncSaysWhatComesAfterAPause(t *testing.T) {
	addr := addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey)
	for name, tc := range map[string]struct {
		until string
		want  string
	}{
		"until promoted": {"", `app.web: rollout app.web paused at step 4/5 (pause until promoted); run "slipway rollout promote app.web" to go on`},
		"timed":          {"2026-12-05T12:31:00Z", `app.web: rollout app.web paused at step 4/5 (pause until promoted); run "slipway rollout promote app.web" or apply again after ` + time.Date(2026, 12, 5, 12, 31, 0, 0, time.UTC).Local().Format("15:04:05")},
	} {
		t.Run(name, func(t *testing.T) {
			st := rolloutspec.Status{Phase: rolloutspec.PhasePaused, Step: 3, PausedUntil: tc.until,
				Steps: []string{"set_weight 20", "pause 2s", "set_weight 50", "pause until promoted", "100%"}}
			h := &fakeApplyHost{sections: map[string]json.RawMessage{}, recorded: map[string]*state.ResourceInstance{
				"app.web": {Value: cty.ObjectVal(map[string]cty.Value{builtin.AppRolloutStatus: cty.StringVal(st.Encode())})},
			}}
			recordSync(h, addr, cty.NullVal(cty.DynamicPseudoType), nil)
			if len(h.progress) != 1 || h.progress[0] != tc.want {
				t.Errorf("progress = %q\nwant      %q", h.progress, tc.want)
			}
		})
	}
}
