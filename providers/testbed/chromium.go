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
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// howToGetChromium is what an error says when Chromium is missing.
const howToGetChromium = `The browser tests use Debian's chromium package. Install it with:
    make deps        (or: apt-get update && apt-get install -y chromium)`

// chromiumInstall serialises installing the package within one process.
var chromiumInstall sync.Mutex

// Chromium returns the path of Debian's chromium, installing the package
// when it is missing, as StartPostgres installs postgresql; it never
// skips. Run it headless with --headless=new, and, in a container,
// --no-sandbox (as root), --disable-gpu and --disable-dev-shm-usage.
func Chromium() (string, error) {
	chromiumInstall.Lock()
	defer chromiumInstall.Unlock()
	if path, ok := chromiumPath(); ok {
		return path, nil
	}
	install := func() ([]byte, error) {
		cmd := exec.Command("apt-get", "install", "-y", "chromium")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	out, err := install()
	if err != nil {
		if upd, uerr := exec.Command("apt-get", "update").CombinedOutput(); uerr != nil {
			return "", fmt.Errorf("install chromium: apt-get update: %w\n%s\n\n%s", uerr, tail(upd, 20), howToGetChromium)
		}
		out, err = install()
	}
	if err != nil {
		return "", fmt.Errorf("install chromium: %w\n%s\n\n%s", err, tail(out, 20), howToGetChromium)
	}
	path, ok := chromiumPath()
	if !ok {
		return "", fmt.Errorf("chromium installed but not found on PATH\n\n%s", howToGetChromium)
	}
	return path, nil
}

func chromiumPath() (string, bool) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, true
		}
	}
	return "", false
}
