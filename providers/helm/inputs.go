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

package helm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"

	"slipway.dev/slipway/internal/builtin"
)

// A release is upgraded when what helm would send differs from the last
// release: its chart, its values, or an object from the live one. These
// compare the first two.

// sameInputs reports whether chart ch with values vals is what release
// last was made from: the same chart (name, version, templates, default
// values, schema, files) and the same values. Helm keeps neither
// subcharts nor the chart's raw files in a release, so a change of a
// subchart is found by inputsDigest, recorded with the state.
func sameInputs(last *release.Release, ch *chart.Chart, vals map[string]any) bool {
	if last == nil || last.Chart == nil || last.Chart.Metadata == nil || ch == nil || ch.Metadata == nil {
		return false
	}
	return sameJSON(topChart(last.Chart), topChart(ch)) && sameJSON(orEmpty(last.Config), orEmpty(vals))
}

// topChart is what a release keeps of a chart.
func topChart(ch *chart.Chart) any {
	return struct {
		Metadata  *chart.Metadata
		Templates []*chart.File
		Values    map[string]any
		Schema    []byte
		Files     []*chart.File
	}{ch.Metadata, ch.Templates, orEmpty(ch.Values), ch.Schema, ch.Files}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// sameJSON compares two values as JSON documents: numbers decoded from
// YAML and from helm's storage compare equal.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return false
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return false
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}

// inputsDigest sums a chart, its subcharts and the values.
func inputsDigest(ch *chart.Chart, vals map[string]any) string {
	h := sha256.New()
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		b, _ := json.Marshal(topChart(c))
		h.Write(b)
		for _, d := range c.Dependencies() {
			h.Write([]byte{0})
			walk(d)
		}
		h.Write([]byte{1})
	}
	walk(ch)
	b, _ := json.Marshal(orEmpty(vals))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// takenFor says what a directory that fails to render was taken for and
// why: "taken for a helm chart (Chart.yaml found)", or what names the
// chart otherwise.
func takenFor(c releaseConfig) string {
	if c.ChartDir == "" {
		return "taken for a helm chart (a chart block names it)"
	}
	if tool, why := builtin.DetectTool(c.ChartDir); tool == builtin.ToolHelm {
		return builtin.TakenFor(tool, why)
	}
	return "taken for a helm chart (the app's helm block says so)"
}
