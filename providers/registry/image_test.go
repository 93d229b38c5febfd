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
	"archive/tar"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/sdktest"
)

// appFiles is a small build context: an executable and a directory.
var appFiles = map[string]string{
	"bin/app":          "#!/bin/sh\necho hello\n",
	"conf/app.yaml":    "port: 8080\n",
	"conf/extra/x.txt": "x\n",
}

var appModes = map[string]os.FileMode{"bin/app": 0o755}

// appConfig is a registry_image configuration of appFiles in ctxDir, with
// attrs on top.
func appConfig(repo, ctxDir string, attrs map[string]cty.Value) cty.Value {
	a := map[string]cty.Value{
		"repository":  str(repo),
		"tags":        strList("v1"),
		"platform":    str("linux/amd64"),
		"context_dir": str(ctxDir),
		"files":       strMap(map[string]string{"/usr/local/bin/app": "bin/app", "/etc/app": "conf"}),
		"entrypoint":  strList("/usr/local/bin/app"),
	}
	for k, v := range attrs {
		a[k] = v
	}
	return imageSchema.Object(a)
}

func TestBuildFromScratch(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	c := startProvider(t, nil)
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	repo := reg + "/team/app"
	cfg := appConfig(repo, ctxDir, map[string]cty.Value{
		"tags":     strList("v1", "latest"),
		"platform": str("linux/arm64"),
		"cmd":      strList("serve", "--verbose"),
		"env":      strMap(map[string]string{"MODE": "prod", "A": "1"}),
		"labels":   strMap(map[string]string{"org.opencontainers.image.source": "https://example.com/app"}),
		"user":     str("1000"),
		"workdir":  str("/work"),
	})

	s := newSession(t, c)
	plan := s.Plan(cfg)
	for _, n := range []string{"digest", "ref", "base_digest"} {
		if plan.PlannedState.GetAttr(n).IsKnown() {
			t.Errorf("planned %s is known on create: %#v", n, plan.PlannedState.GetAttr(n))
		}
	}
	if got := sdk.GetString(plan.PlannedState, "image"); got != repo+":v1" {
		t.Errorf("planned image = %q, want %q", got, repo+":v1")
	}
	resp, progress := s.Apply(cfg, plan)
	sdktest.CheckDiags(t, "apply", resp.Diagnostics)
	st := resp.NewState

	digest := sdk.GetString(st, "digest")
	if !strings.HasPrefix(digest, "sha256:") || len(digest) != len("sha256:")+64 {
		t.Fatalf("digest = %q, want sha256:<64 hex digits>", digest)
	}
	checkEqual(t, "computed attributes", map[string]string{
		"ref": repo + "@" + digest, "image": repo + ":v1", "base_digest": "",
	}, map[string]string{
		"ref": sdk.GetString(st, "ref"), "image": sdk.GetString(st, "image"), "base_digest": sdk.GetString(st, "base_digest"),
	})
	checkEqual(t, "progress", []string{
		"pushing " + repo + ":v1 (1 layer)",
		"tagged " + repo + ":latest",
		"pushed " + digest,
	}, progress)

	// Both tags name the image, read back with go-containerregistry.
	img := pull(t, repo+":v1")
	for _, tag := range []string{"v1", "latest"} {
		if got := digestOf(t, pull(t, repo+":"+tag)); got != digest {
			t.Errorf("%s:%s is %s, want %s", repo, tag, got, digest)
		}
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s, want OCI", mt)
	}
	cf := configOf(t, img)
	checkEqual(t, "platform", "linux/arm64", cf.Platform().String())
	checkEqual(t, "created", time.Unix(0, 0).UTC(), cf.Created.UTC())
	checkEqual(t, "run config", v1.Config{
		Entrypoint: []string{"/usr/local/bin/app"},
		Cmd:        []string{"serve", "--verbose"},
		Env:        []string{"A=1", "MODE=prod"},
		Labels:     map[string]string{"org.opencontainers.image.source": "https://example.com/app"},
		User:       "1000",
		WorkingDir: "/work",
	}, cf.Config)

	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
		t.Errorf("layer media type %s, want %s", mt, types.OCILayer)
	}
	dir := tarFile{Type: tar.TypeDir, Mode: 0o755}
	files, order := layerFiles(t, layers[0])
	checkEqual(t, "layer", map[string]tarFile{
		"etc/":                dir,
		"etc/app/":            dir,
		"etc/app/app.yaml":    {Type: tar.TypeReg, Mode: 0o644, Content: "port: 8080\n"},
		"etc/app/extra/":      dir,
		"etc/app/extra/x.txt": {Type: tar.TypeReg, Mode: 0o644, Content: "x\n"},
		"usr/":                dir,
		"usr/local/":          dir,
		"usr/local/bin/":      dir,
		"usr/local/bin/app":   {Type: tar.TypeReg, Mode: 0o755, Content: "#!/bin/sh\necho hello\n"},
	}, files)
	if !slices.IsSorted(order) {
		t.Errorf("layer entries are not sorted by path: %q", order)
	}
}

func TestSameInputsGiveSameDigest(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	repo := reg + "/team/app"
	build := func(ctxDir, tag string) string {
		t.Helper()
		synced, _ := newSession(t, startProvider(t, nil)).Sync(appConfig(repo, ctxDir, map[string]cty.Value{"tags": strList(tag)}))
		return sdk.GetString(synced.NewState, "digest")
	}

	first := t.TempDir()
	writeTree(t, first, appFiles, appModes)
	want := build(first, "first")

	// Another directory, another provider process, the same contents:
	// written later, with group-writable modes (another umask).
	second := filepath.Join(t.TempDir(), "elsewhere", "ctx")
	writeTree(t, second, appFiles, map[string]os.FileMode{"bin/app": 0o775, "conf/app.yaml": 0o664, "conf/extra/x.txt": 0o664})
	later := time.Now().Add(time.Hour)
	for p := range appFiles {
		if err := os.Chtimes(filepath.Join(second, filepath.FromSlash(p)), later, later); err != nil {
			t.Fatal(err)
		}
	}
	if got := build(second, "second"); got != want {
		t.Errorf("the same inputs from %s gave %s, want %s as from %s", second, got, want, first)
	}
	if got := digestOf(t, pull(t, repo+":second")); got != want {
		t.Errorf("%s:second is %s, want %s", repo, got, want)
	}

	// One byte more is another image; so is a lost execute bit.
	writeTree(t, second, map[string]string{"conf/app.yaml": "port: 8081\n"}, nil)
	if got := build(second, "third"); got == want {
		t.Errorf("changing a byte kept the digest %s", got)
	}
	writeTree(t, first, map[string]string{"bin/app": appFiles["bin/app"]}, nil) // now 0644
	if got := build(first, "fourth"); got == want {
		t.Errorf("dropping the execute bit kept the digest %s", got)
	}
}

func TestBuildOnBase(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	c := startProvider(t, nil)
	baseImg := testImage(t, []map[string]string{{"bin/sh": "sh"}, {"etc/os-release": "ID=test\n"}}, v1.Config{
		Env:    []string{"PATH=/usr/bin:/bin", "MODE=base"},
		Cmd:    []string{"sh"},
		Labels: map[string]string{"base": "yes", "tier": "base"},
	}, "linux/amd64")
	baseRepo := reg + "/library/base"
	baseDigest := pushImage(t, baseRepo+":1", baseImg)

	ctxDir := t.TempDir()
	writeTree(t, ctxDir, map[string]string{"run": "#!/bin/sh\n"}, map[string]os.FileMode{"run": 0o755})
	repo := reg + "/team/app"
	cfg := imageSchema.Object(map[string]cty.Value{
		"repository":  str(repo),
		"tags":        strList("v1"),
		"base":        str(baseRepo + "@" + baseDigest),
		"context_dir": str(ctxDir),
		"files":       strMap(map[string]string{"/app/run": "run"}),
		"env":         strMap(map[string]string{"MODE": "app", "EXTRA": "1"}),
		"labels":      strMap(map[string]string{"tier": "app"}),
	})
	synced, progress := newSession(t, c).Sync(cfg)
	st := synced.NewState
	t.Logf("progress: %q", progress)
	if got := sdk.GetString(st, "base_digest"); got != baseDigest {
		t.Errorf("base_digest = %q, want %q", got, baseDigest)
	}

	img := pull(t, sdk.GetString(st, "ref"))
	baseLayers, layers := digests(t, baseImg), digests(t, img)
	if len(layers) != len(baseLayers)+1 || !slices.Equal(layers[:len(baseLayers)], baseLayers) {
		t.Errorf("layers %q, want the base's %q and one more", layers, baseLayers)
	}
	ls, _ := img.Layers()
	if mt, _ := ls[len(ls)-1].MediaType(); mt != types.OCILayer {
		t.Errorf("the files layer is %s on an OCI base, want %s", mt, types.OCILayer)
	}
	cf := configOf(t, img)
	checkEqual(t, "run config", v1.Config{
		Env:    []string{"PATH=/usr/bin:/bin", "EXTRA=1", "MODE=app"},
		Cmd:    []string{"sh"},
		Labels: map[string]string{"base": "yes", "tier": "app"},
	}, cf.Config)
	checkEqual(t, "platform", "linux/amd64", cf.Platform().String())
	if n := len(cf.RootFS.DiffIDs); n != 3 {
		t.Errorf("%d diff IDs, want 3", n)
	}

	// An entrypoint drops the base's command, as in a Dockerfile.
	synced, _ = newSession(t, c).Sync(imageSchema.Object(map[string]cty.Value{
		"repository": str(repo), "tags": strList("v2"), "base": str(baseRepo + ":1"),
		"context_dir": str(ctxDir), "entrypoint": strList("/app/run"),
	}))
	st = synced.NewState
	cf = configOf(t, pull(t, sdk.GetString(st, "ref")))
	if cf.Config.Cmd != nil || !slices.Equal(cf.Config.Entrypoint, []string{"/app/run"}) {
		t.Errorf("entrypoint %q cmd %q, want [/app/run] and no cmd", cf.Config.Entrypoint, cf.Config.Cmd)
	}
	if got := sdk.GetString(st, "base_digest"); got != baseDigest {
		t.Errorf("base_digest of a base by tag = %q, want %q", got, baseDigest)
	}
}

func TestBuildOnMultiPlatformBase(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	c := startProvider(t, nil)
	amd := testImage(t, []map[string]string{{"arch": "amd64"}}, v1.Config{}, "linux/amd64")
	arm := testImage(t, []map[string]string{{"arch": "arm64"}}, v1.Config{}, "linux/arm64/v8")
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	baseRepo := reg + "/library/multi"
	ref, err := name.ParseReference(baseRepo + ":1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	idxDigest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	base := baseRepo + "@" + idxDigest.String()
	ctxDir := t.TempDir()
	config := func(platform string) cty.Value {
		a := map[string]cty.Value{
			"repository": str(reg + "/team/app"), "tags": strList("v1"), "base": str(base), "context_dir": str(ctxDir),
		}
		if platform != "" {
			a["platform"] = str(platform)
		}
		return imageSchema.Object(a)
	}

	synced, _ := newSession(t, c).Sync(config("linux/arm64"))
	st := synced.NewState
	if got, want := sdk.GetString(st, "base_digest"), digestOf(t, arm); got != want {
		t.Errorf("base_digest = %s, want the arm64 image's %s", got, want)
	}
	cf := configOf(t, pull(t, sdk.GetString(st, "ref")))
	checkEqual(t, "platform", "linux/arm64/v8", cf.Platform().String())

	// A platform the index lacks: the error lists the ones it has.
	s := newSession(t, c)
	cfg := config("linux/s390x")
	resp, _ := s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, resp.Diagnostics, "Cannot use base image", cty.GetAttrPath("platform"), "linux/s390x", "linux/amd64, linux/arm64/v8")
	if !resp.NewState.IsNull() {
		t.Errorf("a failed create left state %#v", resp.NewState)
	}

	// A single-platform base for another platform.
	amdDigest := pushImage(t, baseRepo+":amd64", amd)
	cfg = imageSchema.Object(map[string]cty.Value{
		"repository": str(reg + "/team/app"), "tags": strList("v1"), "base": str(baseRepo + "@" + amdDigest),
		"context_dir": str(ctxDir), "platform": str("linux/arm64"),
	})
	resp, _ = s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, resp.Diagnostics, "Cannot use base image", cty.GetAttrPath("platform"), "linux/amd64 only")

	// platform = "linux/arm" is arm/v7, as docker and containerd read it,
	// whichever arm image the index lists first.
	v6 := testImage(t, []map[string]string{{"arch": "armv6"}}, v1.Config{}, "linux/arm/v6")
	v7 := testImage(t, []map[string]string{{"arch": "armv7"}}, v1.Config{}, "linux/arm/v7")
	arms := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: v6, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}}},
		mutate.IndexAddendum{Add: v7, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
	)
	armRef, err := name.ParseReference(baseRepo + ":arm")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(armRef, arms, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	armsDigest, err := arms.Digest()
	if err != nil {
		t.Fatal(err)
	}
	cfg = imageSchema.Object(map[string]cty.Value{
		"repository": str(reg + "/team/arm"), "tags": strList("v1"), "base": str(baseRepo + "@" + armsDigest.String()),
		"context_dir": str(ctxDir), "platform": str("linux/arm"),
	})
	synced, _ = newSession(t, c).Sync(cfg)
	if got, want := sdk.GetString(synced.NewState, "base_digest"), digestOf(t, v7); got != want {
		t.Errorf("base_digest for linux/arm = %s, want the arm/v7 image's %s (arm/v6 is listed first)", got, want)
	}
}

func TestPlanRefreshAndDelete(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	c := startProvider(t, nil)
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	repo := reg + "/team/app"
	cfg := appConfig(repo, ctxDir, map[string]cty.Value{"tags": strList("v1", "latest")})
	// A build to come reads its files when it runs, not at plan: a
	// pipeline plans each of its images as a create, and its workspace
	// is as the last run left it.
	if create := sdktest.Plan(t, c, "registry_image", cty.NullVal(cfg.Type()), cfg); create.PlannedPrivate != nil {
		t.Errorf("the plan of a create read the files: its private data is %s", create.PlannedPrivate)
	}
	s := newSession(t, c)
	s.Sync(cfg)
	st := s.State
	first := sdk.GetString(st, "digest")

	// Unchanged: the plan is the prior state, with or without the private
	// data of the last apply.
	plan := s.Plan(cfg)
	if !plan.PlannedState.RawEquals(st) || len(plan.RequiresReplace) > 0 {
		t.Errorf("plan of an unchanged image:\n got %#v\nwant %#v (replace %v)", plan.PlannedState, st, plan.RequiresReplace)
	}
	if again := sdktest.Plan(t, c, "registry_image", st, cfg); !again.PlannedState.RawEquals(st) {
		t.Errorf("plan without private data:\n got %#v\nwant %#v", again.PlannedState, st)
	}
	if got := s.Refresh().NewState; !got.RawEquals(st) {
		t.Errorf("refresh of an unchanged image:\n got %#v\nwant %#v", got, st)
	}

	// The same files in another checkout (another machine, another CI
	// job): context_dir is Local, and the digest stays known.
	elsewhere := t.TempDir()
	writeTree(t, elsewhere, appFiles, appModes)
	moved := s.Plan(appConfig(repo, elsewhere, map[string]cty.Value{"tags": strList("v1", "latest")}))
	if got := sdk.GetString(moved.PlannedState, "digest"); got != first {
		t.Errorf("the same files in another context_dir planned digest %q, want %s: no rebuild", got, first)
	}

	// A file that changed behind an unchanged configuration is a new build.
	writeTree(t, ctxDir, map[string]string{"conf/app.yaml": "port: 9090\n"}, nil)
	plan = s.Plan(cfg)
	if plan.PlannedState.GetAttr("digest").IsKnown() {
		t.Errorf("a changed file planned the digest %#v, want it unknown", plan.PlannedState.GetAttr("digest"))
	}
	if got := sdk.GetString(plan.PlannedState, "image"); got != repo+":v1" {
		t.Errorf("planned image = %q, want %q", got, repo+":v1")
	}
	s.Sync(cfg)
	st = s.State
	second := sdk.GetString(st, "digest")
	if second == first {
		t.Errorf("a changed file kept the digest %s", first)
	}
	if plan := s.Plan(cfg); !plan.PlannedState.RawEquals(st) {
		t.Errorf("plan after the rebuild is not a no-op")
	}

	// A changed configuration is an update in place.
	changed := appConfig(repo, ctxDir, map[string]cty.Value{"tags": strList("v1", "latest"), "env": strMap(map[string]string{"X": "1"})})
	plan = s.Plan(changed)
	if plan.PlannedState.GetAttr("digest").IsKnown() || len(plan.RequiresReplace) > 0 {
		t.Errorf("a changed env planned digest %#v, replace %v; want it unknown, in place", plan.PlannedState.GetAttr("digest"), plan.RequiresReplace)
	}

	// A tag moved to another image: refresh drops it, and the next plan
	// pushes it back.
	other := testImage(t, []map[string]string{{"other": "x"}}, v1.Config{}, "linux/amd64")
	pushImage(t, repo+":latest", other)
	st = s.Refresh().NewState
	checkEqual(t, "tags after a moved tag", []string{"v1"}, stringList(st.GetAttr("tags")))
	if plan := s.Plan(cfg); plan.PlannedState.GetAttr("digest").IsKnown() {
		t.Errorf("a moved tag planned no push")
	}
	s.Sync(cfg)
	st = s.State
	if got := sdk.GetString(st, "digest"); got != second {
		t.Errorf("pushing the tag back built %s, want %s again", got, second)
	}
	if got := digestOf(t, pull(t, repo+":latest")); got != second {
		t.Errorf("latest is %s after the push, want %s", got, second)
	}

	// An image that is not in the registry is gone.
	zero := "sha256:" + strings.Repeat("0", 64)
	for name, gone := range map[string]cty.Value{
		"unknown digest":     sdk.With(st, "digest", str(zero)),
		"unknown repository": sdk.With(sdk.With(st, "repository", str(reg+"/nope/nope")), "digest", str(zero)),
	} {
		if got := sdktest.Refresh(t, c, "registry_image", gone); !got.IsNull() {
			t.Errorf("refresh of an %s: %#v, want null", name, got)
		}
	}

	// Destroy forgets the image and leaves it in the registry.
	null := cty.NullVal(imageSchema.ImpliedType())
	resp, progress := s.Apply(null, s.Plan(null))
	sdktest.CheckDiags(t, "destroy", resp.Diagnostics)
	if !resp.NewState.IsNull() {
		t.Errorf("destroy left state %#v", resp.NewState)
	}
	checkEqual(t, "destroy progress", []string{"forgetting " + repo + "@" + second + "; the image stays in the registry"}, progress)
	if got := digestOf(t, pull(t, repo+"@"+second)); got != second {
		t.Errorf("the image is gone from the registry after destroy")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	c := startProvider(t, nil)
	abs := t.TempDir()
	files := cty.GetAttrPath("files")
	for _, tc := range []struct {
		name    string
		attrs   map[string]cty.Value
		summary string
		path    cty.Path
		detail  string
	}{
		{"relative context_dir", map[string]cty.Value{"context_dir": str("build")},
			"Relative context_dir", cty.GetAttrPath("context_dir"), `"build"`},
		{"no tags", map[string]cty.Value{"tags": strList()},
			"No tags", cty.GetAttrPath("tags"), "at least one"},
		{"bad tag", map[string]cty.Value{"tags": strList("v1", "not a tag")},
			"Invalid tag", cty.GetAttrPath("tags").Index(cty.NumberIntVal(1)), `"not a tag"`},
		{"relative image path", map[string]cty.Value{"files": strMap(map[string]string{"app/run": "run"})},
			"Relative image path", files.Index(str("app/run")), `"app/run"`},
		{"source outside context_dir", map[string]cty.Value{"files": strMap(map[string]string{"/run": "../run"})},
			"Invalid source path", files.Index(str("/run")), `"../run"`},
		{"absolute source", map[string]cty.Value{"files": strMap(map[string]string{"/run": "/etc/passwd"})},
			"Invalid source path", files.Index(str("/run")), `"/etc/passwd"`},
		{"bad platform", map[string]cty.Value{"platform": str("linux")},
			"Invalid platform", cty.GetAttrPath("platform"), `"linux"`},
		{"bad env name", map[string]cty.Value{"env": strMap(map[string]string{"A=B": "x"})},
			"Invalid environment variable name", cty.GetAttrPath("env").Index(str("A=B")), `"A=B"`},
		{"bad base", map[string]cty.Value{"base": str("Not A Reference")},
			"Invalid base image", cty.GetAttrPath("base"), `"Not A Reference"`},
		{"repository with tag", map[string]cty.Value{"repository": str("127.0.0.1:5000/app:v1")},
			"Invalid repository", cty.GetAttrPath("repository"), "without a tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]cty.Value{"repository": str("127.0.0.1:5000/app"), "tags": strList("v1"), "context_dir": str(abs)}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{{TypeName: "registry_image", Config: imageSchema.Object(attrs)}})
			if err != nil {
				t.Fatal(err)
			}
			checkDiag(t, resps[0].Diagnostics, tc.summary, tc.path, tc.detail)
		})
	}
	// Unknown values are not checked yet.
	resps, err := c.Validate(t.Context(), []sdk.ValidateRequest{{TypeName: "registry_image", Config: imageSchema.Object(map[string]cty.Value{
		"repository": cty.UnknownVal(cty.String), "tags": cty.UnknownVal(cty.List(cty.String)), "context_dir": cty.UnknownVal(cty.String),
	})}})
	if err != nil || len(resps[0].Diagnostics) > 0 {
		t.Errorf("validate of unknown values: %v %v", resps[0].Diagnostics, err)
	}
}

func TestBuildDiagnostics(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	c := startProvider(t, nil)
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)

	// A missing file plans a build (a step before apply may make it), and
	// apply names it, with its image path.
	s := newSession(t, c)
	cfg := appConfig(reg+"/team/app", ctxDir, map[string]cty.Value{
		"files": strMap(map[string]string{"/app/config.yaml": "conf/missing.yaml", "/app/run": "bin/app"}),
	})
	plan := s.Plan(cfg)
	if plan.PlannedState.GetAttr("digest").IsKnown() {
		t.Errorf("a missing file planned the digest %#v", plan.PlannedState.GetAttr("digest"))
	}
	applied, _ := s.Apply(cfg, plan)
	checkDiag(t, applied.Diagnostics, "Cannot read image files", cty.GetAttrPath("files").Index(str("/app/config.yaml")),
		`"conf/missing.yaml"`, "/app/config.yaml", ctxDir)
	if !applied.NewState.IsNull() {
		t.Errorf("a failed create left state %#v", applied.NewState)
	}

	// Made after the plan, it is built.
	writeTree(t, ctxDir, map[string]string{"conf/missing.yaml": "made: later\n"}, nil)
	if synced, _ := newSession(t, c).Sync(cfg); sdk.GetString(synced.NewState, "digest") == "" {
		t.Errorf("no digest after the file was made")
	}

	// Two sources for one image path.
	cfg = appConfig(reg+"/team/app", ctxDir, map[string]cty.Value{
		"files": strMap(map[string]string{"/etc/app": "conf", "/etc/app/app.yaml": "bin/app"}),
	})
	applied, _ = s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, applied.Diagnostics, "Cannot read image files", cty.GetAttrPath("files").Index(str("/etc/app/app.yaml")),
		"/etc/app/app.yaml", `files["/etc/app"]`)

	// An unreachable registry is named, with the tag.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	cfg = appConfig(closed+"/team/app", ctxDir, nil)
	applied, _ = s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, applied.Diagnostics, "Cannot push image", cty.GetAttrPath("repository"),
		"push to "+closed+"/team/app:v1", "registry "+closed, "is up")
	if !applied.NewState.IsNull() {
		t.Errorf("a failed create left state %#v", applied.NewState)
	}

	// A base that is not there.
	cfg = appConfig(reg+"/team/app", ctxDir, map[string]cty.Value{"base": str(reg + "/library/nope:1")})
	applied, _ = s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, applied.Diagnostics, "Cannot use base image", cty.GetAttrPath("base"), reg+"/library/nope:1", "does not exist")
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	proxy := startProxy(t, reg, "", "robot", "s3cret")
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	repo := proxy.Addr + "/private/app"
	cfg := appConfig(repo, ctxDir, nil)
	source := map[string]cty.Value{"repository": str(repo), "tag": str("v1")}

	// No credentials: the errors say how to give some.
	c := startProvider(t, nil)
	s := newSession(t, c)
	resp, _ := s.Apply(cfg, s.Plan(cfg))
	checkDiag(t, resp.Diagnostics, "Cannot push image", cty.GetAttrPath("repository"),
		"push to "+repo+":v1", "docker login "+proxy.Addr, `username and password in the provider "registry" block`)
	checkDiag(t, readSource(t, c, source).Diagnostics, "Registry authentication failed", cty.GetAttrPath("repository"),
		"docker login "+proxy.Addr)
	wrong := startProvider(t, map[string]cty.Value{"username": str("robot"), "password": str("wrong")})
	checkDiag(t, readSource(t, wrong, source).Diagnostics, "Registry authentication failed", cty.GetAttrPath("repository"))

	// The provider block's credentials.
	c = startProvider(t, map[string]cty.Value{"username": str("robot"), "password": str("s3cret")})
	synced, _ := newSession(t, c).Sync(cfg)
	st := synced.NewState
	if got := sdk.GetString(mustReadSource(t, c, source), "digest"); got != sdk.GetString(st, "digest") {
		t.Errorf("source digest %s, want the pushed %s", got, sdk.GetString(st, "digest"))
	}

	// A docker config.json, named as a file or as its directory.
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("robot:s3cret"))
	writeTree(t, dir, map[string]string{"config.json": `{"auths": {"` + proxy.Addr + `": {"auth": "` + auth + `"}}}`}, nil)
	for _, p := range []string{filepath.Join(dir, "config.json"), dir} {
		c := startProvider(t, map[string]cty.Value{"docker_config": str(p)})
		if got := sdk.GetString(mustReadSource(t, c, source), "digest"); got != sdk.GetString(st, "digest") {
			t.Errorf("with docker_config %s: digest %s, want %s", p, got, sdk.GetString(st, "digest"))
		}
	}
}

func TestConfigureErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		block   map[string]cty.Value
		summary string
		attr    string
	}{
		{"user without password", map[string]cty.Value{"username": str("robot")}, "Missing registry password", "password"},
		{"missing docker config", map[string]cty.Value{"docker_config": str(filepath.Join(t.TempDir(), "nope.json"))}, "Cannot read docker config", "docker_config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := sdktest.Start(t, "registry")
			diags, err := c.Configure(t.Context(), providerSchema.Object(tc.block))
			if err != nil {
				t.Fatal(err)
			}
			checkDiag(t, diags, tc.summary, cty.GetAttrPath(tc.attr))
		})
	}
}

func TestInsecureRegistry(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	// 127.0.0.2 is loopback too, but not one of the names go-containerregistry
	// reaches over plain HTTP by itself.
	proxy := startProxy(t, reg, "127.0.0.2:0", "", "")
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	repo := proxy.Addr + "/team/app"
	source := map[string]cty.Value{"repository": str(repo), "tag": str("v1")}

	checkDiag(t, readSource(t, startProvider(t, nil), source).Diagnostics, "Cannot reach registry", cty.GetAttrPath("repository"),
		"set insecure")

	c := startProvider(t, map[string]cty.Value{"insecure": cty.True})
	synced, _ := newSession(t, c).Sync(appConfig(repo, ctxDir, nil))
	st := synced.NewState
	if got := sdk.GetString(mustReadSource(t, c, source), "digest"); got != sdk.GetString(st, "digest") {
		t.Errorf("source digest %s, want the pushed %s", got, sdk.GetString(st, "digest"))
	}
	// It is the registry behind the proxy that holds the image.
	if got := digestOf(t, pull(t, reg+"/team/app:v1")); got != sdk.GetString(st, "digest") {
		t.Errorf("the registry holds %s, want %s", got, sdk.GetString(st, "digest"))
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	c := sdktest.Start(t, "registry")
	got, err := c.Schemas(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := &sdk.ProviderSchemas{
		Metadata:  sdk.Metadata{Name: "registry", Version: "0.1.0", Offline: true, Sessions: true},
		Provider:  providerSchema,
		Resources: map[string]sdk.Schema{"registry_image": imageSchema},
		Sources:   map[string]sdk.Schema{"image": sourceSchema},
	}
	typeEq := cmp.Options{
		cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
		cmp.Comparer(func(a, b cty.Value) bool {
			return a == cty.NilVal && b == cty.NilVal || a != cty.NilVal && b != cty.NilVal && a.RawEquals(b)
		}),
	}
	if diff := cmp.Diff(want, got, typeEq); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
}
