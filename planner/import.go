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
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/state"
)

// Import adopts an existing object as addr, by the provider's ID for it
// (`slipway import file.a /etc/motd`). The block must be declared; the
// instance must not be in state yet. It returns the new state entry,
// which the caller records; the next plan then compares the object with
// its configuration like any other.
func (c *Context) Import(ctx context.Context, addr addrs.ResourceInstance, id string) (*state.ResourceInstance, hcl.Diagnostics) {
	rc := c.Config.Resources[addr.Resource.String()]
	if rc == nil {
		return nil, hcl.Diagnostics{kind.Errorf("Import to an undeclared resource", nil,
			"%s is not declared in the configuration. Write its resource block first, then import into it.", addr.Resource)}
	}
	r := rc.DeclRange
	if rc.Addr.Kind != addrs.Managed {
		return nil, hcl.Diagnostics{kind.Errorf("Cannot import", &r, "%s is not a resource block; only resource blocks can be imported.", addr)}
	}
	switch {
	case rc.Count != nil && !isKey[addrs.IntKey](addr.Key):
		return nil, hcl.Diagnostics{kind.Errorf("Instance key needed", &r, "%s uses count: import into one instance, like %s[0].", rc.Addr, rc.Addr)}
	case rc.ForEach != nil && !isKey[addrs.StringKey](addr.Key):
		return nil, hcl.Diagnostics{kind.Errorf("Instance key needed", &r, "%s uses for_each: import into one instance, like %s[\"key\"].", rc.Addr, rc.Addr)}
	case rc.Count == nil && rc.ForEach == nil && addr.Key != nil:
		return nil, hcl.Diagnostics{kind.Errorf("Unexpected instance key", &r, "%s has neither count nor for_each: import into %s.", rc.Addr, rc.Addr)}
	}
	if c.State.Resources[addr.String()] != nil {
		return nil, hcl.Diagnostics{kind.Errorf("Resource already managed", &r,
			"%s is already in state. To adopt a different object, first remove it with slipway state rm %s.", addr, addr)}
	}
	cl, diags := c.importProvider(ctx, rc)
	if diags.HasErrors() {
		return nil, diags
	}
	resp, err := cl.Import(ctx, sdk.ImportRequest{Address: addr.String(), TypeName: rc.Addr.Type, ID: id})
	secrets := lang.SensitiveStrings(c.Config, c.Variables)
	maskDiags(resp.Diagnostics, secrets)
	err = maskErr(err, secrets)
	if err != nil {
		return nil, hcl.Diagnostics{kind.Errorf("Import failed", &r, "Importing %s through provider %q: %v", addr, rc.Provider.Name, err)}
	}
	diags = append(diags, kind.ProviderDiags(resp.Diagnostics, addr.String(), &r)...)
	if diags.HasErrors() {
		return nil, diags
	}
	if resp.State.IsNull() {
		return nil, append(diags, kind.Errorf("Object not found", &r, "Provider %q found no object with ID %q to import as %s.", rc.Provider.Name, id, addr))
	}
	schemas, err := cl.Schemas(ctx)
	if err != nil {
		return nil, append(diags, kind.ErrorDiag("Provider failed", err.Error(), &r))
	}
	schema := schemas.Resources[rc.Addr.Type]
	return &state.ResourceInstance{
		Addr: addr, Provider: rc.Provider, Type: rc.Addr.Type, SchemaVersion: schema.Version,
		Value: fillObject(schema, resp.State), Sensitive: schema.SensitivePathsOf(fillObject(schema, resp.State)), Private: resp.Private,
	}, diags
}

// importProvider starts the provider configuration rc uses and
// configures it from its provider block, as Terraform's import does (which
// is why import takes -var): the locals the block may refer to are
// evaluated first, in their order; resources it refers to read as state
// records them. An aliased provider, or one whose block sets where it
// reaches (a kubeconfig's context, a registry's address), imports from
// there, not from the provider's defaults.
func (c *Context) importProvider(ctx context.Context, rc *lang.Resource) (*host.Client, hcl.Diagnostics) {
	r := rc.DeclRange
	w := newWalker(c)
	conns, diags := c.startProviders(ctx, map[addrs.Provider]bool{rc.Provider: true})
	conn := conns[rc.Provider]
	if diags.HasErrors() || conn == nil || conn.client == nil {
		if !diags.HasErrors() {
			diags = append(diags, kind.ErrorDiag("Provider failed to start", fmt.Sprintf("provider %q did not start", rc.Provider), &r))
		}
		return nil, diags
	}
	w.conns = conns
	g, d := w.buildGraph(false)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	// The provider's node and the locals it waits on, nothing else.
	pk := providerKey(rc.Provider)
	keep := map[node]bool{pk: true}
	for changed := true; changed; {
		changed = false
		for n := range keep {
			for _, dep := range g.DependsOn(n) {
				if !keep[dep] && (dep.kind == localNode || dep.kind == providerNode) {
					keep[dep], changed = true, true
				}
			}
		}
	}
	sub := filter(g, func(n node) bool { return keep[n] })
	results := sub.Walk(ctx, 1, func(ctx context.Context, n node) error {
		return w.guarded(n, func() error {
			switch n.kind {
			case localNode:
				return w.evalLocal(n)
			case providerNode:
				if n.provider == rc.Provider {
					return w.nodeErr(w.configureConn(ctx, conn))
				}
			}
			return nil
		})
	})
	diags = append(diags, w.diags...)
	diags = append(diags, notRun(results)...)
	if diags.HasErrors() {
		return nil, diags
	}
	return conn.client, diags
}

func isKey[K addrs.InstanceKey](k addrs.InstanceKey) bool {
	_, ok := k.(K)
	return ok
}
