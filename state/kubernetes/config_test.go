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

package kubernetes

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"slipway.dev/slipway/state/statetest"
)

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-kubeconfig")
	for name, tc := range map[string]struct {
		cfg       Config
		arg, want string
	}{
		"no suffix":           {Config{}, "secret_suffix", "secret_suffix is required"},
		"bad suffix":          {Config{SecretSuffix: "My_App"}, "secret_suffix", `secret_suffix "My_App" is not valid`},
		"suffix with a dot":   {Config{SecretSuffix: "a.b"}, "secret_suffix", `secret_suffix "a.b" is not valid`},
		"bad namespace":       {Config{SecretSuffix: "app", Namespace: "Prod!"}, "namespace", `namespace "Prod!" is not valid`},
		"short lease":         {Config{SecretSuffix: "app", LeaseDuration: time.Second}, "lease_duration", "lease_duration 1s is too short"},
		"in-cluster and path": {Config{SecretSuffix: "app", InClusterConfig: true, ConfigPath: "x"}, "in_cluster_config", "cannot be combined"},
		"missing kubeconfig":  {Config{SecretSuffix: "app", ConfigPath: missing}, "config_path", "no-such-kubeconfig"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := NewStore(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Arg != tc.arg || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewStore = %v, want a ConfigError of %s containing %q", err, tc.arg, tc.want)
			}
		})
	}
}

// TestCredentialsFollowKubectl: without config_path the kubeconfig comes
// from KUBECONFIG, a context can be chosen, and an unknown one is an
// error; with none of them and no pod around, the error says where
// credentials come from.
func TestCredentialsFollowKubectl(t *testing.T) {
	s := newSite(t)
	// A kubeconfig whose current context points nowhere, with the
	// testbed's context beside it.
	cfg, err := clientcmd.LoadFromFile(s.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contexts["elsewhere"] = cfg.Contexts[cfg.CurrentContext].DeepCopy()
	cfg.Clusters["elsewhere"] = cfg.Clusters[cfg.Contexts["elsewhere"].Cluster].DeepCopy()
	cfg.Clusters["elsewhere"].Server = "https://127.0.0.1:1"
	cfg.Contexts["elsewhere"].Cluster = "elsewhere"
	testbedContext := cfg.CurrentContext
	cfg.CurrentContext = "elsewhere"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	ctx := context.Background()

	cfgNoPath := s.config()
	cfgNoPath.ConfigPath = ""
	cfgNoPath.ConfigContext = testbedContext
	st, err := NewStore(cfgNoPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.Backend(s.Workspace)
	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Errorf("Write with KUBECONFIG and config_context %s: %v", testbedContext, err)
	}

	cfgNoPath.ConfigContext = ""
	st, err = NewStore(cfgNoPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = st.Backend(s.Workspace)
	if _, err := b.Read(ctx); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("Read through the current context, which points nowhere = %v, want a connection error", err)
	}

	cfgNoPath.ConfigContext = "no-such-context"
	if _, err := NewStore(cfgNoPath); err == nil || !strings.Contains(err.Error(), "no-such-context") {
		t.Errorf("NewStore with an unknown context = %v, want it named", err)
	}

	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := NewStore(Config{SecretSuffix: "app"}); err == nil || !strings.Contains(err.Error(), "no cluster to connect to") {
		t.Errorf("NewStore with no kubeconfig anywhere = %v, want it to say where credentials come from", err)
	}
	if _, err := NewStore(Config{SecretSuffix: "app", InClusterConfig: true}); err == nil || !strings.Contains(err.Error(), "in_cluster_config") {
		t.Errorf("NewStore in-cluster outside a pod = %v", err)
	}
}

func TestServerClock(t *testing.T) {
	t.Parallel()
	var c serverClock
	// The server is 42.3s ahead; its Dates are to the second. Samples
	// taken at different points of a second narrow the estimate.
	const ahead = 42300 * time.Millisecond
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for i := range 20 {
		sent := base.Add(time.Duration(i) * 1370 * time.Millisecond)
		received := sent.Add(20 * time.Millisecond)
		server := sent.Add(10 * time.Millisecond).Add(ahead)
		c.observe(sent, received, server.Truncate(time.Second).Format(http.TimeFormat))
	}
	if got := (c.lo + c.hi) / 2; got < ahead-100*time.Millisecond || got > ahead+100*time.Millisecond {
		t.Errorf("offset estimate %s (bounds %s..%s), want %s within 100ms", got, c.lo, c.hi, ahead)
	}
	// A sample that contradicts the others (the local clock was set)
	// starts the estimate again.
	sent := base.Add(time.Hour)
	c.observe(sent, sent.Add(10*time.Millisecond), sent.Add(-time.Minute).Truncate(time.Second).Format(http.TimeFormat))
	if got := (c.lo + c.hi) / 2; got > -59*time.Second || got < -61*time.Second {
		t.Errorf("offset after the clock was set = %s, want about -1m", got)
	}
	c.observe(sent, sent, "not a date")
}
