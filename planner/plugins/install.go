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
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/planner/plugins/oci"
	"slipway.dev/slipway/plugin-sdk/host"
)

// Requirement is one provider a configuration needs.
type Requirement struct {
	Name string
	// Constraint is the required_providers version constraint, or "".
	Constraint string
	// Source is the required_providers source, or "". When it names a
	// repository in an OCI registry, init pulls the provider from there.
	Source string
	// Range points at the required_providers entry or the first use.
	Range *hcl.Range
	// OnDemand says that no plan needs the provider from the start: only
	// blocks that may not need it use it (an app's helm provider, for a
	// chart), or only required_providers names it. A plan starts it when
	// a block asks for it, not before.
	OnDemand bool
}

// InstallOptions tunes Install.
type InstallOptions struct {
	// Search is where third-party providers are looked for.
	Search   *SearchPath
	Builtins map[string]bool
	// SlipwayVersion pins the built-in providers.
	SlipwayVersion string
	// Upgrade re-pins providers already in the lock file.
	Upgrade bool
	Stderr  io.Writer
	// Platforms are platforms (OS_ARCH) besides this one whose binaries
	// the pins must also accept; each provider's are found in the mirror
	// layout on the search path (see mirrorPath) and their hashes added.
	Platforms []string
	// Report is told about each provider as it is pinned: where its
	// binary was found, or builtin.
	Report func(name, version, path string, builtin bool)
	// Registry sets up the calls to OCI registries, for providers whose
	// source names a repository in one.
	Registry oci.Options
	// Pulled is told about each binary pulled from a registry, before it
	// is reported: its platform and the reference it came from.
	Pulled func(name, version, platform, ref string)
}

// Install finds every required provider and pins it in the returned locks
// (a copy of old with the changes). A built-in provider is pinned by the
// version of slipway. A third-party provider is looked for on the search
// path only; a new one is started once to learn its version, which is
// checked against the constraint, and pinned with the hash of its binary.
// A provider already pinned keeps its pin, unless Upgrade, when a binary
// with a pinned hash is on the search path; a binary whose hash is not
// pinned is refused. Install never runs a binary from outside the search
// path, and a pinned one not at all. A provider whose source names a
// repository in an OCI registry is pulled from there into the provider
// cache instead (see installFromRegistry).
func Install(ctx context.Context, reqs []Requirement, old *Locks, opts InstallOptions) (*Locks, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := &Locks{Providers: map[string]*Lock{}}
	search := opts.Search
	if search == nil {
		search = &SearchPath{}
	}
	report := func(name, version, path string, builtin bool) {
		if opts.Report != nil {
			opts.Report(name, version, path, builtin)
		}
	}
	reqs = slices.Clone(reqs)
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Name < reqs[j].Name })
	for _, r := range reqs {
		pin := old.Providers[r.Name]
		if opts.Builtins[r.Name] {
			if pin != nil && pin.Builtin() && pin.SlipwayVersion != opts.SlipwayVersion && !opts.Upgrade {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Built-in provider changed",
					Detail: fmt.Sprintf("Provider %q is pinned in %s to the one built into slipway %s, but this is slipway %s. If you upgraded slipway on purpose, run \"slipway init -upgrade\" to pin this version's.",
						r.Name, LockFileName, pin.SlipwayVersion, opts.SlipwayVersion),
					Subject: r.Range,
				})
				continue
			}
			out.Providers[r.Name] = &Lock{Name: r.Name, SlipwayVersion: opts.SlipwayVersion}
			report(r.Name, "", "", true)
			continue
		}
		if pin != nil && pin.Builtin() {
			pin = nil // the name was built in once; it is not now
		}
		if oci.IsRegistrySource(r.Source) {
			p, path, d := installFromRegistry(ctx, r, pin, opts, search)
			if d != nil {
				diags = append(diags, d)
				continue
			}
			out.Providers[r.Name] = p
			report(r.Name, p.Version, path, false)
			continue
		}
		if pin != nil && pin.Source != "" {
			// Pulled once from a registry, it is now found on the search
			// path: the same binary, no longer from there.
			pin = &Lock{Name: pin.Name, Version: pin.Version, Hashes: pin.Hashes}
		}
		cands := Candidates(r.Name, search.Dirs)
		if len(cands) == 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provider not found",
				Detail:   search.notFound(r.Name, `Build or download the provider into one of those directories, or point SLIPWAY_PROVIDER_PATH at its directory, then run "slipway init" again.`),
				Subject:  r.Range,
			})
			continue
		}
		if pin != nil && !opts.Upgrade {
			path, found, err := pinnedPath(pin, cands)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read provider", Detail: err.Error(), Subject: r.Range})
				continue
			}
			if path == "" {
				// No binary on the search path is the pinned one: that
				// is what the pin is for, so re-pinning takes -upgrade.
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Provider binary changed",
					Detail: fmt.Sprintf("%s If you replaced it on purpose, run \"slipway init -upgrade\" to pin the new binary.",
						mismatch(pin, found)),
					Subject: r.Range,
				})
				continue
			}
			if r.Constraint != "" {
				if d := checkConstraint(r, pin.Version); d != nil {
					d.Detail += " The version is the one pinned in " + LockFileName + `; run "slipway init -upgrade" to pin another.`
					diags = append(diags, d)
					continue
				}
			}
			if len(opts.Platforms) > 0 {
				pin = &Lock{Name: pin.Name, Version: pin.Version, Hashes: slices.Clone(pin.Hashes)}
				if err := addPlatformHashes(pin, opts.Platforms, search.Dirs); err != nil {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider binary missing for a platform", Detail: err.Error() + ".", Subject: r.Range})
					continue
				}
			}
			out.Providers[r.Name] = pin
			report(r.Name, pin.Version, path, false)
			continue
		}
		bin, err := openBinary(cands[0])
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read provider", Detail: err.Error(), Subject: r.Range})
			continue
		}
		ver, err := probeVersion(ctx, r.Name, bin, opts.Stderr)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider failed to start", Detail: fmt.Sprintf("%s: %v", bin.path, err), Subject: r.Range})
			continue
		}
		if r.Constraint != "" {
			if d := checkConstraint(r, ver); d != nil {
				diags = append(diags, d)
				continue
			}
		}
		pin = &Lock{Name: r.Name, Version: ver, Hashes: []string{bin.hash}}
		if err := addPlatformHashes(pin, opts.Platforms, search.Dirs); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider binary missing for a platform", Detail: err.Error() + ".", Subject: r.Range})
			continue
		}
		out.Providers[r.Name] = pin
		report(r.Name, ver, bin.path, false)
	}
	return out, diags
}

// probeVersion starts the opened binary, asks its version, and closes it.
func probeVersion(ctx context.Context, name string, bin *binary, stderr io.Writer) (string, error) {
	c, err := host.Launch(ctx, host.LaunchConfig{Name: name, Cmd: bin.command(), Stderr: stderr, Release: bin.close})
	if err != nil {
		return "", err
	}
	defer c.Close()
	s, err := c.Schemas(ctx)
	if err != nil {
		return "", err
	}
	return s.Metadata.Version, nil
}

// openPinned opens the first of the candidates whose hash the pin lists.
// With none, it returns nil and each candidate's hash.
func openPinned(pin *Lock, cands []string) (*binary, []found, error) {
	var seen []found
	for _, p := range cands {
		bin, err := openBinary(p)
		if err != nil {
			return nil, nil, err
		}
		if slices.Contains(pin.Hashes, bin.hash) {
			return bin, nil, nil
		}
		bin.close()
		seen = append(seen, found{path: p, hash: bin.hash})
	}
	return nil, seen, nil
}

// pinnedPath returns the first of the candidates whose hash the pin
// lists, without running it. With none, it returns "" and each
// candidate's hash.
func pinnedPath(pin *Lock, cands []string) (string, []found, error) {
	var seen []found
	for _, p := range cands {
		sum, err := HashFile(p)
		if err != nil {
			return "", nil, err
		}
		if slices.Contains(pin.Hashes, sum) {
			return p, nil, nil
		}
		seen = append(seen, found{path: p, hash: sum})
	}
	return "", seen, nil
}

// found is a binary on the search path that a pin does not list.
type found struct{ path, hash string }

// mismatch says that no binary on the search path has a pinned hash,
// naming the hashes expected and the ones found.
func mismatch(pin *Lock, seen []found) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Provider %q is pinned in %s to version %s with ", pin.Name, LockFileName, pin.Version)
	if len(pin.Hashes) == 1 {
		fmt.Fprintf(&b, "the hash %s", pin.Hashes[0])
	} else {
		fmt.Fprintf(&b, "the hashes %s", strings.Join(pin.Hashes, ", "))
	}
	b.WriteString(", but ")
	for i, f := range seen {
		if i > 0 {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%s is %s", f.path, f.hash)
	}
	b.WriteString(": slipway refuses to run a provider binary that is not the one pinned.")
	return b.String()
}

// checkConstraint checks a provider's version against its constraint with
// Masterminds semver, as helm resolves chart versions, so that a version
// constraint means the same in required_providers, an image's semver and a
// chart's version.
func checkConstraint(r Requirement, ver string) *hcl.Diagnostic {
	cons, d := parseConstraint(r)
	if d != nil {
		return d
	}
	v, err := semver.NewVersion(ver)
	if err != nil {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider reports no usable version", Detail: fmt.Sprintf("Provider %q reports version %q, which cannot be checked against %q.", r.Name, ver, r.Constraint), Subject: r.Range}
	}
	if !cons.Check(v) {
		detail := fmt.Sprintf("Provider %q is version %s, but the configuration requires %q. Install a matching version or change required_providers.", r.Name, ver, r.Constraint)
		if strings.Contains(r.Constraint, "~>") {
			// Terraform's "~> 1.4" allows any 1.x; slipway's, like helm's, does not.
			detail += " In slipway, as in helm, \"~> 1.4\" means 1.4.x only; write \"^1.4\" or \"~> 1\" for any 1.x."
		}
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider version does not match", Detail: detail, Subject: r.Range}
	}
	return nil
}

// parseConstraint parses a requirement's version constraint.
func parseConstraint(r Requirement) (*semver.Constraints, *hcl.Diagnostic) {
	cons, err := semver.NewConstraint(r.Constraint)
	if err != nil {
		why := ""
		if !strings.HasPrefix(err.Error(), "improper constraint") {
			// The library's usual error only repeats the constraint.
			why = fmt.Sprintf(" (%v)", err)
		}
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid version constraint", Detail: fmt.Sprintf("%q is not a version constraint%s. Write one such as \">= 1.2, < 2\", \"^1.4\" (1.4.0 or later, below 2.0.0) or \"~> 1.4\" (1.4.x only).", r.Constraint, why), Subject: r.Range}
	}
	return cons, nil
}
