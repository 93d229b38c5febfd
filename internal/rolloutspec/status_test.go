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

import "testing"

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
