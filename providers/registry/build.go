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
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
)

// Everything that goes into an image's digest is fixed here, so that the
// same inputs give the same digest on any machine, from any directory.
const (
	// layerCompression is the gzip level of the files layer.
	layerCompression = gzip.DefaultCompression
	// dirMode, fileMode and execMode are the only modes in the layer:
	// the source's execute bits are kept, its other bits are not (they
	// depend on the umask, and a git checkout makes files read-only).
	dirMode  = 0o755
	fileMode = 0o644
	execMode = 0o755
	// createdBy is the history entry of the files layer.
	createdBy = "slipway registry_image: files"
)

// buildTime is the time stamped on every file of the layer and on the
// image: SOURCE_DATE_EPOCH when it is set, the Unix epoch otherwise.
func buildTime() (time.Time, error) {
	s := strings.TrimSpace(os.Getenv("SOURCE_DATE_EPOCH"))
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since the Unix epoch; unset it or fix it", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// filesError is a problem with one entry of the files attribute.
type filesError struct {
	dest string // the files key: an image path
	err  error
}

func (e *filesError) Error() string { return e.err.Error() }
func (e *filesError) Unwrap() error { return e.err }

// tarEntry is one entry of the files layer.
type tarEntry struct {
	name     string // the image path without its leading slash
	typ      byte   // tar.TypeReg, tar.TypeDir or tar.TypeSymlink
	mode     int64
	data     []byte
	linkname string
	dest     string // the files key that put it there
}

// layerTar builds the uncompressed tar of the files layer: every entry of
// files (image path -> source relative to contextDir) and the directories
// above them, sorted by path, owned by root, stamped with mtime. It
// returns nil when files is empty.
func layerTar(contextDir string, files map[string]string, mtime time.Time) ([]byte, error) {
	if len(files) == 0 {
		return nil, nil
	}
	entries := map[string]*tarEntry{}
	add := func(e *tarEntry) error {
		if old, ok := entries[e.name]; ok {
			if old.typ == tar.TypeDir && e.typ == tar.TypeDir {
				return nil
			}
			return &filesError{dest: e.dest, err: fmt.Errorf("the image path /%s comes from files[%q] and from files[%q]; give each path once", e.name, old.dest, e.dest)}
		}
		for dir := path.Dir(e.name); dir != "."; dir = path.Dir(dir) {
			if old, ok := entries[dir]; ok {
				if old.typ != tar.TypeDir {
					return &filesError{dest: e.dest, err: fmt.Errorf("files[%q] puts /%s inside /%s, which files[%q] makes a file, not a directory", e.dest, e.name, dir, old.dest)}
				}
				break // its parents are there already
			}
			entries[dir] = &tarEntry{name: dir, typ: tar.TypeDir, mode: dirMode, dest: e.dest}
		}
		entries[e.name] = e
		return nil
	}

	dests := make([]string, 0, len(files))
	for d := range files {
		dests = append(dests, d)
	}
	sort.Strings(dests)
	for _, dest := range dests {
		src := files[dest]
		imgPath := strings.TrimPrefix(path.Clean(dest), "/")
		// Links are followed before the check that the source is inside
		// context_dir: a link to /etc/hostname must not put the host's
		// file into the image.
		full, err := confine.Resolve(contextDir, src)
		var info fs.FileInfo
		if err == nil {
			info, err = os.Stat(full)
		}
		if err != nil {
			var escape *confine.EscapeError
			if errors.As(err, &escape) {
				err = fmt.Errorf("the source %q of image path %s leads outside context_dir: %v", src, dest, err)
			} else if errors.Is(err, fs.ErrNotExist) {
				err = fmt.Errorf("the source %q of image path %s is not in context_dir %s", src, dest, contextDir)
			} else {
				err = fmt.Errorf("cannot read the source %q of image path %s: %v", src, dest, err)
			}
			return nil, &filesError{dest: dest, err: err}
		}
		switch {
		case info.Mode().IsRegular():
			if imgPath == "" {
				return nil, &filesError{dest: dest, err: fmt.Errorf("the source %q of image path / is a file; the image root can only take a directory", src)}
			}
			data, err := os.ReadFile(full)
			if err != nil {
				return nil, &filesError{dest: dest, err: fmt.Errorf("cannot read the source %q of image path %s: %v", src, dest, err)}
			}
			if err := add(&tarEntry{name: imgPath, typ: tar.TypeReg, mode: regularMode(info.Mode()), data: data, dest: dest}); err != nil {
				return nil, err
			}
		case info.IsDir():
			if err := addDir(full, imgPath, src, dest, add); err != nil {
				return nil, err
			}
		default:
			return nil, &filesError{dest: dest, err: fmt.Errorf("the source %q of image path %s is neither a file nor a directory (%v)", src, dest, info.Mode().Type())}
		}
	}

	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names) // a directory sorts before what it holds: its name is their prefix
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := entries[n]
		hdr := &tar.Header{
			Typeflag: e.typ,
			Name:     n,
			Linkname: e.linkname,
			Mode:     e.mode,
			ModTime:  mtime,
		}
		switch e.typ {
		case tar.TypeDir:
			hdr.Name += "/"
		case tar.TypeReg:
			hdr.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, &filesError{dest: e.dest, err: fmt.Errorf("cannot add /%s to the layer: %v", n, err)}
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, &filesError{dest: e.dest, err: fmt.Errorf("cannot add /%s to the layer: %v", n, err)}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addDir adds the directory full, recursively, at image path imgPath
// ("" for the image root). Symbolic links inside it are kept as links.
func addDir(full, imgPath, src, dest string, add func(*tarEntry) error) error {
	root, err := filepath.EvalSymlinks(full)
	if err != nil {
		return &filesError{dest: dest, err: fmt.Errorf("cannot read the source %q of image path %s: %v", src, dest, err)}
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &filesError{dest: dest, err: fmt.Errorf("cannot read the source %q of image path %s: %v", src, dest, err)}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		n := path.Join(imgPath, filepath.ToSlash(rel))
		if rel == "." {
			if imgPath == "" {
				return nil // the image root is not an entry
			}
			n = imgPath
		}
		srcPath := path.Join(filepath.ToSlash(src), filepath.ToSlash(rel))
		switch t := d.Type(); {
		case t.IsDir():
			return add(&tarEntry{name: n, typ: tar.TypeDir, mode: dirMode, dest: dest})
		case t.IsRegular():
			info, err := d.Info()
			if err != nil {
				return &filesError{dest: dest, err: fmt.Errorf("cannot read %q (for image path /%s): %v", srcPath, n, err)}
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return &filesError{dest: dest, err: fmt.Errorf("cannot read %q (for image path /%s): %v", srcPath, n, err)}
			}
			return add(&tarEntry{name: n, typ: tar.TypeReg, mode: regularMode(info.Mode()), data: data, dest: dest})
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return &filesError{dest: dest, err: fmt.Errorf("cannot read the link %q (for image path /%s): %v", srcPath, n, err)}
			}
			return add(&tarEntry{name: n, typ: tar.TypeSymlink, mode: 0o777, linkname: filepath.ToSlash(target), dest: dest})
		default:
			return &filesError{dest: dest, err: fmt.Errorf("%q (for image path /%s) is neither a file, a directory nor a link (%v)", srcPath, n, t)}
		}
	})
}

// regularMode is the layer mode of a regular file: executable or not.
func regularMode(m fs.FileMode) int64 {
	if m.Perm()&0o111 != 0 {
		return execMode
	}
	return fileMode
}

// inputsDigest is a digest of what a build reads besides the
// configuration and the base: the files layer and the build time. Plan
// compares it with the one of the last apply to see files that changed.
func inputsDigest(layer []byte, mtime time.Time) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", mtime.Unix())
	h.Write(layer)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// baseError is a problem with the base image or its platform.
type baseError struct {
	attr string // "base" or "platform"
	err  error
}

func (e *baseError) Error() string { return e.err.Error() }
func (e *baseError) Unwrap() error { return e.err }

// defaultPlatform is the platform of a scratch image, or the one picked
// from a multi-platform base, when platform is not set.
func defaultPlatform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// resolveBase pulls the base image's manifest and config (not its
// layers): for an index, the manifest of the platform. It returns the
// image and the digest of its manifest. want is nil when platform is not
// set.
func resolveBase(ctx context.Context, base string, want *v1.Platform, set settings) (v1.Image, string, error) {
	ref, err := name.ParseReference(base, set.nameOptions()...)
	if err != nil {
		return nil, "", &baseError{builtin.ImageBase, fmt.Errorf("the base %q is not an image reference: %v", base, err)}
	}
	desc, err := remote.Get(ref, set.remoteOptions(ctx)...)
	if err != nil {
		return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "pull the base image", ref: base, registry: ref.Context().RegistryStr(), err: err}}
	}
	if desc.MediaType.IsIndex() {
		p := defaultPlatform()
		if want != nil {
			p = *want
		}
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "read the base index", ref: base, registry: ref.Context().RegistryStr(), err: err}}
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "read the base index", ref: base, registry: ref.Context().RegistryStr(), err: err}}
		}
		var have []string
		var pick *v1.Descriptor
		for i, m := range im.Manifests {
			if m.Platform == nil || !m.MediaType.IsImage() {
				continue
			}
			if platformMatches(normalPlatform(*m.Platform), normalPlatform(p)) {
				// The variant asked for, or the one a platform that
				// names none means (arm is arm/v7, as docker and
				// containerd read it).
				pick = &im.Manifests[i]
				break
			}
			if pick == nil && p.Variant == "" && platformMatches(*m.Platform, p) {
				pick = &im.Manifests[i]
			}
			have = append(have, m.Platform.String())
		}
		if pick != nil {
			img, err := idx.Image(pick.Digest)
			if err != nil {
				return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "pull the " + p.String() + " image of the base", ref: base, registry: ref.Context().RegistryStr(), err: err}}
			}
			return img, pick.Digest.String(), nil
		}
		attr := builtin.ImageBase
		if want != nil {
			attr = builtin.ImagePlatform
		}
		return nil, "", &baseError{attr, fmt.Errorf("the base %s has no image for platform %s; it has %s. Set platform to one of them", base, p, strings.Join(have, ", "))}
	}
	if !desc.MediaType.IsImage() {
		return nil, "", &baseError{builtin.ImageBase, fmt.Errorf("the base %s is a %s, not an image or an image index", base, desc.MediaType)}
	}
	img, err := desc.Image()
	if err != nil {
		return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "pull the base image", ref: base, registry: ref.Context().RegistryStr(), err: err}}
	}
	if want != nil {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, "", &baseError{builtin.ImageBase, &remoteError{op: "read the config of the base image", ref: base, registry: ref.Context().RegistryStr(), err: err}}
		}
		if have := cf.Platform(); have == nil || !platformMatches(*have, *want) {
			return nil, "", &baseError{builtin.ImagePlatform, fmt.Errorf("the base %s is an image for %s only, not for %s. Leave platform unset, or use a base for %s", base, platformString(have), want, want)}
		}
	}
	return img, desc.Digest.String(), nil
}

// platformMatches reports whether have is what want asks for: the same
// OS and architecture, and the same variant and OS version when want
// names them.
func platformMatches(have, want v1.Platform) bool {
	return have.OS == want.OS && have.Architecture == want.Architecture &&
		(want.Variant == "" || have.Variant == want.Variant) &&
		(want.OSVersion == "" || have.OSVersion == want.OSVersion)
}

// normalPlatform is p with the variant an architecture has when none is
// named, as containerd's platforms.Normalize gives it: arm is arm/v7,
// arm64 is arm64/v8, amd64 is amd64/v1.
func normalPlatform(p v1.Platform) v1.Platform {
	if p.Variant == "" {
		switch p.Architecture {
		case "arm":
			p.Variant = "v7"
		case "arm64":
			p.Variant = "v8"
		case "amd64":
			p.Variant = "v1"
		}
	}
	return p
}

func platformString(p *v1.Platform) string {
	if p == nil || p.String() == "" {
		return "an unknown platform"
	}
	return p.String()
}

// assemble builds the image: the files layer (if any) on the base (an
// empty OCI image for scratch), with the configuration of c, all stamped
// with mtime. It needs no registry: the base is already resolved.
func assemble(base v1.Image, c imageConfig, layer []byte, mtime time.Time) (v1.Image, error) {
	img := base
	scratch := base == nil
	if scratch {
		img = mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	}
	mt, err := img.MediaType()
	if err != nil {
		return nil, fmt.Errorf("read the base's media type: %w", err)
	}
	layerType := types.DockerLayer
	if mt == types.OCIManifestSchema1 {
		layerType = types.OCILayer
	}
	if layer != nil {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(layer)), nil
		}, tarball.WithCompressionLevel(layerCompression), tarball.WithMediaType(layerType), tarball.WithCompressedCaching)
		if err != nil {
			return nil, fmt.Errorf("make the files layer: %w", err)
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:   l,
			History: v1.History{Created: v1.Time{Time: mtime}, CreatedBy: createdBy},
		})
		if err != nil {
			return nil, fmt.Errorf("add the files layer: %w", err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read the base's config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: mtime}
	if scratch {
		p := defaultPlatform()
		if c.platform != nil {
			p = *c.platform
		}
		cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	}
	cf.Config = runConfig(cf.Config, c)
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("set the image config: %w", err)
	}
	return img, nil
}

// runConfig is the base's run configuration with c's settings on top.
func runConfig(base v1.Config, c imageConfig) v1.Config {
	out := *base.DeepCopy()
	if c.entrypoint != nil {
		out.Entrypoint = c.entrypoint
		// As in a Dockerfile: a new entrypoint drops the base's command.
		out.Cmd = nil
	}
	if c.cmd != nil {
		out.Cmd = c.cmd
	}
	if len(c.env) > 0 {
		var env []string
		for _, kv := range base.Env {
			k, _, _ := strings.Cut(kv, "=")
			if _, ok := c.env[k]; !ok {
				env = append(env, kv)
			}
		}
		keys := make([]string, 0, len(c.env))
		for k := range c.env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+c.env[k])
		}
		out.Env = env
	}
	if len(c.labels) > 0 {
		labels := make(map[string]string, len(base.Labels)+len(c.labels))
		for k, v := range base.Labels {
			labels[k] = v
		}
		for k, v := range c.labels {
			labels[k] = v
		}
		out.Labels = labels
	}
	if c.user != nil {
		out.User = *c.user
	}
	if c.workdir != nil {
		out.WorkingDir = *c.workdir
	}
	return out
}

// remoteError is a failed registry call.
type remoteError struct {
	op       string // "push", "pull the base image"
	ref      string
	registry string
	err      error
	// wrote are the tags of a push that were written before it failed.
	wrote []string
}

func (e *remoteError) Error() string {
	return fmt.Sprintf("could not %s %s: %v", e.op, e.ref, e.err)
}
func (e *remoteError) Unwrap() error { return e.err }

// push writes img to every tag of repo: the first with its layers, the
// others as tags of the manifest. Tags that look immutable go first and
// "latest" last, so a push that fails part way leaves the tag that
// deployments follow where it was. It returns the tags it wrote, in the
// order of tags, which a failure leaves moved.
func push(ctx context.Context, img v1.Image, repoStr string, tags []string, set settings, progress func(string)) ([]string, error) {
	order := pushOrder(tags)
	opts := set.remoteOptions(ctx)
	refs := make([]name.Tag, len(order))
	for i, t := range order {
		ref, err := name.NewTag(repoStr+":"+t, set.nameOptions()...)
		if err != nil {
			return nil, err
		}
		refs[i] = ref
	}
	registry := refs[0].RegistryStr()
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	wrote := map[string]bool{}
	written := func() []string {
		var out []string
		for _, t := range tags {
			if wrote[t] {
				out = append(out, t)
			}
		}
		return out
	}
	progress(fmt.Sprintf("pushing %s:%s (%d %s)", repoStr, order[0], len(layers), plural(len(layers), "layer", "layers")))
	if err := remote.Write(refs[0], img, opts...); err != nil {
		return nil, &remoteError{op: "push to", ref: repoStr + ":" + order[0], registry: registry, err: err}
	}
	wrote[order[0]] = true
	for i, t := range order[1:] {
		if err := remote.Tag(refs[i+1], img, opts...); err != nil {
			return written(), &remoteError{op: "tag", ref: repoStr + ":" + t, registry: registry, err: err, wrote: written()}
		}
		wrote[t] = true
		progress(fmt.Sprintf("tagged %s:%s", repoStr, t))
	}
	return written(), nil
}

// pushOrder is the order push writes tags in: every tag but "latest", as
// given, then "latest".
func pushOrder(tags []string) []string {
	out := make([]string, 0, len(tags))
	last := false
	for _, t := range tags {
		if t == "latest" {
			last = true
			continue
		}
		out = append(out, t)
	}
	if last {
		out = append(out, "latest")
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
