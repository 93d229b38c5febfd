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
	"context"
	"slices"

	"slipway.dev/slipway/planner/kind"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
)

// Kind is the pipeline block kind.
type Kind struct{}

var _ kind.Kind = Kind{}

// Kind is addrs.Pipeline.
func (Kind) Kind() addrs.Kind { return addrs.Pipeline }

// Providers lists the providers a pipeline block needs, from its syntax:
// registry for image blocks, git for promote blocks.
func (Kind) Providers(rc *lang.Resource) []addrs.Provider {
	sb, ok := rc.Config.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []addrs.Provider
	for _, b := range sb.Blocks {
		switch b.Type {
		case "image":
			if !slices.Contains(out, registryProvider) {
				out = append(out, registryProvider)
			}
		case "promote":
			if !slices.Contains(out, gitProvider) {
				out = append(out, gitProvider)
			}
		}
	}
	return out
}

// Writes lists the sources a pipeline's promotes commit to.
func (Kind) Writes(rc *lang.Resource) []addrs.Resource { return promoteTargets(rc) }

// Check has nothing to check before the walk: a missing image or promote
// type is reported when the pipeline is planned.
func (Kind) Check(kind.Host, *lang.Resource) hcl.Diagnostics { return nil }

// Validate checks a pipeline block's structure with every value unknown.
func (Kind) Validate(_ context.Context, h kind.ValidateHost, rc *lang.Resource) hcl.Diagnostics {
	ectx, diags := h.EvalContext(rc, kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)})
	if diags.HasErrors() {
		return diags
	}
	return append(diags, validatePipeline(rc, ectx)...)
}
