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
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// validateWalk is the state of one validate: every reference unknown.
type validateWalk struct {
	*walker
}

var _ kind.ValidateHost = validateWalk{}

// Validate checks the configuration without reading state or talking to
// anything but the providers' schemas and validators: references, cycles,
// every resource and source body against its schema (with every reference
// unknown, since no values are read), each kind's own checks, and the
// providers' checks.
func (c *Context) Validate(ctx context.Context) hcl.Diagnostics {
	diags := c.Config.CheckReferences()
	if diags.HasErrors() {
		return diags
	}
	w := validateWalk{newWalker(c)}
	w.scope.unknownRefs = true
	diags = append(diags, w.start(ctx, true)...)
	if diags.HasErrors() {
		return diags
	}
	_, d := w.buildGraph(true)
	diags = append(diags, d...)
	for _, k := range kind.SortedKeys(c.Config.Resources) {
		rc := c.Config.Resources[k]
		diags = append(diags, w.checkRepetition(rc)...)
		switch {
		case rc.Addr.Kind == addrs.Source:
			if _, ok := w.schemaOf(rc.Addr, rc.Provider); ok {
				_, d := w.validateConfig(rc, rc.Addr.Type, bodyConfig)
				diags = append(diags, d...)
			}
		case rc.Addr.Kind == addrs.Managed:
			diags = append(diags, w.ValidateResource(ctx, rc, resourceLowering(rc))...)
		case w.kinds[rc.Addr.Kind] != nil:
			diags = append(diags, w.kinds[rc.Addr.Kind].Validate(ctx, w, rc)...)
		}
	}
	return diags
}

// EvalContext is an instance's evaluation context with every reference
// unknown, and each.* and count.* unknown too.
func (w validateWalk) EvalContext(rc *lang.Resource, _ kind.Instance) (*hcl.EvalContext, hcl.Diagnostics) {
	refs, diags := w.resourceRefs(rc)
	return w.scope.kindContext(refs, validateRep(rc)), diags
}

// validateRep is what each.* and count.* mean in validate: a key of the
// right kind, every value unknown.
func validateRep(rc *lang.Resource) *repetition {
	rep := &repetition{eachValue: cty.DynamicVal}
	if rc.Count != nil {
		rep.key = addrs.IntKey(0)
	}
	if rc.ForEach != nil {
		rep.key = addrs.StringKey("k")
	}
	return rep
}

// validateConfig evaluates a block's configuration with every reference
// unknown.
func (w validateWalk) validateConfig(rc *lang.Resource, typeName string, config configFunc) (cty.Value, hcl.Diagnostics) {
	schema, ok := w.typeSchema(rc.Addr.Kind == addrs.Source, rc.Provider, typeName)
	if !ok {
		return cty.NilVal, nil
	}
	rep := validateRep(rc)
	v, _, d := w.evalResourceConfig(rc, schema, kind.Instance{Addr: rc.Addr.Instance(rep.key), Rep: rep}, config)
	return v, append(d, checkIgnoreChanges(rc, schema)...)
}

// ValidateResource validates a block lowered to a provider resource: its
// configuration against the type's schema, then the provider's checks.
func (w validateWalk) ValidateResource(ctx context.Context, rc *lang.Resource, l kind.Lowering) hcl.Diagnostics {
	config := configFunc(bodyConfig)
	body := rc.Config
	if l.Config != nil {
		// A kind's lowering: its body is not the resource's.
		config, body = l.Config, nil
	}
	v, diags := w.validateConfig(rc, l.Type, config)
	if v == cty.NilVal || diags.HasErrors() {
		return diags
	}
	conn := w.conn(rc.Provider)
	if conn == nil {
		return diags // validateConfig found no schema, and said why
	}
	resps, err := conn.validate.Do(ctx, []sdk.ValidateRequest{{TypeName: l.Type, Config: v}})
	r := rc.DeclRange
	if err != nil {
		return append(diags, kind.Errorf("Validation failed", &r, "provider %q: %v", rc.Provider.Name, err))
	}
	return append(diags, providerDiagsIn(resps[0].Diagnostics, rc.Addr.String(), &r, body)...)
}
