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

	"github.com/hashicorp/hcl/v2/gohcl"

	"slipway.dev/slipway/lang"
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
	for _, c := range []struct {
		path string
		doc  lang.BlockDoc
		val  any
	}{
		{"pipeline", doc, &pipelineBlock{}},
		{"stage", stage, &pipeStage{}},
		{"retry", retry, &pipeRetry{}},
		{"approval", approval, &pipeApproval{}},
		{"image", image, &pipeImage{}},
		{"promote", promote, &pipePromote{}},
		{"post", post, &pipePost{}},
		{"concurrency", conc, &pipeConcurrency{}},
	} {
		if c.doc.Description == "" {
			t.Errorf("%s has no description", c.path)
		}
		schema, _ := gohcl.ImpliedBodySchema(c.val)
		if missing := c.doc.Undocumented(schema); len(missing) > 0 {
			t.Errorf("the doc of %s does not describe %v", c.path, missing)
		}
	}
}
