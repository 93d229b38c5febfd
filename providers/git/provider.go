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
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// New returns the git provider.
func New() sdk.Provider { return &provider{} }

var _ sdk.ProviderWithSources = (*provider)(nil)

// provider is the git provider. Its settings are fixed by Configure; the
// SDK may call Read from many goroutines at once.
type provider struct {
	mu    sync.Mutex
	cfg   *settings // nil until configured
	cache *cache    // shared by every read, so one URL's lock is one lock
}

// settings are the provider block's configuration.
type settings struct {
	cacheDir string
	creds    credentials
}

var providerSchema = sdk.Schema{
	Description: "Reads git repositories (a branch, tag or commit resolved to a commit and checked out on local disk) and pushes commits to them (git_promote).",
	Attributes: map[string]sdk.Attribute{
		"cache_dir": {Type: cty.String, Optional: true, Local: true,
			Description: `Where repositories and checkouts are cached; "<user cache dir>/slipway/git" when unset.`},
		"username": {Type: cty.String, Optional: true,
			Description: "User name for HTTP basic auth to the remotes of hosts (to every http(s) remote when it is unset); never sent over plain http:// except to a loopback address. A remote they are not sent to gets the credentials its URL holds (https://user:token@host/...), if any."},
		"password": {Type: cty.String, Optional: true, Sensitive: true,
			Description: "Password or token for HTTP basic auth, sent with username."},
		"hosts": {Type: cty.List(cty.String), Optional: true,
			Description: `The hosts username and password are sent to, as URLs name them ("git.example.com", any port, or "git.example.com:3000"); remotes of other hosts are reached without them. Unset, they are sent to every https remote (a public source on github.com included), and plans warn.`},
		"ssh_key_file": {Type: cty.String, Optional: true,
			Description: "Private key file for ssh remotes; the SSH agent is used when unset."},
	},
}

func (*provider) Metadata() sdk.Metadata {
	// Plans only read (sources and promotes alike): they need no
	// cluster, so an offline plan makes them as usual.
	return sdk.Metadata{Name: builtin.GitProvider, Version: "0.1.0", Offline: true, Sessions: true}
}
func (*provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	// A new session (Metadata.Sessions) keeps nothing of the last one's
	// settings, even when this configuration fails.
	p.mu.Lock()
	p.cfg, p.cache = nil, nil
	p.mu.Unlock()
	s := settings{
		cacheDir: sdk.GetString(req.Config, "cache_dir"),
		creds: credentials{
			username:   sdk.GetString(req.Config, "username"),
			password:   sdk.GetString(req.Config, "password"),
			sshKeyFile: sdk.GetString(req.Config, "ssh_key_file"),
		},
	}
	if v := req.Config.GetAttr("hosts"); !v.IsNull() && v.IsWhollyKnown() {
		var list []string
		for _, e := range v.AsValueSlice() {
			if !e.IsNull() {
				list = append(list, e.AsString())
			}
		}
		var bad []string
		if s.creds.hosts, bad = gitHosts(list); len(bad) > 0 {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("hosts"), "Invalid git host",
				fmt.Sprintf("hosts holds %q, which is not a host: name one as a URL does, its host and port alone, like \"git.example.com\" or \"git.example.com:3000\".", bad))
			return
		}
	} else if s.creds.username != "" || s.creds.password != "" {
		resp.Diagnostics.AddWarning("Git credentials sent to every host",
			`The provider "git" block sets username or password without hosts, so they are sent to every https remote a source or promote names: a public repository's host (github.com) gets them too. Set hosts = ["git.example.com"] to the hosts they are for.`)
	}
	if s.cacheDir == "" {
		dir, err := defaultCacheDir()
		if err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("cache_dir"), "No cache directory",
				fmt.Sprintf("The git provider keeps repositories in a cache directory, and none could be found: %v. Set cache_dir in the provider \"git\" block.", err))
			return
		}
		s.cacheDir = dir
	} else if abs, err := filepath.Abs(s.cacheDir); err == nil {
		s.cacheDir = abs
	}
	if f := s.creds.sshKeyFile; f != "" {
		if _, err := os.Stat(f); err != nil {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("ssh_key_file"), "Cannot read SSH key file",
				fmt.Sprintf("The ssh_key_file %q cannot be read: %v.", f, err))
			return
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = &s
	p.cache = newCache(s.cacheDir)
}

func defaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "slipway", "git"), nil
}

// config returns the configuration and the cache, configuring defaults
// when Configure was never called (a provider block is optional).
func (p *provider) config() (settings, *cache, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg == nil {
		dir, err := defaultCacheDir()
		if err != nil {
			return settings{}, nil, errors.Join(errors.New("no cache directory"), err)
		}
		p.cfg = &settings{cacheDir: dir}
		p.cache = newCache(dir)
	}
	return *p.cfg, p.cache, nil
}

// Resources is the write side: git_promote commits and pushes.
func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{builtin.GitPromote: &promote{p: p}}
}

func (p *provider) Sources() map[string]sdk.Source {
	return map[string]sdk.Source{builtin.GitSource: &source{p: p}}
}
