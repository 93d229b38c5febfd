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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
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
	if err := checkHelpers(k.path, cf.CredentialsStore, cf.CredentialHelpers); err != nil {
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

// plainHelper matches a credential helper's name that docker/cli looks up
// on PATH: it runs docker-credential-NAME, and a NAME holding a path
// separator makes that a path, relative to the working directory.
var plainHelper = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// helperError is a docker config that names a credential helper that is
// not a plain name, which slipway refuses to run.
type helperError struct {
	file   string
	key    string // credsStore, or credHelpers["HOST"]
	helper string
}

func (e *helperError) Error() string {
	return fmt.Sprintf("the docker config %s names the credential helper %q (%s), which is not a plain program name: "+
		"docker-credential-%s would be run as a path relative to the working directory (which may be a checkout under review), "+
		"not looked up on PATH, so slipway refuses to run it. Name a helper installed on PATH instead (such as \"ecr-login\", \"gcloud\" or \"desktop\"), or remove %s from the file",
		e.file, e.helper, e.key, e.helper, e.key)
}

// checkHelpers refuses the credential helpers of the docker config file
// (its credsStore and credHelpers) whose names are not plain: docker/cli
// would run docker-credential-NAME by a path relative to the working
// directory. Plain names are run from PATH, as docker runs them.
func checkHelpers(file, store string, helpers map[string]string) error {
	if store != "" && !plainHelper.MatchString(store) {
		return &helperError{file: file, key: "credsStore", helper: store}
	}
	hosts := make([]string, 0, len(helpers))
	for h := range helpers {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		if name := helpers[h]; name != "" && !plainHelper.MatchString(name) {
			return &helperError{file: file, key: fmt.Sprintf("credHelpers[%q]", h), helper: name}
		}
	}
	return nil
}

// defaultKeychain is authn.DefaultKeychain (DOCKER_CONFIG or
// ~/.docker/config.json, else REGISTRY_AUTH_FILE or podman's auth.json),
// behind the check of credential helpers that docker_config has: it
// refuses to resolve while any of the files it may read names a helper
// that is not a plain name.
type defaultKeychain struct{}

func (defaultKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	for _, p := range defaultConfigFiles() {
		if err := checkHelperFile(p); err != nil {
			return nil, err
		}
	}
	return authn.DefaultKeychain.Resolve(target)
}

// defaultConfigFiles are the files authn.DefaultKeychain may read
// credentials from, whichever it picks.
func defaultConfigFiles() []string {
	var files []string
	home, _ := os.UserHomeDir()
	if home != "" {
		files = append(files, filepath.Join(home, ".docker", config.ConfigFileName))
	}
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		files = append(files, filepath.Join(d, config.ConfigFileName))
	}
	files = append(files, filepath.Join(config.Dir(), config.ConfigFileName))
	if f := os.Getenv("REGISTRY_AUTH_FILE"); f != "" {
		files = append(files, filepath.Clean(f))
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		files = append(files, filepath.Join(d, "containers", "auth.json"))
	}
	configDir := os.Getenv("XDG_CONFIG_HOME")
	if configDir == "" && home != "" {
		configDir = filepath.Join(home, ".config")
	}
	if configDir != "" {
		files = append(files, filepath.Join(configDir, "containers", "auth.json"))
	}
	return files
}

// checkHelperFile checks the credential helpers of one docker config
// file. A file that is missing or cannot be read is no error here: the
// keychain that reads it says so, when it is the one it reads.
func checkHelperFile(p string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var cf struct {
		CredentialsStore  string            `json:"credsStore"`
		CredentialHelpers map[string]string `json:"credHelpers"`
	}
	if json.Unmarshal(b, &cf) != nil {
		return nil
	}
	return checkHelpers(p, cf.CredentialsStore, cf.CredentialHelpers)
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
