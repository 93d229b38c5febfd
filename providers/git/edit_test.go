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
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mapSnapshot is a snapshot of files given as path to content.
type mapSnapshot map[string]string

func (m mapSnapshot) kind(p string) (entryKind, error) {
	if p == "" {
		return kindDir, nil
	}
	if _, ok := m[p]; ok {
		return kindFile, nil
	}
	for f := range m {
		if strings.HasPrefix(f, p+"/") {
			return kindDir, nil
		}
	}
	return kindMissing, nil
}

func (m mapSnapshot) read(p string) ([]byte, error) {
	c, ok := m[p]
	if !ok {
		return nil, fmt.Errorf("no file %s", p)
	}
	return []byte(c), nil
}

func (m mapSnapshot) files(dir string) ([]string, error) {
	var out []string
	for f := range m {
		if dir == "" || strings.HasPrefix(f, dir+"/") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

// runMapEdit makes e on files and returns the new content of every file
// it changes, and the changes.
func runMapEdit(t *testing.T, e edit, files map[string]string) (map[string]string, []valueChange) {
	t.Helper()
	res, err := e.apply(mapSnapshot(files))
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	out := map[string]string{}
	for _, f := range res.files {
		if string(f.before) != files[f.path] {
			t.Errorf("%s: before %q, want %q", f.path, f.before, files[f.path])
		}
		out[f.path] = string(f.after)
	}
	return out, res.values
}

var vcCmp = cmp.AllowUnexported(valueChange{})

func TestKustomizeImageEdit(t *testing.T) {
	t.Parallel()
	const img = "127.0.0.1:5000/me/myapp"
	oldDigest := "sha256:" + strings.Repeat("b", 64)
	newDigest := "sha256:" + strings.Repeat("c", 64)
	pinned := `# The app's overlay.
images:
  - name: 127.0.0.1:5000/me/other
    newTag: "7"

  # the app, set by CI
  - name: 127.0.0.1:5000/me/myapp
    newTag: v1 # the tag
    digest: ` + oldDigest + ` # pinned

resources:
  - deploy.yaml   # the workload
`
	kust := `# The app's overlay.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
    - deploy.yaml   # the workload

images:
    - name: 127.0.0.1:5000/me/other
      newTag: "7"
    - name: 127.0.0.1:5000/me/myapp
      newTag: old # set by CI
`
	for _, tc := range []struct {
		name   string
		edit   edit
		files  map[string]string
		want   map[string]string
		values []valueChange
	}{
		{
			name:   "tag in a directory's kustomization, splice keeps everything",
			edit:   edit{mode: editImage, path: "apps/myapp", image: img, newTag: "1.10"},
			files:  map[string]string{"apps/myapp/kustomization.yaml": kust, "apps/myapp/deploy.yaml": "kind: Deployment\n"},
			want:   map[string]string{"apps/myapp/kustomization.yaml": strings.Replace(kust, "newTag: old # set by CI", `newTag: "1.10" # set by CI`, 1)},
			values: []valueChange{{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].newTag", before: "old", after: "1.10"}},
		},
		{
			name:  "newName matches, the file itself, digest added",
			edit:  edit{mode: editImage, path: "k/Kustomization", image: img, newTag: "v2", digest: "sha256:" + strings.Repeat("a", 64)},
			files: map[string]string{"k/Kustomization": "images:\n- name: app\n  newName: 127.0.0.1:5000/me/myapp\n  newTag: 'v1'\n"},
			want:  map[string]string{"k/Kustomization": "images:\n- name: app\n  newName: 127.0.0.1:5000/me/myapp\n  newTag: 'v2'\n  digest: sha256:" + strings.Repeat("a", 64) + "\n"},
			values: []valueChange{
				{file: "k/Kustomization", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "k/Kustomization", field: "images[" + img + "].digest", before: "", after: "sha256:" + strings.Repeat("a", 64)},
			},
		},
		{
			name:   "no entry: one is added",
			edit:   edit{mode: editImage, path: "app", image: img, newTag: "abc"},
			files:  map[string]string{"app/kustomization.yml": "# comment\nresources:\n  - a.yaml\nimages:\n  - name: x\n    newTag: \"1\"\n"},
			want:   map[string]string{"app/kustomization.yml": "# comment\nresources:\n  - a.yaml\nimages:\n  - name: x\n    newTag: \"1\"\n  - name: 127.0.0.1:5000/me/myapp\n    newTag: abc\n"},
			values: []valueChange{{file: "app/kustomization.yml", field: "images[" + img + "].newTag", before: "", after: "abc"}},
		},
		{
			name:   "no images at all",
			edit:   edit{mode: editImage, path: "app", image: img, newTag: "abc"},
			files:  map[string]string{"app/kustomization.yaml": "resources:\n- a.yaml\n"},
			want:   map[string]string{"app/kustomization.yaml": "resources:\n- a.yaml\nimages:\n- name: 127.0.0.1:5000/me/myapp\n  newTag: abc\n"},
			values: []valueChange{{file: "app/kustomization.yaml", field: "images[" + img + "].newTag", before: "", after: "abc"}},
		},
		{
			name:  "a new tag removes the old digest, comments kept",
			edit:  edit{mode: editImage, path: "apps/myapp", image: img, newTag: "v2"},
			files: map[string]string{"apps/myapp/kustomization.yaml": pinned},
			want: map[string]string{"apps/myapp/kustomization.yaml": strings.NewReplacer(
				"newTag: v1 # the tag", "newTag: v2 # the tag",
				"    digest: "+oldDigest+" # pinned\n", "",
			).Replace(pinned)},
			values: []valueChange{
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: ""},
			},
		},
		{
			name:  "the same tag still removes the old digest",
			edit:  edit{mode: editImage, path: "apps/myapp", image: img, newTag: "v1"},
			files: map[string]string{"apps/myapp/kustomization.yaml": pinned},
			want:  map[string]string{"apps/myapp/kustomization.yaml": strings.Replace(pinned, "    digest: "+oldDigest+" # pinned\n", "", 1)},
			values: []valueChange{
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: ""},
			},
		},
		{
			name:  "a digest starting the entry, as kustomize writes it, is cut up to the next key",
			edit:  edit{mode: editImage, path: "k/kustomization.yaml", image: img, newTag: "v2"},
			files: map[string]string{"k/kustomization.yaml": "images:\n- digest: " + oldDigest + "\n  name: app\n  newName: 127.0.0.1:5000/me/myapp\n  newTag: v1\n"},
			want:  map[string]string{"k/kustomization.yaml": "images:\n- name: app\n  newName: 127.0.0.1:5000/me/myapp\n  newTag: v2\n"},
			values: []valueChange{
				{file: "k/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "k/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: ""},
			},
		},
		{
			name:  "a digest on the last line, without a newline",
			edit:  edit{mode: editImage, path: "k/kustomization.yaml", image: img, newTag: "v2"},
			files: map[string]string{"k/kustomization.yaml": "images:\r\n- name: 127.0.0.1:5000/me/myapp\r\n  newTag: v1\r\n  digest: " + oldDigest},
			want:  map[string]string{"k/kustomization.yaml": "images:\r\n- name: 127.0.0.1:5000/me/myapp\r\n  newTag: v2"},
			values: []valueChange{
				{file: "k/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "k/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: ""},
			},
		},
		{
			name:  "a flow entry is encoded again without the digest",
			edit:  edit{mode: editImage, path: "k/kustomization.yaml", image: img, newTag: "v2"},
			files: map[string]string{"k/kustomization.yaml": "images:\n- {name: 127.0.0.1:5000/me/myapp, newTag: v1, digest: \"" + oldDigest + "\"}\n"},
			want:  map[string]string{"k/kustomization.yaml": "images:\n- {name: '127.0.0.1:5000/me/myapp', newTag: v2}\n"},
			values: []valueChange{
				{file: "k/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "k/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: ""},
			},
		},
		{
			name:  "a digest alone removes the tag",
			edit:  edit{mode: editImage, path: "apps/myapp", image: img, digest: newDigest},
			files: map[string]string{"apps/myapp/kustomization.yaml": pinned},
			want: map[string]string{"apps/myapp/kustomization.yaml": strings.NewReplacer(
				"    newTag: v1 # the tag\n", "",
				oldDigest, newDigest,
			).Replace(pinned)},
			values: []valueChange{
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: ""},
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: newDigest},
			},
		},
		{
			// What a pipeline's pin = "digest" asks: the tag and the digest.
			name:  "a tag and a digest set both",
			edit:  edit{mode: editImage, path: "apps/myapp", image: img, newTag: "v2", digest: newDigest},
			files: map[string]string{"apps/myapp/kustomization.yaml": pinned},
			want: map[string]string{"apps/myapp/kustomization.yaml": strings.NewReplacer(
				"newTag: v1 # the tag", "newTag: v2 # the tag",
				oldDigest, newDigest,
			).Replace(pinned)},
			values: []valueChange{
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"},
				{file: "apps/myapp/kustomization.yaml", field: "images[" + img + "].digest", before: oldDigest, after: newDigest},
			},
		},
		{
			name:   "no digest: only the tag changes",
			edit:   edit{mode: editImage, path: "k/kustomization.yaml", image: img, newTag: "v2"},
			files:  map[string]string{"k/kustomization.yaml": "images:\n- name: 127.0.0.1:5000/me/myapp # app\n  newTag: v1 # tag\n"},
			want:   map[string]string{"k/kustomization.yaml": "images:\n- name: 127.0.0.1:5000/me/myapp # app\n  newTag: v2 # tag\n"},
			values: []valueChange{{file: "k/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"}},
		},
		{
			name:   "an empty digest is no digest and is left alone",
			edit:   edit{mode: editImage, path: "k/kustomization.yaml", image: img, newTag: "v2"},
			files:  map[string]string{"k/kustomization.yaml": "images:\n- name: 127.0.0.1:5000/me/myapp\n  newTag: v1\n  digest:\n"},
			want:   map[string]string{"k/kustomization.yaml": "images:\n- name: 127.0.0.1:5000/me/myapp\n  newTag: v2\n  digest:\n"},
			values: []valueChange{{file: "k/kustomization.yaml", field: "images[" + img + "].newTag", before: "v1", after: "v2"}},
		},
		{
			name:  "already set",
			edit:  edit{mode: editImage, path: "apps/myapp", image: img, newTag: "old"},
			files: map[string]string{"apps/myapp/kustomization.yaml": kust},
			want:  map[string]string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, values := runMapEdit(t, tc.edit, tc.files)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.values, values, vcCmp); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlainImageEdit(t *testing.T) {
	t.Parallel()
	const img = "127.0.0.1:5000/me/myapp"
	deploy := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: 127.0.0.1:5000/me/myapp:old   # same image
      containers:
        - name: app
          image: "127.0.0.1:5000/me/myapp:old"

        - name: sidecar
          image: 127.0.0.1:5000/me/myapp-sidecar:old
---
# a second document
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: 127.0.0.1:5000/me/myapp@sha256:` + strings.Repeat("b", 64) + `}]
`
	files := map[string]string{"m/deploy.yaml": deploy, "m/sub/notes.txt": "image: 127.0.0.1:5000/me/myapp:old\n", "m/sub/empty.yml": "# nothing\n"}
	got, values := runMapEdit(t, edit{mode: editImage, path: "m", image: img, newTag: "new"}, files)
	want := strings.NewReplacer(
		"127.0.0.1:5000/me/myapp:old   #", "127.0.0.1:5000/me/myapp:new   #",
		`"127.0.0.1:5000/me/myapp:old"`, `"127.0.0.1:5000/me/myapp:new"`,
		"127.0.0.1:5000/me/myapp@sha256:"+strings.Repeat("b", 64), "127.0.0.1:5000/me/myapp:new",
	).Replace(deploy)
	if diff := cmp.Diff(map[string]string{"m/deploy.yaml": want}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	wantValues := []valueChange{
		{file: "m/deploy.yaml", field: "Deployment/web: spec.template.spec.initContainers.[name=migrate].image", before: img + ":old", after: img + ":new"},
		{file: "m/deploy.yaml", field: "Deployment/web: spec.template.spec.containers.[name=app].image", before: img + ":old", after: img + ":new"},
		{file: "m/deploy.yaml", field: "CronJob/nightly: spec.jobTemplate.spec.template.spec.containers.[name=job].image", before: img + "@sha256:" + strings.Repeat("b", 64), after: img + ":new"},
	}
	if diff := cmp.Diff(wantValues, values, vcCmp); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}

	_, err := (&edit{mode: editImage, path: "m", image: "127.0.0.1:5000/me/nope", newTag: "x"}).apply(mapSnapshot(files))
	checkEditError(t, err, "image", "Image not found")
}

func TestYAMLPathEdit(t *testing.T) {
	t.Parallel()
	values := `# Values for myapp.
replicaCount: 2

image:
  repository: 127.0.0.1:5000/me/myapp   # the registry
  # the tag CI sets
  tag: "old"

list:
  - name: a
    value: 1
`
	for _, tc := range []struct {
		name, yamlPath, value string
		files                 map[string]string
		want                  string
		before                string
	}{
		{"change a nested key", "image.tag", "new", map[string]string{"values.yaml": values},
			strings.Replace(values, `tag: "old"`, `tag: "new"`, 1), "old"},
		{"an int stays an int", "replicaCount", "3", map[string]string{"values.yaml": values},
			strings.Replace(values, "replicaCount: 2", "replicaCount: 3", 1), "2"},
		{"an int becomes a string", "replicaCount", "many", map[string]string{"values.yaml": values},
			strings.Replace(values, "replicaCount: 2", "replicaCount: many", 1), "2"},
		{"a list element by key", "list.[name=a].value", "1.10", map[string]string{"values.yaml": values},
			strings.Replace(values, "value: 1\n", "value: \"1.10\"\n", 1), "1"},
		{"a created key", "image.pullPolicy", "Always", map[string]string{"values.yaml": "# top\nimage:\n  tag: x # keep\n"},
			"# top\nimage:\n  tag: x # keep\n  pullPolicy: Always\n", ""},
		{"created maps", "a.b.c", "yes", map[string]string{"values.yaml": "z: 1\n"},
			"z: 1\na:\n  b:\n    c: \"yes\"\n", ""},
		{"a null becomes a map", "a.b", "x", map[string]string{"values.yaml": "a:\n"},
			"a:\n  b: x\n", ""},
		{"kyaml's element syntax", "spec.template.spec.containers.[name=app].image", "r.io/app:2",
			map[string]string{"values.yaml": "spec:\n  template:\n    spec:\n      containers:\n      - name: side\n        image: r.io/side:1\n      - name: app\n        image: r.io/app:1 # app\n"},
			"spec:\n  template:\n    spec:\n      containers:\n      - name: side\n        image: r.io/side:1\n      - name: app\n        image: r.io/app:2 # app\n", "r.io/app:1"},
		{"a key with dots", "metadata.annotations.[example.com/rev]", "7",
			map[string]string{"values.yaml": "metadata:\n  annotations:\n    example.com/rev: '6'\n"},
			"metadata:\n  annotations:\n    example.com/rev: '7'\n", "6"},
		{"CRLF line ends", "image.tag", "b", map[string]string{"values.yaml": "image:\r\n  tag: a\r\n"},
			"image:\r\n  tag: b\r\n", "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, vals := runMapEdit(t, edit{mode: editYAMLPath, path: "values.yaml", yamlPath: tc.yamlPath, value: tc.value}, tc.files)
			if diff := cmp.Diff(map[string]string{"values.yaml": tc.want}, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			want := []valueChange{{file: "values.yaml", field: tc.yamlPath, before: tc.before, after: tc.value}}
			if diff := cmp.Diff(want, vals, vcCmp); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}

	for _, tc := range []struct {
		name, yamlPath string
		files          map[string]string
		attr, summary  string
	}{
		{"through a scalar", "image.tag.x", map[string]string{"values.yaml": values}, "yaml_path", "Cannot set yaml_path"},
		{"a map as the value", "image", map[string]string{"values.yaml": values}, "yaml_path", "Cannot set yaml_path"},
		{"missing element", "list.[name=b].value", map[string]string{"values.yaml": values}, "yaml_path", "Cannot set yaml_path"},
		{"missing file", "a", map[string]string{"other.yaml": "a: 1\n"}, "path", "Path not found in repository"},
		{"two documents", "a", map[string]string{"values.yaml": "a: 1\n---\na: 2\n"}, "path", "More than one YAML document"},
		{"not YAML", "a", map[string]string{"values.yaml": "a: [\n"}, "path", "Invalid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&edit{mode: editYAMLPath, path: "values.yaml", yamlPath: tc.yamlPath, value: "v"}).apply(mapSnapshot(tc.files))
			checkEditError(t, err, tc.attr, tc.summary)
		})
	}
}

func TestContentEdit(t *testing.T) {
	t.Parallel()
	files := map[string]string{"a/b.txt": "one\n"}
	got, values := runMapEdit(t, edit{mode: editContent, path: "a/b.txt", content: "two\n"}, files)
	if diff := cmp.Diff(map[string]string{"a/b.txt": "two\n"}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]valueChange{{file: "a/b.txt", before: "one\n", after: "two\n"}}, values, vcCmp); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got, _ := runMapEdit(t, edit{mode: editContent, path: "a/b.txt", content: "one\n"}, files); len(got) != 0 {
		t.Errorf("same content changed %v", got)
	}
	res, err := (&edit{mode: editContent, path: "new/c.txt", content: "c"}).apply(mapSnapshot(files))
	if err != nil || len(res.files) != 1 || !res.files[0].created {
		t.Errorf("new file: %+v %v", res, err)
	}
	_, err = (&edit{mode: editContent, path: "a", content: "c"}).apply(mapSnapshot(files))
	checkEditError(t, err, "path", "Path is a directory")
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	before := "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
	after := "1\n2\n3\n4\nfive\n6\n7\n8\n9\n"
	got := unifiedDiff([]fileChange{
		{path: "x/f", before: []byte(before), after: []byte(after)},
		{path: "new", after: []byte("a\nb"), created: true},
		{path: "nl", before: []byte("a"), after: []byte("a\n")},
	})
	want := `diff --git a/x/f b/x/f
--- a/x/f
+++ b/x/f
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
diff --git a/new b/new
new file mode 100644
--- /dev/null
+++ b/new
@@ -0,0 +1,2 @@
+a
+b
\ No newline at end of file
diff --git a/nl b/nl
--- a/nl
+++ b/nl
@@ -1 +1 @@
-a
\ No newline at end of file
+a
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
}

func TestParseYAMLFileKeepsText(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"",
		"# only a comment\n",
		"a: 1\n",
		"a: 1",
		"# c\n---\na: 1\n---\n# empty\n---   # marker comment\nb: [1, 2]\n...\n",
		"%YAML 1.2\n---\na: 1\n",
		"--- |\n  text\n---\nb: 2\n",
	} {
		f, err := parseYAMLFile([]byte(text))
		if err != nil {
			if strings.Contains(text, "...") {
				continue // end markers are refused, not mangled
			}
			t.Errorf("parse %q: %v", text, err)
			continue
		}
		got, err := f.bytes()
		if err != nil || string(got) != text {
			t.Errorf("round trip of %q gave %q (%v)", text, got, err)
		}
	}
}

func TestImageRepository(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]string{
		"nginx":                            "nginx",
		"nginx:1.25":                       "nginx",
		"127.0.0.1:5000/me/app":            "127.0.0.1:5000/me/app",
		"127.0.0.1:5000/me/app:v1":         "127.0.0.1:5000/me/app",
		"127.0.0.1:5000/me/app@sha256:abc": "127.0.0.1:5000/me/app",
		"r.io/a/b:t@sha256:abc":            "r.io/a/b",
	} {
		if got := imageRepository(ref); got != want {
			t.Errorf("imageRepository(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestCleanRepoPath(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"apps/myapp": "apps/myapp", "./apps//x/": "apps/x", ".": "", "a/../b": "b",
		"../x": "!", "/etc/passwd": "!", "a/../../x": "!", ".git/config": "!", "a/.GIT/x": "!", "": "!",
	} {
		got, ok := cleanRepoPath(raw)
		if !ok {
			got = "!"
		}
		if got != want {
			t.Errorf("cleanRepoPath(%q) = %q, want %q", raw, got, want)
		}
	}
}

func checkEditError(t *testing.T, err error, attr, summary string) {
	t.Helper()
	var ee *editError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v, want an edit error %q", err, summary)
	}
	if ee.attr != attr || ee.summary != summary {
		t.Errorf("error about %q: %q (%s), want about %q: %q", ee.attr, ee.summary, ee.detail, attr, summary)
	}
}
