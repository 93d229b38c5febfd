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

package oci

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"slipway.dev/slipway/internal/regauth"
)

// The artifact and media types of a provider artifact (see the package
// documentation for its shape).
const (
	// ArtifactProvider is the artifactType of the image index that a
	// version's tag names.
	ArtifactProvider = "application/vnd.slipway.provider"
	// ArtifactTarget is the artifactType of each platform's manifest.
	ArtifactTarget = "application/vnd.slipway.provider-target"
	// MediaTypeZip is the media type of the layer that holds the
	// executable, as in OpenTofu's provider artifacts.
	MediaTypeZip types.MediaType = "archive/zip"
	// mediaTypeEmpty is the OCI empty descriptor's media type, the config
	// of an artifact that needs none.
	mediaTypeEmpty types.MediaType = "application/vnd.oci.empty.v1+json"
)

// ExecutablePrefix begins the name of every provider executable.
const ExecutablePrefix = "slipway-provider-"

// Limits on what is read from a registry, so that a hostile or broken
// registry cannot make slipway buffer without bound.
const (
	maxManifest   = 4 << 20   // the OCI distribution spec's recommended limit
	maxArchive    = 512 << 20 // a zipped provider
	maxExecutable = 1 << 30   // an unzipped provider
)

// Options are the settings of registry calls.
type Options struct {
	// Keychain finds credentials; nil means the docker configuration
	// (DOCKER_CONFIG, or ~/.docker/config.json, with its helpers),
	// refused while it names a credential helper that is not a plain
	// program name (regauth.DefaultKeychain).
	Keychain authn.Keychain
	// UserAgent names the caller to the registry.
	UserAgent string
}

// remote are the options of every registry call. Plain HTTP goes to
// loopback registries alone: no command of slipway's allows it for
// others, and go-containerregistry would pick it by itself for private
// addresses and *.localhost names.
func (o Options) remote(ctx context.Context) []remote.Option {
	kc := o.Keychain
	if kc == nil {
		kc = regauth.DefaultKeychain{}
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithTransport(regauth.RefusePlainHTTP(remote.DefaultTransport, false)),
	}
	if o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(o.UserAgent))
	}
	return opts
}

// IdentityHost is the host of sources that name a provider without
// saying where to download it: slipway.dev/builtin/git, and the
// examples' slipway.dev/examples/file, which are found on the search
// path.
const IdentityHost = "slipway.dev"

// IsRegistrySource reports whether a required_providers source names a
// repository in an OCI registry: "oci://" and a repository, or a
// repository whose first element is a host, with a dot or a port, or
// localhost, as in image references ("registry.example.com/acme/jira",
// "127.0.0.1:5000/jira"), other than IdentityHost. Other sources
// ("acme/jira") name no place to download from.
func IsRegistrySource(source string) bool {
	s, explicit := strings.CutPrefix(source, "oci://")
	host, _, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	if explicit {
		return true
	}
	return (strings.ContainsAny(host, ".:") || host == "localhost") && host != IdentityHost
}

// ParseRepository parses a registry source into its repository. The
// source names a repository, without tag or digest: the version comes
// from the constraint, and the lock file pins it.
func ParseRepository(source string) (name.Repository, error) {
	s := strings.TrimPrefix(source, "oci://")
	if strings.ContainsAny(s, "@") || strings.Contains(s[strings.LastIndex(s, "/")+1:], ":") {
		return name.Repository{}, fmt.Errorf("source %q names a tag or digest: write the repository alone, such as \"registry.example.com/acme/jira\", and the version constraint in version", source)
	}
	repo, err := name.NewRepository(s, name.StrictValidation)
	if err != nil {
		return name.Repository{}, fmt.Errorf("source %q is not a repository in an OCI registry: %w", source, err)
	}
	return repo, nil
}

// Tag is the tag of a version: the version with "+" written "_", since
// a tag cannot hold "+".
func Tag(version string) string { return strings.ReplaceAll(version, "+", "_") }

// Version is one version a repository's tags hold.
type Version struct {
	Version *semver.Version
	Tag     string
}

// strictSemver is a semantic version as tags write it: three numbers, an
// optional "v", an optional pre-release and build ("_" for "+").
var strictSemver = regexp.MustCompile(`^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(_[0-9A-Za-z.-]+)?$`)

// Versions lists the tags of repo that are semantic versions, newest
// first; other tags (latest, branch names) are left out.
func Versions(ctx context.Context, repo name.Repository, o Options) ([]Version, error) {
	tags, err := remote.List(repo, o.remote(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("list the tags of %s: %w", repo, err)
	}
	var out []Version
	for _, t := range tags {
		if !strictSemver.MatchString(t) {
			continue
		}
		v, err := semver.NewVersion(strings.ReplaceAll(t, "_", "+"))
		if err != nil {
			continue
		}
		out = append(out, Version{Version: v, Tag: t})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version.GreaterThan(out[j].Version) })
	return out, nil
}

// NoMatchError says that no tag of a repository is a version that meets
// a constraint.
type NoMatchError struct {
	Repo       string
	Constraint string
	// Versions are the versions the tags hold, newest first.
	Versions []string
}

func (e *NoMatchError) Error() string {
	if len(e.Versions) == 0 {
		return fmt.Sprintf("%s has no tag that is a version (such as 1.2.0): publish one with \"slipway providers push DIR %s:1.2.0\"", e.Repo, e.Repo)
	}
	const show = 10
	vs := e.Versions
	more := ""
	if len(vs) > show {
		more = fmt.Sprintf(" and %d older", len(vs)-show)
		vs = vs[:show]
	}
	return fmt.Sprintf("no version of %s matches %q; its tags hold %s%s", e.Repo, e.Constraint, strings.Join(vs, ", "), more)
}

// Resolve returns the newest version among repo's tags that meets
// constraint ("" means any version that is not a pre-release). It
// returns a *NoMatchError when none does.
func Resolve(ctx context.Context, repo name.Repository, constraint string, o Options) (Version, error) {
	c := constraint
	if c == "" {
		c = "*"
	}
	cons, err := semver.NewConstraint(c)
	if err != nil {
		return Version{}, fmt.Errorf("version constraint %q: %w", constraint, err)
	}
	vs, err := Versions(ctx, repo, o)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if cons.Check(v.Version) {
			return v, nil
		}
	}
	nm := &NoMatchError{Repo: repo.String(), Constraint: constraint}
	for _, v := range vs {
		nm.Versions = append(nm.Versions, v.Version.String())
	}
	return Version{}, nm
}

// ErrNotProvider is wrapped by the errors of Fetch when the reference
// names something that is not a slipway provider artifact.
var ErrNotProvider = errors.New("not a slipway provider")
