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

package state

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUpgradesCoverEveryVersion(t *testing.T) {
	t.Parallel()
	if len(upgrades) != formatVersion-1 {
		t.Errorf("%d upgrade steps for format version %d, want %d", len(upgrades), formatVersion, formatVersion-1)
	}
}

func TestUpgrade(t *testing.T) {
	t.Parallel()
	// steps returns two upgrade steps, 1→2 renaming id to lineage and 2→3
	// adding outputs, that append their names to ran.
	steps := func(ran *[]string) []func(map[string]any) error {
		return []func(map[string]any) error{
			func(doc map[string]any) error {
				*ran = append(*ran, "1→2")
				doc["lineage"] = doc["id"]
				delete(doc, "id")
				return nil
			},
			func(doc map[string]any) error {
				*ran = append(*ran, "2→3")
				doc["outputs"] = map[string]any{}
				return nil
			},
		}
	}
	tests := map[string]struct {
		from    int
		want    map[string]any
		wantRan []string
	}{
		"from 1":  {1, map[string]any{"version": json.Number("3"), "lineage": "x", "outputs": map[string]any{}}, []string{"1→2", "2→3"}},
		"from 2":  {2, map[string]any{"version": json.Number("3"), "id": "x", "outputs": map[string]any{}}, []string{"2→3"}},
		"current": {3, map[string]any{"version": json.Number("3"), "id": "x"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var ran []string
			doc := map[string]any{"version": json.Number(strconv.Itoa(tc.from)), "id": "x"}
			if err := upgrade(doc, tc.from, steps(&ran)); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if diff := cmp.Diff(tc.want, doc); diff != "" {
				t.Errorf("upgraded document (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRan, ran); diff != "" {
				t.Errorf("steps run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpgradeFails(t *testing.T) {
	t.Parallel()
	broken := errors.New("broken")
	steps := []func(map[string]any) error{func(map[string]any) error { return broken }}
	err := upgrade(map[string]any{"version": json.Number("1")}, 1, steps)
	if !errors.Is(err, broken) || err.Error() != "upgrading from format version 1: broken" {
		t.Errorf("upgrade error = %v, want the step's error wrapped with its version", err)
	}
}
