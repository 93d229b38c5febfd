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
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Artifact is one platform's executable of a provider, read from a
// registry and checked against the digests that named it.
type Artifact struct {
	// Ref is what was asked for: REPO:TAG or REPO@DIGEST.
	Ref string
	// IndexDigest is the digest of the image index Ref named, the
	// version's artifact across its platforms ("sha256:HEX").
	IndexDigest string
	// ManifestDigest is the digest of the platform's manifest.
	ManifestDigest string
	// Platform is OS_ARCH.
	Platform string
	// Executable is the provider's executable.
	Executable []byte
}

// Fetch reads the executable of provider name (any provider when name is
// "") for platform (OS_ARCH, such as linux_amd64) from the artifact that
// ref names: a tag of a version, or the digest of its index.
func Fetch(ctx context.Context, ref name.Reference, providerName, platform string, o Options) (*Artifact, error) {
	opts := o.remote(ctx)
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	if !desc.MediaType.IsIndex() {
		return nil, fmt.Errorf("%s is %s, not an image index: %w; slipway providers push publishes a provider as an index of one manifest per platform", ref, desc.MediaType, ErrNotProvider)
	}
	if desc.Size > maxManifest {
		return nil, fmt.Errorf("the index of %s is %d bytes, more than slipway reads (%d)", ref, desc.Size, maxManifest)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("the index of %s: %w", ref, err)
	}
	if idx.ArtifactType != ArtifactProvider {
		return nil, fmt.Errorf("%s has artifactType %q, not %q: %w", ref, idx.ArtifactType, ArtifactProvider, ErrNotProvider)
	}
	goos, goarch, _ := strings.Cut(platform, "_")
	var chosen *v1.Descriptor
	var have []string
	for i, m := range idx.Manifests {
		if m.Platform == nil || (m.ArtifactType != "" && m.ArtifactType != ArtifactTarget) {
			continue
		}
		have = append(have, m.Platform.OS+"_"+m.Platform.Architecture)
		if m.Platform.OS == goos && m.Platform.Architecture == goarch && chosen == nil {
			chosen = &idx.Manifests[i]
		}
	}
	if chosen == nil {
		sort.Strings(have)
		list := "none"
		if len(have) > 0 {
			list = strings.Join(have, ", ")
		}
		return nil, fmt.Errorf("%s has no build for %s; it has builds for %s", ref, platform, list)
	}
	art := &Artifact{Ref: ref.String(), IndexDigest: desc.Digest.String(), ManifestDigest: chosen.Digest.String(), Platform: platform}
	repo := ref.Context()

	if chosen.Size > maxManifest {
		return nil, fmt.Errorf("the %s manifest of %s is %d bytes, more than slipway reads (%d)", platform, ref, chosen.Size, maxManifest)
	}
	// Fetched by digest, the manifest is checked against it.
	md, err := remote.Get(repo.Digest(chosen.Digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("read the %s manifest of %s: %w", platform, ref, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(md.Manifest))
	if err != nil {
		return nil, fmt.Errorf("the %s manifest of %s: %w", platform, ref, err)
	}
	if m.ArtifactType != ArtifactTarget {
		return nil, fmt.Errorf("the %s manifest of %s has artifactType %q, not %q: %w", platform, ref, m.ArtifactType, ArtifactTarget, ErrNotProvider)
	}
	var layer *v1.Descriptor
	for i, l := range m.Layers {
		if l.MediaType != MediaTypeZip {
			continue
		}
		if layer != nil {
			return nil, fmt.Errorf("the %s manifest of %s has more than one %s layer; a provider artifact has one", platform, ref, MediaTypeZip)
		}
		layer = &m.Layers[i]
	}
	if layer == nil {
		return nil, fmt.Errorf("the %s manifest of %s has no %s layer: %w", platform, ref, MediaTypeZip, ErrNotProvider)
	}
	if layer.Size > maxArchive || layer.Size < 0 {
		return nil, fmt.Errorf("the %s archive of %s is %d bytes, more than slipway reads (%d)", platform, ref, layer.Size, maxArchive)
	}
	blob, err := remote.Layer(repo.Digest(layer.Digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("read the %s archive of %s: %w", platform, ref, err)
	}
	rc, err := blob.Compressed()
	if err != nil {
		return nil, fmt.Errorf("read the %s archive of %s: %w", platform, ref, err)
	}
	// The reader checks the bytes against the layer's digest and size,
	// and fails at the end of a blob that does not match.
	zipped, err := io.ReadAll(io.LimitReader(rc, layer.Size+1))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("read the %s archive of %s: %w", platform, ref, err)
	}
	if int64(len(zipped)) != layer.Size {
		return nil, fmt.Errorf("the %s archive of %s is %d bytes, but its manifest says %d", platform, ref, len(zipped), layer.Size)
	}
	exe, err := unzipExecutable(zipped, providerName, goos)
	if err != nil {
		return nil, fmt.Errorf("the %s archive of %s: %w", platform, ref, err)
	}
	art.Executable = exe
	return art, nil
}

// unzipExecutable returns the provider executable in a zip: its one file
// named slipway-provider-NAME (.exe on Windows); other files are ignored.
func unzipExecutable(zipped []byte, providerName, goos string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	var exe *zip.File
	var names []string
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if f.FileInfo().IsDir() || !strings.HasPrefix(base, ExecutablePrefix) {
			continue
		}
		names = append(names, base)
		if providerName == "" || base == executableName(providerName, goos) {
			if exe != nil {
				return nil, fmt.Errorf("it holds more than one provider executable (%s)", strings.Join(names, ", "))
			}
			exe = f
		}
	}
	if exe == nil {
		if len(names) > 0 {
			return nil, fmt.Errorf("it holds %s, not %s: the name in required_providers must be the provider's own name", strings.Join(names, ", "), executableName(providerName, goos))
		}
		return nil, fmt.Errorf("it holds no file named %sNAME", ExecutablePrefix)
	}
	if exe.UncompressedSize64 > maxExecutable {
		return nil, fmt.Errorf("%s is %d bytes unzipped, more than slipway reads (%d)", exe.Name, exe.UncompressedSize64, maxExecutable)
	}
	r, err := exe.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// The zip reader checks the entry's CRC-32 at its end.
	b, err := io.ReadAll(io.LimitReader(r, maxExecutable+1))
	if err != nil {
		return nil, fmt.Errorf("unzip %s: %w", exe.Name, err)
	}
	if len(b) > maxExecutable {
		return nil, fmt.Errorf("%s is more than %d bytes unzipped", exe.Name, maxExecutable)
	}
	return b, nil
}

// executableName is a provider's executable's name on an operating
// system.
func executableName(providerName, goos string) string {
	if goos == "windows" {
		return ExecutablePrefix + providerName + ".exe"
	}
	return ExecutablePrefix + providerName
}
