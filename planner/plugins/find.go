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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// ExecutablePrefix begins the file name of every third-party provider.
const ExecutablePrefix = "slipway-provider-"

// TrustLocalEnv is the environment variable that, set to 1, lets slipway
// run providers from .slipway/providers beside the configuration.
const TrustLocalEnv = "SLIPWAY_TRUST_LOCAL_PROVIDERS"

// CLIConfigFile is the user's own slipway settings, under the home
// directory. No repository can supply it.
const CLIConfigFile = ".slipway/config.hcl"

// SearchPath is where slipway looks for provider executables. Every
// directory in it is one the user chose: nothing a repository commits
// puts a directory on it.
type SearchPath struct {
	// Dirs are searched in order.
	Dirs []string
	// Local is .slipway/providers beside the configuration. It is the last
	// of Dirs when Trusted, and is not searched otherwise.
	Local   string
	Trusted bool
}

// cliConfig is the content of ~/.slipway/config.hcl.
type cliConfig struct {
	// ProviderDirs are searched after SLIPWAY_PROVIDER_PATH and before
	// ~/.slipway/providers.
	ProviderDirs []string `hcl:"provider_dirs,optional"`
	// TrustLocalProviders are configuration directories whose
	// .slipway/providers slipway may run.
	TrustLocalProviders []string `hcl:"trust_local_providers,optional"`
	Rest                hcl.Body `hcl:",remain"`
}

// LoadSearchPath returns the search path for the configuration in
// configDir, in order: the directories of SLIPWAY_PROVIDER_PATH, the
// provider_dirs of ~/.slipway/config.hcl, ~/.slipway/providers, and last,
// only when the user trusts it, .slipway/providers beside the
// configuration. The user trusts it by setting SLIPWAY_TRUST_LOCAL_PROVIDERS=1
// or by listing the configuration directory in trust_local_providers of
// ~/.slipway/config.hcl.
func LoadSearchPath(configDir string) (*SearchPath, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	sp := &SearchPath{}
	for _, d := range filepath.SplitList(os.Getenv("SLIPWAY_PROVIDER_PATH")) {
		if d != "" {
			sp.Dirs = append(sp.Dirs, absDir(d))
		}
	}
	home, herr := os.UserHomeDir()
	var cfg cliConfig
	if herr == nil {
		var d hcl.Diagnostics
		cfg, d = loadCLIConfig(filepath.Join(home, CLIConfigFile), home)
		diags = append(diags, d...)
	}
	sp.Dirs = append(sp.Dirs, cfg.ProviderDirs...)
	if herr == nil {
		sp.Dirs = append(sp.Dirs, filepath.Join(home, ".slipway", "providers"))
	}

	sp.Local = absDir(filepath.Join(configDir, ".slipway", "providers"))
	if v := os.Getenv(TrustLocalEnv); v != "" {
		ok, err := strconv.ParseBool(v)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + TrustLocalEnv,
				Detail: fmt.Sprintf("%s=%q: set it to 1 to let slipway run providers from .slipway/providers beside the configuration, or to 0 (or leave it unset) not to.", TrustLocalEnv, v)})
		}
		sp.Trusted = ok
	}
	if !sp.Trusted && len(cfg.TrustLocalProviders) > 0 {
		here := realDir(configDir)
		for _, t := range cfg.TrustLocalProviders {
			if realDir(t) == here {
				sp.Trusted = true
			}
		}
	}
	if sp.Trusted {
		sp.Dirs = append(sp.Dirs, sp.Local)
	}
	return sp, diags
}

// loadCLIConfig reads the user's settings; a missing file is no settings.
// Paths in it are absolute or start with ~/.
func loadCLIConfig(path, home string) (cliConfig, hcl.Diagnostics) {
	var cfg cliConfig
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the slipway settings", Detail: err.Error()}}
	}
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return cfg, diags
	}
	diags = append(diags, gohcl.DecodeBody(f.Body, nil, &cfg)...)
	if diags.HasErrors() {
		return cliConfig{}, diags
	}
	attrs, _ := cfg.Rest.JustAttributes()
	for name, a := range attrs {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Unknown setting",
			Detail: fmt.Sprintf("%s has no setting %q; it knows provider_dirs and trust_local_providers.", path, name), Subject: a.NameRange.Ptr()})
	}
	expand := func(list []string, what string) []string {
		var out []string
		for _, p := range list {
			if rest, ok := strings.CutPrefix(p, "~/"); ok {
				p = filepath.Join(home, rest)
			}
			if !filepath.IsAbs(p) {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Relative path in the slipway settings",
					Detail: fmt.Sprintf("%s: %s lists %q; write an absolute path, or one that starts with ~/.", path, what, p)})
				continue
			}
			out = append(out, filepath.Clean(p))
		}
		return out
	}
	cfg.ProviderDirs = expand(cfg.ProviderDirs, "provider_dirs")
	cfg.TrustLocalProviders = expand(cfg.TrustLocalProviders, "trust_local_providers")
	return cfg, diags
}

// absDir makes a directory absolute, against the working directory.
func absDir(d string) string {
	if abs, err := filepath.Abs(d); err == nil {
		return abs
	}
	return filepath.Clean(d)
}

// realDir is a directory's absolute path with symbolic links resolved,
// so that two names of one directory compare equal.
func realDir(d string) string {
	d = absDir(d)
	if r, err := filepath.EvalSymlinks(d); err == nil {
		return r
	}
	return d
}

// Candidates returns every executable named slipway-provider-NAME in
// dirs, in the order of dirs.
func Candidates(name string, dirs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		for _, p := range append([]string{filepath.Join(d, ExecutablePrefix+name)}, mirrorCandidates(d, name)...) {
			p = absDir(p)
			st, err := os.Stat(p)
			if err != nil || st.IsDir() || st.Mode()&0o111 == 0 || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Find returns the absolute path of the first executable named
// slipway-provider-NAME in dirs.
func Find(name string, dirs []string) (string, bool) {
	if c := Candidates(name, dirs); len(c) > 0 {
		return c[0], true
	}
	return "", false
}

// notFound explains that no executable of a provider is on the search
// path, with advice, and points at a repository's own copy that slipway
// did not run.
func (sp *SearchPath) notFound(name, advice string) string {
	msg := fmt.Sprintf("No executable named %s%s was found in %s. %s", ExecutablePrefix, name, describeDirs(sp.Dirs), advice)
	if !sp.Trusted {
		if _, err := os.Stat(filepath.Join(sp.Local, ExecutablePrefix+name)); err == nil {
			msg += fmt.Sprintf(" The configuration ships one in %s, which slipway does not run: a provider that a repository commits is code from whoever wrote the repository. If you trust this configuration's providers, set %s=1, or list the configuration directory in trust_local_providers in ~/%s.",
				sp.Local, TrustLocalEnv, CLIConfigFile)
		}
	}
	return msg
}

// describeDirs renders search directories for a message.
func describeDirs(dirs []string) string {
	if len(dirs) == 0 {
		return "no directory (set SLIPWAY_PROVIDER_PATH)"
	}
	return strings.Join(dirs, ", ")
}
