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

package lang

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		given   string
		options []string
		want    string
	}{
		"typo":             {"contnet", []string{"path", "content"}, "content"},
		"closest wins":     {"regin", []string{"regions", "region"}, "region"},
		"too far":          {"namespace", []string{"content"}, ""},
		"short is rewrite": {"ab", []string{"xy"}, ""},
		"no options":       {"x", nil, ""},
		"exact":            {"app", []string{"app"}, "app"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Suggest(tt.given, tt.options)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
