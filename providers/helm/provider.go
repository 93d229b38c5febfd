package helm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// Version is the provider's version.
const Version = "0.1.0"

// New returns the helm provider.
func New() sdk.Provider { return &provider{} }

// provider holds the cluster connection made by Configure; every resource
// call reads it through cluster().
type provider struct {
	mu  sync.Mutex
	cl  *cluster
	err error

	// Stopper cancels the calls in flight when slipway calls Stop.
	sdk.Stopper
}

var (
	_ sdk.Provider         = (*provider)(nil)
	_ sdk.ProviderWithStop = (*provider)(nil)
)

func (p *provider) Metadata() sdk.Metadata { return sdk.Metadata{Name: "helm", Version: Version} }

var providerSchema = sdk.Schema{
	Description: "Helm releases in a Kubernetes cluster, reached with kubectl's conventions.",
	Attributes: map[string]sdk.Attribute{
		"kubeconfig": {Type: cty.String, Optional: true, Description: "Path of the kubeconfig file; KUBECONFIG or ~/.kube/config when unset."},
		"context":    {Type: cty.String, Optional: true, Description: "Kubeconfig context to use; the current context when unset."},
		"cache_dir":  {Type: cty.String, Optional: true, Description: "Where charts downloaded from repositories are kept; the user cache directory's slipway/helm when unset."},
	},
}

func (p *provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"helm_release": &releaseResource{p: p}}
}

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	cl, err := newCluster(req.Config)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Helm provider", err.Error())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cl, p.err = cl, err
}

// errNotConfigured is returned when a resource call comes before Configure.
var errNotConfigured = errors.New("the helm provider is not configured")

func (p *provider) cluster() (*cluster, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	if p.cl == nil {
		return nil, errNotConfigured
	}
	return p.cl, nil
}

// cluster is one configured connection, shared by every helm action of
// the process: one REST config, one discovery client cached in memory and
// one RESTMapper over it. It is safe for concurrent use.
type cluster struct {
	rules     *clientcmd.ClientConfigLoadingRules
	context   string
	cfg       *rest.Config
	dyn       dynamic.Interface
	discovery discovery.CachedDiscoveryInterface
	mapper    *restmapper.DeferredDiscoveryRESTMapper
	cacheDir  string
}

func newCluster(conf cty.Value) (*cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path := sdk.GetString(conf, "kubeconfig"); path != "" {
		rules.ExplicitPath = path
	}
	kctx := sdk.GetString(conf, "context")
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kctx})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "slipway-helm/" + Version
	cfg.WarningHandler = rest.NoWarnings{}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	cached := memory.NewMemCacheClient(dc)
	cacheDir := sdk.GetString(conf, "cache_dir")
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no cache_dir set and no user cache directory: %w", err)
		}
		cacheDir = filepath.Join(base, "slipway", "helm")
	}
	return &cluster{
		rules:     rules,
		context:   kctx,
		cfg:       cfg,
		dyn:       dyn,
		discovery: cached,
		mapper:    restmapper.NewDeferredDiscoveryRESTMapper(cached),
		cacheDir:  cacheDir,
	}, nil
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

func (g *restGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.cl.cfg), nil }

func (g *restGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.cl.discovery, nil
}

func (g *restGetter) ToRESTMapper() (meta.RESTMapper, error) { return g.cl.mapper, nil }

func (g *restGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(g.cl.rules, &clientcmd.ConfigOverrides{
		CurrentContext: g.cl.context,
		Context:        clientcmdapi.Context{Namespace: g.namespace},
	})
}
