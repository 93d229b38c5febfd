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

package pipeline

import (
	"strings"
	"testing"
)

// TestLandedNote: a failed run says what it made before it failed, which
// stays, and never the credentials of a repository's URL.
func TestLandedNote(t *testing.T) {
	if got := landedNote(nil); got != "No image was pushed and nothing was promoted." {
		t.Errorf("nothing landed: %q", got)
	}
	landed := []string{"image myapp pushed to reg.example/me/myapp", "promote 1 committed " + shortCommit("9f8e7d6c5b4a") + " to " + withoutUserinfo("https://x-access-token:s3cr3t@git.example/org/gitops.git")}
	got := landedNote(landed)
	for _, want := range []string{"image myapp pushed to reg.example/me/myapp", "promote 1 committed 9f8e7d6 to https://git.example/org/gitops.git", "the next apply runs the pipeline again"} {
		if !strings.Contains(got, want) {
			t.Errorf("landed note %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, "nothing was promoted") {
		t.Errorf("landed note %q", got)
	}
}
