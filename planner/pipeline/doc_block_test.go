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

package pipeline

import (
	"testing"

	"slipway.dev/slipway/planner/kind/kindtest"
)

// TestDocDescribesTheDecoder: every argument and block a pipeline block
// decodes is described for its reference page.
func TestDocDescribesTheDecoder(t *testing.T) {
	t.Parallel()
	doc := Kind{}.Doc()
	stage, _ := doc.Block("stage")
	retry, _ := stage.Block("retry")
	approval, _ := stage.Block("approval")
	image, _ := doc.Block("image")
	promote, _ := doc.Block("promote")
	post, _ := doc.Block("post")
	conc, _ := doc.Block("concurrency")
	kindtest.DocDescribesDecoder(t, []kindtest.DocCase{
		{Path: "pipeline", Doc: doc, Decoded: &pipelineBlock{}},
		{Path: "stage", Doc: stage, Decoded: &pipeStage{}},
		{Path: "retry", Doc: retry, Decoded: &pipeRetry{}},
		{Path: "approval", Doc: approval, Decoded: &pipeApproval{}},
		{Path: "image", Doc: image, Decoded: &pipeImage{}},
		{Path: "promote", Doc: promote, Decoded: &pipePromote{}},
		{Path: "post", Doc: post, Decoded: &pipePost{}},
		{Path: "concurrency", Doc: conc, Decoded: &pipeConcurrency{}},
	})
}
