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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/modfile"
)

// The versions of the parts the testbed runs. They are pinned together
// because TESTBED.md checked this set builds and works on our machines.
const (
	KubernetesVersion = "v1.34.4"
	EtcdVersion       = "v3.6.8"
	KwokVersion       = "v0.8.0"

	// stagingVersion is the version every k8s.io staging module carries
	// alongside KubernetesVersion.
	stagingVersion = "v0.34.4"
)

// versionKey names the cache directory, so a version bump builds afresh
// instead of reusing binaries of another release.
const versionKey = "k8s-" + KubernetesVersion + "-etcd-" + EtcdVersion + "-kwok-" + KwokVersion

// Binaries are the paths of the built parts of a control plane.
type Binaries struct {
	Etcd, APIServer, ControllerManager, Scheduler, Kwok string
	// Kubectl is for people looking around the demo's cluster and for
	// benchmarks that compare slipway with kubectl.
	Kubectl string
	// KwokStages is the path of the concatenated Stage config kwok needs.
	KwokStages string
}

// A component is one binary built from a Go module through a wrapper module.
type component struct {
	name    string // file name in the cache dir
	module  string
	version string
	pkg     string
	ldflags string
}

// kubeLDFlags stamps the version; without it the API server reports
// v0.0.0-master+$Format:%H$, which kubectl and helm cannot parse.
const kubeLDFlags = "-X k8s.io/component-base/version.gitVersion=" + KubernetesVersion +
	" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34"

// components lists what EnsureBinaries builds, cheapest first so an
// early failure (no Go, no proxy) shows up quickly.
var components = []component{
	{name: "etcd", module: "go.etcd.io/etcd/server/v3", version: EtcdVersion, pkg: "go.etcd.io/etcd/server/v3"},
	{name: "kwok", module: "sigs.k8s.io/kwok", version: KwokVersion, pkg: "sigs.k8s.io/kwok/cmd/kwok"},
	{name: "kube-apiserver", module: "k8s.io/kubernetes", version: KubernetesVersion, pkg: "k8s.io/kubernetes/cmd/kube-apiserver", ldflags: kubeLDFlags},
	{name: "kube-controller-manager", module: "k8s.io/kubernetes", version: KubernetesVersion, pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", ldflags: kubeLDFlags},
	{name: "kube-scheduler", module: "k8s.io/kubernetes", version: KubernetesVersion, pkg: "k8s.io/kubernetes/cmd/kube-scheduler", ldflags: kubeLDFlags},
	{name: "kubectl", module: "k8s.io/kubernetes", version: KubernetesVersion, pkg: "k8s.io/kubernetes/cmd/kubectl", ldflags: kubeLDFlags},
}

const stagesName = "kwok-stages.yaml"

// CacheDir returns where the binaries live: $SLIPWAY_TESTBED_CACHE when
// set, else a per-version directory under the user cache dir. The variable
// names the directory itself, so point it elsewhere when the versions
// change.
func CacheDir() (string, error) {
	if dir := os.Getenv("SLIPWAY_TESTBED_CACHE"); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find user cache dir (set SLIPWAY_TESTBED_CACHE instead): %w", err)
	}
	return filepath.Join(base, "slipway", "testbed", versionKey), nil
}

// EnsureBinaries returns the cached binaries, building the missing ones
// first. A build takes minutes, so it happens once per machine; concurrent
// callers, in this process or others, wait for the one that builds.
func EnsureBinaries(ctx context.Context, log io.Writer) (*Binaries, error) {
	if log == nil {
		log = io.Discard
	}
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	b := binariesIn(dir)
	if b.complete() {
		return b, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create testbed cache: %w", err)
	}
	unlock, err := lockDir(ctx, dir, log)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// Another process may have built everything while we waited.
	if b.complete() {
		return b, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("find the go command to build the testbed (put Go on PATH): %w", err)
	}
	bld := &builder{goBin: goBin, dir: dir, log: log}
	if err := bld.readGoVersion(ctx); err != nil {
		return nil, err
	}
	for _, c := range components {
		if fileExists(filepath.Join(dir, c.name)) {
			continue
		}
		if err := bld.build(ctx, c); err != nil {
			return nil, err
		}
	}
	if !fileExists(b.KwokStages) {
		if err := bld.writeStages(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func binariesIn(dir string) *Binaries {
	return &Binaries{
		Etcd:              filepath.Join(dir, "etcd"),
		APIServer:         filepath.Join(dir, "kube-apiserver"),
		ControllerManager: filepath.Join(dir, "kube-controller-manager"),
		Scheduler:         filepath.Join(dir, "kube-scheduler"),
		Kwok:              filepath.Join(dir, "kwok"),
		Kubectl:           filepath.Join(dir, "kubectl"),
		KwokStages:        filepath.Join(dir, stagesName),
	}
}

func (b *Binaries) complete() bool {
	for _, p := range []string{b.Etcd, b.APIServer, b.ControllerManager, b.Scheduler, b.Kwok, b.Kubectl, b.KwokStages} {
		if !fileExists(p) {
			return false
		}
	}
	return true
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// lockDir takes an exclusive flock on DIR/.lock, polling so that ctx can
// end the wait. The lock dies with the process, so a killed builder never
// blocks the next one.
func lockDir(ctx context.Context, dir string, log io.Writer) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open testbed build lock: %w", err)
	}
	said := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock testbed build: %w", err)
		}
		if !said {
			fmt.Fprintf(log, "testbed: another process is building the binaries in %s; waiting...\n", dir)
			said = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for testbed build lock: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// A builder runs the go command for EnsureBinaries. Its environment pins
// the local toolchain and lets the wrapper modules resolve their own
// requirements, whatever the caller's GOFLAGS say.
type builder struct {
	goBin     string
	goVersion string // as `go env GOVERSION` prints it, e.g. go1.26.8
	dir       string
	log       io.Writer
}

func (bld *builder) readGoVersion(ctx context.Context) error {
	out, err := bld.run(ctx, bld.dir, "", "env", "GOVERSION")
	if err != nil {
		return fmt.Errorf("ask the go command its version: %w", err)
	}
	bld.goVersion = strings.TrimSpace(string(out))
	return nil
}

func (bld *builder) env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOTOOLCHAIN=") || strings.HasPrefix(kv, "GOFLAGS=") ||
			strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOOS=") || strings.HasPrefix(kv, "GOARCH=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
}

// run runs the go command in dir, keeping its output in logPath and
// returning stdout. The command gets its own process group so a cancelled
// build stops its compilers too.
func (bld *builder) run(ctx context.Context, dir, logPath string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bld.goBin, args...)
	cmd.Dir = dir
	cmd.Env = bld.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.SysProcAttr = processAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if logPath != "" {
		_ = os.WriteFile(logPath, append([]byte("$ go "+strings.Join(args, " ")+"\n"), append(stdout.Bytes(), stderr.Bytes()...)...), 0o644)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("go %s: %w", args[0], ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", args[0], err, tail(stderr.Bytes(), 40))
	}
	return stdout.Bytes(), nil
}

// moduleInfo is the part of `go mod download -json` output we read.
type moduleInfo struct {
	Dir   string
	GoMod string
	Error string
}

func (bld *builder) download(ctx context.Context, dir, mod, version string) (*moduleInfo, error) {
	out, err := bld.run(ctx, dir, "", "mod", "download", "-json", mod+"@"+version)
	if err != nil {
		return nil, fmt.Errorf("download %s@%s: %w", mod, version, err)
	}
	var info moduleInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return nil, fmt.Errorf("read go mod download output for %s: %w", mod, err)
	}
	if info.Error != "" {
		return nil, fmt.Errorf("download %s@%s: %s", mod, version, info.Error)
	}
	return &info, nil
}

// wrapper writes (once) and returns the directory of the module that
// requires mod, from which its commands are built. Every module gets its
// own wrapper so their dependency graphs do not pull each other's versions.
func (bld *builder) wrapper(ctx context.Context, mod, version string) (string, error) {
	name := strings.NewReplacer("/", "_", ".", "_").Replace(mod)
	dir := filepath.Join(bld.dir, "src", name)
	if fileExists(filepath.Join(dir, "go.mod")) {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create wrapper module for %s: %w", mod, err)
	}
	// go mod download needs a module to run in; a bare one will do.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module slipway.dev/testbed/"+name+"\n\n"+bld.goLine()+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write wrapper module for %s: %w", mod, err)
	}
	info, err := bld.download(ctx, dir, mod, version)
	if err != nil {
		os.Remove(filepath.Join(dir, "go.mod"))
		return "", err
	}
	replaces, err := stagingReplaces(info.GoMod)
	if err != nil {
		os.Remove(filepath.Join(dir, "go.mod"))
		return "", err
	}
	var gomod strings.Builder
	fmt.Fprintf(&gomod, "// Written by slipway's testbed to build %s@%s.\nmodule slipway.dev/testbed/%s\n\n%s\n\nrequire %s %s\n", mod, version, name, bld.goLine(), mod, version)
	if len(replaces) > 0 {
		gomod.WriteString("\nreplace (\n")
		for _, r := range replaces {
			fmt.Fprintf(&gomod, "\t%s => %s %s\n", r, r, stagingVersion)
		}
		gomod.WriteString(")\n")
	}
	if err := writeFileAtomic(filepath.Join(dir, "go.mod"), []byte(gomod.String()), 0o644); err != nil {
		return "", fmt.Errorf("write wrapper module for %s: %w", mod, err)
	}
	return dir, nil
}

// stagingReplaces reads a go.mod and returns the modules it replaces with
// a ./staging directory. Those replacements are why k8s.io/kubernetes
// cannot be built or installed directly: the wrapper points each at its
// published release instead.
func stagingReplaces(gomodPath string) ([]string, error) {
	data, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", gomodPath, err)
	}
	f, err := modfile.Parse(gomodPath, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", gomodPath, err)
	}
	var mods []string
	for _, r := range f.Replace {
		if r.New.Version == "" && strings.HasPrefix(r.New.Path, "./staging/") {
			mods = append(mods, r.Old.Path)
		}
	}
	sort.Strings(mods)
	return mods, nil
}

// goLine is the wrapper modules' go directive: the local toolchain's
// version, so the go command never asks for a newer one.
func (bld *builder) goLine() string {
	v := strings.TrimPrefix(bld.goVersion, "go")
	if i := strings.IndexAny(v, " -+"); i >= 0 {
		v = v[:i]
	}
	return "go " + v
}

func (bld *builder) build(ctx context.Context, c component) error {
	start := time.Now()
	fmt.Fprintf(bld.log, "testbed: building %s %s (first run only, a few minutes)...\n", c.name, c.version)
	dir, err := bld.wrapper(ctx, c.module, c.version)
	if err != nil {
		return fmt.Errorf("build %s: %w", c.name, err)
	}
	final := filepath.Join(bld.dir, c.name)
	// Build under a temporary name and rename, so a killed build never
	// leaves a half-written binary that later runs would trust.
	tmp := fmt.Sprintf("%s.tmp-%d", final, os.Getpid())
	defer os.Remove(tmp)
	// A builder that was killed left its temporary file; we hold the lock,
	// so no other build owns one now.
	if stale, err := filepath.Glob(final + ".tmp-*"); err == nil {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	args := []string{"build", "-trimpath"}
	if c.ldflags != "" {
		args = append(args, "-ldflags", c.ldflags)
	}
	args = append(args, "-o", tmp, c.pkg)
	if _, err := bld.run(ctx, dir, filepath.Join(bld.dir, "build-"+c.name+".log"), args...); err != nil {
		return fmt.Errorf("build %s: %w", c.name, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("install %s: %w", c.name, err)
	}
	fmt.Fprintf(bld.log, "testbed: built %s in %s\n", c.name, time.Since(start).Round(time.Second))
	return nil
}

// kwokStageFiles are the Stage objects kwok runs with, relative to its
// module: nodes become Ready and keep a heartbeat, pods become Ready fast.
var kwokStageFiles = []string{
	"kustomize/stage/node/fast/node-initialize.yaml",
	"kustomize/stage/node/heartbeat/node-heartbeat.yaml",
	"kustomize/stage/pod/fast/pod-*.yaml",
}

func (bld *builder) writeStages(ctx context.Context) error {
	dir, err := bld.wrapper(ctx, "sigs.k8s.io/kwok", KwokVersion)
	if err != nil {
		return fmt.Errorf("write kwok stages: %w", err)
	}
	info, err := bld.download(ctx, dir, "sigs.k8s.io/kwok", KwokVersion)
	if err != nil {
		return fmt.Errorf("write kwok stages: %w", err)
	}
	var out bytes.Buffer
	for _, pattern := range kwokStageFiles {
		paths, err := filepath.Glob(filepath.Join(info.Dir, filepath.FromSlash(pattern)))
		if err != nil || len(paths) == 0 {
			return fmt.Errorf("write kwok stages: no %s in %s", pattern, info.Dir)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("write kwok stages: %w", err)
			}
			fmt.Fprintf(&out, "---\n# %s\n", filepath.ToSlash(strings.TrimPrefix(p, info.Dir+string(filepath.Separator))))
			out.Write(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("---\n")))
			out.WriteString("\n")
		}
	}
	if err := writeFileAtomic(filepath.Join(bld.dir, stagesName), out.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write kwok stages: %w", err)
	}
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so readers
// see the old content or the new, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
