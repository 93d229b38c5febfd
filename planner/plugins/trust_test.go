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

package plugins

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// writeExe writes an executable script.
func writeExe(t *testing.T, path, script string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func hashOf(t *testing.T, path string) string {
	t.Helper()
	h, err := HashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// searchEnv isolates the search path: no SLIPWAY_PROVIDER_PATH, no trust,
// and a home of the test's own.
func searchEnv(t *testing.T) (home string) {
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SLIPWAY_PROVIDER_PATH", "")
	t.Setenv(TrustLocalEnv, "")
	return home
}

func TestSearchPathLeavesOutTheConfigurationsProviders(t *testing.T) {
	home := searchEnv(t)
	user := t.TempDir()
	repo := t.TempDir()
	t.Setenv("SLIPWAY_PROVIDER_PATH", user)
	local := filepath.Join(repo, ".slipway", "providers")
	writeExe(t, filepath.Join(local, "slipway-provider-file"), "#!/bin/sh\nexit 1\n")

	sp, diags := LoadSearchPath(repo)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := []string{user, filepath.Join(home, ".slipway", "providers")}
	if !slices.Equal(sp.Dirs, want) || sp.Trusted {
		t.Errorf("search path %q (trusted %v), want %q, untrusted", sp.Dirs, sp.Trusted, want)
	}
	if got := Candidates("file", sp.Dirs); len(got) != 0 {
		t.Errorf("candidates %q: the repository's own provider is on the search path", got)
	}
	msg := sp.notFound("file", "")
	for _, w := range []string{local, TrustLocalEnv, "trust_local_providers"} {
		if !strings.Contains(msg, w) {
			t.Errorf("not-found message lacks %q:\n%s", w, msg)
		}
	}
}

func TestSearchPathTrust(t *testing.T) {
	tests := map[string]struct {
		env      string
		settings string // ~/.slipway/config.hcl, with REPO for the configuration directory
		trusted  bool
		errs     []string
	}{
		"untrusted":                   {},
		"environment":                 {env: "1", trusted: true},
		"environment says no":         {env: "0"},
		"environment is nonsense":     {env: "yes please", errs: []string{"Invalid " + TrustLocalEnv}},
		"settings":                    {settings: `trust_local_providers = ["REPO"]`, trusted: true},
		"settings, another directory": {settings: `trust_local_providers = ["/somewhere/else"]`},
		"settings, relative path":     {settings: `trust_local_providers = ["repo"]`, errs: []string{"Relative path"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			home := searchEnv(t)
			repo := t.TempDir()
			t.Setenv(TrustLocalEnv, tc.env)
			if tc.settings != "" {
				writeExe(t, filepath.Join(home, CLIConfigFile), strings.ReplaceAll(tc.settings, "REPO", repo))
			}
			sp, diags := LoadSearchPath(repo)
			for _, e := range tc.errs {
				if !strings.Contains(diags.Error(), e) {
					t.Errorf("diagnostics %q lack %q", diags.Error(), e)
				}
			}
			if len(tc.errs) == 0 && diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			local := filepath.Join(repo, ".slipway", "providers")
			if sp.Trusted != tc.trusted || slices.Contains(sp.Dirs, local) != tc.trusted {
				t.Errorf("trusted %v, search path %q; want trusted %v", sp.Trusted, sp.Dirs, tc.trusted)
			}
			if tc.trusted && sp.Dirs[len(sp.Dirs)-1] != local {
				t.Errorf("search path %q: a trusted local directory comes last, after the user's own", sp.Dirs)
			}
		})
	}
}

func TestSearchPathSettingsDirs(t *testing.T) {
	home := searchEnv(t)
	writeExe(t, filepath.Join(home, CLIConfigFile), "provider_dirs = [\"/opt/slipway/providers\", \"~/bin\"]\n")
	sp, diags := LoadSearchPath(t.TempDir())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := []string{"/opt/slipway/providers", filepath.Join(home, "bin"), filepath.Join(home, ".slipway", "providers")}
	if !slices.Equal(sp.Dirs, want) {
		t.Errorf("search path %q, want %q", sp.Dirs, want)
	}
}

func writeLock(t *testing.T, dir, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOldLockFileWithPaths(t *testing.T) {
	dir := t.TempDir()
	writeLock(t, dir, `
provider "file" {
  version = "0.1.0"
  path    = ".slipway/providers/slipway-provider-file"
  hashes  = ["sha256:60dce0f5ade5fe76a401f5200ee6789ae53469cda1a4c6e52e800c18de879c44"]
}
`)
	locks, diags := LoadLocks(dir)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	l := locks.Providers["file"]
	if l == nil || l.Version != "0.1.0" || !slices.Equal(l.Hashes, []string{"sha256:60dce0f5ade5fe76a401f5200ee6789ae53469cda1a4c6e52e800c18de879c44"}) {
		t.Fatalf("lock %+v", l)
	}
	if err := locks.Save(dir); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(filepath.Join(dir, LockFileName))
	if strings.Contains(string(src), "path") || !strings.Contains(string(src), l.Hashes[0]) {
		t.Errorf("rewritten lock file:\n%s", src)
	}
}

func TestLockFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := &Locks{Providers: map[string]*Lock{
		"file": {Name: "file", Version: "0.1.0", Hashes: []string{"sha256:aa", "sha256:bb"}},
		"git":  {Name: "git", SlipwayVersion: "v0.2.0"},
	}}
	if err := want.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, diags := LoadLocks(dir)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	for n, w := range want.Providers {
		g := got.Providers[n]
		if g == nil || g.Version != w.Version || g.SlipwayVersion != w.SlipwayVersion || !slices.Equal(g.Hashes, w.Hashes) {
			t.Errorf("%s: got %+v, want %+v", n, g, w)
		}
	}
	if !got.Providers["git"].Builtin() || got.Providers["file"].Builtin() {
		t.Errorf("Builtin() is wrong")
	}
}

func TestInvalidPins(t *testing.T) {
	tests := map[string]string{
		"no hashes":           `provider "file" { version = "0.1.0" }`,
		"builtin with hashes": "provider \"git\" {\n slipway_version = \"v1\"\n hashes = [\"sha256:aa\"]\n}\n",
		"hash without scheme": "provider \"file\" {\n version = \"0.1.0\"\n hashes = [\"aa\"]\n}\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeLock(t, dir, src)
			_, diags := LoadLocks(dir)
			if !diags.HasErrors() || !strings.Contains(diags.Error(), "slipway init -upgrade") {
				t.Errorf("diagnostics %q", diags.Error())
			}
		})
	}
}

// forEachExecMode runs a test with the binary executed through its open
// descriptor (where the system allows) and as a private copy.
func forEachExecMode(t *testing.T, f func(t *testing.T)) {
	modes := map[string]func() bool{"copy": func() bool { return false }}
	if fdExec() {
		modes["descriptor"] = fdExec
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			old := fdExec
			fdExec = mode
			t.Cleanup(func() { fdExec = old })
			f(t)
		})
	}
}

// TestTheHashedFileIsTheOneThatRuns replaces the binary at its path after
// it was hashed: what runs is still what was hashed.
func TestTheHashedFileIsTheOneThatRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts")
	}
	forEachExecMode(t, func(t *testing.T) {
		dir := t.TempDir()
		path := writeExe(t, filepath.Join(dir, "slipway-provider-x"), "#!/bin/sh\necho hashed \"$0\"\n")
		want := hashOf(t, path)
		bin, err := openBinary(path)
		if err != nil {
			t.Fatal(err)
		}
		defer bin.close()
		if bin.hash != want {
			t.Fatalf("hash %s, want %s", bin.hash, want)
		}
		other := writeExe(t, filepath.Join(dir, "other"), "#!/bin/sh\necho swapped\n")
		if err := os.Rename(other, path); err != nil {
			t.Fatal(err)
		}
		cmd := bin.command()
		if cmd.Args[0] != path {
			t.Errorf("argv[0] = %q, want %q", cmd.Args[0], path)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if !strings.HasPrefix(string(out), "hashed ") {
			t.Errorf("ran %q, want the hashed script", out)
		}
		t.Logf("ran %s as %s", path, cmd.Path)
	})
}

func TestSetRefusesABinaryWhoseHashIsNotPinned(t *testing.T) {
	searchEnv(t)
	dir := t.TempDir()
	path := writeExe(t, filepath.Join(dir, "slipway-provider-file"), "#!/bin/sh\ntouch \"$0.ran\"\n")
	pinned := "sha256:60dce0f5ade5fe76a401f5200ee6789ae53469cda1a4c6e52e800c18de879c44"
	s := &Set{
		Locks:  &Locks{Providers: map[string]*Lock{"file": {Name: "file", Version: "0.1.0", Hashes: []string{pinned}}}},
		Search: &SearchPath{Dirs: []string{dir}},
	}
	_, err := s.Get(context.Background(), "provider.file", "file")
	if err == nil {
		t.Fatal("Get started a binary whose hash is not pinned")
	}
	for _, w := range []string{pinned, path, hashOf(t, path), "slipway init -upgrade"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if _, err := os.Stat(path + ".ran"); err == nil {
		t.Error("the binary ran")
	}
}

func TestInstallKeepsAPinFoundAnywhereOnTheSearchPath(t *testing.T) {
	searchEnv(t)
	first, second := t.TempDir(), t.TempDir()
	writeExe(t, filepath.Join(first, "slipway-provider-file"), "#!/bin/sh\ntouch \"$0.ran\"\n")
	pinnedPath := writeExe(t, filepath.Join(second, "slipway-provider-file"), "#!/bin/sh\ntouch \"$0.ran\" # the pinned one\n")
	old := &Locks{Providers: map[string]*Lock{"file": {Name: "file", Version: "0.1.0", Hashes: []string{"sha256:00", hashOf(t, pinnedPath)}}}}
	var reported string
	locks, diags := Install(context.Background(), []Requirement{{Name: "file"}}, old, InstallOptions{
		Search: &SearchPath{Dirs: []string{first, second}},
		Report: func(_, _, path string, _ bool) { reported = path },
	})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if l := locks.Providers["file"]; l == nil || !slices.Equal(l.Hashes, old.Providers["file"].Hashes) {
		t.Errorf("pin %+v, want the old one kept", l)
	}
	if reported != pinnedPath {
		t.Errorf("reported %s, want %s", reported, pinnedPath)
	}
	for _, d := range []string{first, second} {
		if _, err := os.Stat(filepath.Join(d, "slipway-provider-file.ran")); err == nil {
			t.Errorf("init ran %s: a pinned provider's version is known", d)
		}
	}
}

func TestInstallRefusesAChangedBinaryAndAChangedSlipway(t *testing.T) {
	searchEnv(t)
	dir := t.TempDir()
	path := writeExe(t, filepath.Join(dir, "slipway-provider-file"), "#!/bin/sh\ntouch \"$0.ran\"\n")
	old := &Locks{Providers: map[string]*Lock{
		"file": {Name: "file", Version: "0.1.0", Hashes: []string{"sha256:00"}},
		"git":  {Name: "git", SlipwayVersion: "v0.1.0"},
	}}
	_, diags := Install(context.Background(), []Requirement{{Name: "file"}, {Name: "git"}}, old, InstallOptions{
		Search: &SearchPath{Dirs: []string{dir}}, Builtins: map[string]bool{"git": true}, SlipwayVersion: "v0.2.0",
	})
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	if !slices.Equal(summaries, []string{"Provider binary changed", "Built-in provider changed"}) {
		t.Fatalf("diagnostics %s", diags.Error())
	}
	if d := diags[0].Detail; !strings.Contains(d, "sha256:00") || !strings.Contains(d, hashOf(t, path)) {
		t.Errorf("detail does not name the expected and found hashes: %s", d)
	}
	if _, err := os.Stat(path + ".ran"); err == nil {
		t.Error("init ran the changed binary")
	}
}

func TestSetRefusesABuiltinOfAnotherSlipway(t *testing.T) {
	s := &Set{
		Builtins:       map[string]bool{"git": true},
		Self:           "/bin/false",
		Locks:          &Locks{Providers: map[string]*Lock{"git": {Name: "git", SlipwayVersion: "v0.1.0"}}},
		SlipwayVersion: "v0.2.0",
	}
	_, err := s.Get(context.Background(), "provider.git", "git")
	if err == nil || !strings.Contains(err.Error(), "built into slipway v0.1.0, but this is slipway v0.2.0") || !strings.Contains(err.Error(), "slipway init -upgrade") {
		t.Errorf("err = %v", err)
	}
}

func TestInstallPinsOtherPlatforms(t *testing.T) {
	searchEnv(t)
	dir, mirror := t.TempDir(), t.TempDir()
	native := writeExe(t, filepath.Join(dir, "slipway-provider-file"), "#!/bin/sh\n# native\n")
	other := "darwin_arm64"
	if CurrentPlatform() == other {
		other = "linux_amd64"
	}
	foreign := writeExe(t, filepath.Join(mirror, "file", "0.1.0", other, "slipway-provider-file"), "#!/bin/sh\n# foreign\n")
	windows := writeExe(t, filepath.Join(mirror, "file", "0.1.0", "windows_amd64", "slipway-provider-file.exe"), "MZ\n")
	old := &Locks{Providers: map[string]*Lock{"file": {Name: "file", Version: "0.1.0", Hashes: []string{hashOf(t, native)}}}}
	install := func(platforms ...string) (*Locks, string) {
		t.Helper()
		locks, diags := Install(context.Background(), []Requirement{{Name: "file"}}, old, InstallOptions{
			Search: &SearchPath{Dirs: []string{dir, mirror}}, Platforms: platforms,
		})
		if !diags.HasErrors() {
			return locks, ""
		}
		return locks, diags.Error()
	}
	locks, errs := install(other, "windows_amd64", CurrentPlatform())
	if errs != "" {
		t.Fatal(errs)
	}
	want := []string{hashOf(t, native), hashOf(t, foreign), hashOf(t, windows)}
	if got := locks.Providers["file"].Hashes; !slices.Equal(got, want) {
		t.Errorf("hashes %v, want the native, %s and windows_amd64 binaries' %v", got, other, want)
	}
	if !slices.Equal(old.Providers["file"].Hashes, want[:1]) {
		t.Errorf("Install changed the old pin: %v", old.Providers["file"].Hashes)
	}
	// A platform with no binary is an error that says where to put one.
	_, errs = install("freebsd_riscv64")
	if !strings.Contains(errs, filepath.Join("file", "0.1.0", "freebsd_riscv64", "slipway-provider-file")) {
		t.Errorf("missing platform: %s", errs)
	}

	// A fresh clone on another machine, where the provider is kept only
	// in the mirror layout for its platform, accepts the same pin.
	onlyMirror := t.TempDir()
	writeExe(t, filepath.Join(onlyMirror, "file", "0.1.0", CurrentPlatform(), "slipway-provider-file"), "#!/bin/sh\n# native\n")
	locks, diags := Install(context.Background(), []Requirement{{Name: "file"}}, &Locks{Providers: map[string]*Lock{"file": {Name: "file", Version: "0.1.0", Hashes: want}}},
		InstallOptions{Search: &SearchPath{Dirs: []string{onlyMirror}}})
	if diags.HasErrors() {
		t.Fatalf("the pin, with the binary in the mirror layout: %s", diags.Error())
	}
	if got := locks.Providers["file"].Hashes; !slices.Equal(got, want) {
		t.Errorf("hashes %v, want %v kept", got, want)
	}
}

func TestCheckPlatform(t *testing.T) {
	for p, ok := range map[string]bool{"linux_amd64": true, "darwin_arm64": true, "linux": false, "Linux_AMD64": false, "linux_amd64/x": false, "": false} {
		if err := CheckPlatform(p); (err == nil) != ok {
			t.Errorf("CheckPlatform(%q) = %v", p, err)
		}
	}
}
