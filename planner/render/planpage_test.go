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
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// The page's script keeps no map of plan data in a plain object: an
// object literal inherits "constructor", "toString" and "__proto__", so
// such a key, an attribute's or a Kubernetes kind's, would be lost or
// read as what the object inherits. Its maps are Object.create(null).
func TestPlanPageMapsHaveNoPrototype(t *testing.T) {
	t.Parallel()
	for _, m := range regexp.MustCompile(`(?m)^.*[=:(,]\s*\{\s*\}.*$`).FindAllString(pageJS, -1) {
		t.Errorf("planpage/page.js makes an object with a prototype, which a map of plan data must not be:\n%s", strings.TrimSpace(m))
	}
}

// invisible are the characters the page writes as \uXXXX: the bidi
// controls and the zero-width characters.
var invisible = regexp.MustCompile("[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]")

// hostileKeysPlan is a plan whose keys a plain object would mistake for
// its own members, and whose values hide or reorder text.
func hostileKeysPlan() *plans.Plan {
	null := cty.NullVal(cty.DynamicPseudoType)
	settings := func(m map[string]string) cty.Value {
		vals := map[string]cty.Value{}
		for k, v := range m {
			vals[k] = str(v)
		}
		return cty.MapVal(vals)
	}
	file := &plans.ResourceChange{
		Addr: managed("file", "h", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Update, Reason: plans.ReasonConfigChanged, ReasonDetail: "approved\u200bby\u202eadmin",
		Before: obj(map[string]cty.Value{
			"data":   settings(map[string]string{"k": "1", "valueOf": secret}),
			"note":   str("plain"),
			"script": str("a\nb\u200b\n"),
		}),
		After: obj(map[string]cty.Value{
			"data":   settings(map[string]string{"k": "2", "__proto__": "proto", "constructor": "ctor", "toString": "ts", "valueOf": secret}),
			"note":   str("evil\u202etxt.exe"),
			"script": str("a\nc\u2066\n"),
		}),
		BeforeSensitive: []cty.Path{cty.GetAttrPath("data").IndexString("valueOf")},
		AfterSensitive:  []cty.Path{cty.GetAttrPath("data").IndexString("valueOf")},
	}
	object := func(address string) *plans.NestedChange {
		return &plans.NestedChange{Address: address, Action: plans.Create, Reason: plans.ReasonNew, Before: null, After: obj(map[string]cty.Value{"x": str("1")})}
	}
	app := &plans.ResourceChange{
		Addr: addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey), Provider: k8sProvider,
		Action: plans.Update, Reason: plans.ReasonConfigChanged,
		Before: obj(map[string]cty.Value{"revision": str("1")}), After: obj(map[string]cty.Value{"revision": str("2")}),
		Nested: []*plans.NestedChange{object("v1 constructor team/a"), object("v1 __proto__ team/b"), object("apps/v1 Deployment team/web")},
	}
	return plan(app, file)
}

// The plan page in a real Chromium shows keys named like an object's own
// members (__proto__, constructor, toString) as keys, counts Kubernetes
// kinds so named, and shows bidi controls and zero-width characters as
// \uXXXX, never as they are.
func TestPlanPageHostileKeysInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	var chromium string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			chromium = path
			break
		}
	}
	if chromium == "" {
		t.Fatal("no Chromium for the plan page's tests: install Debian's chromium package (make deps, or apt-get install -y chromium)")
	}
	var page bytes.Buffer
	if err := HTML(&page, hostileKeysPlan()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pagePath := filepath.Join(dir, "plan.html")
	if err := os.WriteFile(pagePath, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox, // as root, in a container
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	eval := func(expr string, out any) {
		t.Helper()
		var err error
		switch out := out.(type) {
		case *string:
			*out, err = chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		case *[]string:
			*out, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		case *bool:
			*out, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		}
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
	}
	poll := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Minute))); err != nil {
			var state string
			eval(`document.body.dataset.state + ": " + document.getElementById("error").textContent`, &state)
			t.Fatalf("%s: %v (the page is %s)", what, err, state)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+pagePath)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	poll("the page never drew the plan", `document.body.dataset.state === "ready"`)

	// Every kind of the app's objects is offered once, with its count.
	var kinds []string
	eval(`Array.from(document.querySelectorAll("#f-object-kind option")).map(o => o.textContent)`, &kinds)
	if want := []string{"any", "Deployment (1)", "__proto__ (1)", "constructor (1)"}; fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("the object kinds offered are %q, want %q", kinds, want)
	}

	// The file's attributes: every key a row of its own, none read from
	// what an object inherits, and the sensitive one masked.
	eval(`(d => { d.open = true; return true })(document.querySelector('details.change[data-address="file.h"]'))`, new(bool))
	poll("file.h did not open", `document.querySelector('details.change[data-address="file.h"] > .body') !== null`)
	var rows []string
	eval(`Array.from(document.querySelectorAll('details.change[data-address="file.h"] tr.attr:not([hidden])')).map(r => r.textContent)`, &rows)
	want := []string{
		`data.__proto__"proto"`,
		`data.constructor"ctor"`,
		`data.k"1""2"`,
		`data.toString"ts"`,
		`data.valueOf(sensitive)(sensitive)`,
		`note"plain""evil\u202Etxt.exe"`,
	}
	if got := rows[:min(len(rows), len(want))]; fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("file.h shows rows\n%q\nwant them to begin\n%q", rows, want)
	}
	var script string
	eval(`document.querySelector('details.change[data-address="file.h"] pre.linediff').textContent`, &script)
	if want := "  a\n- b\\u200B\n+ c\\u2066\n  \n"; script != want {
		t.Errorf("the line diff of script is %q, want %q", script, want)
	}
	var detail string
	eval(`document.querySelector('details.change[data-address="file.h"] > summary .detail').textContent`, &detail)
	if want := `approved\u200Bby\u202Eadmin`; detail != want {
		t.Errorf("the reason of file.h reads %q, want %q", detail, want)
	}

	var text string
	eval(`document.getElementById("plan").textContent`, &text)
	if loc := invisible.FindStringIndex(text); loc != nil {
		t.Errorf("the page shows %U as it is, at %q", []rune(text[loc[0]:])[0], text[max(0, loc[0]-40):min(len(text), loc[1]+40)])
	}
	if strings.Contains(text, secret) || strings.Contains(text, "[native code]") {
		t.Errorf("the page shows a secret or an inherited member:\n%s", text)
	}
}
