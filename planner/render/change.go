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

package render

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// What a change's comment line says it will do.
func actionVerb(a plans.Action) string {
	switch a {
	case plans.Create:
		return "will be created"
	case plans.Read:
		return "will be read during apply"
	case plans.Update:
		return "will be updated in-place"
	case plans.DeleteThenCreate, plans.CreateThenDelete:
		return "must be replaced"
	case plans.Delete:
		return "will be destroyed"
	case plans.Run:
		return "will run"
	}
	return "will not change"
}

// What a drift entry says happened outside slipway.
func driftVerb(a plans.Action) string {
	switch a {
	case plans.Create:
		return "has been created"
	case plans.Delete:
		return "has been deleted"
	case plans.DeleteThenCreate, plans.CreateThenDelete:
		return "has been replaced"
	}
	return "has changed"
}

// reasonText is the human reason of a change: the planner's detail when it
// gave one, else a standard wording for reasons that need saying, else "".
func reasonText(r plans.Reason, detail string, addr addrs.ResourceInstance) string {
	if detail != "" {
		return printable(detail)
	}
	switch r {
	case plans.ReasonDeletedOutside:
		return "it was deleted outside slipway"
	case plans.ReasonRemoved:
		return addr.Resource.String() + " is not in configuration"
	case plans.ReasonReplaceRequested:
		return "-replace requested it"
	case plans.ReasonTainted:
		return "it is tainted"
	case plans.ReasonCountIndex:
		if k, ok := addr.Key.(addrs.IntKey); ok {
			return "index " + k.String() + " is out of range for count"
		}
		return "its count index is gone"
	case plans.ReasonEachKey:
		if k, ok := addr.Key.(addrs.StringKey); ok {
			return "key " + printable(k.String()) + " is not in for_each"
		}
		return "its for_each key is gone"
	case plans.ReasonDrift:
		return "it changed outside slipway"
	case plans.ReasonInputsChanged:
		return "its inputs changed"
	}
	return ""
}

// nestedReason words the reasons that apply to an object inside a change;
// the count and for_each reasons belong to the parent and are not repeated.
func nestedReason(r plans.Reason) string {
	switch r {
	case plans.ReasonRemoved:
		return "it is no longer in the manifests"
	case plans.ReasonDeletedOutside, plans.ReasonReplaceRequested, plans.ReasonTainted, plans.ReasonDrift:
		return reasonText(r, "", addrs.ResourceInstance{})
	}
	return ""
}

// blockHeader is the configuration block a change belongs to, as written:
// resource "file" "a", source "git" "app", app "web".
func blockHeader(r addrs.Resource) string {
	switch r.Kind {
	case addrs.Managed:
		return fmt.Sprintf("resource %s %s", quote(r.Type), quote(r.Name))
	case addrs.Source:
		return fmt.Sprintf("source %s %s", quote(r.Type), quote(r.Name))
	}
	return fmt.Sprintf("%s %s", r.Kind, quote(r.Name))
}

// changeLines draws one resource change: the comment lines above it and
// its body (header, attribute diff, nested objects, closing brace).
func changeLines(p painter, c *plans.ResourceChange, drift bool) (comments, body []line) {
	c = unmarkChange(c)
	addr := printable(c.Addr.String())
	verb := actionVerb(c.Action)
	if drift {
		verb = driftVerb(c.Action)
	}
	switch {
	case c.PreviousAddr != nil && c.Action == plans.NoOp && !drift:
		// Moved, and nothing else: Terraform's words.
		comments = append(comments, commentLine(0, p.bold("# "+printable(c.PreviousAddr.String()))+" has moved to "+p.bold(addr)))
	case c.PreviousAddr != nil && !drift:
		comments = append(comments, commentLine(0, p.bold("# "+addr)+" "+verb))
		comments = append(comments, commentLine(0, "# (moved from "+printable(c.PreviousAddr.String())+")"))
	default:
		comments = append(comments, commentLine(0, p.bold("# "+addr)+" "+verb))
	}
	if why := reasonText(c.Reason, c.ReasonDetail, c.Addr); why != "" && !drift {
		comments = append(comments, commentLine(0, "# (because "+why+")"))
	}
	if !drift {
		comments = append(comments, rolloutLines(c)...)
	}

	d := &differ{p: p, beforeSens: c.BeforeSensitive, afterSens: c.AfterSensitive, replace: c.RequiresReplace, reasons: c.ReplaceReasons}
	// The nested changes show what NestedFrom holds; Local values (cache
	// paths) are this machine's business, not a reviewer's; the rollout
	// lines stand for the rollout status.
	hidden := append(append([]string(nil), c.NestedFrom...), c.Local...)
	if !drift {
		hidden = append(hidden, rolloutHidden(c)...)
	}
	body = append(body, symLine(0, c.Action.Symbol(), p.bold(blockHeader(c.Addr.Resource))+" {"))
	body = append(body, d.root(1, readableRollout(c, withoutAttrs(c.Before, hidden)), readableRollout(c, withoutAttrs(c.After, hidden)))...)

	unchanged := 0
	for _, n := range c.Nested {
		if n == nil || (n.Action == plans.NoOp && n.Reason != plans.ReasonAdopted && n.Reason != plans.ReasonKept) {
			unchanged++
			continue
		}
		body = append(body, line{})
		body = append(body, nestedLines(p, n)...)
	}
	if unchanged > 0 {
		if len(c.Nested) > unchanged {
			body = append(body, line{})
		}
		body = append(body, plainLine(1, "# ("+itoa(unchanged)+" unchanged "+plural(unchanged, "object", "objects")+" hidden)"))
	}
	body = append(body, plainLine(0, "}"))
	return comments, body
}

// nestedLines draws an object inside a change, such as a Kubernetes
// object of an app, one level in.
func nestedLines(p painter, n *plans.NestedChange) []line {
	addr := printable(n.Address)
	if n.Reason == plans.ReasonAdopted && n.Action == plans.NoOp {
		// Taken over as it is: nothing of the object changes.
		return []line{commentLine(1, p.bold("# "+addr)+" will be adopted, unchanged")}
	}
	if n.Reason == plans.ReasonKept && n.Action == plans.NoOp {
		// The app goes; the object stays as it is.
		return []line{commentLine(1, p.bold("# "+addr)+" will be left in place (because "+keptWhy(n)+")")}
	}
	verb := actionVerb(n.Action)
	if n.Reason == plans.ReasonAdopted {
		verb = "will be adopted and " + verb
	}
	out := []line{commentLine(1, p.bold("# "+addr)+" "+verb)}
	if why := nestedReason(n.Reason); why != "" {
		out = append(out, commentLine(1, "# (because "+why+")"))
	}
	d := &differ{p: p, beforeSens: n.BeforeSensitive, afterSens: n.AfterSensitive, random: n.Random}
	out = append(out, symLine(1, n.Action.Symbol(), p.bold(addr)+" {"))
	out = append(out, d.root(2, n.Before, n.After)...)
	return append(out, plainLine(1, "}"))
}

// keptWhy says what keeps an object an app's destroy leaves in place:
// the annotations it carries (a kubernetes_app honours the most).
func keptWhy(n *plans.NestedChange) string {
	if why := builtin.KeptOnDestroyValue(builtin.KubernetesApp, n.Before); why != "" {
		return "it carries " + why
	}
	if _, isNamespace, _ := builtin.NamespaceOfID(n.Address); isNamespace {
		return "it holds objects the destroy leaves in place"
	}
	return "it is kept"
}

// outputLines draws the changed root outputs, one entry each.
func outputLines(p painter, outs []*plans.OutputChange) []line {
	width := 0
	for _, o := range outs {
		if o != nil && o.Action != plans.NoOp {
			width = max(width, len(attrName(o.Name)))
		}
	}
	var out []line
	for _, o := range outs {
		if o == nil || o.Action == plans.NoOp {
			continue
		}
		o = unmarkOutput(o)
		d := &differ{p: p}
		if o.Sensitive {
			d.beforeSens = []cty.Path{{}}
			d.afterSens = []cty.Path{{}}
		}
		b, a := o.Before, o.After
		if absent(b) {
			b = cty.NilVal
		}
		if absent(a) {
			a = cty.NilVal
		}
		label := attrName(o.Name)
		label += spaces(width-len(label)) + " = "
		if b != cty.NilVal && a != cty.NilVal && b.RawEquals(a) {
			// Planned as a change but equal in value, as when only the
			// sensitivity moved: show the value as it will be.
			f := d.full(0, o.Action.Symbol(), a, cty.Path{}, d.afterSens)
			out = append(out, symLine(0, o.Action.Symbol(), label+f.first))
			out = append(out, f.rest...)
			continue
		}
		out = append(out, d.entry(0, label, b, a, cty.Path{}, cty.Path{}, "")...)
	}
	return out
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

// withoutAttrs drops the named attributes from an object value; the
// nested changes drawn from them are shown instead.
func withoutAttrs(v cty.Value, names []string) cty.Value {
	if len(names) == 0 || v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return v
	}
	m := v.AsValueMap()
	for _, n := range names {
		delete(m, n)
	}
	return cty.ObjectVal(m)
}
