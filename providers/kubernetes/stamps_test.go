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
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/providers/internal/kube"
)

// TestElidedSourcesReadsAgainWhatChanged: a provider the host keeps
// digests an app's manifests from what the last plan read while every
// directory walked and file read has its stamp, and reads them again
// after any change: a file's bytes (the same size), a file added, a link
// pointed elsewhere, a link further in (in a directory that is not
// walked) pointed elsewhere, and a file changed within a second of being
// read. Its digest is always the one reading the files makes.
func TestElidedSourcesReadsAgainWhatChanged(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are stamped on Linux only")
	}
	dir := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(rel, to string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		os.Remove(p)
		if err := os.Symlink(to, p); err != nil {
			t.Fatal(err)
		}
	}
	cm := func(v string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  v: " + v + "\n"
	}
	write("a.yaml", cm("1"))
	write("sub/b.yaml", cm("b"))
	write("sub/t1.yaml.txt", cm("t1"))
	write("d1/c.yaml.txt", cm("c1"))
	write("d2/c.yaml.txt", cm("c2"))
	link("t.yaml", "sub/t1.yaml.txt")
	if err := os.Mkdir(filepath.Join(dir, ".in"), 0o755); err != nil {
		t.Fatal(err)
	}
	link(".in/d", "../d1")
	link("c.yaml", ".in/d/c.yaml.txt")

	resident := newProvider()
	resident.watch.Store(kube.NewMetaWatch())
	// read has the resident provider digest dir as a plan would, and
	// reports whether it read the files.
	read := func(what string) bool {
		t.Helper()
		resident.known.Next()
		src, err := resident.elidedSources(dir, &confine.Roots{})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want, err := readSources(dir)
		if err != nil {
			t.Fatal(err)
		}
		if src.digest != want.digest {
			t.Fatalf("%s: digest %s, reading the files makes %s", what, src.digest, want.digest)
		}
		return src.files != nil
	}
	settle := func() { time.Sleep(racyWithin + 100*time.Millisecond) }

	settle()
	if !read("first plan") {
		t.Fatal("the first plan did not read the files")
	}
	if read("unchanged") {
		t.Fatal("an unchanged directory was read again")
	}
	steps := []struct {
		what   string
		change func()
		// racy: the change is to a directory walked or a file read,
		// which the next plan reads again too.
		racy bool
	}{
		{"a file's bytes changed (same size)", func() { write("a.yaml", cm("2")) }, true},
		{"a file added below", func() { write("sub/new.yaml", cm("new")) }, true},
		{"a link pointed elsewhere", func() { write("sub/t2.yaml.txt", cm("t2")); link("t.yaml", "sub/t2.yaml.txt") }, true},
		// Only the link changed, in a directory slipway does not walk:
		// the files read are as old as before.
		{"a link in an unwalked directory pointed elsewhere", func() { link(".in/d", "../d2") }, false},
		{"a link's target changed", func() { write("d2/c.yaml.txt", cm("c3")) }, true},
		{"a file removed", func() { os.Remove(filepath.Join(dir, "sub", "b.yaml")) }, true},
	}
	for _, s := range steps {
		s.change()
		if !read(s.what) {
			t.Fatalf("%s: not read again", s.what)
		}
		// Changed within the last second: read again at the next plan
		// too, then no more.
		if again := read(s.what + ", racy"); again != s.racy {
			t.Fatalf("%s: read again at the next plan %v, want %v", s.what, again, s.racy)
		}
		settle()
		read(s.what + ", settled")
		if read(s.what + ", settled twice") {
			t.Fatalf("%s: an unchanged directory was read again once settled", s.what)
		}
	}

	// A kustomization's file made beside them (one kustomize reads
	// that is not a manifest by its name): the directory is taken for a
	// kustomization at once; once it is gone, for plain YAML again.
	write("Kustomization", "resources: [a.yaml]\n")
	resident.known.Next()
	if src, err := resident.elidedSources(dir, &confine.Roots{}); err != nil || src.tool != builtin.ToolKustomize {
		t.Fatalf("with a Kustomization file: %+v, %v; want a kustomization", src, err)
	}
	os.Remove(filepath.Join(dir, "Kustomization"))
	read("the Kustomization file removed")
	settle()
	read("the Kustomization file removed, settled")
	if read("the Kustomization file removed, settled twice") {
		t.Fatal("an unchanged directory was read again once settled")
	}

	// A Kustomization that is a link leading nowhere yet: plain YAML,
	// until what it leads to is made (in a directory slipway does not
	// walk, so the app's directory is as it was).
	link("Kustomization", ".in/k")
	settle()
	resident.known.Next()
	if src, err := resident.elidedSources(dir, &confine.Roots{}); err != nil || src.tool != builtin.ToolPlain {
		t.Fatalf("with a Kustomization link to nothing: %+v, %v; want plain YAML", src, err)
	}
	write(".in/k", "resources: [a.yaml]\n")
	resident.known.Next()
	if src, err := resident.elidedSources(dir, &confine.Roots{}); err != nil || src.tool != builtin.ToolKustomize {
		t.Fatalf("once the Kustomization link leads to a file: %+v, %v; want a kustomization", src, err)
	}
	os.Remove(filepath.Join(dir, "Kustomization"))

	// A process the host does not keep reads the files at every plan.
	single := newProvider()
	for i := range 2 {
		src, err := single.elidedSources(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if src.files == nil {
			t.Fatalf("plan %d of a process of its own did not read the files", i+1)
		}
	}
}
