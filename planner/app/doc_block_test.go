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
	"testing"

	"slipway.dev/slipway/planner/kind/kindtest"
)

// TestDocDescribesTheDecoder: every argument and block an app block
// decodes is described for its reference page.
func TestDocDescribesTheDecoder(t *testing.T) {
	t.Parallel()
	doc := Kind{}.Doc()
	source, _ := doc.Block("source")
	helm, _ := source.Block("helm")
	chart, _ := doc.Block("chart")
	dest, _ := doc.Block("destination")
	sync, _ := doc.Block("sync")
	retry, _ := sync.Block("retry")
	wait, _ := sync.Block("wait")
	ignore, _ := doc.Block("ignore_differences")
	rollout, _ := doc.Block("rollout")
	kindtest.DocDescribesDecoder(t, []kindtest.DocCase{
		{Path: "app", Doc: doc, Decoded: &appBlock{}},
		{Path: "source", Doc: source, Decoded: &appSource{}},
		{Path: "helm", Doc: helm, Decoded: &appHelm{}},
		{Path: "chart", Doc: chart, Decoded: &appChart{}},
		{Path: "destination", Doc: dest, Decoded: &appDestination{}},
		{Path: "sync", Doc: sync, Decoded: &appSync{}},
		{Path: "retry", Doc: retry, Decoded: &appRetry{}},
		{Path: "wait", Doc: wait, Decoded: &appWait{}},
		{Path: "ignore_differences", Doc: ignore, Decoded: &appIgnore{}},
		{Path: "rollout", Doc: rollout, Decoded: &appRollout{}},
	})
}
