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

package sdk

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestLocalAttributes(t *testing.T) {
	t.Parallel()
	s := Schema{Attributes: map[string]Attribute{
		"url":           {Type: cty.String, Required: true},
		"dir":           {Type: cty.String, Computed: true, Local: true},
		"cache_dir":     {Type: cty.String, Optional: true, Local: true},
		"short_commit":  {Type: cty.String, Computed: true},
		"values_files":  {Type: cty.List(cty.String), Optional: true, Local: true},
		"name_forcenew": {Type: cty.String, Required: true, ForceNew: true},
	}}
	if got, want := s.LocalAttributes(), []string{"cache_dir", "dir", "values_files"}; !slices.Equal(got, want) {
		t.Errorf("LocalAttributes() = %v, want %v", got, want)
	}
	if d := checkSchema("resource type t", s); len(d) != 0 {
		t.Errorf("checkSchema reported a valid schema: %v", d)
	}

	p, err := schemaToProto(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Attributes {
		if want := s.Attributes[a.Name].Local; a.Local != want {
			t.Errorf("attribute %s crosses the wire with local = %v, want %v", a.Name, a.Local, want)
		}
	}
}

func TestLocalForceNewIsRefused(t *testing.T) {
	t.Parallel()
	s := Schema{Attributes: map[string]Attribute{"dir": {Type: cty.String, Required: true, Local: true, ForceNew: true}}}
	d := checkSchema("resource type t", s)
	if len(d) != 1 || !strings.Contains(d[0].Detail, "both Local and ForceNew") {
		t.Errorf("checkSchema = %v, want one error saying Local and ForceNew do not go together", d)
	}
}

func TestProvenanceAttributes(t *testing.T) {
	t.Parallel()
	s := Schema{Attributes: map[string]Attribute{
		"url":      {Type: cty.String, Required: true},
		"revision": {Type: cty.String, Optional: true, Provenance: true},
		"commit":   {Type: cty.String, Required: true, Provenance: true},
		"dir":      {Type: cty.String, Computed: true, Local: true},
	}}
	if got, want := s.ProvenanceAttributes(), []string{"commit", "revision"}; !slices.Equal(got, want) {
		t.Errorf("ProvenanceAttributes() = %v, want %v", got, want)
	}
	if d := checkSchema("resource type t", s); len(d) != 0 {
		t.Errorf("checkSchema reported a valid schema: %v", d)
	}
	p, err := schemaToProto(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Attributes {
		if want := s.Attributes[a.Name].Provenance; a.Provenance != want {
			t.Errorf("attribute %s crosses the wire with provenance = %v, want %v", a.Name, a.Provenance, want)
		}
	}
}

func TestProvenanceMisuseIsRefused(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		a    Attribute
		want string
	}{
		"computed": {Attribute{Type: cty.String, Computed: true, Provenance: true}, "not Required or Optional"},
		"local":    {Attribute{Type: cty.String, Optional: true, Local: true, Provenance: true}, "also Local or ForceNew"},
		"forcenew": {Attribute{Type: cty.String, Required: true, ForceNew: true, Provenance: true}, "also Local or ForceNew"},
	} {
		d := checkSchema("resource type t", Schema{Attributes: map[string]Attribute{"revision": tt.a}})
		if len(d) != 1 || !strings.Contains(d[0].Detail, tt.want) {
			t.Errorf("%s: checkSchema = %v, want one error saying %q", name, d, tt.want)
		}
	}
}
