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

package planner

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// decodeBody decodes a block body against a schema into an object of the
// schema's implied type. hcl reports unknown arguments with a "Did you
// mean" suggestion and missing required ones with their block's range.
func decodeBody(body hcl.Body, schema sdk.Schema, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := hcldec.Decode(body, decodeSpec(schema), ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return fillObject(schema, v), diags
}
