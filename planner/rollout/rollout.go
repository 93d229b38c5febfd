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

package rollout

import (
	"encoding/json"
	"regexp"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

// rolloutBlock is the language of a rollout block.
type rolloutBlock struct {
	Canary    *canaryBlock    `hcl:"canary,block"`
	BlueGreen *blueGreenBlock `hcl:"blue_green,block"`
}

type canaryBlock struct {
	Steps    []*stepBlock   `hcl:"step,block"`
	Traffic  *trafficBlock  `hcl:"traffic,block"`
	MaxSurge *hcl.Attribute `hcl:"max_surge,optional"`
	Def      hcl.Range      `hcl:",def_range"`
}

type stepBlock struct {
	SetWeight *hcl.Attribute `hcl:"set_weight,optional"`
	Pause     *pauseBlock    `hcl:"pause,block"`
	Analysis  *hcl.Attribute `hcl:"analysis,optional"`
	Def       hcl.Range      `hcl:",def_range"`
}

type pauseBlock struct {
	Duration *hcl.Attribute `hcl:"duration,optional"`
	Def      hcl.Range      `hcl:",def_range"`
}

type trafficBlock struct {
	Replicas   *trafficReplicas `hcl:"replicas,block"`
	GatewayAPI *trafficGateway  `hcl:"gateway_api,block"`
	Nginx      *trafficNginx    `hcl:"nginx,block"`
	Def        hcl.Range        `hcl:",def_range"`
}

// trafficServices are the settings every kind of traffic takes.
type trafficServices struct {
	StableService *hcl.Attribute `hcl:"stable_service,optional"`
	CanaryService *hcl.Attribute `hcl:"canary_service,optional"`
}

type trafficReplicas struct {
	StableService *hcl.Attribute `hcl:"stable_service,optional"`
	CanaryService *hcl.Attribute `hcl:"canary_service,optional"`
	Def           hcl.Range      `hcl:",def_range"`
}

type trafficGateway struct {
	Route         *hcl.Attribute `hcl:"route"`
	StableService *hcl.Attribute `hcl:"stable_service,optional"`
	CanaryService *hcl.Attribute `hcl:"canary_service,optional"`
	Def           hcl.Range      `hcl:",def_range"`
}

type trafficNginx struct {
	Ingress       *hcl.Attribute `hcl:"ingress"`
	StableService *hcl.Attribute `hcl:"stable_service,optional"`
	CanaryService *hcl.Attribute `hcl:"canary_service,optional"`
	Def           hcl.Range      `hcl:",def_range"`
}

type blueGreenBlock struct {
	ActiveService        *hcl.Attribute `hcl:"active_service"`
	PreviewService       *hcl.Attribute `hcl:"preview_service,optional"`
	PrePromotionAnalysis *hcl.Attribute `hcl:"pre_promotion_analysis,optional"`
	AutoPromotion        *hcl.Attribute `hcl:"auto_promotion,optional"`
	ScaleDownDelay       *hcl.Attribute `hcl:"scale_down_delay,optional"`
	Def                  hcl.Range      `hcl:",def_range"`
}

// Decode evaluates a rollout block into its value: a kind.SpecValue whose
// spec is the JSON of its rolloutspec.Spec, with the analyses its steps
// name, unknown while a value it is made of is (an analysis whose spec
// is unknown), with the marks (sensitive) of the values it was made of.
// The app that follows it fills in Workload and TriggerOn.
func Decode(rc *lang.Resource, ectx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	d, diags := decode(rc, ectx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	spec := cty.UnknownVal(cty.String)
	if !d.Unknown {
		spec = cty.StringVal(d.spec.Encode())
	}
	return kind.SpecValue(rc.Addr.Name, d.Mark(spec)), diags
}

// decoded is a rollout block read so far.
type decoded struct {
	kind.Attrs
	spec *rolloutspec.Spec
}

func decode(rc *lang.Resource, ectx *hcl.EvalContext) (*decoded, hcl.Diagnostics) {
	var rb rolloutBlock
	diags := gohcl.DecodeBody(rc.Config, ectx, &rb)
	if diags.HasErrors() {
		return nil, diags
	}
	d := &decoded{Attrs: kind.Attrs{Ctx: ectx, Diags: diags}, spec: &rolloutspec.Spec{Rollout: rc.Addr.Name}}
	decl := rc.DeclRange
	switch {
	case rb.Canary != nil && rb.BlueGreen != nil:
		d.Errorf(rb.BlueGreen.Def, "Two strategies in one rollout", "%s has both a canary and a blue_green block; a rollout follows one strategy. Declare one rollout block per strategy, and name the one each app follows.", rc.Addr)
	case rb.Canary != nil:
		d.spec.Canary = d.canary(rb.Canary)
	case rb.BlueGreen != nil:
		d.spec.BlueGreen = d.blueGreen(rb.BlueGreen)
	default:
		d.Errorf(decl, "Missing rollout strategy", "%s needs a canary block (steps that shift traffic bit by bit) or a blue_green block (a preview at full size, then a switch).", rc.Addr)
	}
	return d, d.Diags
}

func (d *decoded) canary(c *canaryBlock) *rolloutspec.CanarySpec {
	out := &rolloutspec.CanarySpec{Steps: []rolloutspec.Step{}, Traffic: rolloutspec.Traffic{Kind: rolloutspec.TrafficReplicas}}
	if len(c.Steps) == 0 {
		d.Errorf(c.Def, "Missing canary steps", "A canary needs at least one step, like step { set_weight = 20 }, step { pause { duration = \"30s\" } } or step { analysis = analysis.NAME }; after the last step the new pods take all the traffic.")
	}
	last, lastRange := -1, hcl.Range{}
	for _, sb := range c.Steps {
		var st rolloutspec.Step
		n := 0
		if sb.SetWeight != nil && !d.null(sb.SetWeight) {
			n++
			if w, ok := d.Int(sb.SetWeight, "canary weight"); ok {
				rng := sb.SetWeight.Expr.Range()
				switch {
				case w < 0 || w > 100:
					d.Errorf(rng, "Invalid canary weight", "set_weight %d is outside 0 to 100: it is the percentage of the traffic the new pods take.", w)
				case w < last:
					d.Errorf(rng, "Canary weight goes down", "set_weight %d comes after set_weight %d (at %s); the weights of a canary must not go down. To send the traffic back to the stable pods, abort the rollout (slipway rollout abort).", w, last, lastRange)
				default:
					last, lastRange = w, rng
				}
				st.SetWeight = &w
			}
		}
		if sb.Pause != nil {
			n++
			st.Pause = &rolloutspec.Pause{}
			if v, ok := d.Duration(sb.Pause.Duration, "pause duration"); ok {
				st.Pause.Duration = v
			}
		}
		if sb.Analysis != nil && !d.null(sb.Analysis) {
			n++
			st.Analysis = d.analysis(sb.Analysis)
		}
		if n != 1 {
			d.Errorf(sb.Def, "Invalid canary step", "A step does one thing, and this one has %d: give it exactly one of set_weight = N, pause { duration = \"30s\" } (or pause {} to wait for slipway rollout promote) and analysis = analysis.NAME.", n)
		}
		out.Steps = append(out.Steps, st)
	}
	if c.Traffic != nil {
		out.Traffic = d.traffic(c.Traffic)
	}
	if c.MaxSurge != nil {
		out.MaxSurge = d.maxSurge(c.MaxSurge)
	}
	return out
}

func (d *decoded) traffic(t *trafficBlock) rolloutspec.Traffic {
	var out rolloutspec.Traffic
	var kinds []hcl.Range
	var svc trafficServices
	if r := t.Replicas; r != nil {
		kinds = append(kinds, r.Def)
		out.Kind, svc = rolloutspec.TrafficReplicas, trafficServices{r.StableService, r.CanaryService}
	}
	if g := t.GatewayAPI; g != nil {
		kinds = append(kinds, g.Def)
		out.Kind, svc = rolloutspec.TrafficGatewayAPI, trafficServices{g.StableService, g.CanaryService}
		d.Required(g.Route, "route", g.Def, `route = "web"`)
		out.Route = d.name(g.Route, "HTTPRoute", dns1123Subdomain)
	}
	if n := t.Nginx; n != nil {
		kinds = append(kinds, n.Def)
		out.Kind, svc = rolloutspec.TrafficNginx, trafficServices{n.StableService, n.CanaryService}
		d.Required(n.Ingress, "ingress", n.Def, `ingress = "web"`)
		out.Ingress = d.name(n.Ingress, "Ingress", dns1123Subdomain)
	}
	switch len(kinds) {
	case 0:
		d.Errorf(t.Def, "Missing traffic routing", "A traffic block says how the canary's weight reaches users: give exactly one of replicas {} (the share of ready pods), gateway_api { route = \"NAME\" } (an HTTPRoute's weights) and nginx { ingress = \"NAME\" } (NGINX ingress canary annotations).")
		out.Kind = rolloutspec.TrafficReplicas
	case 1:
	default:
		d.Errorf(kinds[1], "Two kinds of traffic routing", "A traffic block takes exactly one of replicas, gateway_api and nginx; a canary's weight reaches users one way.")
	}
	out.StableService = d.name(svc.StableService, "Service", dns1035Label)
	out.CanaryService = d.name(svc.CanaryService, "Service", dns1035Label)
	return out
}

func (d *decoded) blueGreen(b *blueGreenBlock) *rolloutspec.BlueGreenSpec {
	d.Required(b.ActiveService, "active_service", b.Def, `active_service = "web"`)
	out := &rolloutspec.BlueGreenSpec{
		ActiveService:  d.name(b.ActiveService, "Service", dns1035Label),
		PreviewService: d.name(b.PreviewService, "Service", dns1035Label),
	}
	if out.ActiveService != "" && out.ActiveService == out.PreviewService {
		d.Errorf(b.PreviewService.Expr.Range(), "Same active and preview Service", "preview_service is %q, the active Service too; the preview Service must be another one, which selects the new pods while the active one still selects the old.", out.PreviewService)
	}
	if b.PrePromotionAnalysis != nil {
		out.PrePromotionAnalysis = d.analysis(b.PrePromotionAnalysis)
	}
	if v, ok := d.Duration(b.AutoPromotion, "auto_promotion"); ok {
		out.AutoPromotion = v
	}
	if v, ok := d.Duration(b.ScaleDownDelay, "scale_down_delay"); ok {
		out.ScaleDownDelay = v
	}
	return out
}

// analysis reads a reference to an analysis block (analysis.NAME) into
// the spec's analyses, and returns its name.
func (d *decoded) analysis(attr *hcl.Attribute) string {
	rng := attr.Expr.Range()
	trav, diags := hcl.AbsTraversalForExpr(attr.Expr)
	if diags.HasErrors() || len(trav) != 2 || trav.RootName() != "analysis" {
		d.Errorf(rng, "Invalid analysis reference", "%s names an analysis block, like %s = analysis.errors, without quotes.", attr.Name, attr.Name)
		return ""
	}
	name := trav[1].(hcl.TraverseAttr).Name
	v, diags := attr.Expr.Value(d.Ctx)
	d.Diags = append(d.Diags, diags...)
	if diags.HasErrors() {
		return name
	}
	_, spec, marks, known, ok := kind.SpecOf(v)
	d.AddMarks(marks)
	switch {
	case !ok:
		d.Errorf(rng, "Invalid analysis reference", "%s names analysis.%s, which has no value to run; this is a bug in slipway.", attr.Name, name)
	case !known:
		d.Unknown = true
	default:
		var a rolloutspec.Analysis
		if err := json.Unmarshal([]byte(spec), &a); err != nil {
			d.Errorf(rng, "Invalid analysis reference", "analysis.%s cannot be read: %v. This is a bug in slipway.", name, err)
			return name
		}
		if d.spec.Analyses == nil {
			d.spec.Analyses = map[string]*rolloutspec.Analysis{}
		}
		d.spec.Analyses[name] = &a
	}
	return name
}

// null reports whether an argument is null, which HCL takes as not set:
// a step with set_weight = null has no weight.
func (d *decoded) null(attr *hcl.Attribute) bool {
	v, diags := attr.Expr.Value(d.Ctx)
	return !diags.HasErrors() && v.IsNull()
}

// maxSurge reads "25%" or a whole number of pods.
func (d *decoded) maxSurge(attr *hcl.Attribute) string {
	v, ok := d.Value(attr, cty.String, "max_surge")
	if !ok {
		return ""
	}
	s := v.AsString()
	if m := percent.FindStringSubmatch(s); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n <= 100 {
			return s
		}
	} else if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return strconv.Itoa(n)
	}
	d.Errorf(attr.Expr.Range(), "Invalid max_surge", "max_surge %q is how many pods a step may add above the app's replica count: a percentage of it from 0%% to 100%%, like \"25%%\", or a number of pods, like 1.", s)
	return ""
}

var percent = regexp.MustCompile(`^(\d+)%$`)

// Kubernetes names: a Service's is a DNS-1035 label, an HTTPRoute's or
// an Ingress's a DNS-1123 subdomain.
var (
	dns1035Label     = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// name reads the name of a Kubernetes object of kind what.
func (d *decoded) name(attr *hcl.Attribute, what string, valid *regexp.Regexp) string {
	s, ok := d.String(attr, what+" name")
	if !ok {
		return ""
	}
	if !valid.MatchString(s) || len(s) > 253 {
		d.Errorf(attr.Expr.Range(), "Invalid "+what+" name", "%s %q is not the name of a %s: lower-case letters, digits and '-', starting with a letter, like \"web\".", attr.Name, s, what)
		return ""
	}
	return s
}
