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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/regauth"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// imageResource is resource type "registry_image".
type imageResource struct{ p *provider }

var (
	_ sdk.ResourceWithPlan     = (*imageResource)(nil)
	_ sdk.ResourceWithValidate = (*imageResource)(nil)
)

var imageSchema = sdk.Schema{
	Description: "An image built without a daemon from files on local disk, on a base image or on scratch, and pushed to a registry. " +
		"The same inputs always give the same digest. Destroying it forgets the image and leaves it in the registry.",
	Attributes: map[string]sdk.Attribute{
		builtin.ImageRepository: {Type: cty.String, Required: true,
			Description: `The repository to push to, without tag: "ghcr.io/org/app", "127.0.0.1:5000/team/app".`},
		builtin.ImageTags: {Type: cty.List(cty.String), Required: true,
			Description: "The tags to push, at least one; every one names the image."},
		builtin.ImageBase: {Type: cty.String, Optional: true,
			Description: `The base image: a reference, best pinned by digest ("REPO@sha256:..."; an image source's ref is one). "scratch" or unset for none. A tag is resolved at apply.`},
		builtin.ImagePlatform: {Type: cty.String, Optional: true,
			Description: `The platform, "OS/ARCH[/VARIANT]": the image of a multi-platform base to build on, and the platform of a scratch image. ` +
				`The base's own platform when it has one; otherwise "linux/" and the architecture slipway runs on, so set it for the same digest on every machine.`},
		builtin.ImageContextDir: {Type: cty.String, Required: true, Local: true,
			Description: "The absolute directory the sources of files are relative to."},
		builtin.ImageFiles: {Type: cty.Map(cty.String), Optional: true,
			Description: `What to put in the image, in one layer: absolute image path -> source relative to context_dir, a file or a directory (added whole). ` +
				`Files keep only their execute bits (0755 or 0644), are owned by root and dated SOURCE_DATE_EPOCH (the Unix epoch when unset).`},
		builtin.ImageEntrypoint: {Type: cty.List(cty.String), Optional: true,
			Description: "The entrypoint; as in a Dockerfile, setting it drops the base's cmd."},
		builtin.ImageCmd: {Type: cty.List(cty.String), Optional: true,
			Description: "The command (the entrypoint's arguments)."},
		builtin.ImageEnv: {Type: cty.Map(cty.String), Optional: true,
			Description: "Environment variables, added to the base's (a name the base has is replaced)."},
		builtin.ImageLabels: {Type: cty.Map(cty.String), Optional: true,
			Description: "Labels, added to the base's."},
		builtin.ImageUser: {Type: cty.String, Optional: true,
			Description: `The user the command runs as ("1000", "app:app"); the base's when unset.`},
		builtin.ImageWorkdir: {Type: cty.String, Optional: true,
			Description: "The working directory; the base's when unset."},
		builtin.ImageDigest: {Type: cty.String, Computed: true,
			Description: `The digest of the pushed manifest ("sha256:...").`},
		builtin.ImageRef: {Type: cty.String, Computed: true,
			Description: `The pinned reference to deploy: "REPOSITORY@DIGEST".`},
		builtin.ImageImage: {Type: cty.String, Computed: true,
			Description: `The reference by the first tag: "REPOSITORY:TAG".`},
		builtin.ImageBaseDigest: {Type: cty.String, Computed: true,
			Description: "The digest of the base image's manifest used (for a multi-platform base, the platform's); empty for scratch."},
	},
}

// configAttrs are the attributes the user writes; computed the others.
var (
	configAttrs = []string{builtin.ImageRepository, builtin.ImageTags, builtin.ImageBase, builtin.ImagePlatform,
		builtin.ImageContextDir, builtin.ImageFiles, builtin.ImageEntrypoint, builtin.ImageCmd, builtin.ImageEnv,
		builtin.ImageLabels, builtin.ImageUser, builtin.ImageWorkdir}
	imageComputed = []string{builtin.ImageDigest, builtin.ImageRef, builtin.ImageImage, builtin.ImageBaseDigest}
)

func (*imageResource) Schema() sdk.Schema { return imageSchema }

// imageConfig is a wholly known configuration, checked.
type imageConfig struct {
	repository string
	tags       []string
	base       string       // "" for scratch
	platform   *v1.Platform // nil when unset
	contextDir string
	files      map[string]string
	entrypoint []string // nil when unset
	cmd        []string // nil when unset
	env        map[string]string
	labels     map[string]string
	user       *string
	workdir    *string
}

// Validate checks every attribute that is known.
func (*imageResource) Validate(_ context.Context, req sdk.ValidateRequest, resp *sdk.ValidateResponse) {
	resp.Diagnostics = sdk.ValidateConfig(imageSchema, req.Config)
	if req.Config.IsNull() || !req.Config.IsKnown() {
		return
	}
	resp.Diagnostics = append(resp.Diagnostics, checkConfig(req.Config)...)
}

// checkConfig checks the attributes of cfg that are known.
func checkConfig(cfg cty.Value) sdk.Diagnostics {
	var diags sdk.Diagnostics
	at := cty.GetAttrPath
	if v := cfg.GetAttr(builtin.ImageRepository); v.IsKnown() && !v.IsNull() {
		if _, err := parseRepository(v.AsString(), settings{}); err != nil {
			diags.AddAttributeError(at(builtin.ImageRepository), "Invalid repository", sentence(err))
		}
	}
	if v := cfg.GetAttr(builtin.ImageTags); v.IsKnown() && !v.IsNull() {
		if v.LengthInt() == 0 {
			diags.AddAttributeError(at(builtin.ImageTags), "No tags",
				"An image is pushed to at least one tag. Name one, such as the commit it is built from.")
		}
		seen := map[string]bool{}
		for i, e := range v.AsValueSlice() {
			if !e.IsKnown() {
				continue
			}
			p := at(builtin.ImageTags).Index(cty.NumberIntVal(int64(i)))
			t := ""
			if !e.IsNull() {
				t = e.AsString()
			}
			if !validTag(t) {
				diags.AddAttributeError(p, "Invalid tag", invalidTagDetail(t))
			} else if seen[t] {
				diags.AddAttributeError(p, "Duplicate tag", fmt.Sprintf("The tag %q is given twice.", t))
			}
			seen[t] = true
		}
	}
	if v := cfg.GetAttr(builtin.ImageBase); v.IsKnown() && !v.IsNull() {
		if b := v.AsString(); b != "" && b != "scratch" {
			if _, err := name.ParseReference(b); err != nil {
				diags.AddAttributeError(at(builtin.ImageBase), "Invalid base image",
					fmt.Sprintf("The base %q is not an image reference (%v). Write one such as \"REPO@sha256:...\" or \"REPO:TAG\", or \"scratch\" for none.", b, err))
			}
		}
	}
	if v := cfg.GetAttr(builtin.ImagePlatform); v.IsKnown() && !v.IsNull() {
		if _, err := parsePlatform(v.AsString()); err != nil {
			diags.AddAttributeError(at(builtin.ImagePlatform), "Invalid platform", sentence(err))
		}
	}
	if v := cfg.GetAttr(builtin.ImageContextDir); v.IsKnown() && !v.IsNull() {
		if d := v.AsString(); !filepath.IsAbs(d) {
			diags.AddAttributeError(at(builtin.ImageContextDir), "Relative context_dir",
				fmt.Sprintf("The context_dir %q is not an absolute path. Make it one, with abspath() or a source's dir.", d))
		}
	}
	if v := cfg.GetAttr(builtin.ImageFiles); v.IsKnown() && !v.IsNull() {
		cleaned := map[string]string{}
		for _, dest := range sortedKeys(v) {
			e := v.Index(cty.StringVal(dest))
			p := at(builtin.ImageFiles).Index(cty.StringVal(dest))
			if !strings.HasPrefix(dest, "/") {
				diags.AddAttributeError(p, "Relative image path",
					fmt.Sprintf("The image path %q is not absolute. Write where the source goes in the image, such as \"/app/server\".", dest))
			} else if c := path.Clean(dest); cleaned[c] != "" {
				diags.AddAttributeError(p, "Duplicate image path",
					fmt.Sprintf("The image paths %q and %q are the same path. Give each once.", cleaned[c], dest))
			} else {
				cleaned[c] = dest
			}
			if !e.IsKnown() {
				continue
			}
			src := ""
			if !e.IsNull() {
				src = e.AsString()
			}
			if src == "" || !filepath.IsLocal(filepath.FromSlash(src)) {
				diags.AddAttributeError(p, "Invalid source path",
					fmt.Sprintf("The source %q of image path %s is not a path inside context_dir. Write a path relative to context_dir, such as \"bin/server\" (\".\" for all of it).", src, dest))
			}
		}
	}
	if v := cfg.GetAttr(builtin.ImageEnv); v.IsKnown() && !v.IsNull() {
		for _, k := range sortedKeys(v) {
			if k == "" || strings.Contains(k, "=") {
				diags.AddAttributeError(at(builtin.ImageEnv).Index(cty.StringVal(k)), "Invalid environment variable name",
					fmt.Sprintf("The name %q cannot be an environment variable: it is empty or holds '='.", k))
			}
		}
	}
	return diags
}

// parsePlatform parses "OS/ARCH[/VARIANT][:OSVERSION]".
func parsePlatform(s string) (*v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err == nil && (p.OS == "" || p.Architecture == "") {
		err = errors.New("it names no architecture")
	}
	if err != nil {
		return nil, fmt.Errorf("the platform %q is not OS/ARCH[/VARIANT] (%v). Write one such as \"linux/amd64\" or \"linux/arm64\"", s, err)
	}
	return p, nil
}

// parseConfig reads a wholly known configuration, checked.
// readInputs reads what a build is made of: the configuration, the build
// time and the layer of files. A configuration or time that is wrong is a
// diagnostic; files that cannot be read are layerErr, which plan and apply
// treat differently (a pipeline's stages may not have made them yet).
func readInputs(cfg cty.Value) (c imageConfig, mtime time.Time, layer []byte, layerErr error, diags sdk.Diagnostics) {
	if c, diags = parseConfig(cfg); diags.HasErrors() {
		return c, mtime, nil, nil, diags
	}
	mtime, err := buildTime()
	if err != nil {
		diags.AddError("Cannot build image", sentence(err))
		return c, mtime, nil, nil, diags
	}
	layer, layerErr = layerTar(c.contextDir, c.files, mtime)
	return c, mtime, layer, layerErr, diags
}

func parseConfig(cfg cty.Value) (imageConfig, sdk.Diagnostics) {
	diags := sdk.ValidateConfig(imageSchema, cfg)
	diags = append(diags, checkConfig(cfg)...)
	if diags.HasErrors() {
		return imageConfig{}, diags
	}
	c := imageConfig{
		repository: sdk.GetString(cfg, builtin.ImageRepository),
		tags:       stringList(cfg.GetAttr(builtin.ImageTags)),
		contextDir: filepath.Clean(sdk.GetString(cfg, builtin.ImageContextDir)),
		files:      stringMap(cfg.GetAttr(builtin.ImageFiles)),
		entrypoint: stringList(cfg.GetAttr(builtin.ImageEntrypoint)),
		cmd:        stringList(cfg.GetAttr(builtin.ImageCmd)),
		env:        stringMap(cfg.GetAttr(builtin.ImageEnv)),
		labels:     stringMap(cfg.GetAttr(builtin.ImageLabels)),
	}
	if b := sdk.GetString(cfg, builtin.ImageBase); b != "scratch" {
		c.base = b
	}
	if s := sdk.GetString(cfg, builtin.ImagePlatform); s != "" {
		c.platform, _ = parsePlatform(s)
	}
	if sdk.IsSet(cfg, builtin.ImageUser) {
		u := sdk.GetString(cfg, builtin.ImageUser)
		c.user = &u
	}
	if sdk.IsSet(cfg, builtin.ImageWorkdir) {
		w := sdk.GetString(cfg, builtin.ImageWorkdir)
		c.workdir = &w
	}
	return c, diags
}

// stringList is a known list of strings; nil when null, non-nil (maybe
// empty) otherwise. Null elements read as "".
func stringList(v cty.Value) []string {
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, v.LengthInt())
	for _, e := range v.AsValueSlice() {
		s := ""
		if !e.IsNull() {
			s = e.AsString()
		}
		out = append(out, s)
	}
	return out
}

// stringMap is a known map of strings; nil when null.
func stringMap(v cty.Value) map[string]string {
	if v.IsNull() {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for k, e := range v.AsValueMap() {
		if !e.IsNull() {
			out[k] = e.AsString()
		} else {
			out[k] = ""
		}
	}
	return out
}

func sortedKeys(m cty.Value) []string {
	keys := make([]string, 0, m.LengthInt())
	for it := m.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		keys = append(keys, k.AsString())
	}
	sort.Strings(keys)
	return keys
}

// private is the provider's own data kept with an image's state.
type private struct {
	// Inputs is inputsDigest of the last build: a change of the files
	// behind an unchanged configuration plans a new build.
	Inputs string `json:"inputs"`
}

func encodePrivate(p private) []byte {
	b, _ := json.Marshal(p)
	return b
}

func decodePrivate(b []byte) (private, bool) {
	var p private
	if len(b) == 0 || json.Unmarshal(b, &p) != nil || p.Inputs == "" {
		return private{}, false
	}
	return p, true
}

// Plan keeps an image whose configuration and files are unchanged, and
// plans a new build otherwise: digest, ref and base_digest are known
// after apply, image is known now. Plan reads the files of an image
// built before (to see changes behind an unchanged configuration), never
// those of one to create, and not the registry. Files it
// cannot read are no error yet: a step that runs before apply may make
// them (a pipeline's stages build into context_dir), so it plans a build
// and Apply reports what is still missing.
func (r *imageResource) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	planned := resp.PlannedState
	if planned == cty.NilVal || planned.IsNull() || !planned.IsKnown() {
		return
	}
	rebuild := func() {
		for _, n := range imageComputed {
			planned = sdk.With(planned, n, cty.UnknownVal(cty.String))
		}
		resp.PlannedState = sdk.With(planned, builtin.ImageImage, imageName(req.Config))
	}
	if !req.Config.IsWhollyKnown() {
		rebuild()
		return
	}
	if req.PriorState == cty.NilVal || req.PriorState.IsNull() {
		// A build to come, with nothing to compare its files with: they
		// are read when it runs. Read now they would be read at every
		// plan, a pipeline's image's as its last run left its workspace
		// (a pipeline plans each image as a create), whole, links at its
		// root followed.
		if _, diags := parseConfig(req.Config); diags.HasErrors() {
			resp.Diagnostics = append(resp.Diagnostics, diags...)
			return
		}
		resp.PlannedPrivate = nil
		rebuild()
		return
	}
	_, mtime, layer, err, diags := readInputs(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return
	}
	if err != nil {
		resp.PlannedPrivate = nil
		rebuild()
		return
	}
	inputs := inputsDigest(layer, mtime)
	if configUnchanged(req.Config, req.PriorState) {
		prior, ok := decodePrivate(req.PriorPrivate)
		if !ok || prior.Inputs == inputs {
			// Nothing changed (or, without a record of the last build's
			// files, nothing seen to): the default plan keeps the state.
			resp.PlannedPrivate = req.PriorPrivate
			return
		}
	}
	resp.PlannedPrivate = encodePrivate(private{Inputs: inputs})
	rebuild()
}

// configUnchanged reports whether every attribute the user writes is as
// it was at the last apply. context_dir is Local: another checkout of the
// same files builds the same image, and the digest of the inputs tells
// whether the files changed.
func configUnchanged(config, prior cty.Value) bool {
	for _, n := range configAttrs {
		if imageSchema.Attributes[n].Local {
			continue
		}
		if !config.GetAttr(n).RawEquals(prior.GetAttr(n)) {
			return false
		}
	}
	return true
}

// imageName is "REPOSITORY:FIRST-TAG", unknown until both are known.
func imageName(cfg cty.Value) cty.Value {
	if !cfg.IsKnown() || cfg.IsNull() {
		return cty.UnknownVal(cty.String)
	}
	repo, tags := cfg.GetAttr(builtin.ImageRepository), cfg.GetAttr(builtin.ImageTags)
	if !repo.IsKnown() || repo.IsNull() || !tags.IsKnown() || tags.IsNull() || tags.LengthInt() == 0 {
		return cty.UnknownVal(cty.String)
	}
	first := tags.Index(cty.NumberIntVal(0))
	if !first.IsKnown() || first.IsNull() {
		return cty.UnknownVal(cty.String)
	}
	return cty.StringVal(repo.AsString() + ":" + first.AsString())
}

// Apply builds and pushes the image, or forgets it on a delete: nothing
// is ever deleted from a registry.
func (r *imageResource) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	progress := req.Progress
	if progress == nil {
		progress = func(string) {}
	}
	if req.PlannedState == cty.NilVal || req.PlannedState.IsNull() {
		if ref := sdk.GetString(req.PriorState, builtin.ImageRef); ref != "" {
			progress(fmt.Sprintf("forgetting %s; the image stays in the registry", ref))
		}
		resp.NewState = cty.NullVal(imageSchema.ImpliedType())
		return
	}
	ctx, done := r.p.WithStop(ctx)
	defer done()
	set := r.p.config()

	c, mtime, layer, err, diags := readInputs(req.Config)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() {
		return
	}
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, buildDiag(err))
		return
	}
	var base v1.Image
	baseDigest := ""
	if c.base != "" {
		progress("resolving base " + c.base)
		base, baseDigest, err = resolveBase(ctx, c.base, c.platform, set)
		if err != nil {
			resp.Diagnostics = append(resp.Diagnostics, buildDiag(err))
			return
		}
	}
	img, err := assemble(base, c, layer, mtime)
	if err != nil {
		resp.Diagnostics.AddError("Cannot build image", fmt.Sprintf("Building the image for %s failed: %v.", c.repository, err))
		return
	}
	digest, err := img.Digest()
	if err != nil {
		resp.Diagnostics.AddError("Cannot build image", fmt.Sprintf("Building the image for %s failed: %v.", c.repository, err))
		return
	}
	wrote, err := push(ctx, img, c.repository, c.tags, set, progress)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, buildDiag(err))
		if len(wrote) > 0 {
			// Those tags name the image now: the new state says so
			// (tags holds them alone), and the next plan pushes the
			// others. A pipeline's failed run lists them.
			resp.NewState = pushedState(req.Config, c.repository, wrote, digest.String(), baseDigest)
			resp.Private = encodePrivate(private{Inputs: inputsDigest(layer, mtime)})
		}
		return
	}
	progress("pushed " + digest.String())
	resp.NewState = pushedState(req.Config, c.repository, wrote, digest.String(), baseDigest)
	resp.Private = encodePrivate(private{Inputs: inputsDigest(layer, mtime)})
}

// pushedState is the state of the image config built, with digest, in
// repository under tags (those of the configuration that name it).
func pushedState(config cty.Value, repository string, tags []string, digest, baseDigest string) cty.Value {
	attrs := config.AsValueMap()
	list := make([]cty.Value, len(tags))
	for i, t := range tags {
		list[i] = cty.StringVal(t)
	}
	attrs[builtin.ImageTags] = cty.ListVal(list)
	attrs[builtin.ImageDigest] = cty.StringVal(digest)
	attrs[builtin.ImageRef] = cty.StringVal(repository + "@" + digest)
	attrs[builtin.ImageImage] = cty.StringVal(repository + ":" + tags[0])
	attrs[builtin.ImageBaseDigest] = cty.StringVal(baseDigest)
	return imageSchema.Object(attrs)
}

// buildDiag turns a failed build or push into what the user reads.
func buildDiag(err error) sdk.Diagnostic {
	d := sdk.Diagnostic{Severity: sdk.Error, Summary: "Cannot build image", Detail: sentence(err)}
	var (
		fe *filesError
		be *baseError
		re *remoteError
	)
	switch {
	case errors.As(err, &fe):
		d.Summary = "Cannot read image files"
		d.Attribute = cty.GetAttrPath(builtin.ImageFiles).Index(cty.StringVal(fe.dest))
	case errors.As(err, &be):
		d.Summary = "Cannot use base image"
		d.Attribute = cty.GetAttrPath(be.attr)
		if errors.As(err, &re) {
			d.Detail = remoteDetail(re)
		}
	case errors.As(err, &re):
		d.Summary = "Cannot push image"
		d.Attribute = cty.GetAttrPath(builtin.ImageRepository)
		d.Detail = remoteDetail(re)
	}
	return d
}

// remoteDetail says what a failed registry call means and what to do.
func remoteDetail(re *remoteError) string {
	s := fmt.Sprintf("Could not %s %s (registry %s): %v.", re.op, re.ref, re.registry, re.err)
	var ph *regauth.PlainHTTPError
	switch {
	case errors.As(re.err, &ph):
		s += fmt.Sprintf(" If the registry %s serves plain HTTP only, and the network to it is one you trust, set insecure = true in the provider \"registry\" block: credentials and images then cross it unencrypted.", re.registry)
	case isAuthError(re.err):
		s += " The registry refused the credentials, or asked for some. " + authHint(re.registry)
	case isNotFound(re.err):
		s += " It does not exist: check the reference."
	case errors.Is(re.err, context.Canceled) || errors.Is(re.err, sdk.ErrStopped):
		s += " The operation was stopped."
	default:
		s += fmt.Sprintf(" Check that the registry %s is up (for one served over plain HTTP, set insecure in the provider \"registry\" block).", re.registry)
	}
	if len(re.wrote) > 0 {
		s += fmt.Sprintf(" Before that, the image was pushed as %s, which %s it now; its other tags were not moved.",
			quotedList(re.wrote), plural(len(re.wrote), "names", "name"))
	}
	return s
}

// quotedList is tags quoted, joined with commas.
func quotedList(tags []string) string {
	q := make([]string, len(tags))
	for i, t := range tags {
		q[i] = strconv.Quote(t)
	}
	return strings.Join(q, ", ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sentence is err's message as a sentence: capitalised, with a full stop.
func sentence(err error) string {
	s := capitalise(err.Error())
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// Read checks that the image is still in the registry (null when it is
// gone) and drops from tags those that no longer name it, so the next plan
// pushes them again. It only reads from the registry.
func (r *imageResource) Read(ctx context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	st := req.State
	if st == cty.NilVal || st.IsNull() || !st.IsWhollyKnown() {
		return
	}
	repoStr, digest := sdk.GetString(st, builtin.ImageRepository), sdk.GetString(st, builtin.ImageDigest)
	if repoStr == "" || digest == "" {
		return
	}
	ctx, done := r.p.WithStop(ctx)
	defer done()
	set := r.p.config()
	repo, err := parseRepository(repoStr, set)
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.ImageRepository), "Invalid repository", sentence(err))
		return
	}
	opts := set.remoteOptions(ctx)
	if _, err := remote.Head(repo.Digest(digest), opts...); err != nil {
		if isNotFound(err) {
			resp.NewState = cty.NullVal(imageSchema.ImpliedType())
			return
		}
		resp.Diagnostics = append(resp.Diagnostics, registryDiag(err, "read the image "+digest+" of", repoStr, repo.RegistryStr()))
		return
	}
	tags := stringList(st.GetAttr(builtin.ImageTags))
	kept := make([]cty.Value, 0, len(tags))
	for _, t := range tags {
		desc, err := remote.Head(repo.Tag(t), opts...)
		if err != nil && !isNotFound(err) {
			resp.Diagnostics = append(resp.Diagnostics, registryDiag(err, "read the tag "+t+" of", repoStr, repo.RegistryStr()))
			return
		}
		if err == nil && desc.Digest.String() == digest {
			kept = append(kept, cty.StringVal(t))
		}
	}
	if len(kept) == len(tags) {
		return
	}
	list := cty.ListValEmpty(cty.String)
	if len(kept) > 0 {
		list = cty.ListVal(kept)
	}
	resp.NewState = sdk.With(st, builtin.ImageTags, list)
}
