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
