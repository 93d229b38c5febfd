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

import "syscall"

// processAttr puts a child in its own process group, so stopping it by pid
// reaches anything it forked, and asks the kernel to kill it when we die,
// so a crashed test leaves no control plane running. The kernel ties the
// signal to the thread that started the child, and the Go runtime ends a
// thread only when a goroutine locked to it exits; nothing here locks one.
func processAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
