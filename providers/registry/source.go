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
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/regauth"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// imageSource is the source type "image": `source "image" "NAME" { ... }`.
type imageSource struct{ p *provider }

var _ sdk.Source = (*imageSource)(nil)

var sourceSchema = sdk.Schema{
	Description: "An image in a registry: a tag, or the highest tag satisfying a version constraint, resolved to its digest at every plan.",
	Attributes: map[string]sdk.Attribute{
		"repository": {Type: cty.String, Required: true,
			Description: `The repository, without tag or digest: "ghcr.io/org/app", "127.0.0.1:5000/library/base".`},
		"tag": {Type: cty.String, Optional: true, Computed: true,
			Description: `The tag to read; with semver instead, the tag it resolved to. At most one of tag and semver; "latest" when neither is set.`},
		"semver": {Type: cty.String, Optional: true,
			Description: `A version constraint ("~1.4", "^2", ">=1.2 <2"): the highest tag that is a MAJOR.MINOR.PATCH version (a leading "v" allowed) and satisfies it. Other tags are ignored.`},
		"version": {Type: cty.String, Computed: true,
			Description: `The tag's version without a leading "v" ("1.4.2"); empty when the tag is not a version.`},
		"digest": {Type: cty.String, Computed: true,
			Description: `The digest of the tag's manifest or index ("sha256:...").`},
		"ref": {Type: cty.String, Computed: true,
			Description: `A pinned reference to pull: "REPOSITORY@DIGEST".`},
	},
}

// sourceComputed lists the attributes only the provider sets.
var sourceComputed = []string{"version", "digest", "ref"}

func (*imageSource) Schema() sdk.Schema { return sourceSchema }

// maxListed bounds the tags a diagnostic lists.
const maxListed = 10

// Read resolves the tag or the version constraint to a digest. It only
// reads from the registry.
func (s *imageSource) Read(ctx context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	cfg := req.Config
	if !cfg.IsWhollyKnown() {
		resp.State = unknownSourceState(cfg)
		return
	}
	ctx, done := s.p.WithStop(ctx)
	defer done()
	set := s.p.config()

	repoStr := sdk.GetString(cfg, "repository")
	tag, constraint, diags := parseSourceConfig(cfg)
	repo, err := parseRepository(repoStr, set)
	if err != nil {
		diags.AddAttributeError(cty.GetAttrPath("repository"), "Invalid repository", sentence(err))
	}
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return
	}
	opts := set.remoteOptions(ctx)

	var ver *semver.Version
	if constraint != nil {
		tags, err := remote.List(repo, opts...)
		if err != nil {
			resp.Diagnostics = append(resp.Diagnostics, registryDiag(err, "list the tags of", repoStr, repo.RegistryStr()))
			return
		}
		tag, ver = highest(tags, constraint)
		if tag == "" {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("semver"), "No tag matches the version constraint",
				fmt.Sprintf("No tag of %s is a version that satisfies %q. %s", repoStr, sdk.GetString(cfg, "semver"), listing(tags)))
			return
		}
	} else if v, ok := tagVersion(tag); ok {
		ver = v
	}

	ref := repo.Tag(tag)
	desc, err := remote.Head(ref, opts...)
	if err != nil && !isNotFound(err) && !isAuthError(err) {
		// Some registries answer HEAD badly; GET is the reference.
		if d, gerr := remote.Get(ref, opts...); gerr == nil {
			desc, err = &d.Descriptor, nil
		}
	}
	if err != nil {
		if isNotFound(err) {
			resp.Diagnostics = append(resp.Diagnostics, tagNotFound(repo, repoStr, tag, opts))
			return
		}
		resp.Diagnostics = append(resp.Diagnostics, registryDiag(err, "read the tag "+tag+" of", repoStr, repo.RegistryStr()))
		return
	}

	attrs := cfg.AsValueMap()
	attrs["tag"] = cty.StringVal(tag)
	attrs["version"] = cty.StringVal("")
	if ver != nil {
		attrs["version"] = cty.StringVal(ver.String())
	}
	attrs["digest"] = cty.StringVal(desc.Digest.String())
	attrs["ref"] = cty.StringVal(repoStr + "@" + desc.Digest.String())
	resp.State = sourceSchema.Object(attrs)
}

// parseSourceConfig reads the tag or the constraint of a wholly known
// configuration: the tag to read, or the constraint to resolve.
func parseSourceConfig(cfg cty.Value) (tag string, c *semver.Constraints, diags sdk.Diagnostics) {
	if strings.TrimSpace(sdk.GetString(cfg, "repository")) == "" {
		diags.AddAttributeError(cty.GetAttrPath("repository"), "Missing repository",
			`An image source needs the repository to read, such as "ghcr.io/org/app".`)
	}
	hasTag, hasSemver := sdk.IsSet(cfg, "tag"), sdk.IsSet(cfg, "semver")
	switch {
	case hasTag && hasSemver:
		diags.AddAttributeError(cty.GetAttrPath("semver"), "Conflicting tag and semver",
			"An image source reads one tag, or the highest tag satisfying semver, but this one sets both. Keep one.")
		return "", nil, diags
	case hasSemver:
		raw := sdk.GetString(cfg, "semver")
		var err error
		if strings.TrimSpace(raw) == "" {
			err = fmt.Errorf("it is empty")
		} else {
			c, err = semver.NewConstraint(raw)
		}
		if err != nil {
			diags.AddAttributeError(cty.GetAttrPath("semver"), "Invalid version constraint",
				fmt.Sprintf("The semver %q is not a version constraint: %v. Write one such as \"~1.4\" (1.4.x), \"^2\" (2.x.x) or \">=1.2 <2\".", raw, err))
		}
		return "", c, diags
	case hasTag:
		tag = sdk.GetString(cfg, "tag")
		if !validTag(tag) {
			diags.AddAttributeError(cty.GetAttrPath("tag"), "Invalid tag", invalidTagDetail(tag))
		}
		return tag, nil, diags
	default:
		return "latest", nil, diags
	}
}

// parseRepository parses a repository written without tag or digest.
func parseRepository(s string, set settings) (name.Repository, error) {
	repo, err := name.NewRepository(s, set.nameOptions()...)
	if err != nil {
		hint := `Write the registry host and the repository path, such as "ghcr.io/org/app" or "127.0.0.1:5000/library/base".`
		last := s[strings.LastIndex(s, "/")+1:]
		if strings.Contains(s, "@") || (strings.Contains(s, "/") && strings.Contains(last, ":")) {
			hint = `Write the repository alone, without a tag or digest ("ghcr.io/org/app"); the tag goes in its own attribute.`
		}
		return name.Repository{}, fmt.Errorf("the repository %q is not a repository reference (%v). %s", s, err, hint)
	}
	return repo, nil
}

// tagPattern is the grammar of a tag in the OCI distribution spec.
var tagPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

func validTag(tag string) bool { return tagPattern.MatchString(tag) }

func invalidTagDetail(tag string) string {
	return fmt.Sprintf("The tag %q is not a valid image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.", tag)
}

// tagVersion parses a tag that is a full MAJOR.MINOR.PATCH version, with
// an optional leading "v". Floating tags such as "1.4" are not versions.
func tagVersion(tag string) (*semver.Version, bool) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v"))
	if err != nil {
		return nil, false
	}
	return v, true
}

// highest picks the tag of the highest version satisfying c; of two tags
// of one version ("1.4.2" and "v1.4.2"), the one that sorts first.
func highest(tags []string, c *semver.Constraints) (string, *semver.Version) {
	var best string
	var bestV *semver.Version
	for _, t := range tags {
		v, ok := tagVersion(t)
		if !ok || !c.Check(v) {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) || (v.Equal(bestV) && t < best) {
			best, bestV = t, v
		}
	}
	return best, bestV
}

// tagNotFound says that a tag does not exist, or that the whole
// repository does not, listing the tags there are.
func tagNotFound(repo name.Repository, repoStr, tag string, opts []remote.Option) sdk.Diagnostic {
	tags, err := remote.List(repo, opts...)
	if err != nil {
		return registryDiag(err, "list the tags of", repoStr, repo.RegistryStr())
	}
	return sdk.Diagnostic{
		Severity:  sdk.Error,
		Summary:   "Image tag not found",
		Attribute: cty.GetAttrPath("tag"),
		Detail:    fmt.Sprintf("The repository %s has no tag %q. %s", repoStr, tag, listing(tags)),
	}
}

// registryDiag turns a failed registry call into what the user reads.
func registryDiag(err error, op, repo, registry string) sdk.Diagnostic {
	d := sdk.Diagnostic{Severity: sdk.Error, Attribute: cty.GetAttrPath("repository")}
	var ph *regauth.PlainHTTPError
	switch {
	case errors.As(err, &ph):
		d.Summary = "Plain HTTP refused"
		d.Detail = fmt.Sprintf("Could not %s %s: %v. If the registry %s serves plain HTTP only, and the network to it is one you trust, set insecure = true in the provider \"registry\" block: credentials then cross it unencrypted.", op, repo, err, registry)
	case isAuthError(err):
		d.Summary = "Registry authentication failed"
		d.Detail = fmt.Sprintf("Could not %s %s: the registry refused the credentials, or asked for some (%v). %s", op, repo, err, authHint(registry))
	case isNotFound(err):
		d.Summary = "Repository not found"
		d.Detail = fmt.Sprintf("Could not %s %s: %v. Check the repository name, and that an image was pushed to it (a private repository may also answer this way without credentials).", op, repo, err)
	default:
		d.Summary = "Cannot reach registry"
		d.Detail = fmt.Sprintf("Could not %s %s: %v. This was not an authentication failure: check the repository and that the registry %s is up (for a registry served over plain HTTP, set insecure in the provider \"registry\" block).", op, repo, err, registry)
	}
	return d
}

// listing says which tags exist, a bounded number of them: the versions
// first, highest first, then the others in order.
func listing(tags []string) string {
	if len(tags) == 0 {
		return "The repository has no tags."
	}
	sorted := append([]string(nil), tags...)
	sort.SliceStable(sorted, func(i, j int) bool {
		vi, iok := tagVersion(sorted[i])
		vj, jok := tagVersion(sorted[j])
		switch {
		case iok && jok:
			if !vi.Equal(vj) {
				return vi.GreaterThan(vj)
			}
			return sorted[i] < sorted[j]
		case iok != jok:
			return iok
		default:
			return sorted[i] < sorted[j]
		}
	})
	shown := sorted[:min(len(sorted), maxListed)]
	quoted := make([]string, len(shown))
	for i, t := range shown {
		quoted[i] = fmt.Sprintf("%q", t)
	}
	s := "Its tags are: " + strings.Join(quoted, ", ")
	if n := len(sorted) - len(shown); n > 0 {
		s += fmt.Sprintf(", and %d more", n)
	}
	return s + "."
}

func unknownSourceState(cfg cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	if cfg.IsKnown() && !cfg.IsNull() {
		attrs = cfg.AsValueMap()
	}
	for _, n := range sourceComputed {
		attrs[n] = cty.UnknownVal(cty.String)
	}
	if t, ok := attrs["tag"]; !ok || t.IsNull() {
		attrs["tag"] = cty.UnknownVal(cty.String)
	}
	return sourceSchema.Object(attrs)
}
