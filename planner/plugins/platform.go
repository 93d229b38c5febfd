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
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
)

// CurrentPlatform is the platform this slipway runs on, as OS_ARCH
// ("linux_amd64"), the form -platform takes.
func CurrentPlatform() string { return runtime.GOOS + "_" + runtime.GOARCH }

var platformRE = regexp.MustCompile(`^[a-z0-9]+_[a-z0-9]+$`)

// CheckPlatform says why p is not a platform in the OS_ARCH form, or nil.
func CheckPlatform(p string) error {
	if !platformRE.MatchString(p) {
		return fmt.Errorf("platform %q is not in the form OS_ARCH, such as linux_amd64 or darwin_arm64", p)
	}
	return nil
}

// executableName is a provider's executable's file name on platform p.
func executableName(name, p string) string {
	if len(p) >= 8 && p[:8] == "windows_" {
		return ExecutablePrefix + name + ".exe"
	}
	return ExecutablePrefix + name
}

// mirrorPath is where a directory on the search path keeps the binary of
// provider name at version for platform p, when it keeps binaries of
// several versions or platforms: DIR/NAME/VERSION/OS_ARCH/slipway-provider-NAME,
// the layout of a Terraform filesystem mirror without its host and
// namespace levels.
func mirrorPath(dir, name, version, p string) string {
	return filepath.Join(dir, name, version, p, executableName(name, p))
}

// mirrorCandidates are the binaries for this platform that the
// directories keep in the mirror layout, of any version, newest path
// last within a directory.
func mirrorCandidates(dir, name string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, name, "*", CurrentPlatform(), executableName(name, CurrentPlatform())))
	sort.Strings(matches)
	return matches
}

// addPlatformHashes adds to pin the hashes of its binaries for the
// platforms other than this one, found in the mirror layout on the search
// path. Each platform must have one.
func addPlatformHashes(pin *Lock, platforms []string, dirs []string) error {
	for _, p := range platforms {
		if p == CurrentPlatform() {
			continue
		}
		var path string
		for _, d := range dirs {
			c := mirrorPath(d, pin.Name, pin.Version, p)
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				path = c
				break
			}
		}
		if path == "" {
			where := "no directory is on the search path"
			if len(dirs) > 0 {
				where = mirrorPath(dirs[0], pin.Name, pin.Version, p)
			}
			return fmt.Errorf("provider %q version %s has no binary for %s on the search path: slipway pins another platform's binary from DIR/%s/%s/%s/%s in a directory DIR of the search path (for example %s)",
				pin.Name, pin.Version, p, pin.Name, pin.Version, p, executableName(pin.Name, p), where)
		}
		sum, err := HashFile(path)
		if err != nil {
			return err
		}
		if !slices.Contains(pin.Hashes, sum) {
			pin.Hashes = append(pin.Hashes, sum)
		}
	}
	return nil
}
