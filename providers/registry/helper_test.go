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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// credentialHelper is a docker credential helper that leaves a mark when
// it runs, and hands out robot's credentials.
func credentialHelper(marker string) string {
	return "#!/bin/sh\ncat >/dev/null\ntouch '" + marker + "'\necho '{\"ServerURL\":\"registry.example.com\",\"Username\":\"robot\",\"Secret\":\"s3cret\"}'\n"
}

// configureInProcess configures a provider in this process, whose working
// directory the test set, with the provider block attrs.
func configureInProcess(t *testing.T, block map[string]cty.Value) (*provider, sdk.Diagnostics) {
	t.Helper()
	p := New().(*provider)
	var resp sdk.ConfigureResponse
	p.Configure(t.Context(), sdk.ConfigureRequest{Config: providerSchema.Object(block)}, &resp)
	return p, resp.Diagnostics
}

// resolve asks keychain for the credentials of registry.example.com.
func resolve(t *testing.T, kc authn.Keychain) (*authn.AuthConfig, error) {
	t.Helper()
	a, err := kc.Resolve(name.MustParseReference("registry.example.com/team/app:v1").Context())
	if err != nil {
		return nil, err
	}
	return a.Authorization()
}

// TestCredentialHelperNotAPlainName: docker/cli runs the credential helper
// a docker config names (credsStore, credHelpers) as
// docker-credential-NAME, and a NAME holding a slash makes that a path
// relative to the working directory. A repository under review that
// commits ci/docker.json = {"credsStore": "x/run"} and an executable
// docker-credential-x/run, with docker_config = "ci/docker.json", would
// run its program during plan. The provider refuses such a name, in
// docker_config and in the default docker config alike, runs nothing and
// says why; a helper installed on PATH still runs.
func TestCredentialHelperNotAPlainName(t *testing.T) {
	// Not parallel: the test sets the working directory and the
	// environment.
	dir := t.TempDir()
	t.Chdir(dir)
	marker := filepath.Join(dir, "helper-ran")
	writeTree(t, dir, map[string]string{
		"docker-credential-x/run":     credentialHelper(marker),
		"bin/docker-credential-plain": credentialHelper(marker),
		"home/.keep":                  "",
	}, map[string]os.FileMode{"docker-credential-x/run": 0o755, "bin/docker-credential-plain": 0o755})
	// The default docker config is the test's alone.
	t.Setenv("HOME", filepath.Join(dir, "home"))
	for _, v := range []string{"REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DOCKER_AUTH_CONFIG"} {
		t.Setenv(v, "")
	}
	t.Setenv("PATH", filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	ranHelper := func(t *testing.T) bool {
		t.Helper()
		_, err := os.Stat(marker)
		os.Remove(marker)
		return err == nil
	}

	for _, tc := range []struct {
		name, config, helper, key string
	}{
		{"credsStore", `{"credsStore": "x/run"}`, "x/run", "credsStore"},
		{"credHelpers", `{"credHelpers": {"registry.example.com": "x/run"}}`, "x/run", `credHelpers["registry.example.com"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeTree(t, dir, map[string]string{"ci/docker.json": tc.config, "ci/config.json": tc.config}, nil)
			file := filepath.Join(dir, "ci", "docker.json")

			// docker_config, as the repository names it.
			p, diags := configureInProcess(t, map[string]cty.Value{"docker_config": str("ci/docker.json")})
			if len(diags) == 0 {
				// The old provider took the file; resolving ran the helper.
				if _, err := resolve(t, p.config().keychain); err != nil {
					t.Logf("resolve: %v", err)
				}
			} else {
				checkDiag(t, diags, "Credential helper refused", cty.GetAttrPath("docker_config"),
					file, `"`+tc.helper+`"`, tc.key, "relative to the working directory", "PATH")
			}
			if ranHelper(t) {
				t.Errorf("docker_config %s: the helper docker-credential-%s in the working directory ran", tc.config, tc.helper)
			}

			// The file could change after Configure: every resolve checks it.
			_, err := resolve(t, configFileKeychain{path: file})
			if err == nil || !strings.Contains(err.Error(), `"`+tc.helper+`"`) || !strings.Contains(err.Error(), "not a plain program name") {
				t.Errorf("resolving with %s: error %v, want the refusal of %q", tc.config, err, tc.helper)
			}
			if ranHelper(t) {
				t.Errorf("resolving with %s ran the helper docker-credential-%s in the working directory", tc.config, tc.helper)
			}

			// The default docker config (DOCKER_CONFIG here) is checked
			// the same way.
			t.Setenv("DOCKER_CONFIG", filepath.Join(dir, "ci"))
			p, diags = configureInProcess(t, nil)
			if len(diags) > 0 {
				t.Fatalf("configure without docker_config: %v", diags)
			}
			_, err = resolve(t, p.config().keychain)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "ci", "config.json")) || !strings.Contains(err.Error(), `"`+tc.helper+`"`) {
				t.Errorf("resolving with DOCKER_CONFIG holding %s: error %v, want the refusal of %q", tc.config, err, tc.helper)
			}
			if ranHelper(t) {
				t.Errorf("DOCKER_CONFIG holding %s: the helper docker-credential-%s in the working directory ran", tc.config, tc.helper)
			}
			t.Setenv("DOCKER_CONFIG", filepath.Join(dir, "nothing"))
		})
	}

	// Other names that are not plain are refused where they are written.
	for _, helper := range []string{".hidden", "../x/run", `x\run`, "a b", "-rf"} {
		writeTree(t, dir, map[string]string{"ci/docker.json": `{"credsStore": "` + strings.ReplaceAll(helper, `\`, `\\`) + `"}`}, nil)
		_, diags := configureInProcess(t, map[string]cty.Value{"docker_config": str("ci/docker.json")})
		if len(diags) != 1 || diags[0].Summary != "Credential helper refused" || !strings.Contains(diags[0].Detail, helper) {
			t.Errorf("credsStore %q: diagnostics %v, want it refused", helper, diags)
		}
	}

	// A helper installed on PATH runs, as docker runs it.
	writeTree(t, dir, map[string]string{"ci/docker.json": `{"credHelpers": {"registry.example.com": "plain"}}`}, nil)
	p, diags := configureInProcess(t, map[string]cty.Value{"docker_config": str("ci/docker.json")})
	if len(diags) > 0 {
		t.Fatalf("a helper on PATH: %v", diags)
	}
	auth, err := resolve(t, p.config().keychain)
	if err != nil || auth.Username != "robot" || auth.Password != "s3cret" {
		t.Errorf("the helper on PATH gave %+v, %v; want robot's credentials", auth, err)
	}
	if !ranHelper(t) {
		t.Error("the helper on PATH did not run")
	}
}
