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

package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestBlockDocsDescribeTheDecoders: every argument and block the loader
// decodes is described for the reference pages.
func TestBlockDocsDescribeTheDecoders(t *testing.T) {
	t.Parallel()
	docs := map[string]BlockDoc{}
	for _, d := range BlockDocs() {
		docs[d.Type] = d
		if d.Description == "" {
			t.Errorf("block %s has no description", d.Type)
		}
		for _, a := range d.Attributes {
			if a.Description == "" || a.Type == "" {
				t.Errorf("%s argument %s needs a type and a description", d.Type, a.Name)
			}
		}
	}
	lifecycle, _ := docs["resource"].Block("lifecycle")
	validation, _ := docs["variable"].Block("validation")
	for _, c := range []struct {
		doc    BlockDoc
		schema *hcl.BodySchema
	}{
		{docs["variable"], variableSchema},
		{validation, validationSchema},
		{docs["output"], outputSchema},
		{docs["provider"], providerSchema},
		{docs["resource"], metaSchema},
		{lifecycle, lifecycleSchema},
	} {
		if missing := c.doc.Undocumented(c.schema); len(missing) > 0 {
			t.Errorf("block %q does not describe %v", c.doc.Type, missing)
		}
	}
	for _, b := range fileSchema.Blocks {
		if _, ok := docs[b.Type]; !ok && !map[string]bool{"slipway": true, "pipeline": true, "app": true, "rollout": true, "analysis": true}[b.Type] {
			t.Errorf("top-level block %s has no BlockDoc", b.Type)
		}
	}
}
