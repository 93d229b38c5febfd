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
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"
	"k8s.io/client-go/dynamic"

	"slipway.dev/slipway/providers/testbed"
)

// TestPipelineScripts runs the scripts of testdata/pipelines: pipelines
// that test and build a Go program, push its image to a real registry,
// promote the tag into a GitOps repository on a real git server, and
// sync the app into a real control plane, through the CLI as a user would.
func TestPipelineScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end against a real control plane, git server and registry")
	}
	cluster := testbed.Shared(t)
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	// Stages build Go code: they share this process's caches, so a
	// script compiles only what changed, and they need no network.
	goEnv := map[string]string{}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOROOT"} {
		out, err := exec.Command(goBin, "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		goEnv[k] = strings.TrimSpace(string(out))
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/pipelines",
		Setup: func(env *testscript.Env) error {
			gs, err := testbed.StartGitServer(filepath.Join(env.WorkDir, ".git-server"))
			if err != nil {
				return err
			}
			schemaCheckEnv(env)
			env.Defer(func() { gs.Close() })
			reg, err := testbed.StartRegistry(filepath.Join(env.WorkDir, ".registry"))
			if err != nil {
				return err
			}
			env.Defer(func() { reg.Close() })
			env.Values["git"] = gs
			env.Setenv("KUBECONFIG", cluster.Kubeconfig)
			env.Setenv("GIT_URL", gs.URL)
			env.Setenv("REGISTRY", reg.Addr)
			env.Setenv("SLIPWAY_PROVIDER_PATH", binDir())
			env.Setenv("EXAMPLE_POLICIES", examplePolicies)
			env.Setenv("NO_COLOR", "1")
			// No plan starts an agent that outlives its script; the
			// agent scripts ask for one.
			env.Setenv("SLIPWAY_AGENT", "off")
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			env.Setenv("SLIPWAY_CONCURRENCY_DIR", filepath.Join(env.WorkDir, ".locks"))
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOFLAGS", "-buildvcs=false")
			env.Setenv("PATH", filepath.Join(goEnv["GOROOT"], "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
			return nil
		},
		Cmds: withGitCmds(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// gitlog REPO [VAR]: the branch's log on the server, one line a
			// commit; VAR is set to the short hash of its head.
			"gitlog": func(ts *testscript.TestScript, neg bool, args []string) {
				gs := ts.Value("git").(*testbed.GitServer)
				cmd := exec.Command("git", "--git-dir", filepath.Join(gs.Root, args[0]+".git"), "log", "--format=%h %p %an: %s", "main")
				out, err := cmd.CombinedOutput()
				if err != nil {
					ts.Fatalf("gitlog: %v\n%s", err, out)
				}
				ts.Stdout().Write(out)
				if len(args) > 1 {
					ts.Setenv(args[1], strings.Fields(string(out))[0])
				}
			},
			// subst FILE...: expand $VAR and ${VAR} in files, in place.
			"subst": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, f := range args {
					p := ts.MkAbs(f)
					if err := os.WriteFile(p, []byte(os.Expand(ts.ReadFile(f), ts.Getenv)), 0o644); err != nil {
						ts.Fatalf("subst: %v", err)
					}
				}
			},
			// registry tags REPO | image REF [VAR]: what the registry holds.
			// image prints the digest (and sets VAR to it), the config's
			// entrypoint and env, and every file of every layer.
			"registry": func(ts *testscript.TestScript, neg bool, args []string) { registryCmd(ts, neg, args) },
			"kube":     func(ts *testscript.TestScript, neg bool, args []string) { kubeCmd(ts, neg, args, dyn) },
		}),
	})
}

func registryCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: registry tags REPO | registry image REF [VAR]")
	}
	switch args[0] {
	case "tags":
		repo, err := name.NewRepository(args[1])
		if err != nil {
			ts.Fatalf("registry: %v", err)
		}
		tags, err := remote.List(repo)
		if err != nil {
			ts.Fatalf("registry tags: %v", err)
		}
		sort.Strings(tags)
		for _, t := range tags {
			ts.Stdout().Write([]byte(t + "\n"))
		}
	case "push": // registry push REF: a small base image with one file, /etc/base-REF's tag
		ref, err := name.NewTag(args[1])
		if err != nil {
			ts.Fatalf("registry: %v", err)
		}
		img, err := baseImage(ref.TagStr())
		if err != nil {
			ts.Fatalf("registry push: %v", err)
		}
		if err := remote.Write(ref, img); err != nil {
			ts.Fatalf("registry push: %v", err)
		}
	case "image":
		ref, err := name.ParseReference(args[1])
		if err != nil {
			ts.Fatalf("registry: %v", err)
		}
		img, err := remote.Image(ref)
		if (err != nil) != neg {
			ts.Fatalf("registry image %s: %v", args[1], err)
		}
		if neg {
			return
		}
		d, err := img.Digest()
		if err != nil {
			ts.Fatalf("registry image: %v", err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			ts.Fatalf("registry image: %v", err)
		}
		var b strings.Builder
		b.WriteString("digest " + d.String() + "\n")
		b.WriteString("entrypoint " + strings.Join(cf.Config.Entrypoint, " ") + "\n")
		for _, e := range cf.Config.Env {
			b.WriteString("env " + e + "\n")
		}
		files, err := imageFiles(img)
		if err != nil {
			ts.Fatalf("registry image: %v", err)
		}
		for _, f := range files {
			b.WriteString("file " + f + "\n")
		}
		ts.Stdout().Write([]byte(b.String()))
		if len(args) > 2 {
			ts.Setenv(args[2], d.String())
		}
	default:
		ts.Fatalf("registry: unknown verb %q", args[0])
	}
}
