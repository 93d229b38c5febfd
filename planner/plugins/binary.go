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

package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// HashScheme prefixes every hash slipway writes: the SHA-256 of the
// binary's bytes, in hex.
const HashScheme = "sha256:"

// binary is a provider executable opened once. Its hash is the hash of
// the open file, and the command it makes runs that same file, so that
// replacing the file at its path after the check changes nothing.
//
// On Linux the command executes /proc/self/fd/N, the open descriptor
// itself: no copy, and the kernel resolves the descriptor to the very
// inode that was hashed. Elsewhere, and where /proc is not mounted, the
// verified bytes are copied into a private 0700 directory as they are
// hashed, and the copy runs.
type binary struct {
	path string // where it was found, for messages and argv[0]
	hash string
	f    *os.File // the open executable, when it runs through /proc/self/fd
	tmp  string   // the private directory of the copy, if any
	copy string   // the private copy
}

// openBinary opens the executable at path and hashes it.
func openBinary(path string) (*binary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	b := &binary{path: path}
	h := sha256.New()
	// A descriptor below 3 (slipway started with a standard stream
	// closed) would collide with the child's standard streams: copy then.
	if fdExec() && f.Fd() > 2 {
		if _, err := io.Copy(h, f); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		b.f = f
	} else {
		err := b.copyFrom(f, h)
		f.Close()
		if err != nil {
			b.close()
			return nil, err
		}
	}
	b.hash = HashScheme + hex.EncodeToString(h.Sum(nil))
	return b, nil
}

// copyFrom copies the executable into a private directory, hashing the
// bytes as they are written. The copy is closed: a file open for writing
// cannot be executed.
func (b *binary) copyFrom(f *os.File, h io.Writer) error {
	dir, err := os.MkdirTemp("", "slipway-provider-")
	if err != nil {
		return err
	}
	b.tmp = dir
	b.copy = filepath.Join(dir, filepath.Base(b.path))
	cp, err := os.OpenFile(b.copy, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.MultiWriter(cp, h), f)
	if cerr := cp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", b.path, err)
	}
	return nil
}

// command returns the command that runs the hashed bytes. Its argv[0] is
// the path the binary was found at. The binary must stay open until the
// command has started.
func (b *binary) command() *exec.Cmd {
	if b.f == nil {
		cmd := exec.Command(b.copy)
		cmd.Args[0] = b.path
		return cmd
	}
	// The child gets the descriptor at the same number N as here, without
	// close-on-exec, so /proc/self/fd/N names the binary in both
	// processes: the kernel opens it to execute it, an interpreter opens
	// it again to read a script, and a message about the path here
	// describes the right file. Lower entries are nil: closed in the child.
	n := int(b.f.Fd())
	cmd := exec.Command("/proc/self/fd/" + strconv.Itoa(n))
	cmd.Args = []string{b.path}
	cmd.ExtraFiles = make([]*os.File, n-2)
	cmd.ExtraFiles[n-3] = b.f
	return cmd
}

// close releases the binary; a private copy is removed (a process
// already running from it keeps running).
func (b *binary) close() {
	if b.f != nil {
		b.f.Close()
	}
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

// fdExec reports whether a process can execute an open descriptor
// through /proc/self/fd. Tests replace it to try the copy.
var fdExec = func() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	st, err := os.Stat("/proc/self/fd")
	return err == nil && st.IsDir()
}

// HashFile returns the "sha256:HEX" hash of a file.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return HashScheme + hex.EncodeToString(h.Sum(nil)), nil
}
