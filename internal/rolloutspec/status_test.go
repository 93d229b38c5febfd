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

package rolloutspec

import (
	"fmt"
	"strings"
	"testing"
)

func TestShellWordAndNextFor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"app.web":       "app.web",
		`app.web["eu"]`: `'app.web["eu"]'`,
		`app.web[0]`:    `'app.web[0]'`,
		`app.w["it's"]`: `'app.w["it'\''s"]'`,
	} {
		if got := ShellWord(in); got != want {
			t.Errorf("ShellWord(%s) = %s, want %s", in, got, want)
		}
	}
	s := &Status{Phase: PhasePaused, Action: ActionContinue, Steps: []string{"set_weight 50", "pause until promoted", "100%"}, Step: 1}
	if got, want := s.NextFor(`app.web["eu"]`), `run "slipway rollout promote 'app.web["eu"]'" to go on past step 2 (pause until promoted)`; got != want {
		t.Errorf("NextFor = %s\nwant      %s", got, want)
	}
	if got, want := s.Next(), `run "slipway rollout promote" to go on past step 2 (pause until promoted)`; got != want {
		t.Errorf("Next = %s, want %s", got, want)
	}
	start := &Status{Action: ActionStart, Steps: []string{"set_weight 50", "100%"}}
	if got, want := start.Next(), "apply starts the rollout of the new revision at step 1 (set_weight 50)"; got != want {
		t.Errorf("Next of a start with no revision yet = %s", got)
	}
}

// TestAnalysisRunKeepsTheLastMeasurements: a run counts every
// measurement and keeps the last MeasurementHistory, as an Argo Rollouts
// AnalysisRun keeps its last ten, so that a long analysis still fits the
// annotation that records it. A run recorded before runs had a tally is
// counted from the measurements it holds.
func TestAnalysisRunKeepsTheLastMeasurements(t *testing.T) {
	t.Parallel()
	var r AnalysisRun
	for i := range 1000 {
		phase := Successful
		switch i % 10 {
		case 3:
			phase = Failed
		case 7:
			phase = Error
		}
		r.Add(Measurement{At: fmt.Sprint(i), Phase: phase, Message: strings.Repeat("x", 200)})
	}
	if r.Taken() != 1000 || len(r.Measurements) != MeasurementHistory || r.Measurements[0].At != "990" || r.Measurements[MeasurementHistory-1].At != "999" {
		t.Fatalf("taken %d, %d kept from %v; want 1000 taken, the last %d kept", r.Taken(), len(r.Measurements), r.Measurements[0].At, MeasurementHistory)
	}
	if ok, failed, inc := r.Counts(); ok != 800 || failed != 100 || inc != 100 {
		t.Errorf("counts %d/%d/%d, want 800/100/100", ok, failed, inc)
	}
	st := Status{Analyses: []AnalysisRun{r}}
	if n := len(st.Encode()); n > 8<<10 {
		t.Errorf("a run of 1,000 measurements encodes in %d bytes; want a few kilobytes", n)
	}

	older := AnalysisRun{Measurements: []Measurement{{Phase: Failed}, {Phase: Successful}, {Phase: Inconclusive}}}
	if ok, failed, inc := older.Counts(); older.Taken() != 3 || ok != 1 || failed != 1 || inc != 1 {
		t.Errorf("a run without a tally: taken %d, counts %d/%d/%d; want 3, 1/1/1", older.Taken(), ok, failed, inc)
	}
	kept := older.Measurements
	older.Add(Measurement{Phase: Failed})
	if older.Taken() != 4 || older.Tally.Failed != 2 || len(kept) != 3 {
		t.Errorf("after Add: %+v (the old slice now %d long); want 4 taken, 2 failed, the old slice untouched", older.Tally, len(kept))
	}
}
