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

package planfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// planDoc is the JSON document inside a plan file: every field of
// plans.Plan. Empty lists and maps are left out, and read back as nil.
type planDoc struct {
	Format         string               `json:"format"`
	FormatVersion  string               `json:"format_version"`
	SlipwayVersion string               `json:"slipway_version"`
	Mode           string               `json:"mode"`
	Timestamp      time.Time            `json:"timestamp"`
	Workspace      string               `json:"workspace,omitempty"`
	PriorLineage   string               `json:"prior_lineage"`
	PriorSerial    uint64               `json:"prior_serial"`
	PriorJournal   string               `json:"prior_journal,omitempty"`
	ConfigHash     string               `json:"config_hash"`
	Variables      map[string]*valueDoc `json:"variables,omitempty"`
	SensitiveVars  []string             `json:"sensitive_variables,omitempty"`
	Targets        []string             `json:"targets,omitempty"`
	Excludes       []string             `json:"excludes,omitempty"`
	Replace        []string             `json:"replace,omitempty"`
	Refresh        bool                 `json:"refresh"`
	Errored        bool                 `json:"errored"`
	Changes        []*changeDoc         `json:"changes,omitempty"`
	Drift          []*changeDoc         `json:"drift,omitempty"`
	Outputs        []*outputDoc         `json:"outputs,omitempty"`
	Interrupted    []*interruptedDoc    `json:"interrupted,omitempty"`
	// A preview plan (offline, or with local sources) is never applied.
	Offline      bool                `json:"offline,omitempty"`
	LocalSources []plans.LocalSource `json:"local_sources,omitempty"`
	NotPlanned   []string            `json:"not_planned,omitempty"`
}

// interruptedDoc is a change an interrupted apply left unfinished.
type interruptedDoc struct {
	ID      string `json:"id"`
	Addr    string `json:"address"`
	Action  string `json:"action"`
	Outcome string `json:"outcome"`
}

type changeDoc struct {
	Addr            addrDoc      `json:"addr"`
	Provider        providerDoc  `json:"provider"`
	Type            string       `json:"type,omitempty"`
	Action          string       `json:"action"`
	Reason          string       `json:"reason,omitempty"`
	ReasonDetail    string       `json:"reason_detail,omitempty"`
	Before          *valueDoc    `json:"before,omitempty"`
	After           *valueDoc    `json:"after,omitempty"`
	BeforeSensitive []pathDoc    `json:"before_sensitive,omitempty"`
	AfterSensitive  []pathDoc    `json:"after_sensitive,omitempty"`
	RequiresReplace []pathDoc    `json:"requires_replace,omitempty"`
	ReplaceReasons  []string     `json:"replace_reasons,omitempty"`
	Private         []byte       `json:"private,omitempty"` // base64, as encoding/json writes []byte
	Nested          []*nestedDoc `json:"nested,omitempty"`
	NestedFrom      []string     `json:"nested_from,omitempty"`
	Local           []string     `json:"local,omitempty"`
	Rollout         string       `json:"rollout,omitempty"`
	// RolloutStatus is kept as the provider planned it, so that a saved
	// plan shows the same road as the plan that made it.
	RolloutStatus *rolloutspec.Status `json:"rollout_status,omitempty"`
	// RefreshedPrivate is plans.ResourceChange.RefreshedPrivate, base64.
	RefreshedPrivate []byte `json:"refreshed_private,omitempty"`
	// PreviousAddress is plans.ResourceChange.PreviousAddr, as written.
	PreviousAddress string `json:"previous_address,omitempty"`
}

type nestedDoc struct {
	Address         string    `json:"address"`
	Action          string    `json:"action"`
	Reason          string    `json:"reason,omitempty"`
	Before          *valueDoc `json:"before,omitempty"`
	After           *valueDoc `json:"after,omitempty"`
	BeforeSensitive []pathDoc `json:"before_sensitive,omitempty"`
	AfterSensitive  []pathDoc `json:"after_sensitive,omitempty"`
	Random          []pathDoc `json:"random,omitempty"`
}

type outputDoc struct {
	Name      string    `json:"name"`
	Action    string    `json:"action"`
	Before    *valueDoc `json:"before,omitempty"`
	After     *valueDoc `json:"after,omitempty"`
	Sensitive bool      `json:"sensitive"`
}

// addrDoc is a resource instance address; Key is a JSON number for a
// count index, a JSON string for a for_each key, and absent for none.
type addrDoc struct {
	Kind string          `json:"kind"`
	Type string          `json:"type,omitempty"`
	Name string          `json:"name"`
	Key  json.RawMessage `json:"key,omitempty"`
}

type providerDoc struct {
	Name  string `json:"name"`
	Alias string `json:"alias,omitempty"`
}

// pathDoc is a cty.Path as a list of steps.
type pathDoc []stepDoc

// stepDoc is one path step: an attribute name or an index value.
type stepDoc struct {
	Attr  *string   `json:"attr,omitempty"`
	Index *valueDoc `json:"index,omitempty"`
}

// actionNames spells every action apart; Action.String calls both
// replaces "replace".
var actionNames = map[plans.Action]string{
	plans.NoOp:             "no-op",
	plans.Create:           "create",
	plans.Read:             "read",
	plans.Update:           "update",
	plans.DeleteThenCreate: "delete-then-create",
	plans.CreateThenDelete: "create-then-delete",
	plans.Delete:           "delete",
	plans.Run:              "run",
}

var modeNames = map[plans.Mode]string{
	plans.NormalMode:      "normal",
	plans.DestroyMode:     "destroy",
	plans.RefreshOnlyMode: "refresh-only",
}

var kindNames = map[addrs.Kind]string{
	addrs.Managed:  "managed",
	addrs.Source:   "source",
	addrs.Pipeline: "pipeline",
	addrs.App:      "app",
	addrs.Rollout:  "rollout",
}

func lookup[K comparable](names map[K]string, name, what string) (K, error) {
	for k, n := range names {
		if n == name {
			return k, nil
		}
	}
	var zero K
	return zero, fmt.Errorf("unknown %s %q", what, name)
}

func encodePlan(p *plans.Plan) (*planDoc, error) {
	mode, ok := modeNames[p.Mode]
	if !ok {
		return nil, fmt.Errorf("unknown plan mode %d", p.Mode)
	}
	doc := &planDoc{
		Format:         formatName,
		FormatVersion:  plans.FormatVersion,
		SlipwayVersion: p.SlipwayVersion,
		Mode:           mode,
		Timestamp:      p.Timestamp,
		Workspace:      p.Workspace,
		PriorLineage:   p.PriorLineage,
		PriorSerial:    p.PriorSerial,
		PriorJournal:   p.PriorJournal,
		ConfigHash:     p.ConfigHash,
		Targets:        p.Targets,
		Excludes:       p.Excludes,
		Replace:        p.Replace,
		Refresh:        p.Refresh,
		Errored:        p.Errored,
		SensitiveVars:  p.SensitiveVariables,
		Offline:        p.Offline,
		LocalSources:   p.LocalSources,
		NotPlanned:     p.NotPlanned,
	}
	if len(p.Variables) > 0 {
		doc.Variables = make(map[string]*valueDoc, len(p.Variables))
		for name, v := range p.Variables {
			d, err := encodeValue(v)
			if err != nil {
				return nil, fmt.Errorf("variable %q: %w", name, err)
			}
			doc.Variables[name] = d
		}
	}
	var err error
	if doc.Changes, err = encodeChanges(p.Changes); err != nil {
		return nil, err
	}
	if doc.Drift, err = encodeChanges(p.Drift); err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	for _, in := range p.Interrupted {
		a, err := encodeAction(in.Action)
		if err != nil {
			return nil, fmt.Errorf("interrupted %s: %w", in.Addr, err)
		}
		doc.Interrupted = append(doc.Interrupted, &interruptedDoc{ID: in.ID, Addr: in.Addr.String(), Action: a, Outcome: in.Outcome})
	}
	for _, o := range p.Outputs {
		if o == nil {
			doc.Outputs = append(doc.Outputs, nil)
			continue
		}
		od := &outputDoc{Name: o.Name, Sensitive: o.Sensitive}
		if od.Action, err = encodeAction(o.Action); err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		if od.Before, err = encodeValue(o.Before); err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		if od.After, err = encodeValue(o.After); err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		doc.Outputs = append(doc.Outputs, od)
	}
	return doc, nil
}

func encodeAction(a plans.Action) (string, error) {
	n, ok := actionNames[a]
	if !ok {
		return "", fmt.Errorf("unknown action %d", a)
	}
	return n, nil
}

func encodeChanges(cs []*plans.ResourceChange) ([]*changeDoc, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	out := make([]*changeDoc, len(cs))
	err := eachChange(len(cs), func(i int) error {
		c := cs[i]
		if c == nil {
			return nil
		}
		d, err := encodeChange(c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Addr, err)
		}
		out[i] = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachChange runs fn for 0..n-1 on every core, and returns the error of
// the lowest i that failed, so that a plan file's error does not depend
// on which change was written first. A plan of 1,000 apps holds 1,000
// changes of large values, each written and read on its own.
func eachChange(n int, fn func(i int) error) error {
	errs := make([]error, n)
	par.Each(n, func(i int) { errs[i] = fn(i) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func encodeChange(c *plans.ResourceChange) (*changeDoc, error) {
	kind, ok := kindNames[c.Addr.Resource.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown resource kind %d", c.Addr.Resource.Kind)
	}
	d := &changeDoc{
		Addr:          addrDoc{Kind: kind, Type: c.Addr.Resource.Type, Name: c.Addr.Resource.Name},
		Provider:      providerDoc{Name: c.Provider.Name, Alias: c.Provider.Alias},
		Type:          c.Type,
		Reason:        string(c.Reason),
		ReasonDetail:  c.ReasonDetail,
		Private:       c.Private,
		Rollout:       c.Rollout,
		RolloutStatus: c.RolloutStatus,
	}
	d.RefreshedPrivate = c.RefreshedPrivate
	if c.PreviousAddr != nil {
		d.PreviousAddress = c.PreviousAddr.String()
	}
	var err error
	switch k := c.Addr.Key.(type) {
	case nil:
	case addrs.IntKey:
		d.Addr.Key, _ = json.Marshal(int(k))
	case addrs.StringKey:
		d.Addr.Key, _ = json.Marshal(string(k))
	default:
		return nil, fmt.Errorf("unknown instance key type %T", k)
	}
	if d.Action, err = encodeAction(c.Action); err != nil {
		return nil, err
	}
	if d.Before, err = encodeValue(c.Before); err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	if d.After, err = encodeValue(c.After); err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	if d.BeforeSensitive, err = encodePaths(c.BeforeSensitive); err != nil {
		return nil, err
	}
	if d.AfterSensitive, err = encodePaths(c.AfterSensitive); err != nil {
		return nil, err
	}
	if d.RequiresReplace, err = encodePaths(c.RequiresReplace); err != nil {
		return nil, err
	}
	d.ReplaceReasons = c.ReplaceReasons
	d.NestedFrom, d.Local = c.NestedFrom, c.Local
	for _, n := range c.Nested {
		if n == nil {
			d.Nested = append(d.Nested, nil)
			continue
		}
		nd := &nestedDoc{Address: n.Address, Reason: string(n.Reason)}
		if nd.Action, err = encodeAction(n.Action); err != nil {
			return nil, fmt.Errorf("%s: %w", n.Address, err)
		}
		if nd.Before, err = encodeValue(n.Before); err != nil {
			return nil, fmt.Errorf("%s: before: %w", n.Address, err)
		}
		if nd.After, err = encodeValue(n.After); err != nil {
			return nil, fmt.Errorf("%s: after: %w", n.Address, err)
		}
		if nd.BeforeSensitive, err = encodePaths(n.BeforeSensitive); err != nil {
			return nil, fmt.Errorf("%s: %w", n.Address, err)
		}
		if nd.AfterSensitive, err = encodePaths(n.AfterSensitive); err != nil {
			return nil, fmt.Errorf("%s: %w", n.Address, err)
		}
		if nd.Random, err = encodePaths(n.Random); err != nil {
			return nil, fmt.Errorf("%s: %w", n.Address, err)
		}
		d.Nested = append(d.Nested, nd)
	}
	return d, nil
}

func encodePaths(ps []cty.Path) ([]pathDoc, error) {
	var out []pathDoc
	for _, p := range ps {
		pd := make(pathDoc, 0, len(p))
		for _, step := range p {
			switch s := step.(type) {
			case cty.GetAttrStep:
				name := s.Name
				pd = append(pd, stepDoc{Attr: &name})
			case cty.IndexStep:
				v, err := encodeValue(s.Key)
				if err != nil {
					return nil, fmt.Errorf("path index: %w", err)
				}
				pd = append(pd, stepDoc{Index: v})
			default:
				return nil, fmt.Errorf("unknown path step %T", step)
			}
		}
		out = append(out, pd)
	}
	return out, nil
}

func decodePlan(doc *planDoc) (*plans.Plan, error) {
	mode, err := lookup(modeNames, doc.Mode, "plan mode")
	if err != nil {
		return nil, err
	}
	p := &plans.Plan{
		Mode:               mode,
		SlipwayVersion:     doc.SlipwayVersion,
		Timestamp:          doc.Timestamp,
		Workspace:          doc.Workspace,
		PriorLineage:       doc.PriorLineage,
		PriorSerial:        doc.PriorSerial,
		PriorJournal:       doc.PriorJournal,
		ConfigHash:         doc.ConfigHash,
		Targets:            doc.Targets,
		Excludes:           doc.Excludes,
		Replace:            doc.Replace,
		Refresh:            doc.Refresh,
		Errored:            doc.Errored,
		SensitiveVariables: doc.SensitiveVars,
		Offline:            doc.Offline,
		LocalSources:       doc.LocalSources,
		NotPlanned:         doc.NotPlanned,
	}
	if len(doc.Variables) > 0 {
		p.Variables = make(map[string]cty.Value, len(doc.Variables))
		names := make([]string, 0, len(doc.Variables))
		for name := range doc.Variables {
			names = append(names, name)
		}
		sort.Strings(names) // report the same bad variable every time
		for _, name := range names {
			v, err := decodeValue(doc.Variables[name])
			if err != nil {
				return nil, fmt.Errorf("variable %q: %w", name, err)
			}
			p.Variables[name] = v
		}
	}
	if p.Changes, err = decodeChanges(doc.Changes); err != nil {
		return nil, err
	}
	if p.Drift, err = decodeChanges(doc.Drift); err != nil {
		return nil, fmt.Errorf("drift: %w", err)
	}
	for _, d := range doc.Interrupted {
		if d == nil {
			return nil, fmt.Errorf("interrupted: an empty entry")
		}
		addr, diags := addrs.ParseResourceInstance(d.Addr)
		if diags.HasErrors() {
			return nil, fmt.Errorf("interrupted %q: %s", d.Addr, diags.Error())
		}
		a, err := lookup(actionNames, d.Action, "action")
		if err != nil {
			return nil, fmt.Errorf("interrupted %s: %w", d.Addr, err)
		}
		p.Interrupted = append(p.Interrupted, &plans.Interrupted{ID: d.ID, Addr: addr, Action: a, Outcome: d.Outcome})
	}
	for _, od := range doc.Outputs {
		if od == nil {
			p.Outputs = append(p.Outputs, nil)
			continue
		}
		o := &plans.OutputChange{Name: od.Name, Sensitive: od.Sensitive}
		if o.Action, err = lookup(actionNames, od.Action, "action"); err != nil {
			return nil, fmt.Errorf("output %q: %w", od.Name, err)
		}
		if o.Before, err = decodeValue(od.Before); err != nil {
			return nil, fmt.Errorf("output %q: before: %w", od.Name, err)
		}
		if o.After, err = decodeValue(od.After); err != nil {
			return nil, fmt.Errorf("output %q: after: %w", od.Name, err)
		}
		p.Outputs = append(p.Outputs, o)
	}
	return p, nil
}

func decodeChanges(ds []*changeDoc) ([]*plans.ResourceChange, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	out := make([]*plans.ResourceChange, len(ds))
	err := eachChange(len(ds), func(i int) error {
		d := ds[i]
		if d == nil {
			return nil
		}
		c, err := decodeChange(d)
		if err != nil {
			return fmt.Errorf("change %d (%s): %w", i, d.Addr.Name, err)
		}
		out[i] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func decodeChange(d *changeDoc) (*plans.ResourceChange, error) {
	kind, err := lookup(kindNames, d.Addr.Kind, "resource kind")
	if err != nil {
		return nil, err
	}
	c := &plans.ResourceChange{
		Addr: addrs.ResourceInstance{
			Resource: addrs.Resource{Kind: kind, Type: d.Addr.Type, Name: d.Addr.Name},
		},
		Provider:      addrs.Provider{Name: d.Provider.Name, Alias: d.Provider.Alias},
		Type:          d.Type,
		Reason:        plans.Reason(d.Reason),
		ReasonDetail:  d.ReasonDetail,
		Private:       d.Private,
		Rollout:       d.Rollout,
		RolloutStatus: d.RolloutStatus,
	}
	c.RefreshedPrivate = d.RefreshedPrivate
	if d.PreviousAddress != "" {
		prev, diags := addrs.ParseResourceInstance(d.PreviousAddress)
		if diags.HasErrors() {
			return nil, fmt.Errorf("previous address %q: %s", d.PreviousAddress, diags.Error())
		}
		c.PreviousAddr = &prev
	}
	if len(d.Addr.Key) > 0 && !bytes.Equal(d.Addr.Key, []byte("null")) {
		var s string
		var n int
		switch {
		case json.Unmarshal(d.Addr.Key, &n) == nil:
			c.Addr.Key = addrs.IntKey(n)
		case json.Unmarshal(d.Addr.Key, &s) == nil:
			c.Addr.Key = addrs.StringKey(s)
		default:
			return nil, fmt.Errorf("bad instance key %s", d.Addr.Key)
		}
	}
	if c.Action, err = lookup(actionNames, d.Action, "action"); err != nil {
		return nil, err
	}
	if c.Before, err = decodeValue(d.Before); err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	if c.After, err = decodeValue(d.After); err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	if c.BeforeSensitive, err = decodePaths(d.BeforeSensitive); err != nil {
		return nil, err
	}
	if c.AfterSensitive, err = decodePaths(d.AfterSensitive); err != nil {
		return nil, err
	}
	if c.RequiresReplace, err = decodePaths(d.RequiresReplace); err != nil {
		return nil, err
	}
	c.ReplaceReasons = d.ReplaceReasons
	c.NestedFrom, c.Local = d.NestedFrom, d.Local
	for _, nd := range d.Nested {
		if nd == nil {
			c.Nested = append(c.Nested, nil)
			continue
		}
		n := &plans.NestedChange{Address: nd.Address, Reason: plans.Reason(nd.Reason)}
		if n.Action, err = lookup(actionNames, nd.Action, "action"); err != nil {
			return nil, fmt.Errorf("%s: %w", nd.Address, err)
		}
		if n.Before, err = decodeValue(nd.Before); err != nil {
			return nil, fmt.Errorf("%s: before: %w", nd.Address, err)
		}
		if n.After, err = decodeValue(nd.After); err != nil {
			return nil, fmt.Errorf("%s: after: %w", nd.Address, err)
		}
		if n.BeforeSensitive, err = decodePaths(nd.BeforeSensitive); err != nil {
			return nil, fmt.Errorf("%s: %w", nd.Address, err)
		}
		if n.AfterSensitive, err = decodePaths(nd.AfterSensitive); err != nil {
			return nil, fmt.Errorf("%s: %w", nd.Address, err)
		}
		if n.Random, err = decodePaths(nd.Random); err != nil {
			return nil, fmt.Errorf("%s: %w", nd.Address, err)
		}
		c.Nested = append(c.Nested, n)
	}
	return c, nil
}

func decodePaths(ds []pathDoc) ([]cty.Path, error) {
	var out []cty.Path
	for _, pd := range ds {
		p := make(cty.Path, 0, len(pd))
		for _, s := range pd {
			switch {
			case s.Attr != nil && s.Index == nil:
				p = append(p, cty.GetAttrStep{Name: *s.Attr})
			case s.Index != nil && s.Attr == nil:
				k, err := decodeValue(s.Index)
				if err != nil {
					return nil, fmt.Errorf("path index: %w", err)
				}
				p = append(p, cty.IndexStep{Key: k})
			default:
				return nil, fmt.Errorf("a path step must have exactly one of attr and index")
			}
		}
		out = append(out, p)
	}
	return out, nil
}
