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
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/internal/regauth"
	"slipway.dev/slipway/planner/plugins/oci"
)

// ProviderCacheDir is where init installs the providers it pulls from
// registries, in the mirror layout (DIR/NAME/VERSION/OS_ARCH/): the
// user's ~/.slipway/providers, which is on every search path.
func ProviderCacheDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home directory for the provider cache (~/.slipway/providers): %w", err)
	}
	return filepath.Join(home, ".slipway", "providers"), nil
}

// installFromRegistry pins a provider whose source names a repository in
// an OCI registry, and makes sure its binary for this platform (and each
// of opts.Platforms) is in the provider cache. A new pin (or -upgrade)
// takes the newest version among the repository's tags that meets the
// constraint. A kept pin pulls nothing when a pinned binary is already on
// the search path; otherwise it pulls the pinned version, and refuses a
// binary whose hash the pin does not list, unless it comes from the very
// index the pin names (a platform not pinned before).
func installFromRegistry(ctx context.Context, r Requirement, pin *Lock, opts InstallOptions, search *SearchPath) (*Lock, string, *hcl.Diagnostic) {
	fail := func(summary, detail string) (*Lock, string, *hcl.Diagnostic) {
		return nil, "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Range}
	}
	repo, err := oci.ParseRepository(r.Source)
	if err != nil {
		return fail("Invalid provider source", err.Error()+".")
	}
	cache, err := ProviderCacheDir()
	if err != nil {
		return fail("No provider cache", err.Error()+".")
	}
	if pin == nil || opts.Upgrade {
		return pinFromRegistry(ctx, r, opts, search, cache)
	}
	if pin.Source != "" && pin.Source != r.Source {
		return fail("Provider source changed", fmt.Sprintf("Provider %q is pinned in %s from %s, but the configuration now names %s. If you moved it on purpose, run \"slipway init -upgrade\" to pin it from there.",
			r.Name, LockFileName, pin.Source, r.Source))
	}
	if r.Constraint != "" {
		if d := checkConstraint(r, pin.Version); d != nil {
			d.Detail += " The version is the one pinned in " + LockFileName + `; run "slipway init -upgrade" to pin another.`
			return nil, "", d
		}
	}
	kept := &Lock{Name: pin.Name, Version: pin.Version, Hashes: slices.Clone(pin.Hashes), Source: r.Source, Digest: pin.Digest}
	ref := repo.Tag(oci.Tag(pin.Version))
	var path string
	for _, p := range append([]string{CurrentPlatform()}, opts.Platforms...) {
		got, err := ensurePinned(ctx, kept, ref, p, opts, search, cache)
		if err != nil {
			var mm *digestMismatch
			if errors.As(err, &mm) {
				return fail("Provider binary changed", err.Error())
			}
			var ph *regauth.PlainHTTPError
			if errors.As(err, &ph) {
				return fail("Cannot pull provider", err.Error()+". "+registryAdvice(err))
			}
			return fail("Cannot pull provider", err.Error())
		}
		if path == "" {
			path = got
		}
	}
	return kept, path, nil
}

// pinFromRegistry resolves the constraint against the repository's tags,
// pulls that version for every platform from one index, starts this
// platform's binary once to check that it is the version its tag says,
// and pins it.
func pinFromRegistry(ctx context.Context, r Requirement, opts InstallOptions, search *SearchPath, cache string) (*Lock, string, *hcl.Diagnostic) {
	fail := func(summary, detail string) (*Lock, string, *hcl.Diagnostic) {
		return nil, "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Range}
	}
	if r.Constraint != "" {
		if _, d := parseConstraint(r); d != nil {
			return nil, "", d
		}
	}
	repo, _ := oci.ParseRepository(r.Source) // checked by the caller
	v, err := oci.Resolve(ctx, repo, r.Constraint, opts.Registry)
	var nm *oci.NoMatchError
	if errors.As(err, &nm) {
		return fail("No provider version matches", fmt.Sprintf("Provider %q: %s. Publish a matching version with \"slipway providers push\", or change the version constraint in required_providers.", r.Name, err))
	}
	if err != nil {
		return fail("Cannot read the provider's registry", fmt.Sprintf("Provider %q: %v. %s", r.Name, err, registryAdvice(err)))
	}
	version := strings.ReplaceAll(v.Tag, "_", "+")
	tag := repo.Tag(v.Tag)
	art, err := oci.Fetch(ctx, tag, r.Name, CurrentPlatform(), opts.Registry)
	if err != nil {
		return fail("Cannot pull provider", fmt.Sprintf("Provider %q: %v.", r.Name, err))
	}
	path := mirrorPath(cache, r.Name, version, CurrentPlatform())
	sum, err := installExecutable(path, art.Executable)
	if err != nil {
		return fail("Cannot install provider", err.Error()+".")
	}
	opts.pulled(r.Name, version, art)
	bin, err := openBinary(path)
	if err != nil {
		return fail("Cannot read provider", err.Error())
	}
	reported, err := probeVersion(ctx, r.Name, bin, opts.Stderr)
	if err != nil {
		return fail("Provider failed to start", fmt.Sprintf("%s, pulled from %s: %v", path, tag, err))
	}
	if rv, err := semver.NewVersion(reported); err != nil || !rv.Equal(v.Version) {
		os.Remove(path)
		return fail("Provider version differs from its tag", fmt.Sprintf("%s is tagged %s, but the provider in it says it is version %q. Publish each version under its own version: slipway providers push DIR %s:VERSION.", tag, v.Tag, reported, repo))
	}
	pin := &Lock{Name: r.Name, Version: version, Hashes: []string{sum}, Source: r.Source, Digest: art.IndexDigest}
	// Every other platform comes from the index this one came from, by
	// its digest, even if the tag moves meanwhile.
	for _, p := range opts.Platforms {
		if p == CurrentPlatform() {
			continue
		}
		if _, err := ensurePinned(ctx, pin, repo.Digest(art.IndexDigest), p, opts, search, cache); err != nil {
			return fail("Cannot pull provider", err.Error())
		}
	}
	return pin, path, nil
}

// registryHint is what to check when a registry cannot be read.
const registryHint = `Check the source in required_providers, that the registry is reachable, and that its credentials are in the docker configuration (DOCKER_CONFIG, or ~/.docker/config.json; "docker login" or "oras login" write them).`

// registryAdvice is what to do about err, a registry call's failure.
func registryAdvice(err error) string {
	var ph *regauth.PlainHTTPError
	if errors.As(err, &ph) {
		return "Credentials and providers would cross the network in clear: serve the registry over HTTPS, or reach it through a loopback address (an SSH tunnel, or kubectl port-forward to localhost)."
	}
	return registryHint
}

// ensurePinned makes sure the binary of pin for platform is on the search
// path (this platform) or in the mirror layout of a directory on it
// (another platform) with a pinned hash, and returns its path. Otherwise
// it pulls it from ref: a binary whose hash the pin lists is installed
// into the cache; one from the index the pin names is too, and its hash
// is added to the pin (a platform pinned for the first time); any other
// is refused with a *digestMismatch.
func ensurePinned(ctx context.Context, pin *Lock, ref name.Reference, platform string, opts InstallOptions, search *SearchPath, cache string) (string, error) {
	if platform == CurrentPlatform() {
		path, _, err := pinnedPath(pin, Candidates(pin.Name, search.Dirs))
		if err != nil || path != "" {
			return path, err
		}
	} else {
		for _, d := range append(slices.Clone(search.Dirs), cache) {
			c := mirrorPath(d, pin.Name, pin.Version, platform)
			if sum, err := HashFile(c); err == nil && slices.Contains(pin.Hashes, sum) {
				return c, nil
			}
		}
	}
	art, err := oci.Fetch(ctx, ref, pin.Name, platform, opts.Registry)
	if err != nil {
		return "", fmt.Errorf("provider %q version %s, pinned in %s: %w", pin.Name, pin.Version, LockFileName, err)
	}
	sum := hashBytes(art.Executable)
	if !slices.Contains(pin.Hashes, sum) {
		if pin.Digest == "" || art.IndexDigest != pin.Digest {
			return "", &digestMismatch{pin: pin, art: art, hash: sum}
		}
		pin.Hashes = append(pin.Hashes, sum)
	}
	path := mirrorPath(cache, pin.Name, pin.Version, platform)
	if _, err := installExecutable(path, art.Executable); err != nil {
		return "", err
	}
	opts.pulled(pin.Name, pin.Version, art)
	return path, nil
}

// digestMismatch is a pulled binary that its pin does not list.
type digestMismatch struct {
	pin  *Lock
	art  *oci.Artifact
	hash string
}

func (e *digestMismatch) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Provider %q is pinned in %s to version %s with ", e.pin.Name, LockFileName, e.pin.Version)
	if len(e.pin.Hashes) == 1 {
		fmt.Fprintf(&b, "the hash %s", e.pin.Hashes[0])
	} else {
		fmt.Fprintf(&b, "the hashes %s", strings.Join(e.pin.Hashes, ", "))
	}
	if e.pin.Digest != "" {
		fmt.Fprintf(&b, " (index %s)", e.pin.Digest)
	}
	fmt.Fprintf(&b, ", but the %s binary that %s serves now is %s (index %s, manifest %s): slipway refuses to install a provider binary that is not the one pinned. The tag was pushed again with other binaries. If you trust them, run \"slipway init -upgrade\" to pin them.",
		e.art.Platform, e.art.Ref, e.hash, e.art.IndexDigest, e.art.ManifestDigest)
	return b.String()
}

// pulled reports a pulled binary.
func (o InstallOptions) pulled(name, version string, art *oci.Artifact) {
	if o.Pulled != nil {
		o.Pulled(name, version, art.Platform, art.Ref)
	}
}

// installExecutable writes an executable at path, whole or not at all,
// and returns its hash.
func installExecutable(path string, exe []byte) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install provider: %w", err)
	}
	f, err := os.CreateTemp(dir, ".pull-*")
	if err != nil {
		return "", fmt.Errorf("install provider: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(exe)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("install provider at %s: %w", path, err)
	}
	return hashBytes(exe), nil
}

// hashBytes is the "sha256:HEX" hash of an executable's bytes.
func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return HashScheme + hex.EncodeToString(sum[:])
}
