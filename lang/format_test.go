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
