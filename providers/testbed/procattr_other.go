//go:build unix && !linux

package testbed

import "syscall"

// processAttr puts a child in its own process group, so stopping it by pid
// reaches anything it forked. Only Linux can also tie a child's life to
// ours; elsewhere Main and Cluster.Stop are the only cleanup.
func processAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
