package planner

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/plugin-sdk"
)

// Validate checks the configuration without reading state or talking to
// anything but the providers' schemas and validators: references, cycles,
// every resource and source body against its schema (with every reference
// unknown, since no values are read), and the providers' own checks.
func (c *Context) Validate(ctx context.Context) hcl.Diagnostics {
	diags := c.Config.CheckReferences()
	if diags.HasErrors() {
		return diags
	}
	w := newWalker(c)
	w.scope.unknownRefs = true
	diags = append(diags, w.start(ctx, true)...)
	if diags.HasErrors() {
		return diags
	}
	_, d := w.buildGraph(true)
	diags = append(diags, d...)
	for _, k := range sortedKeys(c.Config.Resources) {
		rc := c.Config.Resources[k]
		if rc.Addr.Kind == addrs.Pipeline {
			refs, d := w.resourceRefs(rc)
			diags = append(diags, d...)
			diags = append(diags, validatePipeline(rc, w.scope.evalContext(refs, &repetition{eachValue: cty.DynamicVal}))...)
			continue
		}
		if !managedByProvider(rc.Addr) {
			continue
		}
		schema, ok := w.schemaOf(rc.Addr, rc.Provider)
		if !ok {
			continue
		}
		rep := &repetition{key: nil}
		if rc.Count != nil {
			rep.key = addrs.IntKey(0)
		}
		if rc.ForEach != nil {
			rep.key, rep.eachValue = addrs.StringKey("k"), cty.DynamicVal
		}
		v, _, d := w.evalResourceConfig(rc, schema, instance{addr: rc.Addr.Instance(rep.key), rep: rep})
		diags = append(diags, d...)
		if d.HasErrors() || rc.Addr.Kind == addrs.Source {
			continue
		}
		resps, err := w.conns[rc.Provider].validate.Do(ctx, []sdk.ValidateRequest{{TypeName: typeOf(rc), Config: v}})
		r := rc.DeclRange
		if err != nil {
			diags = append(diags, errorf("Validation failed", &r, "provider %q: %v", rc.Provider.Name, err))
			continue
		}
		diags = append(diags, providerDiags(resps[0].Diagnostics, rc.Addr.String(), &r)...)
	}
	return diags
}
