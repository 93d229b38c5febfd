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
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/regauth"
	sdk "slipway.dev/slipway/plugin-sdk"
)

const version = "0.1.0"

// New returns the registry provider.
func New() sdk.Provider { return &provider{} }

var (
	_ sdk.ProviderWithSources = (*provider)(nil)
	_ sdk.ProviderWithStop    = (*provider)(nil)
)

// provider is the registry provider. Its settings are fixed by Configure;
// the SDK may call its methods from many goroutines at once.
type provider struct {
	mu  sync.Mutex
	cfg *settings // nil until configured

	// Stopper cancels the calls in flight when slipway calls Stop.
	sdk.Stopper
}

// settings are the provider block's configuration.
type settings struct {
	keychain authn.Keychain
	insecure bool
}

var providerSchema = sdk.Schema{
	Description: "Builds container images without a daemon and pushes them to OCI registries, and resolves image tags to digests.",
	Attributes: map[string]sdk.Attribute{
		"username": {Type: cty.String, Optional: true,
			Description: "User name for HTTP basic auth, sent to the registries of registries (to every registry when it is unset); set with password. They win over docker_config there."},
		"password": {Type: cty.String, Optional: true, Sensitive: true,
			Description: "Password or token for HTTP basic auth, sent with username."},
		"registries": {Type: cty.List(cty.String), Optional: true,
			Description: `The registries username and password are sent to, as image references name them ("ghcr.io", "registry.example.com:5000", "docker.io"); others get the credentials of docker_config, or none. Unset, they are sent to every registry the provider reaches, a base image's registry and the token service it names included, and plans warn.`},
		"docker_config": {Type: cty.String, Optional: true,
			Description: "A docker config.json (or the directory that holds one) to take registry credentials from; DOCKER_CONFIG or ~/.docker/config.json when unset. " +
				`A credential helper it names (credsStore, credHelpers) is run from PATH, as docker runs it: docker-credential-NAME. A NAME that is not a plain name ("x/run", "../h", ".h") is refused, as docker would run it by a path relative to the working directory.`},
		"insecure": {Type: cty.Bool, Optional: true,
			Description: "Allow plain HTTP to every registry. Without it, plain HTTP goes only to registries on loopback addresses (localhost, 127.0.0.0/8, ::1): " +
				"those on localhost, 127.0.0.1 and ::1 are reached over plain HTTP when they do not answer HTTPS, and every other one, private addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) and names ending in .localhost included, over HTTPS only."},
	},
}

func (*provider) Metadata() sdk.Metadata {
	// Plans reach no cluster and change nothing: an offline plan makes
	// them as usual.
	return sdk.Metadata{Name: builtin.RegistryProvider, Version: version, Offline: true, Sessions: true}
}
func (*provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	// A new session (Metadata.Sessions) keeps nothing of the last one's
	// settings, even when this configuration fails.
	p.mu.Lock()
	p.cfg = nil
	p.mu.Unlock()
	user, password := sdk.GetString(req.Config, "username"), sdk.GetString(req.Config, "password")
	switch {
	case user != "" && password == "":
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("password"), "Missing registry password",
			`The provider "registry" block sets username but no password. Set both, or neither to use docker_config.`)
	case user == "" && password != "":
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("username"), "Missing registry user name",
			`The provider "registry" block sets password but no username. Set both, or neither to use docker_config.`)
	}
	var hosts map[string]bool
	if v := req.Config.GetAttr("registries"); !v.IsNull() && v.IsWhollyKnown() {
		var list []string
		for _, e := range v.AsValueSlice() {
			if !e.IsNull() {
				list = append(list, e.AsString())
			}
		}
		var bad []string
		if hosts, bad = registryHosts(list); len(bad) > 0 {
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("registries"), "Invalid registry",
				fmt.Sprintf("registries holds %q, which is not a registry: name one as an image reference does, its host and port alone, like \"ghcr.io\" or \"registry.example.com:5000\".", bad))
		}
	} else if user != "" && password != "" {
		resp.Diagnostics.AddWarning("Registry credentials sent to every registry",
			`The provider "registry" block sets username and password without registries, so they are sent to every registry the provider reaches: a base image's registry (Docker Hub for "alpine"), and the token service it names, get them too. Set registries = ["registry.example.com"] to the registries they are for.`)
	}
	var fileKeychain authn.Keychain = regauth.DefaultKeychain{}
	if f := sdk.GetString(req.Config, "docker_config"); f != "" {
		kc, err := newConfigFileKeychain(f)
		var he *regauth.HelperError
		switch {
		case errors.As(err, &he):
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("docker_config"), "Credential helper refused",
				fmt.Sprintf("The docker_config %q cannot be used: %v.", f, err))
		case err != nil:
			resp.Diagnostics.AddAttributeError(cty.GetAttrPath("docker_config"), "Cannot read docker config",
				fmt.Sprintf("The docker_config %q cannot be used: %v. Point it at a docker config.json, such as the one `docker login` writes.", f, err))
		}
		fileKeychain = kc
	}
	if resp.Diagnostics.HasErrors() {
		return
	}
	s := &settings{
		keychain: authn.NewMultiKeychain(basicKeychain{user: user, password: password, hosts: hosts}, fileKeychain),
		insecure: sdk.GetBool(req.Config, "insecure"),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = s
}

// config returns the settings, the defaults when Configure was never
// called (a provider block is optional).
func (p *provider) config() settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg == nil {
		p.cfg = &settings{keychain: regauth.DefaultKeychain{}}
	}
	return *p.cfg
}

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{builtin.RegistryImage: &imageResource{p: p}}
}

func (p *provider) Sources() map[string]sdk.Source {
	return map[string]sdk.Source{"image": &imageSource{p: p}}
}

// nameOptions are the options for parsing references.
func (s settings) nameOptions() []name.Option {
	if s.insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

// remoteOptions are the options of every registry call.
func (s settings) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(s.keychain),
		remote.WithUserAgent("slipway-registry/" + version),
		remote.WithTransport(regauth.RefusePlainHTTP(remote.DefaultTransport, s.insecure)),
	}
}
