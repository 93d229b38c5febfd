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

// Command floor is what examples/bench/platform.sh holds slipway against:
// the least a client written with client-go alone must do for the same
// work, with client-go's defaults tuned only as a careful engineer would
// (no client-side rate limiter when the API server has API Priority and
// Fairness, as Flux and slipway itself decide it).
//
//	floor list [-l SELECTOR] [-json]
//
// LISTs the ten kinds of the benchmark's apps (Namespaces, Deployments,
// Services, ServiceAccounts, ConfigMaps, Secrets, Roles, RoleBindings,
// PodDisruptionBudgets, HorizontalPodAutoscalers) across all namespaces,
// all at once, and prints the wall clock of the whole set in seconds. It
// is the floor of a no-op plan: a plan cannot know the cluster without
// reading it. client-go's typed clients ask for protobuf, which the API
// server encodes and the client decodes several times faster than JSON;
// -json asks for JSON instead, as older releases of them did and as
// every client of objects it does not compile in (kubectl's, slipway's)
// still does.
//
//	floor apply [-manager bench] [-workers 32] [-wait=true] [-timeout 10m] DIR
//
// Server-side applies every object of every manifest file under DIR (as
// field manager -manager, taking over conflicting fields): the Namespaces
// first, then the rest with -workers goroutines, queued in Helm's install
// order so that a Deployment's ServiceAccount exists before its pods are
// made. With -wait it then waits until every Deployment it applied is
// Available, which is the health slipway waits for. It prints the
// objects applied to stderr.
//
// Both take the cluster from KUBECONFIG, as kubectl does.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

const usage = `usage:
  floor list [-l SELECTOR] [-json]
  floor apply [-manager bench] [-workers 32] [-wait=true] [-timeout 10m] DIR
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "list":
		err = list(ctx, os.Args[2:])
	case "apply":
		err = apply(ctx, os.Args[2:])
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "floor %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// config loads the kubeconfig as kubectl does, and lifts client-go's
// client-side rate limit when the server paces clients itself.
func config() (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "slipway-bench-floor"
	if flowControl(cfg) {
		cfg.QPS = -1
	}
	return cfg, nil
}

// flowControl reports whether the API server has API Priority and
// Fairness: its responses then name the flow schema that classified them.
func flowControl(cfg *rest.Config) bool {
	shared, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return false
	}
	// A copy: for a server of plain HTTP, client-go hands out
	// http.DefaultClient itself.
	hc := *shared
	hc.Timeout = 5 * time.Second
	resp, err := hc.Get(strings.TrimSuffix(cfg.Host, "/") + "/livez/ping")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK && resp.Header.Get("X-Kubernetes-PF-FlowSchema-UID") != ""
}

func list(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor list", flag.ContinueOnError)
	selector := fs.String("l", "", "label selector of every LIST")
	asJSON := fs.Bool("json", false, "ask for JSON rather than protobuf")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	if *asJSON {
		cfg.ContentType, cfg.AcceptContentTypes = "application/json", "application/json"
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	opts := metav1.ListOptions{LabelSelector: *selector}
	all := metav1.NamespaceAll
	lists := []struct {
		kind string
		list func() (runtime.Object, error)
	}{
		{"namespaces", func() (runtime.Object, error) { return cs.CoreV1().Namespaces().List(ctx, opts) }},
		{"deployments", func() (runtime.Object, error) { return cs.AppsV1().Deployments(all).List(ctx, opts) }},
		{"services", func() (runtime.Object, error) { return cs.CoreV1().Services(all).List(ctx, opts) }},
		{"serviceaccounts", func() (runtime.Object, error) { return cs.CoreV1().ServiceAccounts(all).List(ctx, opts) }},
		{"configmaps", func() (runtime.Object, error) { return cs.CoreV1().ConfigMaps(all).List(ctx, opts) }},
		{"secrets", func() (runtime.Object, error) { return cs.CoreV1().Secrets(all).List(ctx, opts) }},
		{"roles", func() (runtime.Object, error) { return cs.RbacV1().Roles(all).List(ctx, opts) }},
		{"rolebindings", func() (runtime.Object, error) { return cs.RbacV1().RoleBindings(all).List(ctx, opts) }},
		{"poddisruptionbudgets", func() (runtime.Object, error) { return cs.PolicyV1().PodDisruptionBudgets(all).List(ctx, opts) }},
		{"horizontalpodautoscalers", func() (runtime.Object, error) {
			return cs.AutoscalingV2().HorizontalPodAutoscalers(all).List(ctx, opts)
		}},
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	start := time.Now()
	for _, l := range lists {
		wg.Go(func() {
			obj, err := l.list()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("list %s: %w", l.kind, err))
				return
			}
			total += meta.LenList(obj)
		})
	}
	wg.Wait()
	took := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "floor list: %d objects of %d kinds (client QPS %v, %s)\n", total, len(lists), cfg.QPS, contentType(cfg))
	fmt.Printf("%.3f\n", took.Seconds())
	return nil
}

// contentType names what the LISTs ask for: client-go's typed clients
// ask for protobuf when the configuration names nothing.
func contentType(cfg *rest.Config) string {
	if cfg.ContentType != "" {
		return cfg.ContentType
	}
	return "protobuf"
}

// installOrder is Helm's install order for the kinds it names; other kinds
// come after them.
var installOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
	"Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

func rank(kind string) int {
	for i, k := range installOrder {
		if k == kind {
			return i
		}
	}
	return len(installOrder)
}

func apply(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor apply", flag.ContinueOnError)
	manager := fs.String("manager", "bench", "field manager of the server-side applies")
	workers := fs.Int("workers", 32, "applies in flight at once")
	wait := fs.Bool("wait", true, "wait until every Deployment applied is Available")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long to wait for the Deployments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want one directory of manifests")
	}
	objs, err := readManifests(fs.Arg(0))
	if err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	start := time.Now()

	// The Deployments are watched from the start, so that the wait after
	// the applies finds a warm cache.
	stop := make(chan struct{})
	defer close(stop)
	var deployments cache.SharedIndexInformer
	if *wait {
		factory := informers.NewSharedInformerFactory(cs, 0)
		deployments = factory.Apps().V1().Deployments().Informer()
		factory.Start(stop)
	}

	groups, err := restmapper.GetAPIGroupResources(cs.Discovery())
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	mapper := restmapper.NewDiscoveryRESTMapper(groups)

	var namespaces, others []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" {
			namespaces = append(namespaces, o)
		} else {
			others = append(others, o)
		}
	}
	sort.SliceStable(others, func(i, j int) bool { return rank(others[i].GetKind()) < rank(others[j].GetKind()) })

	var (
		mu     sync.Mutex
		wanted = map[string]int64{} // Deployment namespace/name -> generation applied
	)
	applyOne := func(ctx context.Context, o *unstructured.Unstructured) error {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return err
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = dyn.Resource(m.Resource).Namespace(o.GetNamespace())
		}
		out, err := ri.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: *manager, Force: true})
		if err != nil {
			return fmt.Errorf("apply %s %s/%s: %w", gvk.Kind, o.GetNamespace(), o.GetName(), err)
		}
		if gvk.Group == "apps" && gvk.Kind == "Deployment" {
			mu.Lock()
			wanted[out.GetNamespace()+"/"+out.GetName()] = out.GetGeneration()
			mu.Unlock()
		}
		return nil
	}
	for _, batch := range [][]*unstructured.Unstructured{namespaces, others} {
		if err := runAll(ctx, *workers, batch, applyOne); err != nil {
			return err
		}
	}
	applied := time.Since(start)
	fmt.Fprintf(os.Stderr, "floor apply: %d objects (%d Namespaces, %d Deployments) applied in %.2fs with %d workers (client QPS %v)\n",
		len(objs), len(namespaces), len(wanted), applied.Seconds(), *workers, cfg.QPS)
	if !*wait || len(wanted) == 0 {
		return nil
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if !cache.WaitForCacheSync(ctx.Done(), deployments.HasSynced) {
		return errors.New("the Deployments' cache did not sync")
	}
	for {
		var waiting string
		for key, gen := range wanted {
			obj, ok, err := deployments.GetStore().GetByKey(key)
			if err != nil {
				return err
			}
			if d, _ := obj.(*appsv1.Deployment); !ok || d == nil || !available(d, gen) {
				waiting = key
				break
			}
		}
		if waiting == "" {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the Deployment %s is not Available after %s", waiting, *timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
	fmt.Fprintf(os.Stderr, "floor apply: every Deployment Available after another %.2fs\n", (time.Since(start) - applied).Seconds())
	return nil
}

// available is kstatus's Current for a Deployment, as slipway's health
// reads it: the controller saw the generation applied, and every replica
// is updated and available.
func available(d *appsv1.Deployment, gen int64) bool {
	if d.Generation < gen || d.Status.ObservedGeneration < d.Generation {
		return false
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.Replicas != want || d.Status.UpdatedReplicas != want || d.Status.AvailableReplicas != want {
		return false
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// runAll calls fn for every object, workers at a time, and returns the
// first error, after which it starts no more.
func runAll(ctx context.Context, workers int, objs []*unstructured.Unstructured, fn func(context.Context, *unstructured.Unstructured) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan *unstructured.Unstructured)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for o := range next {
				if err := fn(ctx, o); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, o := range objs {
		select {
		case next <- o:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// readManifests reads every object of the *.yaml, *.yml and *.json files
// under dir, in lexical order.
func readManifests(dir string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		dec := utilyaml.NewYAMLOrJSONDecoder(bufio.NewReader(f), 4096)
		for {
			var m map[string]any
			if err := dec.Decode(&m); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if len(m) == 0 {
				continue
			}
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	})
	return out, err
}
