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

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src, want string
		wantErr   bool
	}{
		"aligns arguments": {
			src:  "resource \"file\" \"a\" {\npath=\"a\"\n    content = \"x\"\n}\n",
			want: "resource \"file\" \"a\" {\n  path    = \"a\"\n  content = \"x\"\n}\n",
		},
		"already formatted": {
			src:  "locals {\n  a = 1\n}\n",
			want: "locals {\n  a = 1\n}\n",
		},
		"syntax error": {src: "resource \"file\" {\n  path = \n", wantErr: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := Format([]byte(tt.src))
			if tt.wantErr != diags.HasErrors() {
				t.Fatalf("want error %v, got %v", tt.wantErr, diags)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
