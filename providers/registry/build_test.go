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
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tarEntries lists a tar's entries as "name mode type uid/gid mtime".
func tarEntries(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() || len(h.PAXRecords) > 0 {
			t.Errorf("%s: owner %d:%d %q:%q, atime %v, ctime %v, PAX %v; want root, no names, no times but mtime", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.AccessTime, h.ChangeTime, h.PAXRecords)
		}
		e := fmt.Sprintf("%s %04o %c %s", h.Name, h.Mode, h.Typeflag, h.ModTime.UTC().Format(time.RFC3339))
		if h.Linkname != "" {
			e += " -> " + h.Linkname
		}
		out = append(out, e)
	}
}

func TestLayerTar(t *testing.T) {
	t.Parallel()
	epoch := time.Unix(0, 0)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"web/index.html":     "<h1>hi</h1>\n",
		"web/css/site.css":   "body{}\n",
		"web/z-last.txt":     "z\n",
		"bin/tool":           "#!/bin/sh\n",
		"secret/readonly.pw": "pw\n",
	}, map[string]os.FileMode{"bin/tool": 0o700, "secret/readonly.pw": 0o400})
	if err := os.Symlink("index.html", filepath.Join(dir, "web", "home.html")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"/srv/www":          "web",
		"/usr/bin/tool":     "bin/tool",
		"/etc/pw":           "secret/readonly.pw",
		"/srv/www-data/./x": "web/z-last.txt",
	}
	b, err := layerTar(dir, files, epoch)
	if err != nil {
		t.Fatal(err)
	}
	const d = " 1970-01-01T00:00:00Z"
	checkEqual(t, "entries", []string{
		"etc/ 0755 5" + d,
		"etc/pw 0644 0" + d,
		"srv/ 0755 5" + d,
		"srv/www/ 0755 5" + d,
		"srv/www-data/ 0755 5" + d,
		"srv/www-data/x 0644 0" + d,
		"srv/www/css/ 0755 5" + d,
		"srv/www/css/site.css 0644 0" + d,
		"srv/www/home.html 0777 2" + d + " -> index.html",
		"srv/www/index.html 0644 0" + d,
		"srv/www/z-last.txt 0644 0" + d,
		"usr/ 0755 5" + d,
		"usr/bin/ 0755 5" + d,
		"usr/bin/tool 0755 0" + d,
	}, tarEntries(t, b))

	// Byte for byte the same from a copy elsewhere, whatever its times.
	other := filepath.Join(t.TempDir(), "copy")
	writeTree(t, other, map[string]string{
		"secret/readonly.pw": "pw\n",
		"bin/tool":           "#!/bin/sh\n",
		"web/z-last.txt":     "z\n",
		"web/css/site.css":   "body{}\n",
		"web/index.html":     "<h1>hi</h1>\n",
	}, map[string]os.FileMode{"bin/tool": 0o750, "secret/readonly.pw": 0o600})
	if err := os.Symlink("index.html", filepath.Join(other, "web", "home.html")); err != nil {
		t.Fatal(err)
	}
	again, err := layerTar(other, files, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Errorf("the same files from another directory gave another tar")
	}

	// The image root takes a directory's contents.
	root, err := layerTar(dir, map[string]string{"/": "web/css"}, epoch)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "root entries", []string{"site.css 0644 0" + d}, tarEntries(t, root))

	// No files, no layer.
	if none, err := layerTar(dir, nil, epoch); none != nil || err != nil {
		t.Errorf("no files: %d bytes, %v; want no layer", len(none), err)
	}
}

func TestLayerTarErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a/x": "x", "f": "f"}, nil)
	for _, tc := range []struct {
		name  string
		files map[string]string
		dest  string
		msg   string
	}{
		{"missing", map[string]string{"/app/y": "a/y"}, "/app/y", `the source "a/y" of image path /app/y is not in context_dir ` + dir},
		{"twice", map[string]string{"/a": "a", "/a/x": "f"}, "/a/x", `the image path /a/x comes from files["/a"] and from files["/a/x"]`},
		{"inside a file", map[string]string{"/f": "f", "/f/x": "f"}, "/f/x", `files["/f/x"] puts /f/x inside /f, which files["/f"] makes a file`},
		{"file as root", map[string]string{"/": "f"}, "/", "the image root can only take a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := layerTar(dir, tc.files, time.Unix(0, 0))
			var fe *filesError
			if !errors.As(err, &fe) || fe.dest != tc.dest || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v (%#v), want one about files[%q] saying %q", err, fe, tc.dest, tc.msg)
			}
		})
	}
}

// TestLayerTarSymlinks checks that a source whose links lead outside
// context_dir is refused, naming the link and where it points, and that
// links that stay inside are followed.
func TestLayerTarSymlinks(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"etc/passwd": "root:x:0:0\n"}, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"out/app": "app\n"}, nil)
	for link, target := range map[string]string{
		"out/hostname": "/etc/hostname",
		"etc":          filepath.Join(outside, "etc"),
		"up":           "../..",
		"out/same":     "app",
		"bin":          "out",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, dest, src, msg string
	}{
		{"a link to a host file", "/etc/hostname", "out/hostname", `the source "out/hostname" of image path /etc/hostname leads outside context_dir: out/hostname is a symbolic link to /etc/hostname, which is outside ` + dir},
		{"a link to a directory outside", "/etc", "etc", `etc is a symbolic link to ` + filepath.Join(outside, "etc") + `, which is outside ` + dir},
		{"a file below a link outside", "/etc/passwd", "etc/passwd", `etc is a symbolic link to ` + filepath.Join(outside, "etc")},
		{"a link that climbs out", "/x", "up/x", `up is a symbolic link to ../.., which is outside ` + dir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := layerTar(dir, map[string]string{tc.dest: tc.src}, time.Unix(0, 0))
			var fe *filesError
			if !errors.As(err, &fe) || fe.dest != tc.dest || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want one about files[%q] saying %q", err, tc.dest, tc.msg)
			}
			if b != nil {
				t.Errorf("a layer of %d bytes was made", len(b))
			}
		})
	}

	// Links inside context_dir are followed: the file's content goes in.
	b, err := layerTar(dir, map[string]string{"/app/a": "out/same", "/app/b": "bin/app"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	const d = " 1970-01-01T00:00:00Z"
	checkEqual(t, "entries", []string{"app/ 0755 5" + d, "app/a 0644 0" + d, "app/b 0644 0" + d}, tarEntries(t, b))
}

func TestBuildTime(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if got, err := buildTime(); err != nil || got.Unix() != 0 {
		t.Errorf("unset: %v %v, want the epoch", got, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if got, err := buildTime(); err != nil || got.Unix() != 1700000000 {
		t.Errorf("set: %v %v, want 1700000000", got, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := buildTime(); err == nil || !strings.Contains(err.Error(), `"yesterday"`) {
		t.Errorf("invalid: %v, want an error naming it", err)
	}
}

func TestAssembleIsReproducible(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, appFiles, appModes)
	c := imageConfig{
		files:      map[string]string{"/app": "."},
		entrypoint: []string{"/app/bin/app"},
		env:        map[string]string{"B": "2", "A": "1"},
		platform:   &v1.Platform{OS: "linux", Architecture: "amd64"},
	}
	build := func() string {
		layer, err := layerTar(dir, c.files, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		img, err := assemble(nil, c, layer, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		return digestOf(t, img)
	}
	first := build()
	for range 3 {
		if got := build(); got != first {
			t.Fatalf("a second build gave %s, want %s", got, first)
		}
	}
}

func TestRunConfig(t *testing.T) {
	t.Parallel()
	base := v1.Config{
		Env:        []string{"PATH=/bin", "MODE=base", "HOME=/root"},
		Entrypoint: []string{"/init"},
		Cmd:        []string{"sh"},
		Labels:     map[string]string{"a": "1"},
		User:       "root",
		WorkingDir: "/",
	}
	user := ""
	got := runConfig(base, imageConfig{
		env:        map[string]string{"MODE": "app", "Z": "z", "B": "b"},
		labels:     map[string]string{"b": "2"},
		entrypoint: []string{"/app"},
		user:       &user,
	})
	checkEqual(t, "config", v1.Config{
		Env:        []string{"PATH=/bin", "HOME=/root", "B=b", "MODE=app", "Z=z"},
		Entrypoint: []string{"/app"},
		Labels:     map[string]string{"a": "1", "b": "2"},
		WorkingDir: "/",
	}, got)
	checkEqual(t, "base untouched", []string{"PATH=/bin", "MODE=base", "HOME=/root"}, base.Env)
	checkEqual(t, "nothing set", base, runConfig(base, imageConfig{}))
}

func TestHighestAndListing(t *testing.T) {
	t.Parallel()
	tags := []string{"latest", "v1.4.2", "1.4.2", "1.4.10", "1.4", "1.5.0-rc.1", "1.10.0", "2", "main", "0.9.0"}
	for _, tc := range []struct{ constraint, want string }{
		{"~1.4", "1.4.10"},
		{"^1", "1.10.0"},
		{"1.4.2", "1.4.2"},
		{"<1", "0.9.0"},
		{">=1.5.0-0 <1.6", "1.5.0-rc.1"},
		{"^3", ""},
	} {
		c, err := semver.NewConstraint(tc.constraint)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := highest(tags, c); got != tc.want {
			t.Errorf("highest %q = %q, want %q", tc.constraint, got, tc.want)
		}
	}
	checkEqual(t, "listing",
		`Its tags are: "1.10.0", "1.5.0-rc.1", "1.4.10", "1.4.2", "v1.4.2", "0.9.0", "1.4", "2", "latest", "main".`,
		listing(tags))
	many := make([]string, 15)
	for i := range many {
		many[i] = "t" + string(rune('a'+i))
	}
	if got := listing(many); !strings.HasSuffix(got, `"tj", and 5 more.`) {
		t.Errorf("listing of 15 tags = %q, want 10 and a count", got)
	}
}
