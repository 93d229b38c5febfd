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

package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// hostile are values a repository under review could hold, each of which
// would run a script if a page pasted it into HTML or into its script.
var hostile = []string{
	`</script><script>document.title="pwned"</script>`,
	`</SCRIPT ><img src=x onerror="document.title='pwned'">`,
	`<!--<script>`,
	"line\u2028separator\u2029",
	`"}]}; document.title="pwned"; //`,
	`<b onclick=alert(1)>bold</b> & &amp;`,
}

func hostilePlan() *plans.Plan {
	var changes []*plans.ResourceChange
	for i, h := range hostile {
		changes = append(changes, &plans.ResourceChange{
			Addr:     managed("file", "h", addrs.StringKey(h)),
			Provider: fileProvider, Type: "file", Action: plans.Create, Reason: plans.ReasonNew,
			ReasonDetail: h,
			Before:       cty.NullVal(cty.DynamicPseudoType),
			After:        obj(map[string]cty.Value{"content": str(h), "n": cty.NumberIntVal(int64(i)), h: str(h)}),
		})
	}
	return plan(changes...)
}

// planScript is the text of the page's <script type="application/json">.
var planScript = regexp.MustCompile(`(?s)<script type="application/json" id="plan-data">(.*?)</script>`)

// The page embeds the JSON plan so that no value can leave its script
// element, and JSON.parse gives back the very document `show -json`
// prints.
func TestHTMLEmbedsThePlanSafely(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func() *plans.Plan{"hostile": hostilePlan, "sensitive": sensitivePlan, "app": appPlan} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := mk()
			var page bytes.Buffer
			if err := HTML(&page, p); err != nil {
				t.Fatal(err)
			}
			got := page.String()
			// Two script elements, the data and the page's own script, and
			// nothing else that could close or open one.
			if n := strings.Count(strings.ToLower(got), "<script"); n != 2 {
				t.Errorf("the page has %d <script tags, want 2", n)
			}
			if n := strings.Count(strings.ToLower(got), "</script"); n != 2 {
				t.Errorf("the page has %d </script tags, want 2", n)
			}
			m := planScript.FindStringSubmatch(got)
			if m == nil {
				t.Fatal("no plan-data script in the page")
			}
			for _, bad := range []string{"<", ">", "\u2028", "\u2029"} {
				if strings.Contains(m[1], bad) {
					t.Errorf("the embedded plan holds a raw %q", bad)
				}
			}
			want, err := JSON(p)
			if err != nil {
				t.Fatal(err)
			}
			var wantDoc, gotDoc any
			if err := json.Unmarshal(want, &wantDoc); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(m[1]), &gotDoc); err != nil {
				t.Fatalf("the embedded plan is not JSON: %v", err)
			}
			if diff := cmp.Diff(wantDoc, gotDoc); diff != "" {
				t.Errorf("the embedded plan is not the JSON plan (-want +got):\n%s", diff)
			}
			if strings.Contains(got, secret) {
				t.Errorf("the page holds the secret %q at %s", secret, around(got, strings.Index(got, secret)))
			}
		})
	}
}

// Every fixture renders, deterministically, with no sensitive value.
func TestHTMLEveryFixture(t *testing.T) {
	t.Parallel()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var a, b bytes.Buffer
			if err := HTML(&a, mk()); err != nil {
				t.Fatal(err)
			}
			if err := HTML(&b, mk()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("the same plan gave two different pages")
			}
			if i := bytes.Index(a.Bytes(), []byte(secret)); i >= 0 {
				t.Errorf("the page holds the secret at %s", around(a.String(), i))
			}
		})
	}
}

// The page is self-contained: its template, script and styles name no
// other resource, and its policy lets it fetch nothing.
func TestHTMLPageFetchesNothing(t *testing.T) {
	t.Parallel()
	var page bytes.Buffer
	if err := HTMLViewer(&page); err != nil {
		t.Fatal(err)
	}
	got := page.String()
	for _, bad := range []string{"http:", "https:", "//cdn", "@import", "url(", "<link", " src=", "fetch(", "XMLHttpRequest", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(got, bad) {
			t.Errorf("the page holds %q at %s", bad, around(got, strings.Index(got, bad)))
		}
	}
	if !strings.Contains(got, "default-src &#39;none&#39;") {
		t.Error("the page has no Content-Security-Policy that forbids fetching")
	}
	if strings.Contains(got, `id="plan-data"`) {
		t.Error("the viewer embeds a plan")
	}
}

// The docs site's viewer is the page HTMLViewer writes; `go generate
// ./planner/render` (make generate) rewrites it.
func TestViewerPageIsCurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "website", "static", "viewer", "index.html")
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make generate)", err)
	}
	var page bytes.Buffer
	if err := HTMLViewer(&page); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, page.Bytes()) {
		t.Errorf("%s is out of date with planner/render/planpage: run make generate and commit it", path)
	}
}

func around(s string, i int) string {
	return s[max(0, i-60):min(len(s), i+60)]
}
