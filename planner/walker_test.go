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

package planner

import (
	"errors"
	"strings"
	"testing"
)

type named string

func (n named) String() string { return string(n) }

// TestGuardedTurnsAPanicIntoAnError: a panic in a node of a walk fails
// that node with an error diagnostic naming it, with its stack, instead
// of ending the process.
func TestGuardedTurnsAPanicIntoAnError(t *testing.T) {
	w := &walker{}
	err := w.guarded(named("app.web"), func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "app.web") {
		t.Fatalf("guarded = %v; want an error naming the node", err)
	}
	if len(w.diags) != 1 || !w.diags.HasErrors() || !strings.Contains(w.diags[0].Detail, "boom") || !strings.Contains(w.diags[0].Detail, "goroutine") {
		t.Errorf("diagnostics %v; want one error with the panic and its stack", w.diags)
	}
	want := errors.New("plain")
	if err := w.guarded(named("app.api"), func() error { return want }); err != want {
		t.Errorf("guarded of a node that fails = %v, want its own error", err)
	}
}
