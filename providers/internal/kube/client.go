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

package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"
)

// FieldManager is the field manager of slipway's server-side applies, dry
// runs included.
const FieldManager = "slipway"

// ClientConfig says how to reach a cluster, the way kubectl does.
type ClientConfig struct {
	// Kubeconfig is the kubeconfig file; KUBECONFIG or ~/.kube/config when
	// empty.
	Kubeconfig string
	// Context is the kubeconfig context; the current one when empty.
	Context string
	// InCluster uses the service account of the pod slipway runs in
	// instead of a kubeconfig.
	InCluster bool
	// QPS and Burst are the client-side rate limit. Both zero means the
	// default: no client-side limit when the API server has API Priority
	// and Fairness (it paces every client itself, and client-go honours
	// its 429s and Retry-After), else DefaultQPS and DefaultBurst.
	QPS   float32
	Burst int
	// UserAgent names the provider to the API server.
	UserAgent string
	// WrapTransport, when set, wraps the HTTP transport of every request
	// (tests count requests with it).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// Cluster is one configured connection: the REST config, a dynamic
// client and the REST client under it (LISTs use it directly, see
// lister.list), and discovery and a RESTMapper cached in memory for the
// life of the process. It is safe for concurrent use.
type Cluster struct {
	// Config is the REST config the clients were made from.
	Config *rest.Config
	// Rules and Context are the kubeconfig loading rules and context, for
	// clients that load the kubeconfig again themselves (Helm's).
	Rules   *clientcmd.ClientConfigLoadingRules
	Context string
	// DefaultNamespace is the namespace of the kubeconfig's context (of the
	// pod, in cluster), "default" when it names none.
	DefaultNamespace string
	// FlowControl says the API server has API Priority and Fairness, so
	// no client-side rate limit was set.
	FlowControl bool

	Dynamic dynamic.Interface
	REST    rest.Interface
	// Metadata LISTs objects' metadata alone, in protobuf (see FetchMeta).
	Metadata  metadata.Interface
	Discovery discovery.CachedDiscoveryInterface
	Mapper    *restmapper.DeferredDiscoveryRESTMapper

	watchMu sync.Mutex
	watches map[string]*Watches // by label selector; see Watches
}

// The client-side rate limit of a cluster without flow control, as Argo
// CD and Flux set it.
const (
	DefaultQPS   = 50
	DefaultBurst = 100
)

// flowSchemaHeader is the header an API server with API Priority and
// Fairness sets on every response: the flow schema that classified it.
const flowSchemaHeader = "X-Kubernetes-PF-FlowSchema-UID"

// Connect makes the clients of c. Unless c sets a rate limit, it asks the
// API server once (GET /livez/ping) whether it has flow control, as Flux
// does, to choose one.
func Connect(c ClientConfig) (*Cluster, error) {
	cl := &Cluster{Context: c.Context, DefaultNamespace: "default"}
	var cc clientcmd.ClientConfig
	if c.InCluster {
		var err error
		cl.Config, err = rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("in-cluster configuration: %w", err)
		}
		cl.Rules = &clientcmd.ClientConfigLoadingRules{}
		cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(cl.Rules, &clientcmd.ConfigOverrides{})
	} else {
		cl.Rules = clientcmd.NewDefaultClientConfigLoadingRules()
		if c.Kubeconfig != "" {
			cl.Rules.ExplicitPath = c.Kubeconfig
		}
		cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(cl.Rules, &clientcmd.ConfigOverrides{CurrentContext: c.Context})
		var err error
		cl.Config, err = cc.ClientConfig()
		if err != nil {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
	}
	if n, _, err := cc.Namespace(); err == nil && n != "" {
		cl.DefaultNamespace = n
	}
	cfg := cl.Config
	cfg.UserAgent = c.UserAgent
	cfg.WarningHandler = rest.NoWarnings{}
	if c.WrapTransport != nil {
		cfg.Wrap(c.WrapTransport)
	}
	cfg.QPS, cfg.Burst = c.QPS, c.Burst
	switch {
	case c.QPS > 0 && c.Burst == 0:
		cfg.Burst = max(DefaultBurst, int(c.QPS))
	case c.QPS == 0 && c.Burst > 0:
		cfg.QPS = DefaultQPS
	}
	if c.QPS == 0 && c.Burst == 0 {
		cfg.QPS, cfg.Burst = DefaultQPS, DefaultBurst
		if cl.FlowControl = hasFlowControl(cfg); cl.FlowControl {
			cfg.QPS = -1 // no client-side limiter: the server paces us
		}
	}
	if cfg.QPS > 0 {
		// One bucket for every client made from this config or a copy
		// of it (rest.CopyConfig keeps the limiter): helm's, the
		// analysis Jobs', discovery's, not one each, which client-go
		// would make from QPS and Burst alone.
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	}

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
	cl.Dynamic, cl.REST = dynamic.New(rc), rc
	// The metadata client as metadata.NewForConfig makes it (protobuf
	// first), over the same connections and under the same rate limit.
	mcfg := metadata.ConfigFor(cfg)
	mcfg.RateLimiter = rc.GetRateLimiter()
	if cl.Metadata, err = metadata.NewForConfigAndClient(mcfg, hc); err != nil {
		return nil, fmt.Errorf("metadata client: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	cl.Discovery = memory.NewMemCacheClient(dc)
	cl.Mapper = restmapper.NewDeferredDiscoveryRESTMapper(cl.Discovery)
	return cl, nil
}

// Connection is a provider's cluster connection as Configure left it, for
// every resource call to read. The zero value has not been configured. It
// is safe for concurrent use.
type Connection[C comparable] struct {
	// Provider names the provider in the error of a call made before
	// Configure.
	Provider string

	mu  sync.Mutex
	cl  C
	err error
}

// SetCluster records what Configure made of the provider block: the
// connection, or why there is none.
func (c *Connection[C]) SetCluster(cl C, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cl, c.err = cl, err
}

// Cluster returns the connection, or why there is none.
func (c *Connection[C]) Cluster() (C, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero C
	if c.err != nil {
		return zero, c.err
	}
	if c.cl == zero {
		return zero, fmt.Errorf("the %s provider is not configured", c.Provider)
	}
	return c.cl, nil
}

// Mappings resolves kinds to resources for one operation. The mapper is
// cached for the life of the process; a kind it does not know makes it
// forget its cache and ask the server again, at most once per operation,
// so a CRD created since the cache was filled is found without paying for
// discovery on every lookup of a kind that really is missing. The
// mappings found are kept for the operation: the mapper's own lookup is
// slow enough to show in a plan of thousands of objects.
type Mappings struct {
	cl    *Cluster
	mu    sync.Mutex
	reset bool
	found map[schema.GroupVersionKind]*meta.RESTMapping
}

// Mappings starts the kind lookups of one operation.
func (c *Cluster) Mappings() *Mappings { return &Mappings{cl: c} }

// Cluster is the connection m looks kinds up in.
func (m *Mappings) Cluster() *Cluster { return m.cl }

// Mapping returns the REST mapping of gvk, or an error that satisfies
// meta.IsNoMatchError when the server does not serve it.
func (m *Mappings) Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m.mu.Lock()
	mp, ok := m.found[gvk]
	m.mu.Unlock()
	if ok {
		return mp, nil
	}
	mp, err := m.cl.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil && meta.IsNoMatchError(err) {
		m.mu.Lock()
		again := !m.reset
		m.reset = true
		if again {
			m.cl.Mapper.Reset()
			m.found = nil
		}
		m.mu.Unlock()
		if !again {
			return nil, err
		}
		mp, err = m.cl.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
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

// Forget drops the mapper's cache, after CRDs were created.
func (m *Mappings) Forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cl.Mapper.Reset()
	m.reset = true
	m.found = nil
}

// Resource returns the client for the object id, or a no-match error.
func (m *Mappings) Resource(id ObjectID) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	mp, err := m.Mapping(id.GVK())
	if err != nil {
		return nil, nil, err
	}
	ri := m.cl.Dynamic.Resource(mp.Resource)
	if mp.Scope.Name() == meta.RESTScopeNameNamespace {
		return ri.Namespace(id.Namespace), mp, nil
	}
	return ri, mp, nil
}

// Apply server-side applies obj as the object id, as FieldManager and
// taking over fields others own, and returns what the server made of it.
// With dryRun the server only says what it would make, and nothing
// changes: that is how a plan knows an object's future without guessing
// the server's defaults. Errors are the server's, unwrapped, for callers
// to inspect.
func (m *Mappings) Apply(ctx context.Context, id ObjectID, obj map[string]any, dryRun bool) (*unstructured.Unstructured, error) {
	ri, _, err := m.Resource(id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	force := true
	opts := metav1.PatchOptions{FieldManager: FieldManager, Force: &force}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return ri.Patch(ctx, id.Name, types.ApplyPatchType, body, opts)
}

// ApplyAs server-side applies obj as the object id for the field
// manager manager, taking over fields others own: the objects a rollout
// makes beside the manifests are its own manager's.
func (m *Mappings) ApplyAs(ctx context.Context, id ObjectID, obj map[string]any, manager string) (*unstructured.Unstructured, error) {
	ri, _, err := m.Resource(id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	force := true
	return ri.Patch(ctx, id.Name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: manager, Force: &force})
}

// hasFlowControl asks the API server whether it has API Priority and
// Fairness: its responses then carry the flow schema that classified
// them. A server that cannot be reached is taken to have none, so the
// client-side limit applies.
func hasFlowControl(cfg *rest.Config) bool {
	shared, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return false
	}
	// A copy: for a server of plain HTTP, client-go hands out
	// http.DefaultClient itself, whose timeout is everyone's.
	hc := *shared
	hc.Timeout = 5 * time.Second
	resp, err := hc.Get(strings.TrimSuffix(cfg.Host, "/") + "/livez/ping")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Header.Get(flowSchemaHeader) != ""
}
