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
	"encoding/json"
	"io"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
)

// StateFormatVersion is the version of the JSON state view (StateJSON),
// versioned like the JSON plan: minor for additions, major for breaks.
const StateFormatVersion = "1.0"

// HumanState writes state as `slipway show` prints it: every resource as
// the block that declared it with its recorded attributes, sensitive ones
// masked, then the root outputs.
func HumanState(w io.Writer, s *state.State, opts Options) {
	p := painter(opts.Color)
	var b strings.Builder
	if s == nil || (len(s.Resources) == 0 && len(s.Outputs) == 0) {
		b.WriteString("The state is empty. No resources are represented.\n")
		io.WriteString(w, b.String())
		return
	}
	for i, key := range s.SortedAddrs() {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeResource(&b, p, s.Resources[key])
	}
	if outs := stateOutputLines(s.Outputs); len(outs) > 0 {
		if len(s.Resources) > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.bold("Outputs:") + "\n\n")
		writeFlush(&b, p, outs)
	}
	io.WriteString(w, b.String())
}

// HumanResource writes one resource instance as `slipway state show ADDR`
// prints it.
func HumanResource(w io.Writer, r *state.ResourceInstance, opts Options) {
	var b strings.Builder
	writeResource(&b, painter(opts.Color), r)
	io.WriteString(w, b.String())
}

func writeResource(b *strings.Builder, p painter, r *state.ResourceInstance) {
	r = unmarkResource(r)
	comment := "# " + printable(r.Addr.String()) + ":"
	if r.Tainted {
		comment += " (tainted)"
	}
	b.WriteString(p.bold(comment) + "\n")

	d := &differ{p: p}
	header := p.bold(blockHeader(r.Addr.Resource))
	var ls []line
	v := r.Value
	if v != cty.NilVal && v.Type().IsObjectType() && !v.IsNull() {
		f := d.full(0, "", v, nil, r.Sensitive)
		if f.first == "{}" {
			f = frag{first: "{", rest: []line{plainLine(0, "}")}}
		}
		ls = append(ls, plainLine(0, header+" "+f.first))
		ls = append(ls, f.rest...)
	} else {
		ls = append(ls, plainLine(0, header+" {"))
		if v != cty.NilVal && !(v.IsKnown() && v.IsNull()) {
			f := d.full(1, "", v, nil, r.Sensitive)
			ls = append(ls, plainLine(1, "value = "+f.first))
			ls = append(ls, f.rest...)
		}
		ls = append(ls, plainLine(0, "}"))
	}
	writeFlush(b, p, ls)
}

// writeFlush writes lines of a symbol-free view: the symbol column every
// line leaves blank is taken out, so the outermost text starts at column 0.
func writeFlush(b *strings.Builder, p painter, ls []line) {
	for _, l := range ls {
		s := formatLine(p, l)
		b.WriteString(strings.TrimPrefix(s, "    "))
		b.WriteByte('\n')
	}
}

func stateOutputLines(outs map[string]*state.Output) []line {
	names := sortedKeys(outs)
	width := 0
	for _, name := range names {
		if outs[name] != nil {
			width = max(width, len(attrName(name)))
		}
	}
	d := &differ{}
	var ls []line
	for _, name := range names {
		o := outs[name]
		if o == nil {
			continue
		}
		o = unmarkStateOutput(o)
		var sens []cty.Path
		if o.Sensitive {
			sens = []cty.Path{{}}
		}
		label := attrName(name)
		label += spaces(width-len(label)) + " = "
		v := o.Value
		if v == cty.NilVal {
			v = cty.NullVal(cty.DynamicPseudoType)
		}
		f := d.full(0, "", v, cty.Path{}, sens)
		ls = append(ls, plainLine(0, label+f.first))
		ls = append(ls, f.rest...)
	}
	return ls
}

// The JSON state view, documented in website/docs/json-state.md.
type jsonState struct {
	FormatVersion  string          `json:"format_version"`
	SlipwayVersion string          `json:"slipway_version,omitempty"`
	Lineage        string          `json:"lineage"`
	Serial         uint64          `json:"serial"`
	Values         jsonStateValues `json:"values"`
}

type jsonStateValues struct {
	Outputs   map[string]jsonOutput `json:"outputs"`
	Resources []jsonStateResource   `json:"resources"`
}

type jsonOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type"`
	Value     any             `json:"value"`
}

type jsonStateResource struct {
	Address         string   `json:"address"`
	Mode            string   `json:"mode"`
	Type            string   `json:"type,omitempty"`
	Name            string   `json:"name"`
	Index           any      `json:"index,omitempty"`
	Provider        string   `json:"provider"`
	SchemaVersion   int64    `json:"schema_version"`
	Tainted         bool     `json:"tainted,omitempty"`
	DependsOn       []string `json:"depends_on,omitempty"`
	Values          any      `json:"values"`
	SensitiveValues any      `json:"sensitive_values"`
}

// StateJSON renders state as the JSON document `slipway show -json`
// prints. Sensitive values, of resources and outputs alike, are written
// as null and marked true in sensitive_values or by "sensitive".
func StateJSON(s *state.State) ([]byte, error) {
	doc := jsonState{
		FormatVersion: StateFormatVersion,
		Values: jsonStateValues{
			Outputs:   map[string]jsonOutput{},
			Resources: []jsonStateResource{},
		},
	}
	if s == nil {
		return encodeJSON(doc)
	}
	doc.SlipwayVersion = s.SlipwayVersion
	doc.Lineage = s.Lineage
	doc.Serial = s.Serial
	outs, err := outputsJSON(s.Outputs, true)
	if err != nil {
		return nil, err
	}
	doc.Values.Outputs = outs
	for _, key := range s.SortedAddrs() {
		r := unmarkResource(s.Resources[key])
		jr := jsonStateResource{
			Address:         r.Addr.String(),
			Mode:            modeNames[r.Addr.Resource.Kind],
			Type:            r.Type,
			Name:            r.Addr.Resource.Name,
			Index:           jsonIndex(r.Addr.Key),
			Provider:        r.Provider.String(),
			SchemaVersion:   r.SchemaVersion,
			Tainted:         r.Tainted,
			Values:          jsonValue(r.Value, nil, r.Sensitive),
			SensitiveValues: sensitiveMirror(r.Value, r.Sensitive),
		}
		for _, dep := range r.Dependencies {
			jr.DependsOn = append(jr.DependsOn, dep.String())
		}
		doc.Values.Resources = append(doc.Values.Resources, jr)
	}
	return encodeJSON(doc)
}

// OutputsJSON renders root outputs as `slipway output -json` prints them:
// each by name with its sensitivity, its type in cty's JSON type syntax,
// and its value. Sensitive values are included, as `terraform output
// -json` includes them: asking for outputs as JSON is asking for them.
func OutputsJSON(outs map[string]*state.Output) ([]byte, error) {
	m, err := outputsJSON(outs, false)
	if err != nil {
		return nil, err
	}
	return encodeJSON(m)
}

func outputsJSON(outs map[string]*state.Output, mask bool) (map[string]jsonOutput, error) {
	m := make(map[string]jsonOutput, len(outs))
	for name, o := range outs {
		if o == nil {
			continue
		}
		o = unmarkStateOutput(o)
		v := o.Value
		if v == cty.NilVal {
			v = cty.NullVal(cty.DynamicPseudoType)
		}
		ty, err := v.Type().MarshalJSON()
		if err != nil {
			return nil, err
		}
		var sens []cty.Path
		if mask && o.Sensitive {
			sens = []cty.Path{{}}
		}
		m[name] = jsonOutput{Sensitive: o.Sensitive, Type: ty, Value: jsonValue(v, nil, sens)}
	}
	return m, nil
}
