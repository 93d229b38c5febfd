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
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestKubernetesBackendArguments decodes backend "kubernetes" blocks. A
// mistake is reported on the line of the argument at fault, which the
// fixture marks with "# <-".
func TestKubernetesBackendArguments(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:6443"}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["ctx"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "ctx"
	if err := clientcmd.WriteToFile(*cfg, kubeconfig); err != nil {
		t.Fatal(err)
	}
	path := `config_path = "` + filepath.ToSlash(kubeconfig) + `"`
	for name, tc := range map[string]struct {
		body string
		want string // in the error's detail or summary; "" for none
	}{
		"all arguments": {body: `
secret_suffix  = "shop"
namespace      = "slipway"
` + path + `
config_context = "ctx"
lease_duration = "45s"
`},
		"missing suffix": {body: path + "\n", want: "secret_suffix"},
		"bad suffix": {body: path + `
secret_suffix = "Shop_1" # <-
`, want: `secret_suffix "Shop_1" is not valid`},
		"bad namespace": {body: path + `
secret_suffix = "shop"
namespace     = "Prod!" # <-
`, want: `namespace "Prod!" is not valid`},
		"unknown argument": {body: path + `
secret_suffix = "shop"
host          = "https://example.com" # <-
`, want: "Unsupported argument"},
		"reference": {body: path + `
secret_suffix = var.suffix # <-
`, want: "Variables not allowed"},
		"bool": {body: `
secret_suffix     = "shop"
in_cluster_config = "maybe" # <-
`, want: "must be a bool"},
		"duration without unit": {body: path + `
secret_suffix  = "shop"
lease_duration = "30" # <-
`, want: `lease_duration "30" is not a positive duration`},
		"duration too short": {body: path + `
secret_suffix  = "shop"
lease_duration = "1s" # <-
`, want: "lease_duration 1s is too short"},
		"unknown context": {body: path + `
secret_suffix  = "shop"
config_context = "nowhere" # <-
`, want: "nowhere"},
		"missing kubeconfig": {body: `
secret_suffix = "shop"
config_path   = "` + filepath.ToSlash(filepath.Join(t.TempDir(), "missing")) + `" # <-
`, want: "missing"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, diags := hclsyntax.ParseConfig([]byte(tc.body), "main.slip.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			rng := hcl.Range{Filename: "main.slip.hcl", Start: hcl.InitialPos, End: hcl.InitialPos}
			store, diags := kubernetesStore(f.Body, rng, nil)
			if tc.want == "" {
				if diags.HasErrors() || store == nil {
					t.Fatalf("kubernetesStore: %s", diags.Error())
				}
				return
			}
			if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) {
				t.Fatalf("kubernetesStore = %v, want an error containing %q", diags, tc.want)
			}
			wantLine := 0
			for i, line := range strings.Split(tc.body, "\n") {
				if strings.HasSuffix(line, "# <-") {
					wantLine = i + 1
				}
			}
			if wantLine == 0 {
				return
			}
			if d := diags[0]; d.Subject == nil || d.Subject.Start.Line != wantLine {
				t.Errorf("the error %q is at %v, want line %d", d.Detail, d.Subject, wantLine)
			}
		})
	}
}
