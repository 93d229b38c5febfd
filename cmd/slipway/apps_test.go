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

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/providers/testbed"
)

// TestAppScripts runs the scripts of testdata/apps against a real
// control plane and a real git server: GitOps apps planned and applied
// through the CLI as a user would.
func TestAppScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end against a real control plane")
	}
	cluster := testbed.Shared(t)
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/apps",
		Setup: func(env *testscript.Env) error {
			gs, err := testbed.StartGitServer(filepath.Join(env.WorkDir, ".git-server"))
			if err != nil {
				return err
			}
			env.Defer(func() { gs.Close() })
			env.Values["git"] = gs
			env.Setenv("KUBECONFIG", cluster.Kubeconfig)
			env.Setenv("GIT_URL", gs.URL)
			env.Setenv("SLIPWAY_PROVIDER_PATH", binDir())
			env.Setenv("EXAMPLE_POLICIES", examplePolicies)
			env.Setenv("CI_EXAMPLES", ciExamples)
			env.Setenv("NO_COLOR", "1")
			// No plan starts an agent that outlives its script; the
			// agent scripts ask for one.
			env.Setenv("SLIPWAY_AGENT", "off")
			schemaCheckEnv(env)
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			return nil
		},
		Cmds: withGitCmds(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// kube get|list|exists|patch|create ...: what a user would do with kubectl.
			"kube": func(ts *testscript.TestScript, neg bool, args []string) { kubeCmd(ts, neg, args, dyn) },
			// ci github|gitlab JOB ...: a job of examples/ci, as the service runs it.
			"ci": scriptCI,
			// waitsocket PATH: wait (up to a minute) until a process
			// listens on the Unix socket PATH, such as an agent started in
			// the background; ! waitsocket PATH, until none does.
			"waitsocket": scriptWaitSocket,
		}),
	})
}

// withGitCmds adds to cmds the commands of scripts that run against the
// git server in the "git" value: exits, and
//
//	gitrepo NAME DIR                a repository holding DIR's files
//	gitput REPO MESSAGE DEST=SRC... commit files into the repository
//	gitrm REPO MESSAGE PATH...      commit the removal of files
//
// gitrepo and gitput set GITHEAD to the commit they made.
func withGitCmds(cmds map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds["exits"] = scriptExits
	cmds["gitrepo"] = func(ts *testscript.TestScript, neg bool, args []string) {
		gs := ts.Value("git").(*testbed.GitServer)
		head, err := gs.CreateRepo(args[0], readTree(ts, ts.MkAbs(args[1])))
		if err != nil {
			ts.Fatalf("gitrepo: %v", err)
		}
		ts.Setenv("GITHEAD", head)
	}
	cmds["gitput"] = func(ts *testscript.TestScript, neg bool, args []string) {
		gs := ts.Value("git").(*testbed.GitServer)
		files := map[string]string{}
		for _, a := range args[2:] {
			dst, src, _ := strings.Cut(a, "=")
			files[dst] = ts.ReadFile(src)
		}
		head, err := gs.Commit(args[0], files, nil, args[1])
		if err != nil {
			ts.Fatalf("gitput: %v", err)
		}
		ts.Setenv("GITHEAD", head)
	}
	cmds["gitrm"] = func(ts *testscript.TestScript, neg bool, args []string) {
		gs := ts.Value("git").(*testbed.GitServer)
		if _, err := gs.Commit(args[0], nil, args[2:], args[1]); err != nil {
			ts.Fatalf("gitrm: %v", err)
		}
	}
	return cmds
}

// scriptWaitSocket waits until a process listens on a Unix socket, or
// (negated) until none does.
func scriptWaitSocket(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] waitsocket PATH")
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("unix", ts.MkAbs(args[0]))
		if err == nil {
			c.Close()
		}
		if (err == nil) != neg {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitsocket: %s after a minute", map[bool]string{false: "nothing listens on " + args[0], true: "a process still listens on " + args[0]}[neg])
		}
	}
}

// readTree reads every file below dir, by slash path relative to dir.
func readTree(ts *testscript.TestScript, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		ts.Fatalf("read %s: %v", dir, err)
	}
	return files
}

// gvr resolves the few resource names the scripts use.
func gvr(ts *testscript.TestScript, name string) schema.GroupVersionResource {
	known := map[string]schema.GroupVersionResource{
		"deployment": {Group: "apps", Version: "v1", Resource: "deployments"},
		"service":    {Version: "v1", Resource: "services"},
		"configmap":  {Version: "v1", Resource: "configmaps"},
		"secret":     {Version: "v1", Resource: "secrets"},
		"namespace":  {Version: "v1", Resource: "namespaces"},
		"widget":     {Group: "example.slipway.dev", Version: "v1", Resource: "widgets"},
		"job":        {Group: "batch", Version: "v1", Resource: "jobs"},
		"pod":        {Version: "v1", Resource: "pods"},
		"replicaset": {Group: "apps", Version: "v1", Resource: "replicasets"},
		"ingress":    {Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
		"httproute":  {Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"},
		"event":      {Version: "v1", Resource: "events"},
		"crd":        {Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"},
		// Flux's kinds, served once flux_objects.txtar has installed its CRDs.
		"kustomization": {Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"},
		"gitrepository": {Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"},
		"helmrelease":   {Group: "helm.toolkit.fluxcd.io", Version: "v2", Resource: "helmreleases"},
	}
	g, ok := known[name]
	if !ok {
		ts.Fatalf("kube: unknown kind %q", name)
	}
	return g
}

func kubeCmd(ts *testscript.TestScript, neg bool, args []string, dyn dynamic.Interface) {
	ctx := context.Background()
	if len(args) < 3 {
		ts.Fatalf("usage: kube get|uid|list|exists|patch|label|create|apply KIND NAMESPACE [NAME|FILE] [ARG]")
	}
	verb, res, ns := args[0], dyn.Resource(gvr(ts, args[1])), args[2]
	var ri dynamic.ResourceInterface = res
	if ns != "-" {
		ri = res.Namespace(ns)
	}
	switch verb {
	case "get": // kube get KIND NS NAME: the object as YAML on stdout
		obj, err := ri.Get(ctx, args[3], metav1.GetOptions{})
		if err != nil {
			ts.Fatalf("kube get: %v", err)
		}
		b, _ := yaml.Marshal(obj.Object)
		ts.Stdout().Write(b)
	case "uid": // kube uid KIND NS NAME: the object's UID alone, to compare before and after
		obj, err := ri.Get(ctx, args[3], metav1.GetOptions{})
		if err != nil {
			ts.Fatalf("kube uid: %v", err)
		}
		fmt.Fprintln(ts.Stdout(), obj.GetUID())
	case "list": // kube list KIND NS: the names of the objects, one a line
		list, err := ri.List(ctx, metav1.ListOptions{})
		if err != nil {
			ts.Fatalf("kube list: %v", err)
		}
		for _, o := range list.Items {
			fmt.Fprintln(ts.Stdout(), o.GetName())
		}
	case "exists": // kube exists KIND NS NAME
		_, err := ri.Get(ctx, args[3], metav1.GetOptions{})
		if (err == nil) == neg {
			ts.Fatalf("kube exists %s %s/%s: %v", args[1], ns, args[3], err)
		}
	case "patch": // kube patch KIND NS NAME MERGEPATCH: an edit by hand, as kubectl edit makes it
		_, err := ri.Patch(ctx, args[3], types.MergePatchType, []byte(args[4]), metav1.PatchOptions{FieldManager: "kubectl-edit"})
		if err != nil {
			ts.Fatalf("kube patch: %v", err)
		}
	case "jsonpatch": // kube jsonpatch KIND NS NAME JSONPATCH: an edit by hand, as kubectl patch --type json makes it
		if _, err := ri.Patch(ctx, args[3], types.JSONPatchType, []byte(args[4]), metav1.PatchOptions{FieldManager: "kubectl-patch"}); err != nil {
			ts.Fatalf("kube jsonpatch: %v", err)
		}
	case "label": // kube label KIND NS NAME KEY=VALUE: another writer's label, a field slipway does not own
		k, v, _ := strings.Cut(args[4], "=")
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]string{k: v}}})
		if _, err := ri.Patch(ctx, args[3], types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "labeller"}); err != nil {
			ts.Fatalf("kube label: %v", err)
		}
	case "create": // kube create KIND NS FILE: an object made by hand
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(ts.ReadFile(args[3])), &u.Object); err != nil {
			ts.Fatalf("kube create: %v", err)
		}
		if _, err := ri.Create(ctx, &u, metav1.CreateOptions{FieldManager: "kubectl-create"}); err != nil {
			ts.Fatalf("kube create: %v", err)
		}
	case "apply": // kube apply KIND NS FILE MANAGER: objects server-side applied by a controller (kustomize-controller)
		if len(args) < 5 {
			ts.Fatalf("usage: kube apply KIND NAMESPACE FILE MANAGER")
		}
		for _, u := range readObjects(ts, args[3]) {
			if _, err := ri.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: args[4], Force: true}); err != nil {
				ts.Fatalf("kube apply %s: %v", u.GetName(), err)
			}
			if args[1] == "crd" {
				waitEstablished(ts, ri, u.GetName())
			}
		}
	case "waitstep": // kube waitstep deployment NS CANARY STEP: wait until a rollout records step STEP (1-based) under way
		want, err := strconv.Atoi(args[4])
		if err != nil {
			ts.Fatalf("kube waitstep: %v", err)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			obj, err := ri.Get(ctx, args[3], metav1.GetOptions{})
			if err == nil {
				var st struct {
					Step int `json:"step"`
				}
				if json.Unmarshal([]byte(obj.GetAnnotations()["slipway.dev/rollout-status"]), &st) == nil && st.Step+1 >= want {
					fmt.Fprintf(ts.Stdout(), "at step %d\n", st.Step+1)
					return
				}
			}
			if time.Now().After(deadline) {
				ts.Fatalf("kube waitstep: %s/%s did not reach step %d in a minute", ns, args[3], want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	case "count": // kube count KIND NS SELECTOR: how many objects the label selector matches
		list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: args[3]})
		if err != nil {
			ts.Fatalf("kube count: %v", err)
		}
		fmt.Fprintf(ts.Stdout(), "count %d\n", len(list.Items))
	default:
		ts.Fatalf("kube: unknown verb %q", verb)
	}
}

// readObjects reads the objects of a YAML file of one or more documents.
func readObjects(ts *testscript.TestScript, file string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(ts.ReadFile(file))))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			ts.Fatalf("read %s: %v", file, err)
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			ts.Fatalf("read %s: %v", file, err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

// waitEstablished waits until the API server serves the resource of the
// CustomResourceDefinition name, as `kubectl wait --for
// condition=Established` does.
func waitEstablished(ts *testscript.TestScript, ri dynamic.ResourceInterface, name string) {
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		crd, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		ts.Fatalf("CustomResourceDefinition %s is not established: %v", name, err)
	}
}
