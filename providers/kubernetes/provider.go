package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// Version is the provider's version.
const Version = "0.1.0"

// New returns the kubernetes provider.
func New() sdk.Provider { return &provider{} }

// provider holds the cluster connection made by Configure; every resource
// call reads it through cluster().
type provider struct {
	// wrapTransport, when set (by tests), wraps the HTTP transport of
	// every request, to count what a plan costs.
	wrapTransport func(http.RoundTripper) http.RoundTripper

	mu  sync.Mutex
	cl  *cluster
	err error

	// Stopper cancels the calls in flight when slipway calls Stop.
	sdk.Stopper

	// refreshed is what the LISTs of the last refresh returned, for the
	// plan that follows it; see takeRefreshed.
	snapMu    sync.Mutex
	refreshed *liveSet
	refreshAt time.Time
}

// refreshReuse is how long a refresh's LISTs serve the plan after it.
const refreshReuse = 30 * time.Second

// keepRefreshed keeps what a refresh's LISTs returned for the plan that
// follows it.
func (p *provider) keepRefreshed(s *liveSet) {
	p.snapMu.Lock()
	p.refreshed, p.refreshAt = s, time.Now()
	p.snapMu.Unlock()
}

// takeRefreshed hands the last refresh's LISTs to a plan, once: a plan
// compares the manifests with the live objects the refresh just read, as
// Terraform plans against the refreshed state, instead of LISTing the same
// kinds again. Anything the refresh did not cover is LISTed as usual;
// later plans (those of apply, after objects changed) LIST afresh.
func (p *provider) takeRefreshed() *liveSet {
	p.snapMu.Lock()
	defer p.snapMu.Unlock()
	s := p.refreshed
	p.refreshed = nil
	if s == nil || time.Since(p.refreshAt) > refreshReuse {
		return &liveSet{}
	}
	return s
}

var (
	_ sdk.Provider         = (*provider)(nil)
	_ sdk.ProviderWithStop = (*provider)(nil)
)

func (p *provider) Metadata() sdk.Metadata { return sdk.Metadata{Name: "kubernetes", Version: Version} }

var providerSchema = sdk.Schema{
	Description: "A Kubernetes cluster, reached with kubectl's conventions.",
	Attributes: map[string]sdk.Attribute{
		"kubeconfig": {Type: cty.String, Optional: true, Description: "Path of the kubeconfig file; KUBECONFIG or ~/.kube/config when unset."},
		"context":    {Type: cty.String, Optional: true, Description: "Kubeconfig context to use; the current context when unset."},
		"in_cluster": {Type: cty.Bool, Optional: true, Description: "Use the service account of the pod slipway runs in instead of a kubeconfig."},
		"qps":        {Type: cty.Number, Optional: true, Description: "Client-side rate limit, requests per second (default 50)."},
		"burst":      {Type: cty.Number, Optional: true, Description: "Client-side burst above qps (default 100)."},
	},
}

func (p *provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"kubernetes_app": &app{p: p}}
}

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	cfg, ns, err := restConfig(req.Config)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Kubernetes client", err.Error())
		p.setCluster(nil, err)
		return
	}
	if p.wrapTransport != nil {
		cfg.Wrap(p.wrapTransport)
	}
	cl, err := newCluster(cfg, ns)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Kubernetes client", err.Error())
	}
	p.setCluster(cl, err)
}

func (p *provider) setCluster(cl *cluster, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cl, p.err = cl, err
}

// errNotConfigured is returned when a resource call comes before Configure.
var errNotConfigured = errors.New("the kubernetes provider is not configured")

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

// restConfig builds the client configuration from the provider block the
// way kubectl does, and returns the context's namespace too (the default
// for namespaced objects when an app names none).
func restConfig(conf cty.Value) (*rest.Config, string, error) {
	var (
		cfg *rest.Config
		ns  = "default"
		err error
	)
	if sdk.GetBool(conf, "in_cluster") {
		cfg, err = rest.InClusterConfig()
		if err != nil {
			return nil, "", fmt.Errorf("in-cluster configuration: %w", err)
		}
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(&clientcmd.ClientConfigLoadingRules{}, &clientcmd.ConfigOverrides{})
		if n, _, err := cc.Namespace(); err == nil && n != "" {
			ns = n
		}
	} else {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		if path := sdk.GetString(conf, "kubeconfig"); path != "" {
			rules.ExplicitPath = path
		}
		overrides := &clientcmd.ConfigOverrides{CurrentContext: sdk.GetString(conf, "context")}
		cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
		cfg, err = cc.ClientConfig()
		if err != nil {
			return nil, "", fmt.Errorf("load kubeconfig: %w", err)
		}
		if n, _, err := cc.Namespace(); err == nil && n != "" {
			ns = n
		}
	}
	cfg.QPS = float32(numberOr(conf, "qps", 50))
	cfg.Burst = int(numberOr(conf, "burst", 100))
	cfg.UserAgent = "slipway-kubernetes/" + Version
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg, ns, nil
}

// numberOr returns attribute name of obj, or def when it is unset.
func numberOr(obj cty.Value, name string, def float64) float64 {
	if !sdk.IsSet(obj, name) {
		return def
	}
	v := obj.GetAttr(name)
	if v.Type() != cty.Number {
		return def
	}
	f, _ := v.AsBigFloat().Float64()
	return f
}

// cluster is one configured connection: a dynamic client, the REST
// client under it (LISTs use it directly, see listPage) and a
// discovery-backed RESTMapper cached in memory. It is safe for concurrent
// use.
type cluster struct {
	dyn              dynamic.Interface
	rest             rest.Interface
	mapper           *restmapper.DeferredDiscoveryRESTMapper
	defaultNamespace string
}

func newCluster(cfg *rest.Config, defaultNamespace string) (*cluster, error) {
	// The dynamic client as dynamic.NewForConfig makes it, keeping its REST
	// client (and so its rate limiter) for the LISTs.
	dcfg := dynamic.ConfigFor(cfg)
	dcfg.GroupVersion = nil
	dcfg.APIPath = "/if-you-see-this-search-for-the-break"
	hc, err := rest.HTTPClientFor(dcfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	rc, err := rest.UnversionedRESTClientForConfigAndClient(dcfg, hc)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	dyn := dynamic.New(rc)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	return &cluster{
		dyn:              dyn,
		rest:             rc,
		mapper:           restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
		defaultNamespace: defaultNamespace,
	}, nil
}

// mappings resolves kinds to resources for one operation. The mapper is
// cached for the life of the process; a kind it does not know makes it
// forget its cache and ask the server again, at most once per operation,
// so a CRD created since the cache was filled is found without paying for
// discovery on every lookup of a kind that really is missing. The
// mappings found are kept for the operation: the mapper's own lookup is
// slow enough to show in a plan of thousands of objects.
type mappings struct {
	cl    *cluster
	mu    sync.Mutex
	reset bool
	found map[schema.GroupVersionKind]*meta.RESTMapping
}

func (c *cluster) mappings() *mappings { return &mappings{cl: c} }

// mapping returns the REST mapping of gvk, or an error that satisfies
// meta.IsNoMatchError when the server does not serve it.
func (m *mappings) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m.mu.Lock()
	mp, ok := m.found[gvk]
	m.mu.Unlock()
	if ok {
		return mp, nil
	}
	mp, err := m.cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil && meta.IsNoMatchError(err) {
		m.mu.Lock()
		again := !m.reset
		m.reset = true
		if again {
			m.cl.mapper.Reset()
			m.found = nil
		}
		m.mu.Unlock()
		if !again {
			return nil, err
		}
		mp, err = m.cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return mp, err
	}
	m.mu.Lock()
	if m.found == nil {
		m.found = map[schema.GroupVersionKind]*meta.RESTMapping{}
	}
	m.found[gvk] = mp
	m.mu.Unlock()
	return mp, nil
}

// forget drops the mapper's cache, after CRDs were created.
func (m *mappings) forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cl.mapper.Reset()
	m.reset = true
	m.found = nil
}

// resource returns the client for the object id, or a no-match error.
func (m *mappings) resource(id objectID) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	mp, err := m.mapping(id.GVK())
	if err != nil {
		return nil, nil, err
	}
	ri := m.cl.dyn.Resource(mp.Resource)
	if mp.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(id.Namespace), mp, nil
	}
	return ri, mp, nil
}
