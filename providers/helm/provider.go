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
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// Version is the provider's version.
const Version = "0.1.0"

// New returns the helm provider.
func New() sdk.Provider {
	return &provider{Connection: kube.Connection[*cluster]{Provider: builtin.HelmProvider}}
}

// provider holds the cluster connection made by Configure; every resource
// call reads it through Cluster().
type provider struct {
	kube.Connection[*cluster]

	// offline, when set, is the provider configured for an offline plan:
	// its chart cache only, no connection (see planOffline).
	offline *cluster

	// Stopper cancels the calls in flight when slipway calls Stop.
	sdk.Stopper
}

var (
	_ sdk.Provider         = (*provider)(nil)
	_ sdk.ProviderWithStop = (*provider)(nil)
)

func (p *provider) Metadata() sdk.Metadata {
	return sdk.Metadata{Name: builtin.HelmProvider, Version: Version, Offline: true, Sessions: true}
}

var providerSchema = sdk.Schema{
	Description: "Helm releases in a Kubernetes cluster, reached with kubectl's conventions.",
	Attributes: map[string]sdk.Attribute{
		"kubeconfig": {Type: cty.String, Optional: true, Description: "Path of the kubeconfig file; KUBECONFIG or ~/.kube/config when unset."},
		"context":    {Type: cty.String, Optional: true, Description: "Kubeconfig context to use; the current context when unset."},
		"cache_dir":  {Type: cty.String, Optional: true, Local: true, Description: "Where charts downloaded from repositories are kept; the user cache directory's slipway/helm when unset."},
	},
}

func (p *provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{builtin.HelmRelease: &releaseResource{p: p}}
}

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	// A new session (Metadata.Sessions): an offline one before it does
	// not make this one offline.
	p.offline = nil
	if req.Offline {
		cacheDir, err := cacheDirOf(req.Config)
		if err != nil {
			resp.Diagnostics.AddError("Cannot configure the Helm provider", err.Error())
		}
		p.offline = &cluster{cacheDir: cacheDir}
		p.SetCluster(nil, kube.ErrOffline)
		return
	}
	cl, err := newCluster(req.Config)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Helm provider", err.Error())
	}
	p.SetCluster(cl, err)
}

// cluster is one configured connection, shared by every helm action of
// the process, and where charts downloaded from repositories are kept.
type cluster struct {
	*kube.Cluster
	cacheDir string
}

func newCluster(conf cty.Value) (*cluster, error) {
	kc, err := kube.Connect(kube.ClientConfig{
		Kubeconfig: sdk.GetString(conf, "kubeconfig"),
		Context:    sdk.GetString(conf, "context"),
		UserAgent:  "slipway-helm/" + Version,
	})
	if err != nil {
		return nil, err
	}
	cacheDir, err := cacheDirOf(conf)
	if err != nil {
		return nil, err
	}
	return &cluster{Cluster: kc, cacheDir: cacheDir}, nil
}

// cacheDirOf is where charts downloaded from repositories are kept.
func cacheDirOf(conf cty.Value) (string, error) {
	cacheDir := sdk.GetString(conf, "cache_dir")
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache_dir set and no user cache directory: %w", err)
		}
		cacheDir = filepath.Join(base, "slipway", "helm")
	}
	return cacheDir, nil
}

// getter is the cluster seen from one namespace, as helm's actions want
// it (kubectl's RESTClientGetter): helm's kube client puts namespaced
// objects that name none into the loader's namespace.
func (c *cluster) getter(namespace string) genericclioptions.RESTClientGetter {
	return &restGetter{cl: c, namespace: namespace}
}

type restGetter struct {
	cl        *cluster
	namespace string
}

var _ genericclioptions.RESTClientGetter = (*restGetter)(nil)

func (g *restGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.cl.Config), nil }

func (g *restGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.cl.Discovery, nil
}

func (g *restGetter) ToRESTMapper() (meta.RESTMapper, error) { return g.cl.Mapper, nil }

func (g *restGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(g.cl.Rules, &clientcmd.ConfigOverrides{
		CurrentContext: g.cl.Context,
		Context:        clientcmdapi.Context{Namespace: g.namespace},
	})
}
