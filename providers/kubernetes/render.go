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

package kubernetes

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
)

// render reads the manifests of dir: a kustomization rendered with
// kustomize's krusty, or else every *.yaml, *.yml and *.json file below
// dir in lexical order, each holding one or more documents. Empty
// documents are skipped and a kind List is expanded into its items.
//
// A symbolic link met on the way must lead inside dir: the app's path was
// checked inside its repository with its links followed, and a link
// among its files must not bring a file of this machine into the
// cluster.
func render(dir string) ([]*unstructured.Unstructured, error) {
	src, err := readSources(dir)
	if err != nil {
		return nil, err
	}
	return src.render()
}

// sources are the files an app's manifests are made from, read but not
// yet decoded: a plan that finds them as the last apply recorded them
// (digest) needs no more of them.
type sources struct {
	dir, real string
	tool      builtin.Tool
	why       string
	// files are the plain manifests in lexical order, with their paths
	// relative to dir (none for a kustomization, which krusty reads).
	files []manifestFile
	// digest is the SHA-256 of the plain manifests' paths and contents,
	// or "" for a kustomization: what krusty reads depends on what it
	// finds, so its inputs are not hashed and it is rendered every time.
	digest string
}

type manifestFile struct {
	rel  string
	data []byte
}

// readSources finds the app's tool and reads its plain manifests.
func readSources(dir string) (*sources, error) {
	src, err := findDir(dir, nil)
	if err == nil {
		err = src.detectTool()
	}
	if err != nil {
		return nil, err
	}
	if src.tool == builtin.ToolKustomize {
		return src, nil
	}
	if err := src.readFiles(nil); err != nil {
		return nil, err
	}
	return src, nil
}

// findDir checks the app's directory and resolves its links (once per
// parent with roots), reading nothing in it.
func findDir(dir string, roots *confine.Roots) (*sources, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("manifests directory %q is not an absolute path", dir)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("manifests directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("manifests directory %q is not a directory", dir)
	}
	real, err := roots.Root(dir)
	if err != nil {
		return nil, fmt.Errorf("manifests directory: %w", err)
	}
	return &sources{dir: dir, real: real}, nil
}

// detectTool finds the app's tool from its directory, as the core found
// it when it lowered the app; an error says what the directory was taken
// for.
func (src *sources) detectTool() error {
	src.tool, src.why = builtin.DetectTool(src.dir)
	if src.tool == builtin.ToolHelm {
		// The core lowers a chart to a helm_release; a chart reaches this
		// provider only when the app's source was unknown at plan time.
		return fmt.Errorf("%s: this provider renders plain YAML and kustomize only, and the app's source was not known when it was planned; plan again, so that the app is lowered to a helm release", builtin.TakenFor(src.tool, src.why))
	}
	return nil
}

// readFiles reads the plain manifests of src and digests them; with rec,
// it records the stamps of what it read.
func (src *sources) readFiles(rec *stamps) error {
	var err error
	if src.files, err = readManifestFiles(src.dir, src.real, rec); err != nil {
		return fmt.Errorf("%s: %w", builtin.TakenFor(src.tool, src.why), err)
	}
	h := sha256.New()
	for _, f := range src.files {
		// Length-prefixed, so no two sets of files hash alike.
		fmt.Fprintf(h, "%d:%s\n%d:", len(f.rel), f.rel, len(f.data))
		h.Write(f.data)
	}
	src.digest = hex.EncodeToString(h.Sum(nil))
	return nil
}

// render decodes the sources into objects.
func (src *sources) render() ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	var err error
	if src.tool == builtin.ToolKustomize {
		objs, err = renderKustomization(src.dir, src.real)
	} else {
		objs, err = decodeFiles(src.files)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", builtin.TakenFor(src.tool, src.why), err)
	}
	return objs, nil
}

func renderKustomization(dir, real string) ([]*unstructured.Unstructured, error) {
	fsys := confinedFS{FileSystem: filesys.MakeFsOnDisk(), dir: real}
	if err := localKustomization(real, fsys.ReadFile); err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(fsys, real)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	objs, err := decodeDocuments(out)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return objs, nil
}

// confinedFS is the disk as kustomize reads it for an app, with every
// path checked first. Inside the app's directory (dir, with its links
// resolved), a path's links must lead inside it. Kustomize's own rules
// already keep the files of a kustomization inside its directory, links
// followed, but let it read other directories (bases, as ../base): there
// no symbolic link may be followed at all below where the path leaves
// the app's directory.
type confinedFS struct {
	filesys.FileSystem
	dir string
}

func (f confinedFS) check(p string) error {
	a, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if confine.Within(f.dir, a) {
		rel, err := filepath.Rel(f.dir, a)
		if err != nil {
			return err
		}
		// f.dir has its links resolved already: each path follows only
		// its own.
		_, err = confine.ResolveIn(f.dir, f.dir, rel)
		var escape *confine.EscapeError
		if errors.As(err, &escape) {
			return err
		}
		return nil // a missing file is kustomize's to report
	}
	if link, target, ok := confine.LinkBeside(f.dir, a); ok {
		return fmt.Errorf("%s is a symbolic link to %s, outside the app's directory %s; slipway follows no link that leaves it", link, target, f.dir)
	}
	return nil
}

func (f confinedFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if err := f.check(p); err != nil {
		return "", "", err
	}
	return f.FileSystem.CleanedAbs(p)
}

func (f confinedFS) ReadFile(p string) ([]byte, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadFile(p)
}

func (f confinedFS) Open(p string) (filesys.File, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	return f.FileSystem.Open(p)
}

// readManifestFiles reads every *.yaml, *.yml and *.json file below dir,
// in lexical order, skipping directories whose names start with a dot;
// real is dir with its links followed (confine.Root). With rec, it
// records the stamp of each directory it walks, taken before its entries
// are read, and of each file, taken before its bytes are read.
func readManifestFiles(dir, real string, rec *stamps) ([]manifestFile, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and friends
			}
			if rec != nil {
				fi, err := d.Info()
				if err != nil {
					return err
				}
				rec.add(stampedPath{path: path}, fi)
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	sort.Strings(files)
	out := make([]manifestFile, 0, len(files))
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		var name fs.FileInfo
		if rec != nil {
			if name, err = os.Lstat(f); err != nil {
				return nil, fmt.Errorf("read manifests: %w", err)
			}
		}
		// A manifest that is a link is read where it leads, which must
		// be inside dir.
		at, err := confine.ResolveIn(dir, real, rel)
		if err != nil {
			return nil, fmt.Errorf("read manifests: %w", err)
		}
		data, read, err := readFile(at, rec != nil)
		if err != nil {
			return nil, fmt.Errorf("read manifests: %w", err)
		}
		if rec != nil {
			rec.addFile(f, rel, at, name, read)
		}
		out = append(out, manifestFile{rel: rel, data: data})
	}
	return out, nil
}

// readFile reads the file at p and, with stat, returns what its metadata
// said before its bytes were read.
func readFile(p string, stat bool) ([]byte, fs.FileInfo, error) {
	if !stat {
		data, err := os.ReadFile(p)
		return data, nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(f)
	return data, fi, err
}

// decodeFiles decodes the documents of every file, in order.
func decodeFiles(files []manifestFile) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for _, f := range files {
		got, err := decodeDocuments(f.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.rel, err)
		}
		objs = append(objs, got...)
	}
	return objs, nil
}

// decodeDocuments splits a YAML stream (or one JSON document) into
// objects, numbers decoded as int64 or float64 like the API client does.
func decodeDocuments(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []*unstructured.Unstructured
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		js = bytes.TrimSpace(js)
		if len(js) == 0 || string(js) == "null" {
			continue
		}
		var m map[string]any
		if err := utiljson.Unmarshal(js, &m); err != nil {
			return nil, fmt.Errorf("document %d is not an object: %w", n, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if kind := u.GetKind(); kind == "List" || (strings.HasSuffix(kind, "List") && m["items"] != nil) {
			items, ok := m["items"].([]any)
			if !ok && m["items"] != nil {
				return nil, fmt.Errorf("document %d: a %s whose items are not a list", n, kind)
			}
			for i, it := range items {
				im, ok := it.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("document %d: item %d of a %s is not an object", n, i, kind)
				}
				objs = append(objs, &unstructured.Unstructured{Object: im})
			}
			continue
		}
		objs = append(objs, u)
	}
}
