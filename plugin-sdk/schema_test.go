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
