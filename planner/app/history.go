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
	"fmt"
	"slices"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// historyKey is the state section that keeps each app's recent syncs.
const historyKey = "app_history"

// HistoryLimit is how many syncs state keeps per app.
const HistoryLimit = 10

// SyncRecord is one sync of an app, kept in state for status and rollback.
type SyncRecord struct {
	ID           int       `json:"id"`
	Revision     string    `json:"revision"`
	ManifestsDir string    `json:"manifests_dir"`
	Time         time.Time `json:"time"`
	Result       string    `json:"result"` // "succeeded" or "failed"
	Message      string    `json:"message,omitempty"`
}

// History returns the recorded syncs of every app, by address, oldest first.
func History(st *state.State) (map[string][]SyncRecord, error) {
	h := map[string][]SyncRecord{}
	raw, ok := st.Extra[historyKey]
	if !ok {
		return h, nil
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("state section %s is unreadable: %w", historyKey, err)
	}
	return h, nil
}

// recordSync appends a sync to the app's history in the state the apply
// builds.
func recordSync(h kind.ApplyHost, addr addrs.ResourceInstance, cfg cty.Value, failure error) {
	if failure == nil {
		if ri := h.Recorded(addr); ri != nil {
			if st := statusOf(ri.Value, builtin.AppRolloutStatus); st != nil && st.Phase == rolloutspec.PhasePaused {
				h.Progress(addr, pausedLine(addr, st))
			}
		}
	}
	rec := SyncRecord{Time: time.Now().UTC(), Result: "succeeded"}
	if failure != nil {
		rec.Result, rec.Message = "failed", failure.Error()
	}
	if cfg.IsKnown() && !cfg.IsNull() && cfg.Type().IsObjectType() {
		for name, dst := range map[string]*string{builtin.AppRevision: &rec.Revision, appDirAttr(cfg): &rec.ManifestsDir} {
			if cfg.Type().HasAttribute(name) {
				if v := cfg.GetAttr(name); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					*dst = v.AsString()
				}
			}
		}
	}
	h.UpdateSectionMember(historyKey, addr.String(), func(raw json.RawMessage) json.RawMessage {
		var list []SyncRecord
		if raw != nil {
			// An unreadable history is started afresh rather than
			// failing the sync it records.
			_ = json.Unmarshal(raw, &list)
		}
		if n := len(list); n > 0 {
			rec.ID = list[n-1].ID + 1
		} else {
			rec.ID = 1
		}
		list = trimHistory(append(list, rec))
		b, _ := json.Marshal(list)
		return b
	})
}

// trimHistory keeps HistoryLimit records of list, the newest always:
// the oldest failed syncs go first, then the oldest successful ones. A
// sync that fails at every round (slipway reconcile) would otherwise push
// out every successful one, and with it what rollback returns to, when
// it is needed most.
func trimHistory(list []SyncRecord) []SyncRecord {
	for len(list) > HistoryLimit {
		drop := 0
		if i := slices.IndexFunc(list[:len(list)-1], func(r SyncRecord) bool { return r.Result != "succeeded" }); i >= 0 {
			drop = i
		}
		list = slices.Delete(list, drop, drop+1)
	}
	return list
}

// RollbackRecord finds the sync an app should roll back to: the given
// history id, or the last successful sync before the current one (the
// latest) of another revision than the current one's. Only a successful
// sync is one to return to, as Argo CD's history lists only those: a
// failed one's manifests are what failed.
func RollbackRecord(hist []SyncRecord, id int) (SyncRecord, error) {
	if len(hist) == 0 {
		return SyncRecord{}, fmt.Errorf("no syncs are recorded for this app")
	}
	if id > 0 {
		for _, r := range hist {
			if r.ID == id {
				if r.Result != "succeeded" {
					return SyncRecord{}, fmt.Errorf("sync %d did not succeed (result %q), and slipway rolls back only to a successful sync; pick one whose result is succeeded (recorded: %s)", id, r.Result, historyIDs(hist))
				}
				if r.ManifestsDir == "" {
					return SyncRecord{}, fmt.Errorf("sync %d recorded no manifests to return to", id)
				}
				return r, nil
			}
		}
		return SyncRecord{}, fmt.Errorf("no sync %d in the history (recorded: %s)", id, historyIDs(hist))
	}
	last := hist[len(hist)-1]
	for i := len(hist) - 2; i >= 0; i-- {
		if hist[i].Result == "succeeded" && hist[i].Revision != last.Revision && hist[i].ManifestsDir != "" {
			return hist[i], nil
		}
	}
	return SyncRecord{}, fmt.Errorf("no earlier successful sync of another revision is recorded (recorded: %s)", historyIDs(hist))
}

func historyIDs(hist []SyncRecord) string {
	s := ""
	for i, r := range hist {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d (%s, %s)", r.ID, shortRev(r.Revision), r.Result)
	}
	return s
}

func shortRev(r string) string {
	if len(r) > 7 {
		return r[:7]
	}
	return r
}
