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

package provdocs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Write writes pages into dir, creating it, and removes the pages that an
// earlier run wrote there and this one did not (a type that is gone).
// Only *.md files that carry Marker are removed.
func Write(dir string, pages map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create the docs directory: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, keep := pages[filepath.Base(p)]; keep {
			continue
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(Marker)) {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("remove a stale page: %w", err)
			}
		}
	}
	for name, b := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write the docs: %w", err)
		}
	}
	return nil
}
