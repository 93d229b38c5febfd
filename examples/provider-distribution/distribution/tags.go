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

package distribution

import (
	"context"
	"fmt"
	"regexp"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// tags is the source type `source "distribution_tags" "NAME" { repository =
// ... }`: the tags of a repository, those match selects.
type tags struct{ p *provider }

var tagsSchema = sdk.Schema{
	Description: "The tags of one repository in the registry, sorted, optionally only those a regular expression matches.",
	Attributes: map[string]sdk.Attribute{
		"repository": {Type: cty.String, Required: true, Description: `The repository, like "team/app".`,
			Validators: []sdk.Validator{validRepository}},
		"match": {Type: cty.String, Optional: true,
			Description: `A regular expression (Go syntax) a tag must match somewhere to be listed, like "^1\\.4\\."; unset, every tag is.`,
			Validators:  []sdk.Validator{validRegexp{}}},
		"tags": {Type: cty.List(cty.String), Computed: true, Description: "The tags, sorted. A repository that does not exist has none."},
	},
}

type tagsModel struct {
	Repository string   `slipway:"repository"`
	Match      string   `slipway:"match"`
	Tags       []string `slipway:"tags"`
}

func (*tags) Schema() sdk.Schema { return tagsSchema }

func (s *tags) Read(ctx context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	var m tagsModel
	if resp.Diagnostics = sdk.Decode(req.Config, &m); resp.Diagnostics.HasErrors() {
		return
	}
	c := s.p.configured(&resp.Diagnostics)
	if c == nil {
		return
	}
	re, err := regexp.Compile(m.Match) // checked by validRegexp
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("match"), "Invalid regular expression", err.Error())
		return
	}
	all, err := c.tags(ctx, m.Repository)
	if err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError("Cannot list tags", err.Error())
		return
	}
	m.Tags = []string{}
	for _, t := range all {
		if re.MatchString(t) {
			m.Tags = append(m.Tags, t)
		}
	}
	resp.Set(m)
}

// validRegexp requires a string that is a regular expression Go's regexp
// package compiles.
type validRegexp struct{}

func (validRegexp) Description() string { return "be a regular expression in Go's syntax" }

func (validRegexp) Validate(req sdk.ValidatorRequest) sdk.Diagnostics {
	var diags sdk.Diagnostics
	v, _ := req.Value.Unmark()
	if !v.IsKnown() || v.Type() != cty.String {
		return diags
	}
	if _, err := regexp.Compile(v.AsString()); err != nil {
		diags.AddAttributeError(req.Path, "Invalid regular expression",
			fmt.Sprintf("%q is not a regular expression: %s.", v.AsString(), err))
	}
	return diags
}
