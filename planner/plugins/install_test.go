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

package plugins

import (
	"strings"
	"testing"
)

// constraintVersions and constraintCases are the same in
// providers/registry and providers/helm: one constraint string means the
// same versions in required_providers, an image's semver and a chart's
// version.
var constraintVersions = []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0", "2.0.0"}

var constraintCases = []struct {
	constraint string
	matches    []string
}{
	{"~> 1.4", []string{"1.4.0", "1.4.7"}},
	{"^1.4", []string{"1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{">= 1.2, < 2", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{"1.x", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
	{"~> 1", []string{"1.3.9", "1.4.0", "1.4.7", "1.5.0", "1.9.0"}},
}

func TestCheckConstraintMeaning(t *testing.T) {
	for _, tc := range constraintCases {
		t.Run(tc.constraint, func(t *testing.T) {
			var got []string
			for _, v := range constraintVersions {
				if d := checkConstraint(Requirement{Name: "p", Constraint: tc.constraint}, v); d == nil {
					got = append(got, v)
				} else if d.Summary != "Provider version does not match" {
					t.Fatalf("%s: %s: %s", v, d.Summary, d.Detail)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.matches, " ") {
				t.Errorf("%q allows %q, want %q", tc.constraint, got, tc.matches)
			}
		})
	}
}

func TestCheckConstraintDiagnostics(t *testing.T) {
	tests := map[string]struct {
		constraint, version string
		summary             string
		detail              []string
	}{
		"invalid constraint": {"~banana", "1.0.0", "Invalid version constraint", []string{`"~banana"`, `"^1.4"`, `"~> 1.4"`}},
		"unusable version":   {">= 1", "dev", "Provider reports no usable version", []string{`"dev"`}},
		"terraform's ~>": {"~> 1.4", "1.9.0", "Provider version does not match",
			[]string{"version 1.9.0", `"~> 1.4" means 1.4.x only`, `"^1.4"`}},
		"no hint without ~>": {"^2", "1.9.0", "Provider version does not match", []string{`requires "^2"`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := checkConstraint(Requirement{Name: "p", Constraint: tc.constraint}, tc.version)
			if d == nil || d.Summary != tc.summary {
				t.Fatalf("diagnostic %v, want %q", d, tc.summary)
			}
			for _, s := range tc.detail {
				if !strings.Contains(d.Detail, s) {
					t.Errorf("detail %q lacks %q", d.Detail, s)
				}
			}
			if name == "no hint without ~>" && strings.Contains(d.Detail, "1.4.x") {
				t.Errorf("detail %q explains ~> for a constraint without it", d.Detail)
			}
		})
	}
}
