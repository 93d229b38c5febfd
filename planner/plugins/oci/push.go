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
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Build is one platform's executable of a provider.
type Build struct {
	// Platform is OS_ARCH.
	Platform string
	Path     string
}

// ScanBuilds finds the builds of one provider in dir: files named
// slipway-provider-NAME_OS_ARCH (with .exe for windows), what a cross
// build writes (go build -o dist/slipway-provider-NAME_linux_arm64). It
// returns the provider's name and its builds by platform. Each build must
// be an executable for its platform.
func ScanBuilds(dir string) (string, []Build, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, err
	}
	var providerName string
	var builds []Build
	for _, e := range entries {
		base := e.Name()
		rest, ok := strings.CutPrefix(base, ExecutablePrefix)
		if !ok || e.IsDir() {
			continue
		}
		exe := strings.HasSuffix(rest, ".exe")
		rest = strings.TrimSuffix(rest, ".exe")
		parts := strings.Split(rest, "_")
		if len(parts) < 3 || parts[0] == "" {
			return "", nil, fmt.Errorf("%s: name it %sNAME_OS_ARCH, such as %sjira_linux_amd64", filepath.Join(dir, base), ExecutablePrefix, ExecutablePrefix)
		}
		n := len(parts)
		goos, goarch := parts[n-2], parts[n-1]
		pn := strings.Join(parts[:n-2], "_")
		if exe != (goos == "windows") {
			return "", nil, fmt.Errorf("%s: a windows build, and only a windows build, ends in .exe", filepath.Join(dir, base))
		}
		if providerName != "" && pn != providerName {
			return "", nil, fmt.Errorf("%s holds builds of two providers, %q and %q: push one provider at a time", dir, providerName, pn)
		}
		providerName = pn
		p := filepath.Join(dir, base)
		if err := checkFormat(p, goos, goarch); err != nil {
			return "", nil, err
		}
		builds = append(builds, Build{Platform: goos + "_" + goarch, Path: p})
	}
	if len(builds) == 0 {
		return "", nil, fmt.Errorf("%s holds no provider builds: name them %sNAME_OS_ARCH, such as %sjira_linux_amd64 (go build -o %s)",
			dir, ExecutablePrefix, ExecutablePrefix, filepath.Join(dir, ExecutablePrefix+"jira_linux_amd64"))
	}
	sort.Slice(builds, func(i, j int) bool { return builds[i].Platform < builds[j].Platform })
	return providerName, builds, nil
}

// machines are the executable formats' machine codes of the
// architectures slipway recognises; a build for another architecture is
// pushed unchecked.
var (
	elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
		"riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390}
	machoCPUs  = map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}
	peMachines = map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64, "386": pe.IMAGE_FILE_MACHINE_I386}
)

// checkFormat checks that the file is an executable for goos and goarch,
// so that a misnamed build is not published to every user of a platform.
func checkFormat(p, goos, goarch string) error {
	wrong := func(is string) error {
		return fmt.Errorf("%s is named for %s/%s but is %s: build it with GOOS=%s GOARCH=%s", p, goos, goarch, is, goos, goarch)
	}
	switch goos {
	case "darwin":
		f, err := macho.Open(p)
		if err != nil {
			return wrong("not a Mach-O executable")
		}
		defer f.Close()
		if want, ok := machoCPUs[goarch]; ok && f.Cpu != want {
			return wrong("a Mach-O executable for " + f.Cpu.String())
		}
	case "windows":
		f, err := pe.Open(p)
		if err != nil {
			return wrong("not a PE executable")
		}
		defer f.Close()
		if want, ok := peMachines[goarch]; ok && f.Machine != want {
			return wrong(fmt.Sprintf("a PE executable for machine %#x", f.Machine))
		}
	case "linux", "freebsd", "openbsd", "netbsd":
		f, err := elf.Open(p)
		if err != nil {
			return wrong("not an ELF executable")
		}
		defer f.Close()
		if want, ok := elfMachines[goarch]; ok && f.Machine != want {
			return wrong("an ELF executable for " + f.Machine.String())
		}
	}
	return nil
}

// zipTime is the modification time of every zipped executable, so that
// the same binaries always zip to the same bytes and digests.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// zipExecutable zips one executable under name, reproducibly.
func zipExecutable(exe []byte, name string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(exe); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rawManifest is a manifest to put as it is.
type rawManifest struct {
	body []byte
	mt   types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.body, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

func descriptorOf(body []byte, mt types.MediaType) v1.Descriptor {
	sum := sha256.Sum256(body)
	return v1.Descriptor{MediaType: mt, Size: int64(len(body)), Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}}
}

// Push publishes the builds of provider providerName as one image index
// at tag, one manifest per platform, and returns the index's digest. The
// tag must be the version, a semantic version.
func Push(ctx context.Context, tag name.Tag, providerName string, builds []Build, o Options) (string, error) {
	if len(builds) == 0 {
		return "", errors.New("no builds to push")
	}
	if !strictSemver.MatchString(tag.TagStr()) {
		return "", fmt.Errorf("tag %q is not a version: tag the provider with its semantic version, such as %s:1.2.0 (write a build's \"+\" as \"_\")", tag.TagStr(), tag.Context())
	}
	opts := o.remote(ctx)
	repo := tag.Context()
	empty := static.NewLayer([]byte("{}"), mediaTypeEmpty)
	if err := remote.WriteLayer(repo, empty, opts...); err != nil {
		return "", fmt.Errorf("push to %s: %w", repo, err)
	}
	emptyDesc := descriptorOf([]byte("{}"), mediaTypeEmpty)
	index := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, ArtifactType: ArtifactProvider, Manifests: []v1.Descriptor{}}
	for _, b := range builds {
		goos, goarch, ok := strings.Cut(b.Platform, "_")
		if !ok {
			return "", fmt.Errorf("platform %q is not OS_ARCH", b.Platform)
		}
		exe, err := os.ReadFile(b.Path)
		if err != nil {
			return "", err
		}
		zipped, err := zipExecutable(exe, executableName(providerName, goos))
		if err != nil {
			return "", fmt.Errorf("zip %s: %w", b.Path, err)
		}
		if err := remote.WriteLayer(repo, static.NewLayer(zipped, MediaTypeZip), opts...); err != nil {
			return "", fmt.Errorf("push %s to %s: %w", b.Path, repo, err)
		}
		m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: ArtifactTarget,
			Config: emptyDesc, Layers: []v1.Descriptor{descriptorOf(zipped, MediaTypeZip)}}
		m.Config.Data = []byte("{}")
		body, err := json.Marshal(m)
		if err != nil {
			return "", err
		}
		d := descriptorOf(body, types.OCIManifestSchema1)
		if err := remote.Put(repo.Digest(d.Digest.String()), rawManifest{body, types.OCIManifestSchema1}, opts...); err != nil {
			return "", fmt.Errorf("push the %s manifest to %s: %w", b.Platform, repo, err)
		}
		d.Platform = &v1.Platform{OS: goos, Architecture: goarch}
		d.ArtifactType = ArtifactTarget
		index.Manifests = append(index.Manifests, d)
	}
	body, err := json.Marshal(index)
	if err != nil {
		return "", err
	}
	if err := remote.Put(tag, rawManifest{body, types.OCIImageIndex}, opts...); err != nil {
		return "", fmt.Errorf("push the index to %s: %w", tag, err)
	}
	return descriptorOf(body, types.OCIImageIndex).Digest.String(), nil
}
