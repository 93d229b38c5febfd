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

package convert

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"slipway.dev/slipway/lang"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden converts the fixtures and compares the configuration and the
// report with the golden files; every output must parse and be formatted.
func TestGolden(t *testing.T) {
	for _, tool := range []string{"argocd", "flux"} {
		t.Run(tool, func(t *testing.T) {
			docs, err := Read([]string{filepath.Join("testdata", tool)})
			if err != nil {
				t.Fatal(err)
			}
			conv := map[string]func([]Document) (*Result, error){"argocd": ArgoCD, "flux": Flux}[tool]
			res, err := conv(docs)
			if err != nil {
				t.Fatal(err)
			}
			var report strings.Builder
			for _, i := range res.Issues {
				report.WriteString(i.String() + "\n")
			}
			got := string(res.Combined()) + "\n# report\n" + strings.ReplaceAll(report.String(), filepath.ToSlash(filepath.Join("testdata", tool))+"/", "")
			golden := filepath.Join("testdata", tool+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("conversion differs from %s (-want +got):\n%s", golden, d)
			}
			for _, f := range res.Files {
				out, diags := lang.Format(f.Src)
				if diags.HasErrors() || string(out) != string(f.Src) {
					t.Errorf("%s is not formatted or does not parse: %v", f.Name, diags)
				}
			}
		})
	}
}

func TestTemplateExpr(t *testing.T) {
	t.Parallel()
	list := &tmpl{param: func(n string) (string, bool) { return "${each.value." + n + "}", true }}
	gotpl := &tmpl{goTemplate: true, param: func(n string) (string, bool) { return "${each.key}", n == "path.basename" }}
	tests := map[string]struct {
		t       *tmpl
		in      string
		want    string
		wantErr bool
	}{
		"literal":      {nil, "a ${b} {{c}}", `"a $${b} {{c}}"`, false},
		"whole":        {list, "{{env}}", "each.value.env", false},
		"spaces":       {list, "web-{{ env }}", `"web-${each.value.env}"`, false},
		"go":           {gotpl, "{{.path.basename}}-x", `"${each.key}-x"`, false},
		"go function":  {gotpl, "{{ index .path.segments 1 }}", "", true},
		"unknown name": {gotpl, "{{.path.other}}", "", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := tc.t.expr(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("expr(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestJQPointer(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		".spec.replicas":                     "/spec/replicas",
		`.metadata.annotations["a/b"]`:       "/metadata/annotations/a~1b",
		".spec.containers[0].image":          "/spec/containers/0/image",
		".spec.containers[] | select(.name)": "",
	} {
		got, ok := jqPointer(in)
		if got != want || ok != (want != "") {
			t.Errorf("jqPointer(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
