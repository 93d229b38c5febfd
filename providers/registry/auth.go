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
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"slipway.dev/slipway/internal/regauth"
)

// basicKeychain hands the provider block's credentials to the registries
// it names (hosts, by name.Registry's RegistryStr), or to every registry
// when it names none, and nothing (so the next keychain is asked) to any
// other, or when no credentials are set.
type basicKeychain struct {
	user, password string
	hosts          map[string]bool
}

func (k basicKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	if k.user == "" || (k.hosts != nil && !k.hosts[target.RegistryStr()]) {
		return authn.Anonymous, nil
	}
	return &authn.Basic{Username: k.user, Password: k.password}, nil
}

// registryHosts reads the registries attribute: each a registry as an
// image reference names it ("ghcr.io", "registry.example.com:5000",
// "docker.io"), as RegistryStr spells it ("index.docker.io" for Docker
// Hub). It returns the entries that are not registries.
func registryHosts(list []string) (map[string]bool, []string) {
	hosts := map[string]bool{}
	var bad []string
	for _, h := range list {
		r, err := name.NewRegistry(h, name.StrictValidation)
		if err != nil || strings.ContainsAny(h, "/@") {
			bad = append(bad, h)
			continue
		}
		hosts[r.RegistryStr()] = true
	}
	return hosts, bad
}

// configFileKeychain reads credentials from one docker config.json, as
// authn.DefaultKeychain does from the default one. The file is read at
// every resolve, so a `docker login` after the provider started is seen.
type configFileKeychain struct{ path string }

// newConfigFileKeychain checks that p (a config.json, or a directory that
// holds one) can be read.
func newConfigFileKeychain(p string) (configFileKeychain, error) {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	info, err := os.Stat(p)
	if err != nil {
		return configFileKeychain{}, err
	}
	if info.IsDir() {
		p = filepath.Join(p, config.ConfigFileName)
	}
	k := configFileKeychain{path: p}
	if _, err := k.load(); err != nil {
		return configFileKeychain{}, err
	}
	return k, nil
}

func (k configFileKeychain) load() (*configfile.ConfigFile, error) {
	f, err := os.Open(k.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cf, err := config.LoadFromReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.path, err)
	}
	if err := regauth.CheckHelpers(k.path, cf.CredentialsStore, cf.CredentialHelpers); err != nil {
		return nil, err
	}
	return cf, nil
}

func (k configFileKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	cf, err := k.load()
	if err != nil {
		return nil, err
	}
	var empty types.AuthConfig
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		cfg, err := cf.GetAuthConfig(key)
		if err != nil {
			return nil, err
		}
		cfg.ServerAddress = "" // set by GetAuthConfig; not a credential
		if cfg != empty {
			return authn.FromConfig(authn.AuthConfig{
				Username:      cfg.Username,
				Password:      cfg.Password,
				Auth:          cfg.Auth,
				IdentityToken: cfg.IdentityToken,
				RegistryToken: cfg.RegistryToken,
			}), nil
		}
	}
	return authn.Anonymous, nil
}

// statusOf is the HTTP status of a registry error, 0 when err is not one.
func statusOf(err error) int {
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode
	}
	return 0
}

// hasCode reports whether err is a registry error with one of codes.
func hasCode(err error, codes ...transport.ErrorCode) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	for _, d := range te.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// isNotFound reports whether the registry said the repository, tag or
// manifest does not exist.
func isNotFound(err error) bool {
	return statusOf(err) == http.StatusNotFound ||
		hasCode(err, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode)
}

// isAuthError reports whether the registry refused the credentials, or
// asked for some.
func isAuthError(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden ||
		hasCode(err, transport.UnauthorizedErrorCode, transport.DeniedErrorCode)
}

// authHint says how to give credentials for a registry.
func authHint(registry string) string {
	return fmt.Sprintf("Log in with `docker login %s` (or point docker_config in the provider \"registry\" block at a config.json that has credentials for it), or set username and password in the provider \"registry\" block.", registry)
}
