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
