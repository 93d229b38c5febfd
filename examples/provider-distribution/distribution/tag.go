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
	"errors"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// tag is the resource type `resource "distribution_tag" "NAME" { ... }`: a
// tag in a repository that points at the manifest a source reference
// points at, copied there (with its blobs) when the source is another
// repository.
//
// Destroying it deletes the manifest the tag points at, for the
// distribution API deletes manifests by digest and has no call to remove
// a tag alone; a manifest that other tags of the repository point at too
// would take them with it. So destroy refuses when another tag points at
// the same digest, and says which: remove the instance from state
// instead, or delete the other tags first.
type tag struct{ p *provider }

var (
	_ sdk.ResourceWithPlan         = (*tag)(nil)
	_ sdk.ResourceWithImport       = (*tag)(nil)
	_ sdk.ResourceWithUpgradeState = (*tag)(nil)
)

var tagSchema = sdk.Schema{
	Description: "A tag in a repository of the registry, copied from a source tag or digest. " +
		"Destroying it deletes the manifest it points at (the registry deletes by digest), " +
		"and is refused while another tag of the repository points at the same manifest.",
	Version: 1,
	Attributes: map[string]sdk.Attribute{
		"repository": {Type: cty.String, Required: true, Description: `The repository the tag is in, like "team/app".`,
			Validators:    []sdk.Validator{validRepository},
			PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("a tag cannot move to another repository")}},
		"tag": {Type: cty.String, Required: true, Description: `The tag, like "stable".`,
			Validators:    []sdk.Validator{validTag},
			PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("the registry cannot rename a tag")}},
		"digest": {Type: cty.String, Computed: true,
			Description: "The digest of the manifest the tag points at. It is resolved from the source when planning, so a source tag that moved shows as a change."},
		"id": {Type: cty.String, Computed: true, Description: "REPOSITORY:TAG, as import takes it.",
			PlanModifiers: []sdk.PlanModifier{sdk.UseStateForUnknown()}},
	},
	Blocks: map[string]sdk.Block{
		"source": {Nesting: sdk.NestingSingle, MinItems: 1, Description: "What the tag points at: a tag or digest in a repository of the same registry.",
			Attributes: map[string]sdk.Attribute{
				"repository": {Type: cty.String, Required: true, Description: "The repository to copy from; it may be the tag's own.",
					Validators: []sdk.Validator{validRepository}},
				"reference": {Type: cty.String, Required: true, Description: `The tag ("1.4.2") or digest ("sha256:…") to copy.`,
					Validators: []sdk.Validator{validReference}},
			}},
	},
}

// tagModel is the resource's value as Decode reads it and Set writes it.
type tagModel struct {
	Repository string       `slipway:"repository"`
	Tag        string       `slipway:"tag"`
	Source     *sourceModel `slipway:"source"`
	Digest     string       `slipway:"digest"`
	ID         string       `slipway:"id"`
}

type sourceModel struct {
	Repository string `slipway:"repository"`
	Reference  string `slipway:"reference"`
}

func (*tag) Schema() sdk.Schema { return tagSchema }

// Plan resolves the source to a digest, so the plan shows the manifest
// the tag will point at; the SDK's default plan has already marked
// changes of repository and tag as replacing it.
func (r *tag) Plan(ctx context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	planned := resp.PlannedState
	if planned.IsNull() || !planned.IsKnown() {
		return
	}
	digest := cty.UnknownVal(cty.String)
	if src := planned.GetAttr("source"); src.IsWhollyKnown() && !src.IsNull() {
		c := r.p.configured(&resp.Diagnostics)
		if c == nil {
			return
		}
		d, err := c.digestOf(ctx, sdk.GetString(src, "repository"), sdk.GetString(src, "reference"))
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("source"), "Cannot resolve the source", err.Error()+". Push the source image first, or correct the source block.")
			return
		}
		digest = cty.StringVal(d)
	}
	resp.PlannedState = sdk.With(planned, "digest", digest)
}

func (r *tag) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	c := r.p.configured(&resp.Diagnostics)
	if c == nil {
		resp.NewState = req.PriorState
		return
	}
	if req.PlannedState.IsNull() {
		resp.NewState = req.PriorState
		var m tagModel
		if resp.Diagnostics = sdk.Decode(req.PriorState, &m); resp.Diagnostics.HasErrors() {
			return
		}
		if err := r.delete(ctx, c, m.Repository, m.Tag); err != nil {
			resp.Diagnostics.AddError("Cannot delete tag", err.Error())
			return
		}
		resp.NewState = req.PlannedState
		return
	}
	var m tagModel
	if resp.Diagnostics = sdk.Decode(req.Config, &m); resp.Diagnostics.HasErrors() {
		return
	}
	d, err := c.copyManifest(ctx, m.Source.Repository, m.Source.Reference, m.Repository, m.Tag)
	if err != nil {
		resp.Diagnostics.AddError("Cannot tag", fmt.Sprintf("Copying %s:%s to %s:%s failed: %s.", m.Source.Repository, m.Source.Reference, m.Repository, m.Tag, err))
		return
	}
	m.Digest, m.ID = d, m.Repository+":"+m.Tag
	resp.Set(m)
}

// delete deletes the manifest repo:name points at, unless another tag of
// repo points at it too. A tag that is already gone is deleted.
func (r *tag) delete(ctx context.Context, c *client, repo, name string) error {
	digest, err := c.digestOf(ctx, repo, name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	all, err := c.tags(ctx, repo)
	if err != nil {
		return err
	}
	var shared []string
	for _, other := range all {
		if other == name {
			continue
		}
		d, err := c.digestOf(ctx, repo, other)
		if err != nil && !isNotFound(err) {
			return err
		}
		if d == digest {
			shared = append(shared, other)
		}
	}
	if len(shared) > 0 {
		return fmt.Errorf("%s:%s points at %s, and so do the tags %s of the same repository. The registry deletes tags by deleting the manifest, so deleting this one would delete those too. Delete them first, or keep the tag and remove it from slipway's state instead (slipway state rm ADDRESS)",
			repo, name, digest, strings.Join(shared, ", "))
	}
	if err := c.deleteManifest(ctx, repo, digest); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// Read finds what the tag points at now; a tag that is gone reads as
// null. The source is kept from state: the registry does not record
// where a manifest was copied from.
func (r *tag) Read(ctx context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	var m tagModel
	if resp.Diagnostics = sdk.Decode(req.State, &m); resp.Diagnostics.HasErrors() {
		return
	}
	c := r.p.configured(&resp.Diagnostics)
	if c == nil {
		return
	}
	d, err := c.digestOf(ctx, m.Repository, m.Tag)
	switch {
	case isNotFound(err):
		resp.NewState = cty.NullVal(tagSchema.ImpliedType())
	case err != nil:
		resp.Diagnostics.AddError("Cannot read tag", err.Error())
	default:
		m.Digest, m.ID = d, m.Repository+":"+m.Tag
		resp.Set(m)
	}
}

// Import takes REPOSITORY:TAG. The imported tag's source is the digest
// it points at in its own repository; a configuration that names another
// source plans an update that points it there.
func (r *tag) Import(ctx context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	repo, name, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	c := r.p.configured(&resp.Diagnostics)
	if c == nil {
		return
	}
	d, err := c.digestOf(ctx, repo, name)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import tag", err.Error())
		return
	}
	resp.Set(tagModel{Repository: repo, Tag: name, Source: &sourceModel{Repository: repo, Reference: d}, Digest: d, ID: req.ID})
}

// parseImportID splits REPOSITORY:TAG and checks both; a repository name
// holds no ':', so the tag is what follows the last one.
func parseImportID(id string) (repo, name string, err error) {
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return "", "", fmt.Errorf("the ID %q is not REPOSITORY:TAG, like \"team/app:stable\"", id)
	}
	repo, name = id[:i], id[i+1:]
	if !repositoryPattern.MatchString(repo) {
		return "", "", fmt.Errorf("in the ID %q, %q is not a repository name (lower-case path components, like \"team/app\")", id, repo)
	}
	if !tagPattern.MatchString(name) {
		return "", "", fmt.Errorf("in the ID %q, %q is not a tag (up to 128 letters, digits, \"_\", \".\" and \"-\")", id, name)
	}
	return repo, name, nil
}

// StateUpgraders upgrades states of version 0, which held the source as
// one string, source_ref = "REPOSITORY@REFERENCE", and had no id.
func (*tag) StateUpgraders() map[int64]sdk.StateUpgrader {
	return map[int64]sdk.StateUpgrader{0: upgradeFromV0}
}

func upgradeFromV0(_ context.Context, state map[string]any) (map[string]any, error) {
	ref, _ := state["source_ref"].(string)
	repo, reference, ok := strings.Cut(ref, "@")
	if !ok || repo == "" || reference == "" {
		return nil, fmt.Errorf("source_ref is %q, not REPOSITORY@REFERENCE", ref)
	}
	delete(state, "source_ref")
	state["source"] = map[string]any{"repository": repo, "reference": reference}
	r, _ := state["repository"].(string)
	t, _ := state["tag"].(string)
	state["id"] = r + ":" + t
	return state, nil
}

func isNotFound(err error) bool { return errors.Is(err, errNotFound) }
