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

package exampletest

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/examples/provider-distribution/distribution"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// TestMain lets sdktest re-run this test binary as the provider plugins.
func TestMain(m *testing.M) {
	sdktest.Main(m, map[string]func() sdk.Provider{"distribution": distribution.New})
}

// distributionTest is a real registry and the distribution provider
// configured for it.
type distributionTest struct {
	t    *testing.T
	addr string
	c    *host.Client
}

func startDistribution(t *testing.T) *distributionTest {
	t.Helper()
	r, err := testbed.StartRegistry(t.TempDir())
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	c := sdktest.Start(t, "distribution")
	schemas, err := c.Schemas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sdktest.Configure(t, c, schemas.Provider.Object(map[string]cty.Value{"url": cty.StringVal("http://" + r.Addr)}))
	return &distributionTest{t: t, addr: r.Addr, c: c}
}

func (d *distributionTest) ref(s string) name.Reference {
	d.t.Helper()
	r, err := name.ParseReference(d.addr + "/" + s)
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

// push pushes a small random image to repo:tag and returns its digest.
func (d *distributionTest) push(ref string) string {
	d.t.Helper()
	img, err := random.Image(512, 2)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := remote.Write(d.ref(ref), img, remote.WithContext(d.t.Context())); err != nil {
		d.t.Fatalf("push %s: %v", ref, err)
	}
	dg, _ := img.Digest()
	return dg.String()
}

// head is the digest repo:ref points at in the registry, or "" when it
// points at nothing.
func (d *distributionTest) head(ref string) string {
	d.t.Helper()
	desc, err := remote.Head(d.ref(ref), remote.WithContext(d.t.Context()))
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return ""
	}
	if err != nil {
		d.t.Fatalf("head %s: %v", ref, err)
	}
	return desc.Digest.String()
}

// tag is the configuration of a distribution_tag.
func (d *distributionTest) tag(repo, tag, srcRepo, ref string) cty.Value {
	d.t.Helper()
	return sdktest.Object(d.t, d.c, "distribution_tag", map[string]cty.Value{
		"repository": cty.StringVal(repo),
		"tag":        cty.StringVal(tag),
		"source":     cty.ObjectVal(map[string]cty.Value{"repository": cty.StringVal(srcRepo), "reference": cty.StringVal(ref)}),
	})
}

// destroy plans and applies the destruction of st and returns the
// response, errors included.
func (d *distributionTest) destroy(st cty.Value) *sdk.ApplyResponse {
	d.t.Helper()
	plan := sdktest.Plan(d.t, d.c, "distribution_tag", st, cty.NullVal(st.Type()))
	var resp *sdk.ApplyResponse
	err := d.c.Apply(d.t.Context(), []sdk.ApplyRequest{{
		Address: "distribution_tag.test", TypeName: "distribution_tag",
		Config: cty.NullVal(st.Type()), PriorState: st, PlannedState: plan.PlannedState,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		}
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return resp
}

// TestDistributionProvider runs the example distribution provider against
// a real registry: create, read, update, replace, import and delete a tag,
// in one repository and across two, of an image and of an index; list
// tags with the source; and upgrade a version 0 state and read it.
func TestDistributionProvider(t *testing.T) {
	t.Parallel()
	d := startDistribution(t)
	d10, d11 := d.push("team/app:1.0"), d.push("team/app:1.1")
	d.push("team/app:2.0")

	// Create a tag in the same repository: the plan knows the digest.
	cfg := d.tag("team/app", "stable", "team/app", "1.0")
	plan := sdktest.Plan(t, d.c, "distribution_tag", cty.NilVal, cfg)
	if got := sdk.GetString(plan.PlannedState, "digest"); got != d10 {
		t.Errorf("planned digest = %q, want %s", got, d10)
	}
	st := sdktest.Apply(t, d.c, "distribution_tag", cty.NilVal, cfg, plan)
	if got := d.head("team/app:stable"); got != d10 {
		t.Errorf("team/app:stable points at %q, want %s", got, d10)
	}
	if sdk.GetString(st, "id") != "team/app:stable" || sdk.GetString(st, "digest") != d10 {
		t.Errorf("state after create: %#v", st)
	}
	if got := sdktest.Refresh(t, d.c, "distribution_tag", st); !got.RawEquals(st) {
		t.Errorf("read after create = %#v, want the state unchanged", got)
	}

	// Point it at another version: an update in place, the id kept.
	cfg = d.tag("team/app", "stable", "team/app", "1.1")
	plan = sdktest.Plan(t, d.c, "distribution_tag", st, cfg)
	if len(plan.RequiresReplace) > 0 || sdk.GetString(plan.PlannedState, "digest") != d11 || sdk.GetString(plan.PlannedState, "id") != "team/app:stable" {
		t.Errorf("plan of a new source: replace %#v, planned %#v", plan.RequiresReplace, plan.PlannedState)
	}
	st = sdktest.Apply(t, d.c, "distribution_tag", st, cfg, plan)
	if got := d.head("team/app:stable"); got != d11 {
		t.Errorf("team/app:stable points at %q after the update, want %s", got, d11)
	}

	// Drift: the tag moved by hand shows on read, and a plan moves it back.
	d20 := d.head("team/app:2.0")
	if err := remote.Tag(d.ref("team/app:stable").Context().Tag("stable"), mustImage(t, d, "team/app:2.0"), remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	drift := sdktest.Refresh(t, d.c, "distribution_tag", st)
	if got := sdk.GetString(drift, "digest"); got != d20 {
		t.Errorf("digest after a hand retag = %q, want %s", got, d20)
	}
	st = sdktest.PlanApplyFrom(t, d.c, "distribution_tag", drift, cfg)
	if got := d.head("team/app:stable"); got != d11 {
		t.Errorf("team/app:stable points at %q after the plan put it back, want %s", got, d11)
	}

	// Renaming the tag replaces it, and says why.
	plan = sdktest.Plan(t, d.c, "distribution_tag", st, d.tag("team/app", "prod", "team/app", "1.1"))
	if len(plan.RequiresReplace) != 1 || !plan.RequiresReplace[0].Equals(cty.GetAttrPath("tag")) ||
		len(plan.ReplaceReasons) != 1 || !strings.Contains(plan.ReplaceReasons[0], "rename") {
		t.Errorf("plan of a new tag name: replace %#v, reasons %q", plan.RequiresReplace, plan.ReplaceReasons)
	}

	// Import by REPOSITORY:TAG: the source is the digest it points at.
	imp, err := d.c.Import(t.Context(), sdk.ImportRequest{Address: "distribution_tag.test", TypeName: "distribution_tag", ID: "team/app:stable"})
	if err != nil || imp.Diagnostics.HasErrors() {
		t.Fatalf("import: %v %v", imp.Diagnostics, err)
	}
	want := sdk.With(sdk.With(d.tag("team/app", "stable", "team/app", d11), "digest", cty.StringVal(d11)), "id", cty.StringVal("team/app:stable"))
	if !imp.State.RawEquals(want) {
		t.Errorf("imported state:\n got %#v\nwant %#v", imp.State, want)
	}
	imp, err = d.c.Import(t.Context(), sdk.ImportRequest{Address: "distribution_tag.test", TypeName: "distribution_tag", ID: "team/app:missing"})
	if err != nil || !imp.Diagnostics.HasErrors() {
		t.Errorf("import of a missing tag: %v %v, want an error", imp.Diagnostics, err)
	}

	// The source lists the tags, those match selects.
	tags := d.readTags("team/app", "")
	if !slices.Equal(tags, []string{"1.0", "1.1", "2.0", "stable"}) {
		t.Errorf("tags of team/app = %q", tags)
	}
	if tags := d.readTags("team/app", `^1\.`); !slices.Equal(tags, []string{"1.0", "1.1"}) {
		t.Errorf("tags of team/app matching ^1\\. = %q", tags)
	}
	if tags := d.readTags("team/none", ""); len(tags) != 0 {
		t.Errorf("tags of a repository that does not exist = %q, want none", tags)
	}

	// Destroying stable would delete 1.1 with it: refused.
	resp := d.destroy(st)
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics.Err().Error(), "1.1") || resp.NewState.IsNull() {
		t.Errorf("destroy of a tag that shares its manifest: %v, state %#v; want an error naming 1.1 and the state kept", resp.Diagnostics, resp.NewState)
	}
	if got := d.head("team/app:1.1"); got != d11 {
		t.Errorf("team/app:1.1 points at %q after a refused destroy, want %s", got, d11)
	}
}

// TestDistributionProviderAcrossRepositories copies an image and an index
// into other repositories (their blobs mounted), destroys the copies, and
// reads a state upgraded from version 0.
func TestDistributionProviderAcrossRepositories(t *testing.T) {
	t.Parallel()
	d := startDistribution(t)
	d10 := d.push("team/app:1.0")
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(d.ref("team/multi:1"), idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	idxDigest, _ := idx.Digest()

	st := sdktest.PlanApply(t, d.c, "distribution_tag", d.tag("prod/app", "1.0", "team/app", "1.0"))
	if got := d.head("prod/app:1.0"); got != d10 || sdk.GetString(st, "digest") != d10 {
		t.Errorf("prod/app:1.0 points at %q (state %q), want %s", got, sdk.GetString(st, "digest"), d10)
	}
	pullAll(t, d, "prod/app:1.0")

	ist := sdktest.PlanApply(t, d.c, "distribution_tag", d.tag("prod/multi", "1", "team/multi", idxDigest.String()))
	if got := d.head("prod/multi:1"); got != idxDigest.String() {
		t.Errorf("prod/multi:1 points at %q, want the index %s", got, idxDigest)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, child := range m.Manifests {
		pullAll(t, d, "prod/multi@"+child.Digest.String())
	}

	// A state written by version 0 of the resource upgrades and reads.
	v0 := `{"repository":"prod/app","tag":"1.0","source_ref":"team/app@1.0","digest":"` + d10 + `"}`
	up := sdktest.UpgradeState(t, d.c, "distribution_tag", 0, []byte(v0))
	if got := sdktest.Refresh(t, d.c, "distribution_tag", up); !got.RawEquals(st) {
		t.Errorf("read of the upgraded version 0 state:\n got %#v\nwant %#v", got, st)
	}

	// The only tags of their manifests: destroy deletes them.
	for ref, s := range map[string]cty.Value{"prod/app:1.0": st, "prod/multi:1": ist} {
		if resp := d.destroy(s); resp.Diagnostics.HasErrors() || !resp.NewState.IsNull() {
			t.Errorf("destroy %s: %v, state %#v", ref, resp.Diagnostics, resp.NewState)
		}
		if got := d.head(ref); got != "" {
			t.Errorf("%s still points at %s after destroy", ref, got)
		}
		if got := sdktest.Refresh(t, d.c, "distribution_tag", s); !got.IsNull() {
			t.Errorf("read of destroyed %s = %#v, want null", ref, got)
		}
	}
	if got := d.head("team/app:1.0"); got != d10 {
		t.Errorf("the source team/app:1.0 points at %q after its copy was destroyed, want %s", got, d10)
	}
	// Destroying what is already gone succeeds.
	if resp := d.destroy(st); resp.Diagnostics.HasErrors() {
		t.Errorf("destroy of a tag already gone: %v", resp.Diagnostics)
	}
}

// readTags reads the distribution_tags source.
func (d *distributionTest) readTags(repo, match string) []string {
	d.t.Helper()
	schemas, err := d.c.Schemas(d.t.Context())
	if err != nil {
		d.t.Fatal(err)
	}
	attrs := map[string]cty.Value{"repository": cty.StringVal(repo)}
	if match != "" {
		attrs["match"] = cty.StringVal(match)
	}
	resps, err := d.c.ReadSources(d.t.Context(), []sdk.SourceReadRequest{{
		Address: "source.distribution_tags.test", TypeName: "distribution_tags", Config: schemas.Sources["distribution_tags"].Object(attrs),
	}})
	if err != nil {
		d.t.Fatal(err)
	}
	sdktest.CheckDiags(d.t, "read distribution_tags", resps[0].Diagnostics)
	var out []string
	for _, v := range resps[0].State.GetAttr("tags").AsValueSlice() {
		out = append(out, v.AsString())
	}
	return out
}

func mustImage(t *testing.T, d *distributionTest, ref string) v1.Image {
	t.Helper()
	img, err := remote.Image(d.ref(ref), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// pullAll reads every blob of the image ref, so a copy that left a blob
// behind fails.
func pullAll(t *testing.T, d *distributionTest, ref string) {
	t.Helper()
	img := mustImage(t, d, ref)
	if _, err := img.ConfigFile(); err != nil {
		t.Errorf("config of %s: %v", ref, err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil {
			t.Errorf("layer of %s: %v", ref, err)
		}
	}
}
