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
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// Version is the provider's version.
const Version = "0.1.0"

// New returns the kubernetes provider.
func New() sdk.Provider { return newProvider() }

func newProvider() *provider {
	return &provider{Connection: kube.Connection[*kube.Cluster]{Provider: builtin.KubernetesProvider}}
}

// provider holds the cluster connection made by Configure; every resource
// call reads it through Cluster().
type provider struct {
	// wrapTransport, when set (by tests), wraps the HTTP transport of
	// every request, to count what a plan costs.
	wrapTransport func(http.RoundTripper) http.RoundTripper

	kube.Connection[*kube.Cluster]

	// offline: configured for an offline plan, with no connection; plans
	// compare with state, and offlineNS is the kubeconfig's namespace.
	offline   bool
	offlineNS string

	// Stopper cancels the calls in flight when slipway calls Stop.
	sdk.Stopper

	// refreshes are the LISTs of the refreshes whose apps a plan has
	// not taken yet; see takeRefreshed.
	snapMu    sync.Mutex
	refreshes []*refreshed

	// elided are the private records ReadElided read of the apps it
	// found unchanged, by refreshKey, for PlanElided to take.
	elidedMu sync.Mutex
	elided   map[string]elidedRecord

	// records and owners remember, while the process runs, the private
	// records ReadElided decoded and the digests of slipway's
	// managedFields entries it took (see memo).
	records memo[elidedRead]
	owners  memo[string]
	// configs remembers, while the process runs, what PlanElided found
	// of each app's configuration against its record (configMatches).
	configs memo[configMatch]
	// known remembers, in a process the host keeps, the digests of the
	// apps' manifests with the stamps of the files they were made of
	// (elidedSources).
	known memo[knownSources]

	// watch, in a process the host keeps (sdk.ConfigureRequest.Resident),
	// keeps the metadata of the objects slipway manages current between
	// sessions, for the elided refresh (kube.MetaWatch); nil otherwise.
	watch atomic.Pointer[kube.MetaWatch]
}

// refreshed is what the LISTs of one refresh returned, for the plans that
// follow it: unplanned are the apps it refreshed that no plan has taken
// yet, and asRecorded those of them whose every recorded object it found
// as recorded.
type refreshed struct {
	live       *sharedLive
	unplanned  map[string]bool
	asRecorded map[string]bool
	at         time.Time
}

// refreshReuse is how long a refresh's LISTs serve the plans after it.
const refreshReuse = 30 * time.Second

// sharedLive is a refresh's LISTs, which the plans of the apps it
// refreshed share (each LiveSet call is made under mu).
type sharedLive struct {
	mu  sync.Mutex
	set *kube.LiveSet
}

func newSharedLive() *sharedLive {
	return &sharedLive{set: &kube.LiveSet{Selector: managedSelector}}
}

// Fetch is kube.LiveSet.Fetch, one call at a time.
func (s *sharedLive) Fetch(ctx context.Context, ms *kube.Mappings, ids []kube.ObjectID) (map[string]*unstructured.Unstructured, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set.Fetch(ctx, ms, ids)
}

// FetchLazy is kube.LiveSet.FetchLazy, one call at a time.
func (s *sharedLive) FetchLazy(ctx context.Context, ms *kube.Mappings, ids []kube.ObjectID) (map[string]*kube.Live, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set.FetchLazy(ctx, ms, ids)
}

// keepRefreshed keeps what a refresh's LISTs returned for the plans that
// follow it: of the apps refreshed (their refreshKeys), and of those found
// as recorded.
func (p *provider) keepRefreshed(live *sharedLive, apps, asRecorded map[string]bool) {
	p.snapMu.Lock()
	defer p.snapMu.Unlock()
	// A later refresh of an app supersedes an earlier one.
	for _, r := range p.refreshes {
		for k := range apps {
			delete(r.unplanned, k)
		}
	}
	p.refreshes = append(p.refreshes, &refreshed{live: live, unplanned: apps, asRecorded: asRecorded, at: time.Now()})
	p.dropTakenLocked()
}

// dropTakenLocked forgets the refreshes every app of which has been
// planned, or which are older than refreshReuse.
func (p *provider) dropTakenLocked() {
	p.refreshes = slices.DeleteFunc(p.refreshes, func(r *refreshed) bool {
		return len(r.unplanned) == 0 || time.Since(r.at) > refreshReuse
	})
}

// takeRefreshed hands a refresh's LISTs to the plan of the apps keys name
// (their refreshKeys): a plan compares the manifests with the live objects
// the refresh just read, as Terraform plans against the refreshed state,
// instead of LISTing the same kinds again. Anything the refresh did not
// cover is LISTed as usual. A refresh serves the plan of each app it
// refreshed once, however the plans are batched (a plan refreshes every
// app of a provider in one batch, and plans each block apart); later
// plans of the same apps (those of apply, after objects changed) LIST
// afresh. The plan gets the refresh that covered most of its apps, and the
// apps of keys that refresh found as recorded (nil without one).
func (p *provider) takeRefreshed(keys []string) (*sharedLive, map[string]bool) {
	p.snapMu.Lock()
	defer p.snapMu.Unlock()
	p.dropTakenLocked()
	var best *refreshed
	most := 0
	for _, r := range p.refreshes {
		n := 0
		for _, k := range keys {
			if r.unplanned[k] {
				n++
			}
		}
		if n > most {
			best, most = r, n
		}
	}
	var asRecorded map[string]bool
	if best != nil {
		for _, k := range keys {
			if best.unplanned[k] && best.asRecorded[k] {
				if asRecorded == nil {
					asRecorded = map[string]bool{}
				}
				asRecorded[k] = true
			}
		}
	}
	// These apps are planned now, whichever refresh serves them.
	for _, r := range p.refreshes {
		for _, k := range keys {
			delete(r.unplanned, k)
		}
	}
	p.dropTakenLocked()
	if best == nil {
		return newSharedLive(), nil
	}
	return best.live, asRecorded
}

var (
	_ sdk.Provider         = (*provider)(nil)
	_ sdk.ProviderWithStop = (*provider)(nil)
)

func (p *provider) Metadata() sdk.Metadata {
	return sdk.Metadata{Name: builtin.KubernetesProvider, Version: Version, Offline: true, ApplyParallelism: appsAtOnce, Sessions: true}
}

// appsAtOnce is how many apps apply syncs at once when the user sets
// no -parallelism. An app applies its objects one kind after another (as
// Argo CD and Helm order them), so each app in flight keeps about one
// request in flight; 32 apps keep as many requests in flight as a
// 32-worker client. The API server's flow control paces them, and the
// client honours its 429s and Retry-After (kube.Connect); waiting for
// health holds no slot.
const appsAtOnce = 32

var providerSchema = sdk.Schema{
	Description: "A Kubernetes cluster, reached with kubectl's conventions.",
	Attributes: map[string]sdk.Attribute{
		"kubeconfig": {Type: cty.String, Optional: true, Description: "Path of the kubeconfig file; KUBECONFIG or ~/.kube/config when unset."},
		"context":    {Type: cty.String, Optional: true, Description: "Kubeconfig context to use; the current context when unset."},
		"in_cluster": {Type: cty.Bool, Optional: true, Description: "Use the service account of the pod slipway runs in instead of a kubeconfig."},
		"qps":        {Type: cty.Number, Optional: true, Description: "Client-side rate limit, requests per second. Unset: none when the API server has API Priority and Fairness (it paces requests, and its 429s are retried after Retry-After), else 50."},
		"burst":      {Type: cty.Number, Optional: true, Description: "Client-side burst above qps. Unset: 100 when a client-side limit applies."},
	},
}

func (p *provider) Schema() sdk.Schema { return providerSchema }

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{builtin.KubernetesApp: &app{p: p}}
}

// startWatches starts the watches the refresh asked for (see
// kube.MetaWatch.StartPending): the plan is done with them, or a new
// session begins.
func (p *provider) startWatches() {
	if w := p.watch.Load(); w != nil {
		w.StartPending()
	}
}

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	p.startWatches()
	p.newSession()
	cc := clientConfig(req.Config)
	if req.Offline {
		p.offline, p.offlineNS = true, kube.OfflineNamespace(cc)
		p.SetCluster(nil, kube.ErrOffline)
		return
	}
	if req.Resident && p.watch.Load() == nil {
		p.watch.Store(kube.NewMetaWatch())
	}
	cc.WrapTransport = p.wrapTransport
	cl, err := kube.Connect(cc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Kubernetes client", err.Error())
	}
	p.SetCluster(cl, err)
}

// newSession forgets what the last session kept (Metadata.Sessions): its
// refreshes and records, and whether it was offline. The connection is
// made anew by Configure, with a fresh discovery of the API server's
// kinds.
func (p *provider) newSession() {
	p.snapMu.Lock()
	p.refreshes = nil
	p.snapMu.Unlock()
	p.elidedMu.Lock()
	p.elided = nil
	p.elidedMu.Unlock()
	p.offline, p.offlineNS = false, ""
	p.SetCluster(nil, nil)
}

// clientConfig reads the provider block: the cluster is reached the way
// kubectl reaches it.
func clientConfig(conf cty.Value) kube.ClientConfig {
	return kube.ClientConfig{
		Kubeconfig: sdk.GetString(conf, "kubeconfig"),
		Context:    sdk.GetString(conf, "context"),
		InCluster:  sdk.GetBool(conf, "in_cluster"),
		QPS:        float32(numberOr(conf, "qps", 0)),
		Burst:      int(numberOr(conf, "burst", 0)),
		UserAgent:  "slipway-kubernetes/" + Version,
	}
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
