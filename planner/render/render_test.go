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
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/plans"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planner/render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// views renders p in every plan view.
func views(t *testing.T, p *plans.Plan) map[string][]byte {
	t.Helper()
	var human, color, md bytes.Buffer
	Human(&human, p, Options{})
	Human(&color, p, Options{Color: true})
	Markdown(&md, p)
	js, err := JSON(p)
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	return map[string][]byte{
		"human.golden": human.Bytes(),
		"color.golden": color.Bytes(),
		"md.golden":    md.Bytes(),
		"json.golden":  js,
	}
}

func TestPlanViews(t *testing.T) {
	t.Parallel()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for suffix, got := range views(t, mk()) {
				golden(t, name+"."+suffix, got)
			}
		})
	}
}

func TestViewsAreDeterministic(t *testing.T) {
	t.Parallel()
	first := views(t, combinedPlan())
	for range 5 {
		for view, got := range views(t, combinedPlan()) {
			if !bytes.Equal(first[view], got) {
				t.Fatalf("%s differs between two renderings of the same plan", view)
			}
		}
	}
}

func TestSensitiveValuesNeverShow(t *testing.T) {
	t.Parallel()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for view, got := range views(t, mk()) {
				if bytes.Contains(got, []byte(secret)) {
					t.Errorf("%s view shows a sensitive value:\n%s", view, got)
				}
			}
		})
	}
}

func TestHumanColourOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v := views(t, mk())
			for _, view := range []string{"human.golden", "md.golden", "json.golden"} {
				if bytes.Contains(v[view], []byte("\x1b[")) {
					t.Errorf("%s holds ANSI escapes", view)
				}
			}
			if mk().HasChanges() && !bytes.Contains(v["color.golden"], []byte("\x1b[")) {
				t.Errorf("coloured view holds no ANSI escapes")
			}
		})
	}
}

func TestSummaryLine(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		plan *plans.Plan
		want string
	}{
		"create":   {createPlan(), "Plan: 1 to add, 0 to change, 0 to destroy.\n"},
		"replace":  {replacePlan(), "Plan: 3 to add, 0 to change, 3 to destroy.\n"},
		"pipeline": {pipelinePlan(), "Plan: 1 pipeline to run, 0 to add, 0 to change, 0 to destroy.\n"},
		"combined": {combinedPlan(), "Plan: 1 pipeline to run, 5 to add, 3 to change, 6 to destroy.\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			Human(&b, tc.plan, Options{})
			if got := b.String(); !strings.HasSuffix(got, tc.want) {
				t.Errorf("plan ends %q, want it to end %q", got[max(0, len(got)-80):], tc.want)
			}
		})
	}
}

func TestJSONMarksUnknownsAndSensitives(t *testing.T) {
	t.Parallel()
	var doc struct {
		FormatVersion   string `json:"format_version"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Index   any    `json:"index"`
			Change  struct {
				Actions         []string `json:"actions"`
				Before          any      `json:"before"`
				After           any      `json:"after"`
				AfterUnknown    any      `json:"after_unknown"`
				BeforeSensitive any      `json:"before_sensitive"`
				AfterSensitive  any      `json:"after_sensitive"`
				ReplacePaths    [][]any  `json:"replace_paths"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	byAddr := func(p *plans.Plan) map[string]int {
		raw, err := JSON(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("JSON output does not parse: %v\n%s", err, raw)
		}
		m := map[string]int{}
		for i, rc := range doc.ResourceChanges {
			m[rc.Address] = i
		}
		return m
	}

	tests := map[string]struct {
		plan *plans.Plan
		addr string
		get  func() any
		want any
	}{
		"unknown attribute marked": {createPlan(), "file.a", func() any {
			return doc.ResourceChanges[0].Change.AfterUnknown
		}, map[string]any{"id": true, "meta": map[string]any{"checked": true, "labels": map[string]any{}}, "mirrors": []any{false, false}}},
		"unknown attribute is null in after": {createPlan(), "file.a", func() any {
			return doc.ResourceChanges[0].Change.After.(map[string]any)["id"]
		}, nil},
		"nothing unknown before": {createPlan(), "file.a", func() any {
			return doc.ResourceChanges[0].Change.BeforeSensitive
		}, false},
		"sensitive masked in after": {sensitivePlan(), "secret.db", func() any {
			return doc.ResourceChanges[0].Change.After.(map[string]any)["data"]
		}, map[string]any{"user": "app2", "token": nil}},
		"sensitive marked": {sensitivePlan(), "secret.db", func() any {
			return doc.ResourceChanges[0].Change.AfterSensitive
		}, map[string]any{"password": true, "note": true, "data": map[string]any{"token": true}}},
		"sensitive list element marked": {sensitivePlan(), "secret.api", func() any {
			return doc.ResourceChanges[1].Change.AfterSensitive
		}, map[string]any{"keys": []any{false, true}, "whole": true}},
		"replace path": {replacePlan(), `file.c[0]`, func() any {
			return doc.ResourceChanges[0].Change.ReplacePaths
		}, [][]any{{"path"}}},
		"replace actions": {replacePlan(), `file.c[1]`, func() any {
			return doc.ResourceChanges[1].Change.Actions
		}, []string{"create", "delete"}},
		"int index kept even when zero": {replacePlan(), `file.c[0]`, func() any {
			return doc.ResourceChanges[0].Index
		}, float64(0)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// Not parallel: the cases share doc.
			idx := byAddr(tc.plan)
			if _, ok := idx[tc.addr]; !ok {
				t.Fatalf("no resource change for %s", tc.addr)
			}
			if doc.FormatVersion != plans.FormatVersion {
				t.Errorf("format_version = %q, want %q", doc.FormatVersion, plans.FormatVersion)
			}
			if diff := cmp.Diff(tc.want, tc.get()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The plan model holds no marks, but a marked value that slips in must
// neither crash a view nor show: every marked place is taken as sensitive.
func TestMarkedValuesAreMasked(t *testing.T) {
	t.Parallel()
	p := updatePlan()
	c := p.Changes[0]
	c.After = obj(map[string]cty.Value{
		"path":    str("out/b.txt"),
		"content": str(secret + "-marked").Mark("sensitive"),
		"mode":    cty.NumberIntVal(420),
		"owner":   str("web"),
	})
	c.Nested = []*plans.NestedChange{{Address: "v1 Secret web/web", Action: plans.Create,
		After: obj(map[string]cty.Value{"data": str(secret).Mark("sensitive")})}}
	p.Outputs = []*plans.OutputChange{{Name: "o", Action: plans.Create, After: str(secret).Mark("sensitive")}}
	p.Variables = map[string]cty.Value{"v": str(secret).Mark("sensitive")}
	for view, got := range views(t, p) {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("%s view shows a marked value:\n%s", view, got)
		}
	}
}

func TestHumanWrapsProseToWidth(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	Human(&b, driftPlan(), Options{Width: 40})
	out := b.String()
	if !strings.Contains(out, "\n"+strings.Repeat("─", 40)+"\n") {
		t.Errorf("no 40-column rule in:\n%s", out)
	}
	headings := []string{"Note: Objects have changed", "slipway will perform", "Plan: "}
lines:
	for _, l := range strings.Split(out, "\n") {
		for _, h := range headings {
			if strings.HasPrefix(l, h) {
				continue lines
			}
		}
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "─") && len(l) > 40 {
			t.Errorf("prose line longer than 40 columns: %q", l)
		}
	}
}

func TestJSONMasksSensitiveVariables(t *testing.T) {
	t.Parallel()
	p := &plans.Plan{
		Variables:          map[string]cty.Value{"password": cty.StringVal("hunter2"), "region": cty.StringVal("eu")},
		SensitiveVariables: []string{"password"},
	}
	b, err := JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") {
		t.Errorf("the JSON plan shows a sensitive variable's value:\n%s", b)
	}
	if !strings.Contains(string(b), `"eu"`) {
		t.Errorf("the JSON plan lost a plain variable's value:\n%s", b)
	}
}

// TestRandomFieldsMarked checks that a field a chart renders differently
// each time is marked as random where it will change, in the human and
// Markdown views, also when it is sensitive.
func TestRandomFieldsMarked(t *testing.T) {
	t.Parallel()
	p := updatePlan()
	c := p.Changes[0]
	token := cty.GetAttrPath("data").GetAttr("token")
	c.Nested = []*plans.NestedChange{{
		Address: "v1 ConfigMap web/web-token", Action: plans.Update,
		Before: obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"token": str("q8Xz"), "colour": str("blue")})}),
		After:  obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"token": cty.UnknownVal(cty.String), "colour": str("green")})}),
		Random: []cty.Path{token},
	}, {
		Address: "v1 Secret web/web-auth", Action: plans.Update,
		Before:          obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"password": str("eA==")})}),
		After:           obj(map[string]cty.Value{"data": obj(map[string]cty.Value{"password": cty.UnknownVal(cty.String)})}),
		BeforeSensitive: []cty.Path{cty.GetAttrPath("data")}, AfterSensitive: []cty.Path{cty.GetAttrPath("data")},
		Random: []cty.Path{cty.GetAttrPath("data").GetAttr("password")},
	}}
	var h, m bytes.Buffer
	Human(&h, p, Options{})
	Markdown(&m, p)
	for view, out := range map[string]string{"human": h.String(), "markdown": m.String()} {
		for _, want := range []string{`token  = "q8Xz" -> (random: changes on every render)`, `data = (sensitive value) (some fields random: changes on every render)`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s view lacks %q:\n%s", view, want, out)
			}
		}
		if strings.Contains(out, "eA==") {
			t.Errorf("%s view shows the sensitive value:\n%s", view, out)
		}
	}
}
