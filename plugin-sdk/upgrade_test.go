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

package sdk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/internal/testprovider"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// TestUpgradeStateThroughTheProtocol upgrades stored widget states of
// every older version to version 3 through a real plugin process.
func TestUpgradeStateThroughTheProtocol(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	want := testprovider.WidgetSchema.Object(map[string]cty.Value{
		"name": cty.StringVal("w"), "count": cty.NumberIntVal(3), "id": cty.StringVal("widget-w"),
	})
	for name, tc := range map[string]struct {
		from    int64
		fixture string
	}{
		"chain from 1": {1, `{"name": "w", "size": "3"}`},
		"one step":     {2, `{"name": "w", "size": 3}`},
		"current":      {3, `{"name": "w", "count": 3, "id": "widget-w"}`},
	} {
		t.Run(name, func(t *testing.T) {
			got := sdktest.UpgradeState(t, c, "widget", tc.from, []byte(tc.fixture))
			if !got.RawEquals(want) {
				t.Errorf("upgraded from version %d:\n got %#v\nwant %#v", tc.from, got, want)
			}
		})
	}
}

// TestUpgradeStateRefusals checks the states that cannot be upgraded:
// each comes back as an error diagnostic that says why.
func TestUpgradeStateRefusals(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "test")
	reqs := []sdk.UpgradeStateRequest{
		{Address: "widget.newer", TypeName: "widget", Version: 4, RawState: []byte(`{"name": "w"}`)},
		{Address: "widget.ancient", TypeName: "widget", Version: 0, RawState: []byte(`{"name": "w"}`)},
		{Address: "widget.bad", TypeName: "widget", Version: 1, RawState: []byte(`{"name": "w", "size": null}`)},
		{Address: "widget.extra", TypeName: "widget", Version: 3, RawState: []byte(`{"name": "w", "size": 3}`)},
		{Address: "echo.old", TypeName: "echo", Version: 1, RawState: []byte(`{"name": "e"}`)},
	}
	resps, err := c.UpgradeState(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	wants := []string{
		"widget.newer was written with schema version 4, but this provider's schema is version 3",
		"has no upgrader from version 0",
		"Upgrading the state of widget.bad from schema version 1 to 2 failed: size <nil> is not a number",
		`does not match schema version 3: unsupported attribute "size"`,
		"has no upgrader from version 1",
	}
	for i, want := range wants {
		err := resps[i].Diagnostics.Err()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", reqs[i].Address, err, want)
		}
	}
}

// TestUpgradeStateWithoutAProcess runs the upgrader chain in process, as
// sdk.UpgradeState offers it to tests.
func TestUpgradeStateWithoutAProcess(t *testing.T) {
	t.Parallel()
	r := testprovider.New().Resources()["widget"]
	got, diags := sdk.UpgradeState(context.Background(), r, 1, []byte(`{"name": "w", "size": "12345678901234567890"}`))
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	n, _ := cty.ParseNumberVal("12345678901234567890")
	if c := got.GetAttr("count"); !c.RawEquals(n) {
		t.Errorf("count %#v, want %#v exactly", c, n)
	}
}
