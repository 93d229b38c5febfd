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

package sdktest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
)

// Session drives one instance of a resource type through plan, apply,
// refresh and status as slipway's core does, carrying the instance's
// state and the provider's private data from one call to the next. Its
// methods fail the test when the protocol fails; Plan, Sync, Refresh,
// Status and Destroy also fail it on error diagnostics, TryPlan and Apply
// leave those to the test.
type Session struct {
	// State and Private are the instance's state and the provider's
	// private data as the last apply or refresh left them; a new session
	// starts with a null state.
	State   cty.Value
	Private []byte
	// Address is the instance's address in requests; TYPE.test unless
	// set.
	Address string
	// CheckApply, when set, is called by Sync with the state the plan
	// promised and the one the apply returned, to hold the provider to
	// what it keeps of its plans.
	CheckApply func(t testing.TB, planned, applied cty.Value)

	t        testing.TB
	c        *host.Client
	typeName string
	ty       cty.Type // the schema's
}

// NewSession starts a session of one instance, not yet created, of
// typeName on c.
func NewSession(t testing.TB, c *host.Client, typeName string) *Session {
	t.Helper()
	ty := ResourceSchema(t, c, typeName).ImpliedType()
	return &Session{
		State:    cty.NullVal(ty),
		Address:  address(typeName),
		t:        t,
		c:        c,
		typeName: typeName,
		ty:       ty,
	}
}

// TryPlan plans config from the session's state and returns the response,
// error diagnostics included.
func (s *Session) TryPlan(config cty.Value) sdk.PlanResponse {
	s.t.Helper()
	resps, err := s.c.Plan(s.t.Context(), []sdk.PlanRequest{{
		Address: s.Address, TypeName: s.typeName,
		Config: config, PriorState: s.State, PriorPrivate: s.Private,
	}})
	if err != nil {
		s.t.Fatalf("plan %s: %v", s.typeName, err)
	}
	return resps[0]
}

// Plan is TryPlan, failing the test on an error diagnostic.
func (s *Session) Plan(config cty.Value) sdk.PlanResponse {
	s.t.Helper()
	resp := s.TryPlan(config)
	CheckDiags(s.t, "plan "+s.typeName, resp.Diagnostics)
	return resp
}

// Apply applies plan and returns the response and the progress lines. The
// session keeps the new state and private data, also of a failed apply:
// the core records what a provider says exists.
func (s *Session) Apply(config cty.Value, plan sdk.PlanResponse) (sdk.ApplyResponse, []string) {
	s.t.Helper()
	var resp *sdk.ApplyResponse
	var progress []string
	err := s.c.Apply(s.t.Context(), []sdk.ApplyRequest{{
		Address: s.Address, TypeName: s.typeName,
		Config: config, PriorState: s.State, PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		} else {
			progress = append(progress, ev.Message)
		}
	})
	if err != nil {
		s.t.Fatalf("apply %s: %v", s.typeName, err)
	}
	s.State, s.Private = resp.NewState, resp.Private
	return *resp, progress
}

// Sync plans and applies config, failing the test on an error diagnostic
// of either, and returns the apply's response and progress lines, which
// it also logs.
func (s *Session) Sync(config cty.Value) (sdk.ApplyResponse, []string) {
	s.t.Helper()
	plan := s.Plan(config)
	resp, progress := s.Apply(config, plan)
	s.t.Logf("apply %s progress:\n  %s", s.typeName, strings.Join(progress, "\n  "))
	CheckDiags(s.t, "apply "+s.typeName, resp.Diagnostics)
	if s.CheckApply != nil {
		s.CheckApply(s.t, plan.PlannedState, resp.NewState)
	}
	return resp, progress
}

// Refresh reads the instance, keeps what the provider returned, and
// returns the response.
func (s *Session) Refresh() sdk.ReadResponse {
	s.t.Helper()
	resps, err := s.c.Read(s.t.Context(), []sdk.ReadRequest{{
		Address: s.Address, TypeName: s.typeName, State: s.State, Private: s.Private,
	}})
	if err != nil {
		s.t.Fatalf("read %s: %v", s.typeName, err)
	}
	CheckDiags(s.t, "read "+s.typeName, resps[0].Diagnostics)
	s.State, s.Private = resps[0].NewState, resps[0].Private
	return resps[0]
}

// Status asks the provider for the instance's health and sync status.
func (s *Session) Status() sdk.StatusResponse {
	s.t.Helper()
	resps, err := s.c.Status(s.t.Context(), []sdk.StatusRequest{{
		Address: s.Address, TypeName: s.typeName, State: s.State, Private: s.Private,
	}})
	if err != nil {
		s.t.Fatalf("status %s: %v", s.typeName, err)
	}
	CheckDiags(s.t, "status "+s.typeName, resps[0].Diagnostics)
	return resps[0]
}

// Destroy plans and applies a null config, as the core does for a removed
// block, and fails the test unless the instance is gone.
func (s *Session) Destroy() {
	s.t.Helper()
	null := cty.NullVal(s.ty)
	resp, _ := s.Apply(null, s.Plan(null))
	CheckDiags(s.t, "destroy "+s.typeName, resp.Diagnostics)
	if !resp.NewState.IsNull() {
		s.t.Fatalf("destroy %s left state %#v", s.typeName, resp.NewState)
	}
}

// CheckDiags fails the test on an error among diags and logs the
// warnings; what says which call they came from.
func CheckDiags(t testing.TB, what string, diags sdk.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != sdk.Warning { // the zero Severity is an error too
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
		t.Logf("%s: warning: %s: %s", what, d.Summary, d.Detail)
	}
}

// Keys lists the attribute names of an object value (or the keys of a
// map), sorted: the IDs of a state's objects, for instance.
func Keys(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var out []string
	switch {
	case v.Type().IsObjectType():
		for k := range v.Type().AttributeTypes() {
			out = append(out, k)
		}
	case v.Type().IsMapType():
		for k := range v.AsValueMap() {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// WriteTree writes files (slash-separated path to content) into a new
// temporary directory of the test, and returns the directory.
func WriteTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
