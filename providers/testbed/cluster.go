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

package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/client-go/util/retry"
)

const (
	// NodeName is the one fake node kwok runs pods on.
	NodeName = "kwok-node-0"
	// ContextName is the kubeconfig context of the admin user.
	ContextName = "testbed"

	// kwokNodeAnnotation marks the nodes kwok manages; it leaves any other
	// node alone.
	kwokNodeAnnotation = "kwok.x-k8s.io/node"

	serviceClusterIPRange = "10.96.0.0/16"
	// controllers are every controller but those that need a cloud or
	// node IPAM; the node-lifecycle controller would also fight kwok over
	// node taints. Nor the horizontal pod autoscaler: with no metrics API
	// to read, it can only fail, and it says so in two Warning events per
	// HorizontalPodAutoscaler every 15 seconds (at the benchmark's 1,000
	// apps, 130 writes a second, a core of a two-core machine taken from
	// everything measured on it).
	controllers = "*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-horizontalpodautoscaling"
)

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	// Dir is the working directory for certificates, data and logs. When
	// empty a temporary one is made, and removed by Stop.
	Dir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Cluster is a running control plane: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, and kwok with one fake node.
type Cluster struct {
	// Dir holds certificates, etcd data and each component's log.
	Dir string
	// Kubeconfig is the path of the admin kubeconfig, context "testbed".
	Kubeconfig string
	// Server is the API server's URL.
	Server string
	// Config is an admin client config (group system:masters).
	Config *rest.Config

	procs     []*process // in start order
	removeDir bool
	stopOnce  sync.Once
	stopErr   error
	log       io.Writer
}

// StartCluster starts a control plane from b and returns once a pod can be
// scheduled: the API server is ready, the fake node is Ready and untainted,
// and the default ServiceAccount exists. ctx bounds the start only; the
// processes run until Stop. On failure everything started is stopped.
func StartCluster(ctx context.Context, b *Binaries, opts ClusterOptions) (*Cluster, error) {
	start := time.Now()
	c := &Cluster{Dir: opts.Dir, log: opts.Log}
	if c.log == nil {
		c.log = io.Discard
	}
	var err error
	if c.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "slipway-testbed-"); err != nil {
			return nil, fmt.Errorf("create cluster dir: %w", err)
		}
		c.removeDir = true
	} else if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cluster dir: %w", err)
	}
	if c.Dir, err = filepath.Abs(c.Dir); err != nil {
		return nil, fmt.Errorf("resolve cluster dir: %w", err)
	}
	if err := c.start(ctx, b); err != nil {
		// The error already carries the failing component's log tail,
		// so a temporary dir can go with the rest.
		if stopErr := c.Stop(); stopErr != nil {
			err = fmt.Errorf("%w (and stopping what had started: %v)", err, stopErr)
		}
		return nil, fmt.Errorf("start testbed cluster in %s: %w", c.Dir, err)
	}
	fmt.Fprintf(c.log, "testbed: cluster ready at %s in %s (dir %s)\n", c.Server, time.Since(start).Round(10*time.Millisecond), c.Dir)
	return c, nil
}

func (c *Cluster) start(ctx context.Context, b *Binaries) error {
	ports, err := freePorts(5)
	if err != nil {
		return err
	}
	etcdPort, peerPort, apiPort, kcmPort, schedPort := ports[0], ports[1], ports[2], ports[3], ports[4]

	pki, err := writePKI(filepath.Join(c.Dir, "pki"))
	if err != nil {
		return err
	}
	c.Server = "https://127.0.0.1:" + strconv.Itoa(apiPort)
	c.Config = &rest.Config{
		Host: c.Server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   pki.caPEM,
			CertData: pki.adminPEM,
			KeyData:  pki.adminKey,
		},
		// Tests create objects in bursts; the default 5 QPS would make
		// them wait on the client rather than the cluster.
		QPS:   100,
		Burst: 200,
	}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if err := writeKubeconfig(c.Kubeconfig, c.Server, pki); err != nil {
		return err
	}

	etcdURL := "http://127.0.0.1:" + strconv.Itoa(etcdPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	etcdData := filepath.Join(c.Dir, "etcd")
	if err := os.MkdirAll(etcdData, 0o700); err != nil {
		return fmt.Errorf("create etcd data dir: %w", err)
	}
	etcd, err := c.run("etcd", b.Etcd,
		"--name", "testbed",
		"--data-dir", etcdData,
		"--listen-client-urls", etcdURL,
		"--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL,
		"--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "testbed="+peerURL,
		"--unsafe-no-fsync",
		"--log-level", "warn",
	)
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, etcd, etcdURL+"/health"); err != nil {
		return err
	}

	apiserver, err := c.run("kube-apiserver", b.APIServer,
		"--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1",
		"--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(apiPort),
		"--cert-dir", filepath.Join(c.Dir, "kube-apiserver"),
		"--tls-cert-file", pki.ServingCert,
		"--tls-private-key-file", pki.ServingKey,
		"--client-ca-file", pki.CACert,
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file", pki.ServiceAccountPub,
		"--service-account-signing-key-file", pki.ServiceAccountKey,
		"--service-cluster-ip-range", serviceClusterIPRange,
		"--authorization-mode", "RBAC",
		// The endpoint reconciler refuses a loopback advertise address,
		// and nothing here needs the kubernetes Service's endpoints.
		"--endpoint-reconciler-type", "none",
		"--allow-privileged",
	)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return fmt.Errorf("make admin client: %w", err)
	}
	if err := waitReadyz(ctx, apiserver, client); err != nil {
		return err
	}

	if _, err := c.run("kube-controller-manager", b.ControllerManager,
		"--kubeconfig", c.Kubeconfig,
		"--leader-elect=false",
		"--controllers", controllers,
		"--bind-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(kcmPort),
		"--cert-dir", filepath.Join(c.Dir, "kube-controller-manager"),
		"--service-account-private-key-file", pki.ServiceAccountKey,
		"--root-ca-file", pki.CACert,
		"--cluster-signing-cert-file", pki.CACert,
		"--cluster-signing-key-file", pki.CAKey,
		// The controllers' own client limit (20 requests a second by
		// default) would pace every rollout of a benchmark: clusters
		// that run many apps raise it, as here.
		"--kube-api-qps", "200", "--kube-api-burst", "400",
	); err != nil {
		return err
	}
	if _, err := c.run("kube-scheduler", b.Scheduler,
		"--kubeconfig", c.Kubeconfig,
		"--leader-elect=false",
		"--bind-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(schedPort),
		"--cert-dir", filepath.Join(c.Dir, "kube-scheduler"),
		"--kube-api-qps", "200", "--kube-api-burst", "400",
	); err != nil {
		return err
	}
	extra := filepath.Join(c.Dir, "kwok-extra-stages.yaml")
	if err := os.WriteFile(extra, []byte(extraStages), 0o644); err != nil {
		return fmt.Errorf("write kwok stages: %w", err)
	}
	if _, err := c.run("kwok", b.Kwok,
		"--kubeconfig", c.Kubeconfig,
		"--config", b.KwokStages,
		"--config", extra,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector", kwokNodeAnnotation+"=fake",
		"--node-ip", "127.0.0.1",
	); err != nil {
		return err
	}

	if err := c.addNode(ctx, client); err != nil {
		return err
	}
	return waitFor(ctx, c.procs, "the default ServiceAccount", func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
}

// run starts a component and keeps it for Stop.
func (c *Cluster) run(name, bin string, args ...string) (*process, error) {
	p, err := startProcess(name, bin, c.Dir, args...)
	if err != nil {
		return nil, err
	}
	c.procs = append(c.procs, p)
	fmt.Fprintf(c.log, "testbed: started %s (pid %d)\n", name, p.pid())
	return p, nil
}

// addNode creates the fake node, waits for kwok to make it Ready, and lifts
// the not-ready taint the API server put on it at creation: with no
// node-lifecycle controller nothing else would, and no pod would schedule.
func (c *Cluster) addNode(ctx context.Context, client kubernetes.Interface) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NodeName,
			Annotations: map[string]string{kwokNodeAnnotation: "fake"},
			Labels: map[string]string{
				"type":                   "kwok",
				"kubernetes.io/hostname": NodeName,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     runtime.GOARCH,
			},
		},
	}
	if _, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create node %s: %w", NodeName, err)
	}
	if err := waitFor(ctx, c.procs, "node "+NodeName+" Ready", func(ctx context.Context) (bool, error) {
		n, err := client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, nil
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	// kwok's heartbeat updates the node's status, so an update of its spec
	// can meet a conflict; retry on a fresh copy.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		taints := n.Spec.Taints[:0]
		for _, t := range n.Spec.Taints {
			if t.Key != corev1.TaintNodeNotReady {
				taints = append(taints, t)
			}
		}
		if len(taints) == len(n.Spec.Taints) {
			return nil
		}
		n.Spec.Taints = taints
		_, err = client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("remove %s taint from node %s: %w", corev1.TaintNodeNotReady, NodeName, err)
	}
	return nil
}

// waitFor polls cond until it holds. Every poll also checks that no
// component has exited, so a crash is reported with its log at once rather
// than as a timeout.
func waitFor(ctx context.Context, procs []*process, what string, cond func(context.Context) (bool, error)) error {
	var last error
	for {
		for _, p := range procs {
			if p.exited() {
				return fmt.Errorf("wait for %s: %w", what, p.failure())
			}
		}
		ok, err := cond(ctx)
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("wait for %s: %w (last error: %v)", what, ctx.Err(), last)
			}
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitHTTP waits until url answers 200, or p exits.
func waitHTTP(ctx context.Context, p *process, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return waitFor(ctx, []*process{p}, p.name+" at "+url, func(ctx context.Context) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// waitReadyz waits until the API server's /readyz answers ok, which it
// does only once its post-start hooks (RBAC bootstrap among them) are done.
func waitReadyz(ctx context.Context, p *process, client kubernetes.Interface) error {
	return waitFor(ctx, []*process{p}, "kube-apiserver /readyz", func(ctx context.Context) (bool, error) {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").Timeout(2 * time.Second).DoRaw(ctx)
		if err != nil {
			return false, err
		}
		return string(body) == "ok", nil
	})
}

// freePorts picks n distinct free ports on 127.0.0.1. The listeners stay
// open until all are picked, so no two of ours collide; another process
// could still take one before our component binds it, which is rare enough
// that a failed start says so in its log.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeKubeconfig writes an admin kubeconfig with the credentials inline,
// so it can be copied or read from another directory.
func writeKubeconfig(path, server string, p *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.caPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: p.adminPEM, ClientKeyData: p.adminKey}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: "admin"}
	cfg.CurrentContext = ContextName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// PIDs returns the process ids of the components still running.
func (c *Cluster) PIDs() []int {
	var pids []int
	for _, p := range c.procs {
		if !p.exited() {
			pids = append(pids, p.pid())
		}
	}
	return pids
}

// Stop stops every component by its pid and waits for them; it removes Dir
// if StartCluster made it. The clients go first and etcd last, so no
// component spends its shutdown retrying a store that is gone. Stop is safe
// to call more than once.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		var clients []*process
		var etcd *process
		for _, p := range c.procs {
			if p.name == "etcd" {
				etcd = p
			} else {
				clients = append(clients, p)
			}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, p := range clients {
			wg.Go(func() {
				if err := p.stop(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if etcd != nil {
			if err := etcd.stop(); err != nil {
				errs = append(errs, err)
			}
		}
		if c.removeDir {
			if err := os.RemoveAll(c.Dir); err != nil {
				errs = append(errs, fmt.Errorf("remove cluster dir: %w", err))
			}
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}
