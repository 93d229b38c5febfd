package planner

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
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

// recordSync appends a sync to the app's history in the applier's state.
func (a *Applier) recordSync(addr addrs.ResourceInstance, cfg cty.Value, failure error) {
	rec := SyncRecord{Time: time.Now().UTC(), Result: "succeeded"}
	if failure != nil {
		rec.Result, rec.Message = "failed", failure.Error()
	}
	if cfg.IsKnown() && !cfg.IsNull() && cfg.Type().IsObjectType() {
		for name, dst := range map[string]*string{"revision": &rec.Revision, appDirAttr(cfg): &rec.ManifestsDir} {
			if cfg.Type().HasAttribute(name) {
				if v := cfg.GetAttr(name); v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					*dst = v.AsString()
				}
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	h, err := History(a.st)
	if err != nil {
		h = map[string][]SyncRecord{}
	}
	list := h[addr.String()]
	if n := len(list); n > 0 {
		rec.ID = list[n-1].ID + 1
	} else {
		rec.ID = 1
	}
	list = append(list, rec)
	if len(list) > HistoryLimit {
		list = list[len(list)-HistoryLimit:]
	}
	h[addr.String()] = list
	b, _ := json.Marshal(h)
	if a.st.Extra == nil {
		a.st.Extra = map[string]json.RawMessage{}
	}
	a.st.Extra[historyKey] = b
}
