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
	"os/exec"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/plugin-sdk/host"
)

// Requirement is one provider a configuration needs.
type Requirement struct {
	Name string
	// Constraint is the required_providers version constraint, or "".
	Constraint string
	// Range points at the required_providers entry or the first use.
	Range *hcl.Range
}

// InstallOptions tunes Install.
type InstallOptions struct {
	Dirs     []string
	Builtins map[string]bool
	// Upgrade re-pins providers already in the lock file.
	Upgrade bool
	Stderr  io.Writer
	// Report is told about each provider as it is pinned.
	Report func(name, version, path string, builtin bool)
}

// Install finds every required third-party provider, starts it once to
// learn its version, checks the version against the constraint, and pins
// path, version and checksum in the returned locks (a copy of old with
// the changes). Providers already pinned keep their pin unless Upgrade.
func Install(ctx context.Context, reqs []Requirement, old *Locks, opts InstallOptions) (*Locks, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := &Locks{Providers: map[string]*Lock{}}
	needed := map[string]bool{}
	for _, r := range reqs {
		needed[r.Name] = true
	}
	for n, l := range old.Providers {
		if needed[n] {
			out.Providers[n] = l
		}
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].Name < reqs[j].Name })
	for _, r := range reqs {
		if opts.Builtins[r.Name] {
			if opts.Report != nil {
				opts.Report(r.Name, "", "", true)
			}
			continue
		}
		if l := out.Providers[r.Name]; l != nil && !opts.Upgrade {
			sum, err := HashFile(l.Path)
			if err == nil && slices.Contains(l.Hashes, sum) {
				if opts.Report != nil {
					opts.Report(r.Name, l.Version, l.Path, false)
				}
				continue
			}
			if err == nil {
				// The pinned binary changed: that is what the pin is
				// for, so re-pinning takes an explicit -upgrade.
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Provider binary changed",
					Detail: fmt.Sprintf("Provider %q at %s no longer matches the checksum in %s (it is %s). If you replaced it on purpose, run \"slipway init -upgrade\" to pin the new binary.",
						r.Name, l.Path, LockFileName, sum),
					Subject: r.Range,
				})
				continue
			}
		}
		path, ok := Find(r.Name, opts.Dirs)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provider not found",
				Detail: fmt.Sprintf("No executable named %s%s was found in %s. Build or download the provider into one of those directories, or point SLIPWAY_PROVIDER_PATH at its directory, then run \"slipway init\" again.",
					ExecutablePrefix, r.Name, describeDirs(opts.Dirs)),
				Subject: r.Range,
			})
			continue
		}
		sum, err := HashFile(path)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read provider", Detail: err.Error(), Subject: r.Range})
			continue
		}
		ver, err := probeVersion(ctx, r.Name, path, opts.Stderr)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider failed to start", Detail: fmt.Sprintf("%s: %v", path, err), Subject: r.Range})
			continue
		}
		if r.Constraint != "" {
			if d := checkConstraint(r, ver); d != nil {
				diags = append(diags, d)
				continue
			}
		}
		out.Providers[r.Name] = &Lock{Name: r.Name, Version: ver, Path: path, Hashes: []string{sum}}
		if opts.Report != nil {
			opts.Report(r.Name, ver, path, false)
		}
	}
	return out, diags
}

func probeVersion(ctx context.Context, name, path string, stderr io.Writer) (string, error) {
	c, err := host.Launch(ctx, host.LaunchConfig{Name: name, Cmd: exec.Command(path), Stderr: stderr})
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

// checkConstraint checks a provider's version against its constraint with
// Masterminds semver, as helm resolves chart versions, so that a version
// constraint means the same in required_providers, an image's semver and a
// chart's version.
func checkConstraint(r Requirement, ver string) *hcl.Diagnostic {
	cons, err := semver.NewConstraint(r.Constraint)
	if err != nil {
		why := ""
		if !strings.HasPrefix(err.Error(), "improper constraint") {
			// The library's usual error only repeats the constraint.
			why = fmt.Sprintf(" (%v)", err)
		}
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid version constraint", Detail: fmt.Sprintf("%q is not a version constraint%s. Write one such as \">= 1.2, < 2\", \"^1.4\" (1.4.0 or later, below 2.0.0) or \"~> 1.4\" (1.4.x only).", r.Constraint, why), Subject: r.Range}
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
