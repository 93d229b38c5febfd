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
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"slipway.dev/slipway/providers/testbed"
)

const usage = `usage:
  slipway-testbed build              build the control-plane binaries (once per machine)
  slipway-testbed up --dir DIR       start a cluster, a git server and an image registry in the background
  slipway-testbed down --dir DIR     stop what up started
`

// The files serve keeps in DIR.
const (
	pidFile    = "testbed.pid"
	envFile    = "env"
	logFile    = "serve.log"
	clusterIn  = "cluster"
	gitIn      = "git"
	registryIn = "registry"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "build":
		err = build(ctx, args)
	case "up":
		err = up(ctx, args)
	case "serve":
		err = serve(ctx, args)
	case "down":
		err = down(args)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "slipway-testbed: unknown command %q\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "slipway-testbed %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// parseDir parses the flags every command but build takes.
func parseDir(name string, args []string) (string, error) {
	fs := flag.NewFlagSet("slipway-testbed "+name, flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for the testbed's state, logs, pid and env files (required)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dir == "" {
		return "", errors.New("--dir is required")
	}
	return filepath.Abs(*dir)
}

func build(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("slipway-testbed build", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := testbed.EnsureBinaries(ctx, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("testbed binaries are in %s\n", filepath.Dir(b.APIServer))
	return nil
}

func up(ctx context.Context, args []string) error {
	dir, err := parseDir("up", args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if pid, ok := running(dir); ok {
		return fmt.Errorf("a testbed is already running in %s (pid %d); stop it with: slipway-testbed down --dir %s", dir, pid, dir)
	}
	for _, name := range []string{pidFile, envFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// Build here rather than in serve, so the progress of a first build
	// shows on this terminal.
	if _, err := testbed.EnsureBinaries(ctx, os.Stderr); err != nil {
		return err
	}

	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable to start serve: %w", err)
	}
	log, err := os.Create(filepath.Join(dir, logFile))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(exe, "serve", "--dir", dir)
	cmd.Stdout = log
	cmd.Stderr = log
	// A new session: no terminal signal or closed shell reaches serve.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start serve: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timeout := time.After(3 * time.Minute)
	for !exists(filepath.Join(dir, envFile)) {
		select {
		case err := <-exited:
			return fmt.Errorf("serve exited (%v) before the testbed was ready; last lines of %s:\n%s", err, log.Name(), logTail(log.Name()))
		case <-ctx.Done():
			syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
			return fmt.Errorf("interrupted; stopping serve (pid %d)", cmd.Process.Pid)
		case <-timeout:
			syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
			return fmt.Errorf("testbed not ready after 3 minutes; stopping serve (pid %d); last lines of %s:\n%s", cmd.Process.Pid, log.Name(), logTail(log.Name()))
		case <-time.After(100 * time.Millisecond):
		}
	}

	kubeconfig := filepath.Join(dir, clusterIn, "kubeconfig")
	server := "(see " + kubeconfig + ")"
	if cfg, err := clientcmd.LoadFromFile(kubeconfig); err == nil {
		if cl, ok := cfg.Clusters[testbed.ContextName]; ok {
			server = cl.Server
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, envFile))
	if err != nil {
		return err
	}
	fmt.Printf(`testbed is up (serve pid %d)
  kubernetes %s at %s, one kwok node %q
  kubeconfig %s (context %q)
  git server %s, repositories in %s
  registry   %s (plain HTTP, no auth)
  logs       %s and %s
environment (source %s):
%s
stop it with: slipway-testbed down --dir %s
`, cmd.Process.Pid, testbed.KubernetesVersion, server, testbed.NodeName, kubeconfig, testbed.ContextName,
		envValue(env, "SLIPWAY_GIT_URL"), filepath.Join(dir, gitIn), envValue(env, "SLIPWAY_REGISTRY"),
		log.Name(), filepath.Join(dir, clusterIn, "*.log"),
		filepath.Join(dir, envFile), indent(env), dir)
	return nil
}

// serve runs the testbed in the foreground until SIGTERM or an interrupt.
func serve(ctx context.Context, args []string) (err error) {
	dir, err := parseDir("serve", args)
	if err != nil {
		return err
	}
	pidPath := filepath.Join(dir, pidFile)
	envPath := filepath.Join(dir, envFile)
	if err := writeAtomic(pidPath, strconv.Itoa(os.Getpid())+"\n"); err != nil {
		return err
	}
	defer func() {
		os.Remove(envPath)
		os.Remove(pidPath)
	}()
	for _, sub := range []string{clusterIn, gitIn, registryIn} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("clear the previous run's %s: %w", sub, err)
		}
	}

	b, err := testbed.EnsureBinaries(ctx, os.Stdout)
	if err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cluster, err := testbed.StartCluster(startCtx, b, testbed.ClusterOptions{Dir: filepath.Join(dir, clusterIn), Log: os.Stdout})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("testbed: stopping the cluster")
		if stopErr := cluster.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	gitRoot := filepath.Join(dir, gitIn)
	git, err := testbed.StartGitServer(gitRoot)
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := git.Close(); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	fmt.Printf("testbed: git server at %s serving %s\n", git.URL, gitRoot)
	reg, err := testbed.StartRegistry(filepath.Join(dir, registryIn))
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := reg.Close(); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	fmt.Printf("testbed: image registry at %s\n", reg.Addr)

	env := fmt.Sprintf("export KUBECONFIG=%s\nexport SLIPWAY_GIT_URL=%s\nexport SLIPWAY_GIT_ROOT=%s\nexport SLIPWAY_REGISTRY=%s\n",
		shellQuote(cluster.Kubeconfig), git.URL, shellQuote(gitRoot), reg.Addr)
	if err := writeAtomic(envPath, env); err != nil {
		return err
	}
	fmt.Printf("testbed: ready (pids %v)\n", append([]int{os.Getpid()}, cluster.PIDs()...))
	<-ctx.Done()
	fmt.Println("testbed: signalled; stopping")
	return nil
}

func down(args []string) error {
	dir, err := parseDir("down", args)
	if err != nil {
		return err
	}
	pid, ok := running(dir)
	if !ok {
		os.Remove(filepath.Join(dir, pidFile))
		os.Remove(filepath.Join(dir, envFile))
		fmt.Printf("no testbed running in %s\n", dir)
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop serve (pid %d): %w", pid, err)
	}
	// serve is not our child, so poll rather than wait. It stops its
	// components within their grace period; past that, SIGKILL it, and
	// the kernel kills its children with it.
	deadline := time.Now().Add(45 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(5 * time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("testbed stopped (pid %d)\n", pid)
	return nil
}

// running returns the pid recorded in dir if that process is alive and
// is a slipway-testbed serve, so a stale pid file whose number the system
// has reused is never signalled.
func running(dir string) (int, bool) {
	data, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 || !alive(pid) {
		return 0, false
	}
	if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		if !bytes.Contains(cmdline, []byte("\x00serve\x00")) {
			return 0, false
		}
	}
	return pid, true
}

// alive reports whether pid exists and is not a zombie; a zombie has
// stopped everything already and only waits for a reaper.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// envValue returns NAME's value from the env file's export lines.
func envValue(env []byte, name string) string {
	for _, line := range strings.Split(string(env), "\n") {
		if v, ok := strings.CutPrefix(line, "export "+name+"="); ok {
			return v
		}
	}
	return ""
}

func indent(b []byte) string {
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		out.WriteString("  " + line + "\n")
	}
	return strings.TrimRight(out.String(), "\n")
}

// shellQuote quotes s for a POSIX shell when it needs it, so the env file
// can be sourced whatever the directory is called.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
