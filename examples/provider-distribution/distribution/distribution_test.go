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
	"testing"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// These tests need no registry: they check what the provider decides
// before it talks to one. The end-to-end test against a real registry is
// in slipway's repository (internal/exampletest).

func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"distribution": New})
}

func tagConfig(repo, name, srcRepo, ref string) cty.Value {
	return tagSchema.Object(map[string]cty.Value{
		"repository": cty.StringVal(repo),
		"tag":        cty.StringVal(name),
		"source": cty.ObjectVal(map[string]cty.Value{
			"repository": cty.StringVal(srcRepo),
			"reference":  cty.StringVal(ref),
		}),
	})
}

func TestValidatorsPointAtTheAttribute(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "distribution")
	cases := []struct {
		config cty.Value
		path   cty.Path
	}{
		{tagConfig("Team/App", "stable", "team/app", "1.0"), cty.GetAttrPath("repository")},
		{tagConfig("team//app", "stable", "team/app", "1.0"), cty.GetAttrPath("repository")},
		{tagConfig("team/app", ".hidden", "team/app", "1.0"), cty.GetAttrPath("tag")},
		{tagConfig("team/app", "stable", "team/app", "sha256:short"), cty.GetAttrPath("source").GetAttr("reference")},
		{tagConfig("team/app", "stable", "-app", "1.0"), cty.GetAttrPath("source").GetAttr("repository")},
	}
	for _, tc := range cases {
		resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{{TypeName: "distribution_tag", Config: tc.config}})
		if err != nil {
			t.Fatal(err)
		}
		d := resps[0].Diagnostics
		if len(d) != 1 || !d[0].Attribute.Equals(tc.path) {
			t.Errorf("validate %#v: diagnostics %#v, want one at %#v", tc.config, d, tc.path)
		}
	}
	good := []cty.Value{
		tagConfig("team/app", "stable", "team/app", "1.4.2"),
		tagConfig("a.b_c__d--e/f-g", "_x-Y.9", "team/app", "sha256:"+sha256Hex),
	}
	for _, cfg := range good {
		resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{{TypeName: "distribution_tag", Config: cfg}})
		if err != nil || len(resps[0].Diagnostics) > 0 {
			t.Errorf("validate %#v: %v %v, want no diagnostics", cfg, resps[0].Diagnostics, err)
		}
	}
}

const sha256Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestSourceRejectsBadMatch(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "distribution")
	// Nothing listens there: the validator answers before any request.
	sdktest.Configure(t, c, providerSchema.Object(map[string]cty.Value{"url": cty.StringVal("http://127.0.0.1:1")}))
	cfg := tagsSchema.Object(map[string]cty.Value{"repository": cty.StringVal("team/app"), "match": cty.StringVal("1.(")})
	resps, err := c.ReadSources(t.Context(), []sdk.SourceReadRequest{{Address: "source.distribution_tags.x", TypeName: "distribution_tags", Config: cfg}})
	if err != nil {
		t.Fatal(err)
	}
	d := resps[0].Diagnostics
	if len(d) != 1 || !d[0].Attribute.Equals(cty.GetAttrPath("match")) {
		t.Errorf("diagnostics %#v, want one at match", d)
	}
}

func TestUpgradeFromVersion0(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "distribution")
	fixture := `{"repository":"team/app","tag":"stable","source_ref":"team/app@sha256:` + sha256Hex + `","digest":"sha256:` + sha256Hex + `"}`
	got := sdktest.UpgradeState(t, c, "distribution_tag", 0, []byte(fixture))
	want := sdk.With(tagConfig("team/app", "stable", "team/app", "sha256:"+sha256Hex), "digest", cty.StringVal("sha256:"+sha256Hex))
	want = sdk.With(want, "id", cty.StringVal("team/app:stable"))
	if !got.RawEquals(want) {
		t.Errorf("upgraded state:\n got %#v\nwant %#v", got, want)
	}

	resps, err := c.UpgradeState(t.Context(), []sdk.UpgradeStateRequest{{
		Address: "distribution_tag.x", TypeName: "distribution_tag", Version: 0, RawState: []byte(`{"repository":"team/app","tag":"stable","source_ref":"no-at-sign"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !resps[0].Diagnostics.HasErrors() {
		t.Errorf("upgrade of a bad source_ref: no error")
	}
}

func TestParseImportID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string][2]string{
		"team/app:stable": {"team/app", "stable"},
		"app:1.4.2":       {"app", "1.4.2"},
	} {
		repo, name, err := parseImportID(id)
		if err != nil || repo != want[0] || name != want[1] {
			t.Errorf("parseImportID(%q) = %q, %q, %v; want %q", id, repo, name, err, want)
		}
	}
	for _, bad := range []string{"team/app", "Team/app:x", "team/app:", "team/app:-x", ":x"} {
		if _, _, err := parseImportID(bad); err == nil {
			t.Errorf("parseImportID(%q): no error", bad)
		}
	}
}

func TestNextPage(t *testing.T) {
	t.Parallel()
	for link, want := range map[string]string{
		"": "",
		`</v2/team/app/tags/list?last=b&n=2>; rel="next"`:               "/v2/team/app/tags/list?last=b&n=2",
		`<https://r.example/x>; rel="prev", </v2/y?last=c>; rel="next"`: "/v2/y?last=c",
	} {
		if got := nextPage(link); got != want {
			t.Errorf("nextPage(%q) = %q, want %q", link, got, want)
		}
	}
}
