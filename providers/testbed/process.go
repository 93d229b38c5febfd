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
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long a component gets to exit after SIGTERM before it
// is killed. The API server drains requests on SIGTERM; a few seconds is
// plenty for a control plane nobody else uses.
const stopGrace = 10 * time.Second

// A process is one running component. Its output goes to a log file in the
// cluster dir, which is what an error shows when the component fails.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// stopSignal asks the component to exit: SIGTERM unless the
	// component reads another signal as its clean, prompt shutdown.
	stopSignal syscall.Signal
	done       chan struct{} // closed when the process has exited
	err        error         // its exit status, valid once done is closed
}

// startProcess starts bin in its own process group with output to
// dir/NAME.log.
func startProcess(name, bin, dir string, args ...string) (*process, error) {
	return startProcessAs(name, bin, dir, nil, args...)
}

// startProcessAs is startProcess, run as the user cred names when it is
// not nil.
func startProcessAs(name, bin, dir string, cred *syscall.Credential, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = processAttr()
	cmd.SysProcAttr.Credential = cred
	fmt.Fprintf(logFile, "$ %s %q\n", bin, args)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, stopSignal: syscall.SIGTERM, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// failure describes an exit the caller did not ask for, with the end of
// the component's log, which usually names the cause.
func (p *process) failure() error {
	return fmt.Errorf("%s exited: %v\nlast lines of %s:\n%s", p.name, p.err, p.logPath, p.logTail())
}

func (p *process) logTail() string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	defer f.Close()
	const max = 8 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		f.Seek(fi.Size()-max, io.SeekStart)
	}
	data, _ := io.ReadAll(f)
	return tail(data, 30)
}

// stop sends the stop signal to the process group, and SIGKILL if it has
// not exited after the grace period; it returns once the process is reaped.
// Signalling the group (whose id is the pid) also reaches any child the
// component started.
func (p *process) stop() error {
	if p.exited() {
		return nil
	}
	if err := syscall.Kill(-p.pid(), p.stopSignal); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop %s (pid %d): %w", p.name, p.pid(), err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopGrace):
	}
	if err := syscall.Kill(-p.pid(), syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s (pid %d): %w", p.name, p.pid(), err)
	}
	<-p.done
	return nil
}
