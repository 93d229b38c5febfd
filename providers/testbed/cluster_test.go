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

package testbed_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"slipway.dev/slipway/providers/testbed"
)

// TestDeploymentBecomesAvailable proves the whole control plane works: the
// controller manager makes the ReplicaSet and pods, the scheduler binds
// them to the kwok node, and kwok makes them Ready.
func TestDeploymentBecomesAvailable(t *testing.T) {
	c := testbed.Shared(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	ns, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "deploy-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "web"}
	replicas := int32(3)
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "web", Image: "nginx"}},
				},
			},
		},
	}
	if _, err := client.AppsV1().Deployments(ns.Name).Create(ctx, deploy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	var got *appsv1.Deployment
	for {
		got, err = client.AppsV1().Deployments(ns.Name).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.AvailableReplicas == replicas {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("deployment web has %d/%d available replicas after %s; status: %+v",
				got.Status.AvailableReplicas, replicas, time.Since(start).Round(time.Second), got.Status)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Logf("3/3 replicas available after %s", time.Since(start).Round(10*time.Millisecond))

	pods, err := client.CoreV1().Pods(ns.Name).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Spec.NodeName != testbed.NodeName || p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod %s: node %q phase %s, want node %q phase Running", p.Name, p.Spec.NodeName, p.Status.Phase, testbed.NodeName)
		}
	}
}

// TestServerVersion checks the version stamp: without it the API server
// reports v0.0.0-master, which kubectl and helm cannot parse.
// It goes through the kubeconfig file, as kubectl and helm would.
func TestServerVersion(t *testing.T) {
	c := testbed.Shared(t)
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: testbed.ContextName},
	).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v, err := client.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != testbed.KubernetesVersion {
		t.Errorf("server version = %q, want %q", v.GitVersion, testbed.KubernetesVersion)
	}
}

// TestStopLeavesNothing starts a second cluster of its own and checks that
// Stop ends every process and removes the temporary dir.
func TestStopLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second control plane; run without -short")
	}
	b, err := testbed.EnsureBinaries(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := testbed.StartCluster(ctx, b, testbed.ClusterOptions{Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	pids := c.PIDs()
	if len(pids) != 5 {
		t.Errorf("PIDs() = %v, want 5 processes", pids)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still exists after Stop (kill 0: %v)", pid, err)
		}
	}
	if _, err := os.Stat(c.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cluster dir %s still exists after Stop (stat: %v)", c.Dir, err)
	}
	if got := c.PIDs(); len(got) != 0 {
		t.Errorf("PIDs() after Stop = %v, want none", got)
	}
}

// TestStartFailureShowsLog checks that a component that dies at start is
// reported with its own log, and that what had started is stopped.
func TestStartFailureShowsLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd; run without -short")
	}
	b, err := testbed.EnsureBinaries(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	broken := *b
	broken.APIServer = filepath.Join(t.TempDir(), "kube-apiserver")
	script := "#!/bin/sh\necho 'E0101 flag provided but not defined: --testbed-boom' >&2\nexit 3\n"
	if err := os.WriteFile(broken.APIServer, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "cluster")
	c, err := testbed.StartCluster(ctx, &broken, testbed.ClusterOptions{Dir: dir})
	if err == nil {
		c.Stop()
		t.Fatal("StartCluster with a failing kube-apiserver succeeded")
	}
	t.Logf("StartCluster: %v", err)
	for _, want := range []string{"kube-apiserver exited", "--testbed-boom"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
	// etcd had started; its log must show it was stopped, not left running.
	if _, err := os.Stat(filepath.Join(dir, "etcd.log")); err != nil {
		t.Errorf("etcd.log: %v", err)
	}
	out, _ := exec.Command("pgrep", "-f", "--", "--data-dir "+filepath.Join(dir, "etcd")).Output()
	if len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("etcd still running after a failed start: pids %s", out)
	}
}
