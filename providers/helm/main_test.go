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

package helm

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

// TestMain lets sdktest re-run this test binary as the provider plugin;
// testbed.Main runs the tests, so the shared cluster is stopped after
// them.
func TestMain(m *testing.M) {
	sdktest.MainWith(m, map[string]func() sdk.Provider{"helm": New}, testbed.Main)
}

// startProvider runs the provider as a plugin process (the test binary,
// re-executed) and configures it for cluster, with its own chart cache
// and home directory, and env added to its environment.
func startProvider(t *testing.T, cluster *testbed.Cluster, env ...string) *host.Client {
	t.Helper()
	c := sdktest.Start(t, "helm", append([]string{"HOME=" + t.TempDir()}, env...)...)
	sdktest.Configure(t, c, providerSchema.Object(map[string]cty.Value{
		"kubeconfig": cty.StringVal(cluster.Kubeconfig),
		"cache_dir":  cty.StringVal(filepath.Join(t.TempDir(), "cache")),
	}))
	return c
}

// newSession starts a session of one release, not yet installed, whose
// applies must leave the objects as planned.
func newSession(t *testing.T, c *host.Client) *sdktest.Session {
	s := sdktest.NewSession(t, c, "helm_release")
	s.CheckApply = func(t testing.TB, planned, applied cty.Value) {
		t.Helper()
		if d := sdktest.DiffPaths(planned.GetAttr("objects"), applied.GetAttr("objects")); len(d) > 0 {
			t.Errorf("applied objects differ from the plan at %v", d)
		}
	}
	return s
}

// helmHistory is what `helm history` shows of a release, read with helm's
// own actions behind the provider's back: "REVISION STATUS CHART" lines.
func helmHistory(t *testing.T, cluster *testbed.Cluster, ns, name string) []string {
	t.Helper()
	cfg := helmConfig(t, cluster, ns)
	hist, err := action.NewHistory(cfg).Run(name)
	if err != nil {
		t.Fatalf("helm history %s: %v", name, err)
	}
	sort.Slice(hist, func(i, j int) bool { return hist[i].Version < hist[j].Version })
	var out []string
	for _, r := range hist {
		out = append(out, fmt.Sprintf("%d %s %s-%s", r.Version, r.Info.Status, r.Chart.Metadata.Name, r.Chart.Metadata.Version))
	}
	return out
}

// helmList is what `helm list` shows in ns: "NAME REVISION STATUS" lines.
func helmList(t *testing.T, cluster *testbed.Cluster, ns string) []string {
	t.Helper()
	l := action.NewList(helmConfig(t, cluster, ns))
	l.StateMask = action.ListAll
	rels, err := l.Run()
	if err != nil {
		t.Fatalf("helm list: %v", err)
	}
	var out []string
	for _, r := range rels {
		out = append(out, fmt.Sprintf("%s %d %s", r.Name, r.Version, r.Info.Status))
	}
	return out
}

func helmConfig(t *testing.T, cluster *testbed.Cluster, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &cluster.Kubeconfig
	flags.Namespace = &ns
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	return cfg
}
