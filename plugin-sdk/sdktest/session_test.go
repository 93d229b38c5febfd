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

package sdktest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"test": testprovider.New})
}

// TestStartEnvironment: the provider inherits the test's environment,
// and the variables given to Start take precedence over the test's own.
func TestStartEnvironment(t *testing.T) {
	t.Setenv("SLIPWAY_TEST_GIVEN", "the test's")
	t.Setenv("SLIPWAY_TEST_INHERITED", "the test's")
	c := sdktest.Start(t, "test", "SLIPWAY_TEST_GIVEN=Start's")
	for name, want := range map[string]string{"SLIPWAY_TEST_GIVEN": "Start's", "SLIPWAY_TEST_INHERITED": "the test's"} {
		resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{
			Address: "source.env.x", TypeName: "env",
			Config: cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal(name), "output": cty.NullVal(cty.String)}),
		}})
		if err != nil {
			t.Fatal(err)
		}
		sdktest.CheckDiags(t, "read", resps[0].Diagnostics)
		if got := sdk.GetString(resps[0].State, "output"); got != want {
			t.Errorf("the provider's %s = %q, want %q", name, got, want)
		}
	}
}

func TestSession(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	sdktest.Configure(t, c, cty.ObjectVal(map[string]cty.Value{"greeting": cty.StringVal("hi-")}))
	s := sdktest.NewSession(t, c, "echo")
	if !s.State.IsNull() || s.Address != "echo.test" {
		t.Fatalf("new session: state %#v, address %q", s.State, s.Address)
	}
	checked := 0
	s.CheckApply = func(t testing.TB, planned, applied cty.Value) {
		checked++
		if d := sdktest.DiffPaths(planned, applied); !cmp.Equal([]string{"id"}, d) {
			t.Errorf("apply changed %v of the plan, want only id", d)
		}
	}
	config := sdktest.Object(t, c, "echo", map[string]cty.Value{"name": cty.StringVal("a"), "note": cty.StringVal("kept")})
	resp, _ := s.Sync(config)
	if checked != 1 {
		t.Errorf("CheckApply called %d times by Sync, want once", checked)
	}
	if got := s.State.GetAttr("id"); !got.RawEquals(cty.StringVal("hi-id-a")) || !s.State.RawEquals(resp.NewState) {
		t.Errorf("state after sync: %#v (response %#v)", s.State, resp.NewState)
	}
	if got := s.Refresh().NewState; !got.RawEquals(s.State) {
		t.Errorf("refresh changed the state to %#v", got)
	}
	if plan := s.Plan(config); len(sdktest.DiffPaths(s.State, plan.PlannedState)) > 0 {
		t.Errorf("no-op plan changes %v", sdktest.DiffPaths(s.State, plan.PlannedState))
	}
	s.Destroy()
	if !s.State.IsNull() {
		t.Errorf("state after destroy: %#v", s.State)
	}
}

func TestSessionTryPlan(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	sdktest.Configure(t, c, cty.NullVal(cty.Object(map[string]cty.Type{"greeting": cty.String})))
	s := sdktest.NewSession(t, c, "probe")
	resp := s.TryPlan(sdktest.Object(t, c, "probe", map[string]cty.Value{"name": cty.StringVal("diag")}))
	if !resp.Diagnostics.HasErrors() || resp.Diagnostics[0].Summary != "Bad tag" {
		t.Errorf("diagnostics %#v, want the error \"Bad tag\"", resp.Diagnostics)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v    cty.Value
		want []string
	}{
		"object":  {cty.ObjectVal(map[string]cty.Value{"b": cty.True, "a b": cty.False}), []string{"a b", "b"}},
		"map":     {cty.MapVal(map[string]cty.Value{"y": cty.True, "x": cty.False}), []string{"x", "y"}},
		"empty":   {cty.EmptyObjectVal, nil},
		"unknown": {cty.DynamicVal, nil},
		"null":    {cty.NullVal(cty.Map(cty.String)), nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, sdktest.Keys(tc.v)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteTree(t *testing.T) {
	t.Parallel()
	dir := sdktest.WriteTree(t, map[string]string{"a.yaml": "a", "sub/dir/b.yaml": "b"})
	for name, want := range map[string]string{"a.yaml": "a", "sub/dir/b.yaml": "b"} {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
}
