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

package git

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzEditYAML makes the edits a promote makes (a yaml_path set, a
// kustomization's image, the images of plain manifests) on arbitrary
// YAML. An edit must never panic, and a file it changes must still be
// YAML that the editor reads.
func FuzzEditYAML(f *testing.F) {
	f.Add([]byte("image:\n  tag: old # pinned\n"), uint8(0), "image.tag", "1.2.3")
	f.Add([]byte("spec:\n  containers:\n    - name: app\n      image: example.com/app:1\n"), uint8(0), "spec.containers.[name=app].image", "example.com/app:2")
	f.Add([]byte("a: [1, 2]\n---\nb: {c: d}\n"), uint8(0), "a.[1]", "yes")
	f.Add([]byte("resources:\n- deploy.yaml\nimages:\n- name: example.com/app\n  newTag: \"7\"\n"), uint8(1), "example.com/app", "8")
	f.Add([]byte("kind: Deployment\nspec:\n  template:\n    spec:\n      initContainers:\n      - image: example.com/app:1\n      containers:\n      - image: 'example.com/app@sha256:00'\n"), uint8(2), "example.com/app", "2")
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, arg, value string) {
		if !utf8.ValidString(value) || !utf8.ValidString(arg) || value == "" {
			return // configuration strings are UTF-8; an empty tag sets nothing
		}
		var e edit
		var name string
		switch mode % 3 {
		case 0:
			name = "values.yaml"
			e = edit{mode: editYAMLPath, path: name, yamlPath: arg, value: value}
		case 1:
			name = "kustomization.yaml"
			e = edit{mode: editImage, path: name, image: arg, newTag: value}
		default:
			name = "deploy.yaml"
			e = edit{mode: editImage, path: name, image: arg, newTag: value}
		}
		res, err := e.apply(mapSnapshot{name: string(data)})
		if err != nil {
			return
		}
		for _, fc := range res.files {
			if _, err := parseYAMLFile(fc.after); err != nil {
				t.Fatalf("the edited file does not read back: %v\nbefore:\n%s\nafter:\n%s", err, data, fc.after)
			}
			dec := yaml.NewDecoder(strings.NewReader(string(fc.after)))
			for {
				var n yaml.Node
				if err := dec.Decode(&n); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("the edited file is not YAML: %v\nbefore:\n%s\nafter:\n%s", err, data, fc.after)
				}
			}
		}
	})
}
