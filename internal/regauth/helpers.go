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

package regauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/docker/cli/cli/config"
	"github.com/google/go-containerregistry/pkg/authn"
)

// plainHelper matches a credential helper's name that docker/cli looks up
// on PATH: it runs docker-credential-NAME, and a NAME holding a path
// separator makes that a path, relative to the working directory.
var plainHelper = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// HelperError is a docker config that names a credential helper that is
// not a plain name, which slipway refuses to run.
type HelperError struct {
	// File is the docker config file.
	File string
	// Key is where it names the helper: credsStore, or
	// credHelpers["HOST"].
	Key string
	// Helper is the name it gives.
	Helper string
}

func (e *HelperError) Error() string {
	return fmt.Sprintf("the docker config %s names the credential helper %q (%s), which is not a plain program name: "+
		"docker-credential-%s would be run as a path relative to the working directory (which may be a checkout under review), "+
		"not looked up on PATH, so slipway refuses to run it. Name a helper installed on PATH instead (such as \"ecr-login\", \"gcloud\" or \"desktop\"), or remove %s from the file",
		e.File, e.Helper, e.Key, e.Helper, e.Key)
}

// CheckHelpers refuses, with a *HelperError, the credential helpers of
// the docker config file (its credsStore and credHelpers) whose names are
// not plain: docker/cli would run docker-credential-NAME by a path
// relative to the working directory. Plain names are run from PATH, as
// docker runs them.
func CheckHelpers(file, store string, helpers map[string]string) error {
	if store != "" && !plainHelper.MatchString(store) {
		return &HelperError{File: file, Key: "credsStore", Helper: store}
	}
	hosts := make([]string, 0, len(helpers))
	for h := range helpers {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		if name := helpers[h]; name != "" && !plainHelper.MatchString(name) {
			return &HelperError{File: file, Key: fmt.Sprintf("credHelpers[%q]", h), Helper: name}
		}
	}
	return nil
}

// DefaultKeychain is authn.DefaultKeychain (DOCKER_CONFIG or
// ~/.docker/config.json, else REGISTRY_AUTH_FILE or podman's auth.json),
// behind the check of credential helpers: it refuses to resolve, with a
// *HelperError, while any of the files it may read names a helper that is
// not a plain name. The files are checked at every resolve, as the
// default keychain reads them.
type DefaultKeychain struct{}

// Resolve implements authn.Keychain.
func (DefaultKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
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
	// As docker/cli reads it: the first JSON value, whatever follows.
	// A file it cannot read is refused here too, rather than let a
	// reader more lenient than this check find a helper in it.
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("the docker config %s is not JSON slipway can check for credential helpers: %v", p, err)
	}
	return CheckHelpers(p, cf.CredentialsStore, cf.CredentialHelpers)
}
