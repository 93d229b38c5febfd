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

package registry

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
)

// readSource resolves one image source.
func readSource(t *testing.T, c *host.Client, attrs map[string]cty.Value) sdk.SourceReadResponse {
	t.Helper()
	resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{
		Address: "source.image.test", TypeName: "image", Config: sourceSchema.Object(attrs),
		PriorState: cty.NullVal(sourceSchema.ImpliedType()),
	}})
	if err != nil {
		t.Fatalf("read source: %v", err)
	}
	return resps[0]
}

// mustReadSource resolves one image source and fails the test on an error.
func mustReadSource(t *testing.T, c *host.Client, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	resp := readSource(t, c, attrs)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("read source: %v", resp.Diagnostics.Err())
	}
	return resp.State
}

func TestImageSource(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	repo := reg + "/library/base"
	pushed := map[string]string{} // tag -> digest
	for _, tag := range []string{"1.4.0", "1.4.2", "v1.4.1", "1.4", "1.5.0", "2.0.0-rc.1", "latest", "notsemver"} {
		img := testImage(t, []map[string]string{{"tag": tag}}, v1.Config{Labels: map[string]string{"tag": tag}}, "linux/amd64")
		pushed[tag] = pushImage(t, repo+":"+tag, img)
	}
	c := startProvider(t, nil)

	for _, tc := range []struct {
		name    string
		config  map[string]cty.Value
		tag     string
		version string
	}{
		{"tilde constraint", map[string]cty.Value{"semver": str("~1.4")}, "1.4.2", "1.4.2"},
		{"caret constraint", map[string]cty.Value{"semver": str("^1")}, "1.5.0", "1.5.0"},
		{"range", map[string]cty.Value{"semver": str(">=1.4.1 <1.4.2")}, "v1.4.1", "1.4.1"},
		{"prerelease only when asked", map[string]cty.Value{"semver": str(">=2.0.0-rc.0")}, "2.0.0-rc.1", "2.0.0-rc.1"},
		{"tag", map[string]cty.Value{"tag": str("latest")}, "latest", ""},
		{"version tag", map[string]cty.Value{"tag": str("1.4.0")}, "1.4.0", "1.4.0"},
		{"floating tag", map[string]cty.Value{"tag": str("1.4")}, "1.4", ""},
		{"neither", map[string]cty.Value{}, "latest", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.config["repository"] = str(repo)
			st := mustReadSource(t, c, tc.config)
			digest := pushed[tc.tag]
			checkEqual(t, "state", map[string]string{
				"repository": repo, "tag": tc.tag, "version": tc.version, "digest": digest, "ref": repo + "@" + digest,
			}, map[string]string{
				"repository": sdk.GetString(st, "repository"), "tag": sdk.GetString(st, "tag"), "version": sdk.GetString(st, "version"),
				"digest": sdk.GetString(st, "digest"), "ref": sdk.GetString(st, "ref"),
			})
			if got, want := st.GetAttr("semver"), sourceSchema.Object(tc.config).GetAttr("semver"); !got.RawEquals(want) {
				t.Errorf("semver = %#v, want it as configured", got)
			}
		})
	}

	// The ref pulls the very image.
	st := mustReadSource(t, c, map[string]cty.Value{"repository": str(repo), "semver": str("~1.4")})
	if got := digestOf(t, pull(t, sdk.GetString(st, "ref"))); got != pushed["1.4.2"] {
		t.Errorf("pulling the ref gave %s, want %s", got, pushed["1.4.2"])
	}

	// A new tag is seen by the next read.
	pushed["1.4.3"] = pushImage(t, repo+":1.4.3", testImage(t, []map[string]string{{"tag": "1.4.3"}}, v1.Config{}, "linux/amd64"))
	st = mustReadSource(t, c, map[string]cty.Value{"repository": str(repo), "semver": str("~1.4")})
	if got := sdk.GetString(st, "digest"); got != pushed["1.4.3"] {
		t.Errorf("after pushing 1.4.3: digest %s, want %s", got, pushed["1.4.3"])
	}
}

func TestImageSourceDiagnostics(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	repo := reg + "/library/base"
	for _, tag := range []string{"1.4.0", "1.5.0", "latest", "notsemver"} {
		pushImage(t, repo+":"+tag, testImage(t, []map[string]string{{"tag": tag}}, v1.Config{}, "linux/amd64"))
	}
	c := startProvider(t, nil)
	for _, tc := range []struct {
		name    string
		config  map[string]cty.Value
		summary string
		attr    string
		detail  []string
	}{
		{"nothing satisfies", map[string]cty.Value{"semver": str("^2")},
			"No tag matches the version constraint", "semver",
			[]string{`"^2"`, repo, `Its tags are: "1.5.0", "1.4.0", "latest", "notsemver".`}},
		{"invalid constraint", map[string]cty.Value{"semver": str("~banana")},
			"Invalid version constraint", "semver", []string{`"~banana"`, `"~1.4"`}},
		{"tag and semver", map[string]cty.Value{"tag": str("latest"), "semver": str("~1")},
			"Conflicting tag and semver", "semver", []string{"both"}},
		{"missing tag", map[string]cty.Value{"tag": str("1.6.0")},
			"Image tag not found", "tag", []string{`"1.6.0"`, `Its tags are: "1.5.0", "1.4.0", "latest", "notsemver".`}},
		{"invalid tag", map[string]cty.Value{"tag": str("no spaces")},
			"Invalid tag", "tag", []string{`"no spaces"`}},
		{"missing repository", map[string]cty.Value{"repository": str(reg + "/library/nope"), "semver": str("~1")},
			"Repository not found", "repository", []string{reg + "/library/nope"}},
		{"missing repository, by tag", map[string]cty.Value{"repository": str(reg + "/library/nope")},
			"Repository not found", "repository", []string{reg + "/library/nope"}},
		{"repository with a tag", map[string]cty.Value{"repository": str(repo + ":1.4.0")},
			"Invalid repository", "repository", []string{"without a tag or digest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.config["repository"]; !ok {
				tc.config["repository"] = str(repo)
			}
			checkDiag(t, readSource(t, c, tc.config).Diagnostics, tc.summary, cty.GetAttrPath(tc.attr), tc.detail...)
		})
	}
}

func TestImageSourceUnknownConfig(t *testing.T) {
	t.Parallel()
	resp := readSource(t, startProvider(t, nil), map[string]cty.Value{"repository": cty.UnknownVal(cty.String), "semver": str("~1")})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Err())
	}
	for _, n := range append([]string{"tag"}, sourceComputed...) {
		if resp.State.GetAttr(n).IsKnown() {
			t.Errorf("%s is known for an unknown repository: %#v", n, resp.State.GetAttr(n))
		}
	}
}

// constraintVersions and constraintCases are the same in planner/plugins
// and providers/helm: one constraint string means the same versions in
// required_providers, an image's semver and a chart's version.
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

func TestSemverConstraints(t *testing.T) {
	t.Parallel()
	for _, tc := range constraintCases {
		t.Run(tc.constraint, func(t *testing.T) {
			t.Parallel()
			_, c, diags := parseSourceConfig(sourceSchema.Object(map[string]cty.Value{
				"repository": cty.StringVal("ghcr.io/org/app"), "semver": cty.StringVal(tc.constraint),
			}))
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			var got []string
			for _, v := range constraintVersions {
				if tag, _ := highest([]string{v}, c); tag != "" {
					got = append(got, v)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.matches, " ") {
				t.Errorf("semver %q allows %q, want %q", tc.constraint, got, tc.matches)
			}
			if tag, _ := highest(constraintVersions, c); tag != tc.matches[len(tc.matches)-1] {
				t.Errorf("semver %q picks %q, want the highest match %s", tc.constraint, tag, tc.matches[len(tc.matches)-1])
			}
		})
	}
}
