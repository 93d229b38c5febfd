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

package command

import (
	"fmt"
	"path/filepath"

	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
)

// BuildInfo is what a slipway binary knows of its own build. The Makefile
// stamps Version, Commit and Date; a build without stamping has Version
// "dev" and no commit or date.
type BuildInfo struct {
	Version   string
	Commit    string
	Date      string
	GoVersion string
	Platform  string // GOOS/GOARCH
}

// String is the human form, also printed by -version.
func (b BuildInfo) String() string {
	return fmt.Sprintf("slipway %s\n  commit: %s\n  built:  %s\n  go:     %s %s\n",
		b.Version, orUnknown(b.Commit), orUnknown(b.Date), b.GoVersion, b.Platform)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// VersionArgs are version's flags.
type VersionArgs struct {
	JSON bool
	// BuiltinVersion returns the version of a built-in provider.
	BuiltinVersion func(name string) string
}

// Where a provider was found, in the JSON of `slipway version -json`.
const (
	FoundBuiltin    = "builtin"     // served by the slipway binary itself
	FoundLockFile   = "lock_file"   // pinned in .slipway.lock.hcl, which slipway runs
	FoundSearchPath = "search_path" // on the search path but not pinned: slipway init pins it
	FoundNone       = "not_found"   // nowhere: slipway init says where it looked
)

// VersionDocument is the documented shape of `slipway version -json`.
type VersionDocument = versionJSON

type versionJSON struct {
	Version   string            `json:"version"`
	Commit    string            `json:"commit"`
	Date      string            `json:"date"`
	GoVersion string            `json:"go_version"`
	Platform  string            `json:"platform"`
	Providers []versionProvider `json:"providers"`
}

type versionProvider struct {
	Name string `json:"name"`
	// Version is empty when slipway does not know it without running an
	// unpinned binary.
	Version string `json:"version"`
	Found   string `json:"found"`
	Path    string `json:"path,omitempty"`
	// Note says what is wrong with a provider slipway would not start.
	Note string `json:"note,omitempty"`
}

// PrintVersion runs `slipway version`: the build of this binary and, with
// -json, the providers the configuration in the directory uses and where
// each was found. It never starts a provider.
func (m *Meta) PrintVersion(b BuildInfo, a VersionArgs) int {
	if !a.JSON {
		m.View.Printf("%s", b.String())
		return 0
	}
	out := versionJSON{
		Version: b.Version, Commit: b.Commit, Date: b.Date, GoVersion: b.GoVersion, Platform: b.Platform,
		Providers: m.providersInUse(a),
	}
	m.View.JSON(out)
	return 0
}

// providersInUse lists the providers of the configuration in m.Dir, none
// when there is no configuration. A configuration with errors is reported
// on stderr and lists none.
func (m *Meta) providersInUse(a VersionArgs) []versionProvider {
	out := []versionProvider{}
	if !hasConfigFiles(m.Dir) {
		return out
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return out
	}
	locks, diags := plugins.LoadLocks(m.Dir)
	search, d := plugins.LoadSearchPath(m.Dir)
	m.View.Diagnostics(append(diags, d...))
	for _, r := range planner.Requirements(cfg, nil) {
		p := versionProvider{Name: r.Name}
		switch l := locks.Providers[r.Name]; {
		case m.Builtins[r.Name]:
			p.Found = FoundBuiltin
			if a.BuiltinVersion != nil {
				p.Version = a.BuiltinVersion(r.Name)
			}
			if l != nil && l.Builtin() && l.SlipwayVersion != m.Version {
				p.Note = fmt.Sprintf("pinned to the one built into slipway %s: run slipway init -upgrade", l.SlipwayVersion)
			}
		case l != nil && !l.Builtin():
			p.Found, p.Version = FoundLockFile, l.Version
			path, err := plugins.FindPinned(l, search)
			if err != nil {
				p.Note = err.Error()
			}
			p.Path = path
		default:
			if path, ok := plugins.Find(r.Name, search.Dirs); ok {
				p.Found, p.Path = FoundSearchPath, path
				p.Note = "not pinned in " + plugins.LockFileName + ": run slipway init"
			} else {
				p.Found = FoundNone
				p.Note = "no " + plugins.ExecutablePrefix + r.Name + " was found: run slipway init to see where slipway looks"
			}
		}
		out = append(out, p)
	}
	return out
}

// hasConfigFiles reports whether dir holds a configuration file.
func hasConfigFiles(dir string) bool {
	for _, pat := range []string{"*.slip.hcl", "*.slip.json"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pat)); len(m) > 0 {
			return true
		}
	}
	return false
}
