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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// demandKind takes over rollout blocks, as the app kind's helm provider
// serves apps: it lists the kit provider, which it uses only for a block
// whose body says use = true, and plans that block as a kit_thing.
type demandKind struct{ toyKind }

var kitProvider = addrs.Provider{Name: "kit"}

func (demandKind) Providers(*lang.Resource) []addrs.Provider { return []addrs.Provider{kitProvider} }

func (demandKind) ProvidersOnDemand(*lang.Resource) []addrs.Provider {
	return []addrs.Provider{kitProvider}
}

func uses(rc *lang.Resource) bool {
	attrs, _ := rc.Config.JustAttributes()
	_, use := attrs["use"]
	return use
}

var thingLowering = kind.Lowering{
	Type: "kit_thing",
	Config: func(_ *lang.Resource, _ sdk.Schema, _ *hcl.EvalContext, in kind.Instance) (cty.Value, hcl.Diagnostics) {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(in.Addr.String()), "id": cty.NullVal(cty.String)}), nil
	},
}

func (k demandKind) Plan(ctx context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	if !uses(rc) {
		return k.toyKind.Plan(ctx, h, rc)
	}
	if _, ok := h.Provider(kitProvider); !ok {
		r := rc.DeclRange
		return hcl.Diagnostics{kind.ErrorDiag("No kit", "the kit provider did not start", &r)}
	}
	cp := *rc
	cp.Provider = kitProvider
	return h.PlanResource(ctx, &cp, thingLowering)
}

func (k demandKind) Apply(ctx context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	if !uses(rc) {
		return k.toyKind.Apply(ctx, h, rc)
	}
	cp := *rc
	cp.Provider = kitProvider
	return h.ApplyResource(ctx, &cp, thingLowering)
}

// TestProvidersStartOnDemand checks that a provider a kind uses only on
// demand is not started for a plan (or its apply) that does not ask for
// it, is started and configured once for one that does, and is started
// at once when a provider block configures it.
func TestProvidersStartOnDemand(t *testing.T) {
	for name, tt := range map[string]struct {
		src  string
		want []string // what the kit processes said, in order
	}{
		"not asked for": {`
rollout "a" {}
rollout "b" {}
`, nil},
		"asked for by two blocks": {`
rollout "a" { use = true }
rollout "b" { use = true }
rollout "c" {}
`, []string{"started", "configured"}},
		"configured by a provider block": {`
provider "kit" {}
rollout "a" {}
`, []string{"started", "configured"}},
	} {
		t.Run(name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "kit.log")
			t.Setenv(kitStartedEnv, log)
			f := newFixture(t, tt.src)
			kinds := append(append([]kind.Kind(nil), DefaultKinds...), demandKind{})
			c := f.context(nil)
			c.Kinds = kinds
			p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
			if diags.HasErrors() {
				t.Fatal(diagString(diags))
			}
			said := func(when string, want []string) {
				t.Helper()
				b, _ := os.ReadFile(log)
				if got := strings.Fields(string(b)); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s, kit said %q, want %q", when, got, want)
				}
			}
			said("after the plan", tt.want)
			things := 0
			for _, ch := range p.Changes {
				if ch.Type == "kit_thing" {
					things++
				}
			}
			want := strings.Count(tt.src, "use = true")
			if things != want {
				t.Errorf("planned %d kit_things, want %d", things, want)
			}

			// Apply, in a walk of its own, asks as the plan did.
			os.Remove(log)
			f.set.Close()
			c = f.context(nil)
			c.Kinds = kinds
			a := c.NewApplier()
			if diags := c.Apply(context.Background(), p, a, func(done func(error)) { done(nil) }); diags.HasErrors() {
				t.Fatal(diagString(diags))
			}
			said("after the apply", tt.want)
			applied := 0
			for _, ri := range a.Snapshot().Resources {
				if ri.Type == "kit_thing" && sdk.GetString(ri.Value, "id") == "id-"+ri.Addr.String() {
					applied++
				}
			}
			if applied != want {
				t.Errorf("applied %d kit_things, want %d", applied, want)
			}
		})
	}
}

// TestRequirementsSayWhatStartsOnDemand checks that Requirements, which
// the command starts providers from while it reads the state, decides as
// the walk does: the helm provider of apps that find their tool is
// started on demand unless a provider block or the state needs it, and a
// provider only required_providers names is not started early.
func TestRequirementsSayWhatStartsOnDemand(t *testing.T) {
	const app = `
source "git" "g" { url = "https://git.example/g.git" }
app "web" {
  source {
    repo = source.git.g
    path = "web"
  }
  destination { namespace = "web" }
}
`
	onDemand := func(src string, st *state.State) map[string]bool {
		t.Helper()
		f := newFixture(t, src)
		out := map[string]bool{}
		for _, r := range Requirements(f.cfg, st) {
			out[r.Name] = r.OnDemand
		}
		return out
	}
	if got := onDemand(app, nil); !got["helm"] || got["kubernetes"] || got["git"] {
		t.Errorf("apps alone: on demand %v, want helm alone", got)
	}
	if got := onDemand(app+`provider "helm" {}`, nil); got["helm"] {
		t.Errorf("with a helm provider block: on demand %v, want none", got)
	}
	st := state.NewState()
	st.Resources["app.web"] = &state.ResourceInstance{
		Addr:     mustAddr(t, "app.web"),
		Provider: addrs.Provider{Name: "helm"},
		Type:     "helm_release",
	}
	if got := onDemand(app, st); got["helm"] {
		t.Errorf("with a chart app in state: on demand %v, want none", got)
	}
	if got := onDemand(`slipway {
  required_providers {
    file = { version = ">= 0.1" }
  }
}
`, nil); !got["file"] {
		t.Errorf("required_providers alone: on demand %v, want file", got)
	}
}

// Import adopts a thing by its name.
func (thing) Import(_ context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	resp.State = cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(req.ID), "id": cty.StringVal("id-" + req.ID)})
}

// TestImportConfiguresTheProvider: import configures the provider from
// its block before it asks it to import, as Terraform's does: a provider
// that reaches its systems only once configured (a registry's address, a
// kubeconfig's context) could not import at all.
func TestImportConfiguresTheProvider(t *testing.T) {
	log := filepath.Join(t.TempDir(), "kit.log")
	t.Setenv(kitStartedEnv, log)
	f := newFixture(t, `
locals { prefix = "x" }
provider "kit" {}
resource "kit_thing" "a" {
  name = "${local.prefix}-a"
}
`)
	ri, diags := f.context(nil).Import(context.Background(), addrs.Resource{Kind: addrs.Managed, Type: "kit_thing", Name: "a"}.Instance(addrs.NoKey), "x-a")
	if diags.HasErrors() {
		t.Fatal(diagString(diags))
	}
	if got := ri.Value.GetAttr("id"); !got.RawEquals(cty.StringVal("id-x-a")) {
		t.Errorf("imported id %#v, want id-x-a", got)
	}
	b, _ := os.ReadFile(log)
	if got := strings.Fields(string(b)); !slices.Equal(got, []string{"started", "configured"}) {
		t.Errorf("the kit provider said %q; want it started, then configured before the import", got)
	}
}
