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
