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
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// A kustomization may name remote bases and files: a git repository
// (resources: [github.com/org/repo//base?ref=v1]), which kustomize fetches
// by running the git program with the reference it was given, and URLs,
// which it GETs. slipway renders what the app's source holds at the
// commit the plan resolved, and nothing else: a remote base is neither
// pinned by the source's commit (apply could render other objects than
// the plan showed) nor safe to fetch for a branch under review (a
// reference such as ?ref=--upload-pack=CMD makes git run CMD; a URL
// reaches whatever the machine reaches, its answer shown in the plan).
// krusty has no option to turn remote loading off and takes no loader of
// ours, so before it runs, localKustomization reads the kustomization
// and every local one it reaches, and refuses any field that names
// something remote.
//
// The fields are those kustomize v5 loads through its loader: resources
// (bases), components, generators, transformers and validators, which it
// may clone; crds, configurations, openapi, the patches' paths and the
// generators' files, which it may GET; and, in the configuration of a
// generator or transformer (a file, or inline), every path-like field
// (path, paths, files, envs, env).

// scpUser is the user of an scp-style git URL (git@host:org/repo), as
// kustomize recognises it.
var scpUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// remoteRef reports whether kustomize could take s for a remote
// repository or file: it has a URL scheme (http, https, ssh, file, or
// any other), the git:: prefix, the github.com/ shorthand, or a user@
// prefix. It errs on the side of remote: kustomize accepts fewer.
func remoteRef(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	l = strings.TrimPrefix(l, "git::")
	if strings.Contains(l, "://") || strings.HasPrefix(l, "github.com/") || strings.HasPrefix(l, "github.com:") || scpUser.MatchString(l) {
		return true
	}
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && u.Scheme != ""
}

// pluginPathKeys are the fields of a generator's or transformer's
// configuration that name files kustomize loads.
var pluginPathKeys = map[string]bool{"path": true, "paths": true, "files": true, "envs": true, "env": true}

// localKustomization checks the kustomization in dir and the local ones
// it reaches for remote references (see above). read reads a file as
// kustomize would (through the app's confinement). A file that does not
// parse is left to kustomize to report.
func localKustomization(root string, read func(string) ([]byte, error)) error {
	seen := map[string]bool{}
	var visit func(dir string) error
	visit = func(dir string) error {
		if seen[dir] {
			return nil // kustomize reports cycles
		}
		seen[dir] = true
		var name string
		var data []byte
		for _, n := range konfig.RecognizedKustomizationFileNames() {
			if b, err := read(filepath.Join(dir, n)); err == nil {
				name, data = filepath.Join(dir, n), b
				break
			}
		}
		if name == "" {
			return nil // not a kustomization: kustomize says so
		}
		var k types.Kustomization
		if err := k.Unmarshal(data); err != nil {
			return nil
		}
		k.FixKustomization()
		shown := name
		if rel, err := filepath.Rel(root, name); err == nil {
			shown = rel
		}
		refuse := func(field, ref string) error {
			return fmt.Errorf("%s: %s names %q, which is remote (a git repository or a URL): slipway renders only what the app's source holds at the plan's commit, so kustomize is never run on remote bases or files. Copy it into the repository (kustomize localize does), or make its repository a source of its own", shown, field, ref)
		}
		// Entries kustomize may clone: each is a file, a directory
		// (a kustomization, checked in turn) or, for generators,
		// transformers and validators, an inline configuration.
		for _, f := range []struct {
			field   string
			entries []string
			plugins bool
		}{
			{"resources", k.Resources, false}, {"components", k.Components, false},
			{"generators", k.Generators, true}, {"transformers", k.Transformers, true}, {"validators", k.Validators, true},
		} {
			for _, e := range f.entries {
				if !strings.Contains(e, "\n") && remoteRef(e) {
					return refuse(f.field, e)
				}
				if f.plugins {
					if err := pluginConfig(name, f.field, e, dir, read, refuse); err != nil {
						return err
					}
				}
				if p := filepath.Join(dir, e); !strings.Contains(e, "\n") && !filepath.IsAbs(e) {
					if fi, err := os.Stat(p); err == nil && fi.IsDir() {
						if err := visit(p); err != nil {
							return err
						}
					}
				}
			}
		}
		// Entries kustomize only loads (a URL is fetched).
		paths := map[string][]string{"crds": k.Crds, "configurations": k.Configurations}
		if p, ok := k.OpenAPI["path"]; ok {
			paths["openapi"] = []string{p}
		}
		for _, p := range k.PatchesStrategicMerge {
			paths["patchesStrategicMerge"] = append(paths["patchesStrategicMerge"], string(p))
		}
		for _, p := range k.PatchesJson6902 {
			paths["patchesJson6902"] = append(paths["patchesJson6902"], p.Path)
		}
		for _, p := range k.Patches {
			paths["patches"] = append(paths["patches"], p.Path)
		}
		for _, r := range k.Replacements {
			paths["replacements"] = append(paths["replacements"], r.Path)
		}
		for _, g := range append(append([]types.ConfigMapArgs(nil), k.ConfigMapGenerator...), secretArgs(k.SecretGenerator)...) {
			for _, s := range g.FileSources {
				if _, p, ok := strings.Cut(s, "="); ok {
					s = p
				}
				paths["configMapGenerator/secretGenerator files"] = append(paths["configMapGenerator/secretGenerator files"], s)
			}
			paths["configMapGenerator/secretGenerator envs"] = append(paths["configMapGenerator/secretGenerator envs"], g.EnvSources...)
		}
		for _, field := range []string{"crds", "configurations", "openapi", "patchesStrategicMerge", "patchesJson6902", "patches", "replacements", "configMapGenerator/secretGenerator files", "configMapGenerator/secretGenerator envs"} {
			for _, p := range paths[field] {
				if !strings.Contains(p, "\n") && remoteRef(p) {
					return refuse(field, p)
				}
			}
		}
		return nil
	}
	return visit(root)
}

// secretArgs are the GeneratorArgs of SecretArgs, as ConfigMapArgs.
func secretArgs(ss []types.SecretArgs) []types.ConfigMapArgs {
	out := make([]types.ConfigMapArgs, len(ss))
	for i, s := range ss {
		out[i] = types.ConfigMapArgs{GeneratorArgs: s.GeneratorArgs}
	}
	return out
}

// pluginConfig checks the configuration of a generator, transformer or
// validator (entry e of field, inline or a local file) for remote
// references in its path-like fields.
func pluginConfig(name, field, e, dir string, read func(string) ([]byte, error), refuse func(field, ref string) error) error {
	data := []byte(e)
	if !strings.Contains(e, "\n") {
		b, err := read(filepath.Join(dir, e))
		if err != nil {
			return nil // a directory, or missing: kustomize reports it
		}
		data = b
	}
	for _, doc := range bytes.Split(data, []byte("\n---")) {
		var v any
		if yaml.Unmarshal(doc, &v) != nil {
			continue
		}
		if ref, ok := remoteIn(v, false); ok {
			return refuse(field+" (in its configuration)", ref)
		}
	}
	return nil
}

// remoteIn finds a remote reference in the path-like fields of a
// decoded YAML document; under is whether v is the value of one.
func remoteIn(v any, under bool) (string, bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if ref, ok := remoteIn(x, under || pluginPathKeys[k]); ok {
				return ref, true
			}
		}
	case []any:
		for _, x := range v {
			if ref, ok := remoteIn(x, under); ok {
				return ref, true
			}
		}
	case string:
		if under && !strings.Contains(v, "\n") && remoteRef(v) {
			return v, true
		}
	}
	return "", false
}
