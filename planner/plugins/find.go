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
	"os"
	"path/filepath"
	"strings"
)

// ExecutablePrefix begins the file name of every third-party provider.
const ExecutablePrefix = "slipway-provider-"

// SearchDirs lists where provider executables are looked for, in order:
// the directories of SLIPWAY_PROVIDER_PATH, .slipway/providers beside the
// configuration, then ~/.slipway/providers.
func SearchDirs(configDir string) []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("SLIPWAY_PROVIDER_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	dirs = append(dirs, filepath.Join(configDir, ".slipway", "providers"))
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".slipway", "providers"))
	}
	return dirs
}

// Find returns the absolute path of the first executable named
// slipway-provider-NAME in dirs.
func Find(name string, dirs []string) (string, bool) {
	for _, d := range dirs {
		p := filepath.Join(d, ExecutablePrefix+name)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		return p, true
	}
	return "", false
}

// describeDirs renders search directories for a message.
func describeDirs(dirs []string) string {
	return strings.Join(dirs, ", ")
}
