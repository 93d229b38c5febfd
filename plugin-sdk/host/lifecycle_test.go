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

//go:build unix

package host_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"slipway.dev/slipway/plugin-sdk/host"
)

// The lifecycle tests re-execute this test binary in a role:
//
//   - hang: a provider that writes its process ID and sleeps forever
//     instead of serving;
//   - host: a stand-in for slipway that launches the test provider, waits
//     until it answers, prints "ready" and sleeps forever;
//   - dial: a stranger that asks gRPC's health service at the Unix socket
//     envDialAddr names, as a host that does not check the provider
//     would, and prints "admitted" or why not.
//
// Any re-executed process given envPIDFile writes its process ID there.
const (
	envRole    = "SLIPWAY_HOST_TEST_ROLE"
	envPIDFile = "SLIPWAY_HOST_TEST_PIDFILE"
	// envProviderPIDFile is where a host tells its provider to write.
	envProviderPIDFile = "SLIPWAY_HOST_TEST_PROVIDER_PIDFILE"
	envDialAddr        = "SLIPWAY_HOST_TEST_DIAL"
)

func helperRole() {
	if f := os.Getenv(envPIDFile); f != "" {
		os.Unsetenv(envPIDFile)
		if err := os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	role := os.Getenv(envRole)
	os.Unsetenv(envRole) // not passed on to a provider
	switch role {
	case "":
		return
	case "hang":
		hang()
	case "host":
		// The provider inherits this environment (go-plugin passes it on).
		os.Setenv("SLIPWAY_SDKTEST_PROVIDER", "test")
		os.Setenv(envPIDFile, os.Getenv(envProviderPIDFile))
		self, _ := os.Executable()
		c, err := host.Launch(context.Background(), host.LaunchConfig{Name: "test", Cmd: exec.Command(self), Stderr: os.Stderr})
		if err == nil {
			_, err = c.Schemas(context.Background())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println("ready")
		hang()
	case "dial":
		if err := askHealth(context.Background(), os.Getenv(envDialAddr)); err != nil {
			fmt.Println(err)
		} else {
			fmt.Println("admitted")
		}
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
	os.Exit(2)
}

// askHealth calls go-plugin's health service at the Unix socket addr,
// in plain gRPC.
func askHealth(ctx context.Context, addr string) error {
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", a)
		}))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "plugin"})
	return err
}

// hang blocks forever as a hung process does. A sleep, not select {}:
// without cgo, the runtime ends a process whose every goroutine is
// blocked on nothing ("all goroutines are asleep - deadlock!").
func hang() {
	for {
		time.Sleep(time.Hour)
	}
}

// waitPID waits for a process to write its ID into file.
func waitPID(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
			pid, err := strconv.Atoi(string(b))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no process ID in %s after 20s", file)
	return 0
}

// alive reports whether a process runs. A zombie is not running: an
// orphan's new parent may be slow to reap it, or may never.
func alive(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// pid (comm) STATE ...: comm may hold spaces and parentheses.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
			return s[i+2] != 'Z' && s[i+2] != 'X'
		}
	} else if _, err := os.Stat("/proc/self/stat"); err == nil {
		return false // /proc works and the process has no entry
	}
	return syscall.Kill(pid, 0) == nil
}

// goneWithin waits up to d, from start, for a process to end, and returns
// how long after start it was gone.
func goneWithin(t *testing.T, pid int, start time.Time, d time.Duration) time.Duration {
	t.Helper()
	for alive(pid) {
		if time.Since(start) > d {
			t.Fatalf("process %d still runs %v later", pid, time.Since(start).Round(time.Millisecond))
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func TestCancelKillsAProviderThatHangsAtStart(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = []string{envRole + "=hang", envPIDFile + "=" + pidFile}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	released := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := host.Launch(ctx, host.LaunchConfig{Name: "hang", Cmd: cmd, Release: func() { close(released) }})
		errc <- err
	}()
	pid := waitPID(t, pidFile)
	t.Cleanup(func() {
		if t.Failed() && alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	time.Sleep(100 * time.Millisecond) // well into the handshake wait

	start := time.Now()
	cancel()
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Launch has not returned 10s after its context was cancelled")
	}
	returned := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if returned > 2*time.Second {
		t.Errorf("Launch returned %v after the cancel, want within 2s", returned)
	}
	gone := goneWithin(t, pid, start, 2*time.Second)
	select {
	case <-released:
	case <-time.After(2 * time.Second):
		t.Error("Release was not called")
	}
	t.Logf("Launch returned %v after the cancel; the hung provider (pid %d) was gone after %v",
		returned.Round(time.Millisecond), pid, gone.Round(time.Millisecond))
}

func TestLaunchWithACancelledContextStartsNothing(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	self, _ := os.Executable()
	cmd := exec.Command(self)
	cmd.Env = []string{envRole + "=hang", envPIDFile + "=" + pidFile}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	released := false
	if _, err := host.Launch(ctx, host.LaunchConfig{Name: "hang", Cmd: cmd, Release: func() { released = true }}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if !released {
		t.Error("Release was not called")
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(pidFile); err == nil {
		t.Error("a process was started")
	}
}

// TestProviderDiesWithItsHost SIGKILLs a host, which cannot clean up, and
// checks that its provider does not outlive it by more than two seconds.
func TestProviderDiesWithItsHost(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	h := exec.Command(self)
	h.Env = append(os.Environ(), envRole+"=host", envProviderPIDFile+"="+pidFile)
	h.Stderr = os.Stderr
	out, err := h.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	defer h.Process.Kill()
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the host failed to launch its provider")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the host is not ready after 30s")
	}
	pid := waitPID(t, pidFile)
	t.Cleanup(func() {
		if t.Failed() && alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if !alive(pid) {
		t.Fatalf("provider %d is not running", pid)
	}

	start := time.Now()
	if err := h.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	gone := goneWithin(t, pid, start, 2*time.Second)
	t.Logf("the provider (pid %d) was gone %v after its host was killed", pid, gone.Round(time.Millisecond))
}
