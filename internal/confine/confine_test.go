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

package confine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("x"), 0o644)
	root := t.TempDir()
	for _, d := range []string{"a/b", "c"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "a/b/f"), []byte("x"), 0o644)
	real, _ := Root(root)
	links := map[string]string{
		"up":         "..",
		"etc":        "/etc",
		"hostname":   "/etc/hostname",
		"secret":     filepath.Join(outside, "secret"),
		"climb":      "../../../../../../../../etc",
		"a/sibling":  "../c",
		"a/b/abs-in": filepath.Join(root, "c"),
		"a/self":     "b",
		"a/b/deep":   "../../a/b/f",
		"loop1":      "loop2",
		"loop2":      "loop1",
		"c/via":      "../up/x",
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		name   string
		want   string // relative to the resolved root
		escape *EscapeError
		other  bool // some other error
	}{
		"a plain path":                       {name: "a/b/f", want: "a/b/f"},
		"a path that does not exist yet":     {name: "a/new/file", want: "a/new/file"},
		"the root":                           {name: ".", want: "."},
		"a link to a sibling":                {name: "a/sibling", want: "c"},
		"through a link inside":              {name: "a/self/f", want: "a/b/f"},
		"a link to a file inside":            {name: "a/b/deep", want: "a/b/f"},
		"an absolute link inside":            {name: "a/b/abs-in", want: "c"},
		"a link to the parent":               {name: "up", escape: &EscapeError{Link: "up", Target: ".."}},
		"a link to /etc":                     {name: "etc", escape: &EscapeError{Link: "etc", Target: "/etc"}},
		"a path through a link to /etc":      {name: "etc/passwd", escape: &EscapeError{Link: "etc", Target: "/etc"}},
		"a link to a host file":              {name: "hostname", escape: &EscapeError{Link: "hostname", Target: "/etc/hostname"}},
		"a link to a file outside":           {name: "secret", escape: &EscapeError{Link: "secret", Target: filepath.Join(outside, "secret")}},
		"a relative link that climbs out":    {name: "climb/hostname", escape: &EscapeError{Link: "climb", Target: "../../../../../../../../etc"}},
		"a link through a link that escapes": {name: "c/via", escape: &EscapeError{Link: "up", Target: ".."}},
		"a loop":                             {name: "loop1", other: true},
	}
	// One Roots for every case, as an app block's plan shares one among
	// its instances, and a nil one.
	var roots Roots
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(root, tc.name)
			if in, inErr := ResolveIn(root, real, tc.name); in != got || fmt.Sprint(inErr) != fmt.Sprint(err) {
				t.Errorf("ResolveIn(%q) = %q, %v; Resolve gave %q, %v", tc.name, in, inErr, got, err)
			}
			rel, relErr := Rel(root, tc.name)
			for _, r := range []*Roots{&roots, nil} {
				if in, inErr := r.Rel(root, tc.name); in != rel || fmt.Sprint(inErr) != fmt.Sprint(relErr) {
					t.Errorf("Roots.Rel(%q) = %q, %v; Rel gave %q, %v", tc.name, in, inErr, rel, relErr)
				}
			}
			switch {
			case tc.escape != nil:
				var e *EscapeError
				if !errors.As(err, &e) {
					t.Fatalf("Resolve(%q) = %q, %v; want an escape", tc.name, got, err)
				}
				tc.escape.Root = root
				if *e != *tc.escape {
					t.Errorf("Resolve(%q) escape = %+v, want %+v", tc.name, *e, *tc.escape)
				}
			case tc.other:
				if err == nil {
					t.Errorf("Resolve(%q) = %q, want an error", tc.name, got)
				}
			default:
				if err != nil {
					t.Fatalf("Resolve(%q): %v", tc.name, err)
				}
				if want := filepath.Join(real, tc.want); got != want {
					t.Errorf("Resolve(%q) = %q, want %q", tc.name, got, want)
				}
			}
		})
	}
}

func TestResolveOutside(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, name := range []string{"/etc/hostname", "..", "../x", "a/../../x"} {
		_, err := Resolve(root, name)
		var e *OutsideError
		if !errors.As(err, &e) {
			t.Errorf("Resolve(%q) = %v, want an OutsideError", name, err)
		}
	}
}

func TestEscapeErrorMessage(t *testing.T) {
	t.Parallel()
	e := &EscapeError{Link: "out/etc", Target: "/etc", Root: "/ws"}
	if got, want := e.Error(), "out/etc is a symbolic link to /etc, which is outside /ws"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestRootsMissingRoot: a root that cannot be resolved is the same error
// from Roots as from Rel, the second time too.
func TestRootsMissingRoot(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone")
	_, want := Rel(missing, "a")
	if want == nil {
		t.Fatal("Rel of a missing root succeeded")
	}
	var roots Roots
	for range 2 {
		if _, err := roots.Rel(missing, "a"); fmt.Sprint(err) != fmt.Sprint(want) {
			t.Errorf("Roots.Rel of a missing root: %v, want %v", err, want)
		}
	}
}

// TestRootsRemembersNames: a Roots resolves a name once, links and all;
// a link changed since is seen by a new Roots, as the next piece of work
// makes one.
func TestRootsRemembersNames(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"web", "api"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("web", filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	var roots Roots
	for range 2 {
		if got, err := roots.Rel(root, "current"); got != "web" || err != nil {
			t.Fatalf("current: %q %v, want web", got, err)
		}
	}
	os.Remove(filepath.Join(root, "current"))
	if err := os.Symlink("/etc", filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	if got, err := roots.Rel(root, "current"); got != "web" || err != nil {
		t.Errorf("the same Roots: %q %v, want web as it resolved it", got, err)
	}
	var next Roots
	var escape *EscapeError
	if _, err := next.Rel(root, "current"); !errors.As(err, &escape) {
		t.Errorf("a new Roots: %v, want the link to /etc refused", err)
	}
}

// TestRootsRootIsRoot: Roots.Root resolves what Root resolves, its
// parent's links followed once: a directory, one below a link, a link
// (relative, climbing), a missing one, and "/".
func TestRootsRootIsRoot(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"real/a", "real/b", "other/c"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, to := range map[string]string{"via": "real", "real/up": "../other/c", "real/abs": filepath.Join(base, "real", "b")} {
		if err := os.Symlink(to, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	var roots Roots
	for _, dir := range []string{"real/a", "via/a", "via/b", "via/up", "real/up", "via/abs", "via/missing", "missing/a", "via/a/../b"} {
		p := filepath.Join(base, dir)
		want, werr := Root(p)
		for range 2 { // resolved, then remembered
			got, err := roots.Root(p)
			if got != want || (err == nil) != (werr == nil) {
				t.Errorf("Roots.Root(%s) = %q, %v; Root: %q, %v", dir, got, err, want, werr)
			}
		}
	}
	if got, err := roots.Root("/"); got != "/" || err != nil {
		t.Errorf(`Roots.Root("/") = %q, %v`, got, err)
	}
	var none *Roots
	if got, err := none.Root(filepath.Join(base, "via", "a")); got != filepath.Join(base, "real", "a") || err != nil {
		t.Errorf("a nil Roots: %q, %v", got, err)
	}
}
