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

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/planner/render"
	"slipway.dev/slipway/providers/testbed"
)

// pageSecret is in every sensitive value of the plans below; no page may
// show it, in its bytes or in its DOM.
const pageSecret = "Vq3-plan-page-hush-7c"

// pwn is what a value from a hostile repository tries: to run a script
// in the reviewer's browser. The page must show it as text.
const pwn = `</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">`

// bigPlan is a plan of n resource changes of every kind and action: a
// pipeline, an app of four Kubernetes objects, a source, a file and a
// secret with sensitive attributes, in turn; and one rollout, and one
// file whose key and content are hostile.
func bigPlan(n int) *plans.Plan {
	obj := cty.ObjectVal
	str := cty.StringVal
	null := cty.NullVal(cty.DynamicPseudoType)
	file := addrs.Provider{Name: "file"}
	var changes []*plans.ResourceChange
	for i := range n - 2 {
		name := fmt.Sprintf("n%03d", i)
		switch i % 5 {
		case 0:
			c := &plans.ResourceChange{
				Addr: addrs.Resource{Kind: addrs.Pipeline, Name: name}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "slipway"},
				Action: plans.Run, Reason: plans.ReasonInputsChanged, ReasonDetail: "source.git.app moved 1a2b3c4 -> 9f8e7d6",
				Before: obj(map[string]cty.Value{"commit": str("1a2b3c4"), "stages": cty.ListVal([]cty.Value{str("test"), str("build")}),
					"script": str("set -e\necho testing\necho done\n")}),
				After: obj(map[string]cty.Value{"commit": str("9f8e7d6"), "stages": cty.ListVal([]cty.Value{str("test"), str("build")}),
					"script": str("set -e\necho testing\necho finished\n")}),
			}
			if i%10 == 5 {
				c.Action, c.Reason, c.ReasonDetail, c.After = plans.NoOp, plans.ReasonNone, "", c.Before
			}
			changes = append(changes, c)
		case 1:
			deploy := func(image string) cty.Value {
				return obj(map[string]cty.Value{
					"metadata": obj(map[string]cty.Value{"name": str(name), "namespace": str("team")}),
					"spec":     obj(map[string]cty.Value{"replicas": cty.NumberIntVal(2), "image": str(image)}),
				})
			}
			cm := obj(map[string]cty.Value{"metadata": obj(map[string]cty.Value{"name": str(name + "-old")}), "data": cty.MapVal(map[string]cty.Value{"k": str("v")})})
			sec := obj(map[string]cty.Value{"metadata": obj(map[string]cty.Value{"name": str(name + "-db")}), "data": cty.MapVal(map[string]cty.Value{"password": str(pageSecret)})})
			secPaths := []cty.Path{cty.GetAttrPath("data").IndexString("password")}
			c := &plans.ResourceChange{
				Addr: addrs.Resource{Kind: addrs.App, Name: name}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "kubernetes"}, Type: "kubernetes_app",
				Action: plans.Update, Reason: plans.ReasonConfigChanged,
				Before: obj(map[string]cty.Value{"revision": str("1a2b3c4"), "namespace": str("team"), "manifests_dir": str("/home/a/.cache/slipway/git/trees/1a2b3c4/" + name)}),
				After:  obj(map[string]cty.Value{"revision": str("9f8e7d6"), "namespace": str("team"), "manifests_dir": str("/home/b/.cache/slipway/git/trees/9f8e7d6/" + name)}),
				Local:  []string{"manifests_dir"},
				Nested: []*plans.NestedChange{
					{Address: "apps/v1 Deployment team/" + name, Action: plans.Update, Reason: plans.ReasonConfigChanged, Before: deploy("web:1"), After: deploy("web:2")},
					{Address: "v1 Service team/" + name, Action: plans.Create, Reason: plans.ReasonNew, Before: null, After: obj(map[string]cty.Value{"port": cty.NumberIntVal(80)})},
					{Address: "v1 ConfigMap team/" + name + "-old", Action: plans.Delete, Reason: plans.ReasonRemoved, Before: cm, After: null},
					{Address: "v1 Secret team/" + name + "-db", Action: plans.NoOp, Before: sec, After: sec, BeforeSensitive: secPaths, AfterSensitive: secPaths},
				},
			}
			if i%10 == 6 {
				c.Action, c.Reason, c.After = plans.NoOp, plans.ReasonNone, c.Before
				for _, n := range c.Nested {
					n.Action, n.Reason, n.After, n.AfterSensitive = plans.NoOp, plans.ReasonNone, n.Before, n.BeforeSensitive
				}
			}
			changes = append(changes, c)
		case 2:
			v := obj(map[string]cty.Value{"url": str("http://127.0.0.1:8418/" + name + ".git"), "commit": str("9f8e7d6")})
			changes = append(changes, &plans.ResourceChange{
				Addr: addrs.Resource{Kind: addrs.Source, Type: "git", Name: name}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "git"}, Type: "git",
				Action: plans.NoOp, Before: v, After: v,
			})
		case 3:
			c := &plans.ResourceChange{
				Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey), Provider: file, Type: "file",
				Action: plans.Create, Reason: plans.ReasonNew, Before: null,
				After: obj(map[string]cty.Value{"path": str("out/" + name + ".txt"), "content": str("hello " + name + "\n"), "id": cty.UnknownVal(cty.String)}),
			}
			if i%10 == 8 {
				c.Action, c.Reason, c.Before, c.After = plans.Delete, plans.ReasonRemoved, obj(map[string]cty.Value{"path": str("out/" + name + ".txt"), "content": str("bye\n"), "id": str(name)}), null
			}
			changes = append(changes, c)
		case 4:
			secret := func(v string) cty.Value {
				return obj(map[string]cty.Value{"name": str(name), "password": str(pageSecret + v), "rotation": str(v)})
			}
			paths := []cty.Path{cty.GetAttrPath("password")}
			c := &plans.ResourceChange{
				Addr: addrs.Resource{Kind: addrs.Managed, Type: "secret", Name: name}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "vault"}, Type: "secret",
				Action: plans.Update, Reason: plans.ReasonConfigChanged, Before: secret("1"), After: secret("2"), BeforeSensitive: paths, AfterSensitive: paths,
			}
			if i%10 == 9 {
				c.Action, c.Reason, c.RequiresReplace = plans.DeleteThenCreate, plans.ReasonReplaceAttrs, paths
			}
			changes = append(changes, c)
		}
	}
	changes = append(changes,
		&plans.ResourceChange{
			Addr: addrs.Resource{Kind: addrs.Rollout, Name: "canary"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "kubernetes"},
			Action: plans.Update, Reason: plans.ReasonConfigChanged,
			Before: cty.ObjectVal(map[string]cty.Value{"steps": cty.ListVal([]cty.Value{str("set_weight 10"), str("pause 30s")})}),
			After:  cty.ObjectVal(map[string]cty.Value{"steps": cty.ListVal([]cty.Value{str("set_weight 20"), str("pause 30s")})}),
		},
		&plans.ResourceChange{
			Addr: addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "hostile"}.Instance(addrs.StringKey(pwn)), Provider: file, Type: "file",
			Action: plans.Create, Reason: plans.ReasonNew, ReasonDetail: pwn, Before: null,
			After: obj(map[string]cty.Value{"content": str(pwn), pwn: str("<b>not bold</b>")}),
		})
	sort.Slice(changes, func(i, j int) bool { return changes[i].Addr.String() < changes[j].Addr.String() })
	return &plans.Plan{
		Mode: plans.NormalMode, SlipwayVersion: "0.2.0", Timestamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Changes: changes, PriorLineage: "lineage", PriorSerial: 3, Refresh: true,
		Variables:          map[string]cty.Value{"token": str(pageSecret), "region": str("eu")},
		SensitiveVariables: []string{"token"},
		Outputs: []*plans.OutputChange{
			{Name: "token", Action: plans.Update, Before: str(pageSecret + "1"), After: str(pageSecret + "2"), Sensitive: true},
			{Name: "url", Action: plans.Create, Before: cty.NullVal(cty.String), After: str("http://web")},
		},
	}
}

// filter is one setting of the page's filters, and what it must show.
type filter struct {
	actions    []string // the JSON plan's action names, "replace" for both replaces
	kinds      []string // the JSON plan's modes
	text       string
	app        string // an app's address, or "" for all
	objectKind string // a Kubernetes kind of an app's objects, or "" for any
}

var allActions = []string{"create", "update", "replace", "delete", "run", "read"}
var allKinds = []string{"pipeline", "app", "rollout", "source", "managed"}

// wantShown counts the changes the page must show under f: those of a
// kind in f.kinds (and the app f.app) whose address holds f.text and
// whose action is in f.actions, or (for an app) that hold an object that
// matches both. With f.objectKind, only apps with a matching object of
// that kind.
func (f filter) wantShown(p *plans.Plan) int {
	action := func(a plans.Action) string {
		if a.IsReplace() {
			return "replace"
		}
		return a.String()
	}
	n := 0
	for _, c := range p.Changes {
		kind := map[addrs.Kind]string{addrs.Managed: "managed", addrs.Source: "source", addrs.Pipeline: "pipeline", addrs.App: "app", addrs.Rollout: "rollout"}[c.Addr.Resource.Kind]
		if !slices.Contains(f.kinds, kind) || f.app != "" && c.Addr.String() != f.app {
			continue
		}
		addr := strings.ToLower(c.Addr.String())
		text := strings.ToLower(f.text)
		ok := f.objectKind == "" && slices.Contains(f.actions, action(c.Action)) && strings.Contains(addr, text)
		for _, o := range c.Nested {
			ok = ok || slices.Contains(f.actions, action(o.Action)) && (strings.Contains(addr, text) || strings.Contains(strings.ToLower(o.Address), text)) &&
				(f.objectKind == "" || strings.Fields(o.Address)[1] == f.objectKind)
		}
		if ok {
			n++
		}
	}
	return n
}

// browser is one headless Chromium tab, with what its pages said on the
// console.
type browser struct {
	t         *testing.T
	ctx       context.Context
	artifacts string
	mu        sync.Mutex
	console   []string
}

// newBrowser starts Debian's chromium (installing it, or failing with how
// to, when it is missing) and opens a tab. It stops with the test.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := testbed.Chromium()
	if err != nil {
		t.Fatalf("no Chromium for the plan page's tests: %v", err)
	}
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox, // as root, in a container
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, artifacts: artifactDir(t)}
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, string(m.Type)+": "+m.String())
			b.mu.Unlock()
		}
	}()
	return b
}

// artifactDir is where the test keeps its screenshots and pages:
// $SLIPWAY_TEST_ARTIFACTS/TEST when that is set (CI uploads it), else a
// temporary directory removed with the test.
func artifactDir(t *testing.T) string {
	dir := t.TempDir()
	if root := os.Getenv("SLIPWAY_TEST_ARTIFACTS"); root != "" {
		dir = filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshots and pages are kept in %s", dir)
	} else {
		t.Logf("screenshots and pages are in %s, removed after the test (set SLIPWAY_TEST_ARTIFACTS=DIR to keep them)", dir)
	}
	return dir
}

// do runs steps, failing the test on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open loads a page and waits until it has drawn what it holds (state
// "ready") or asks for a file ("empty").
func (b *browser) open(path, wantState string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate("file://"+path))
	b.waitState(wantState)
}

func (b *browser) waitState(want string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`document.body && document.body.dataset.state === %q`, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(50*time.Second))); err != nil {
		got := eval[string](b, `document.body ? document.body.dataset.state + ": " + document.getElementById("error").textContent : "no body"`)
		b.t.Fatalf("the page never became %q (it is %s): %v\nconsole:\n%s", want, got, err, b.consoleText())
	}
}

func (b *browser) consoleText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.console, "\n")
}

// shown is the number of changes the page shows.
func (b *browser) shown() int {
	b.t.Helper()
	return eval[int](b, `document.querySelectorAll("#changes details.change:not([hidden])").length`)
}

// setChecks clicks the checkboxes of the filter name so that exactly
// want are checked, as a reader would.
func (b *browser) setChecks(name string, want []string) {
	b.t.Helper()
	boxes := eval[map[string]bool](b, fmt.Sprintf(`Object.fromEntries(Array.from(document.querySelectorAll("#filters input[name=%s]")).map(i => [i.value, i.checked]))`, name))
	for value, checked := range boxes {
		if checked != slices.Contains(want, value) {
			b.do("click "+name+" "+value, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#filters input[name=%s][value="%s"]`, name, value))))
		}
	}
}

// choose picks value in the select element id, as a reader would.
func (b *browser) choose(id, value string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(s => { if (!s) return %q === ""; if (s.value === %q) return true; s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value === %q })(document.getElementById(%q))`, value, value, value, value, id)
	if !eval[bool](b, expr) {
		b.t.Fatalf("cannot choose %q in #%s", value, id)
	}
}

// setText types text into the address filter, replacing what it held.
func (b *browser) setText(text string) {
	b.t.Helper()
	// Emptied as the field's clear button does, then typed key by key.
	eval[bool](b, `(e => { e.value = ""; return e.dispatchEvent(new Event("input", {bubbles: true})) })(document.getElementById("f-text"))`)
	if text != "" {
		b.do("type "+text, chromedp.SendKeys(chromedp.CSS("#f-text"), text))
	}
	if got := eval[string](b, `document.getElementById("f-text").value`); got != text {
		b.t.Fatalf("typed %q into the address filter, and it holds %q", text, got)
	}
}

// apply sets the filters to f and checks the count the page shows.
func (b *browser) apply(p *plans.Plan, name string, f filter) {
	b.t.Helper()
	b.setChecks("action", f.actions)
	b.setChecks("kind", f.kinds)
	b.setText(f.text)
	b.choose("f-app", f.app)
	b.choose("f-object-kind", f.objectKind)
	want := f.wantShown(p)
	b.t.Logf("%s: %d of %d changes shown", name, want, len(p.Changes))
	if got := b.shown(); got != want {
		b.t.Errorf("%s: the page shows %d changes, want %d", name, got, want)
	}
	count := eval[string](b, `document.getElementById("count").textContent`)
	if wantCount := fmt.Sprintf("Showing %d of %d changes", want, len(p.Changes)); !strings.HasPrefix(count, wantCount) {
		b.t.Errorf("%s: the page says %q, want %q", name, count, wantCount)
	}
}

// expand opens the change or object sel (a CSS selector of its details
// element) by a click on its summary, and waits for its body to be drawn.
func (b *browser) expand(sel string) {
	b.t.Helper()
	b.do("expand "+sel, chromedp.Click(chromedp.CSS(sel+" > summary")))
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`document.querySelector(%q) !== null`, sel+" > .body")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(50*time.Second))); err != nil {
		b.t.Fatalf("%s did not open: %v", sel, err)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(b.artifacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// noLeak checks that the page's DOM holds no sensitive value, that no
// script of the plan ran, and that the page's own script met no error.
func (b *browser) noLeak() {
	b.t.Helper()
	dom := eval[string](b, `document.documentElement.outerHTML`)
	if i := strings.Index(dom, pageSecret); i >= 0 {
		b.t.Errorf("the page's DOM holds a sensitive value: %s", dom[max(0, i-100):min(len(dom), i+100)])
	}
	if pwned := eval[bool](b, `window.pwned !== undefined`); pwned {
		b.t.Errorf("a script from the plan's data ran in the page")
	}
	if n := eval[int](b, `document.querySelectorAll("img, iframe, object, embed, link, base").length`); n != 0 {
		b.t.Errorf("the page has %d elements made from plan data", n)
	}
	if c := b.consoleText(); strings.Contains(c, "exception") || strings.Contains(c, "error") {
		b.t.Errorf("the page reported errors:\n%s", c)
	}
}

// The plan page of a plan of 500 changes, in a real Chromium: it draws
// every change, filters them by action, kind and address as the plan model
// says it must, expands a change and an app's object, and masks every
// sensitive value; the viewer opens the same plan's JSON file.
func TestPlanPageInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs Chromium")
	}
	p := bigPlan(500)
	var page bytes.Buffer
	if err := render.HTML(&page, p); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page.Bytes(), []byte(pageSecret)) {
		t.Fatal("the page holds a sensitive value")
	}
	b := newBrowser(t)
	pagePath := filepath.Join(b.artifacts, "plan.html")
	if err := os.WriteFile(pagePath, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(pagePath, "ready")
	b.screenshot("plan-500")

	if got := eval[int](b, `document.querySelectorAll("#changes details.change").length`); got != len(p.Changes) {
		t.Errorf("the page has %d changes, want %d", got, len(p.Changes))
	}
	summary := eval[string](b, `document.getElementById("summary").textContent`)
	s := p.Summary()
	if want := fmt.Sprintf("Plan: %d pipelines to run, %d to add, %d to change, %d to destroy.", s.Run, s.Add, s.Change, s.Destroy); summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	b.noLeak()

	// A Local attribute (a cache path) is no row of the page.
	b.expand(`details.change[data-address="app.n011"]`)
	appRows := eval[string](b, `Array.from(document.querySelectorAll('details.change[data-address="app.n011"] tr.attr')).map(r => r.textContent).join("\n")`)
	if !strings.Contains(appRows, "revision") || strings.Contains(appRows, "manifests_dir") || strings.Contains(appRows, ".cache") {
		t.Errorf("app.n011's attributes should show revision and leave out the Local manifests_dir:\n%s", appRows)
	}

	everything := filter{actions: allActions, kinds: allKinds}
	b.apply(p, "by default", everything)
	b.apply(p, "creates", filter{actions: []string{"create"}, kinds: allKinds})
	b.apply(p, "deletes and replaces", filter{actions: []string{"delete", "replace"}, kinds: allKinds})
	b.apply(p, "apps", filter{actions: allActions, kinds: []string{"app"}})
	b.apply(p, "pipelines and rollouts", filter{actions: allActions, kinds: []string{"pipeline", "rollout"}})
	b.apply(p, "no-ops too", filter{actions: append(allActions, "no-op"), kinds: allKinds})
	b.apply(p, "address n04", filter{actions: allActions, kinds: allKinds, text: "n04"})
	b.apply(p, "object address", filter{actions: allActions, kinds: allKinds, text: "Deployment team/n011"})
	b.apply(p, "updates of secrets", filter{actions: []string{"update"}, kinds: []string{"managed"}, text: "SECRET."})
	b.apply(p, "one app", filter{actions: allActions, kinds: allKinds, app: "app.n011"})
	b.apply(p, "apps that delete a ConfigMap", filter{actions: allActions, kinds: allKinds, objectKind: "ConfigMap"})
	b.apply(p, "apps that create a Service", filter{actions: []string{"create"}, kinds: allKinds, objectKind: "Service"})
	b.apply(p, "Secrets, no-ops too", filter{actions: append(allActions, "no-op"), kinds: allKinds, objectKind: "Secret"})
	b.apply(p, "nothing", filter{actions: []string{"read"}, kinds: allKinds})
	b.apply(p, "hostile text", filter{actions: allActions, kinds: allKinds, text: "</script>"})
	hostile := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "hostile"}.Instance(addrs.StringKey(pwn)).String()
	if got := eval[string](b, `document.querySelector("#changes details.change:not([hidden]) .address").textContent`); got != hostile {
		t.Errorf("the hostile address is shown as %q", got)
	}

	// Expand a secret: its password is masked, its rotation shown.
	b.apply(p, "one secret", filter{actions: allActions, kinds: allKinds, text: "secret.n004"})
	b.expand(`details.change[data-address="secret.n004"]`)
	rows := eval[[]string](b, `Array.from(document.querySelectorAll('details.change[data-address="secret.n004"] tr.attr:not([hidden])')).map(r => r.textContent)`)
	if want := []string{"password(sensitive)(sensitive)", `rotation"1""2"`}; strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("secret.n004 shows rows %q, want %q", rows, want)
	}
	b.screenshot("secret-expanded")

	// Expand an app, then its Deployment: the object's field diff.
	b.apply(p, "one app", filter{actions: allActions, kinds: []string{"app"}, text: "app.n001"})
	b.expand(`details.change[data-address="app.n001"]`)
	objects := eval[[]string](b, `Array.from(document.querySelectorAll('details.change[data-address="app.n001"] details.object:not([hidden])')).map(o => o.dataset.address)`)
	if want := []string{"apps/v1 Deployment team/n001", "v1 Service team/n001", "v1 ConfigMap team/n001-old"}; strings.Join(objects, "|") != strings.Join(want, "|") {
		t.Errorf("app.n001 shows objects %q, want %q", objects, want)
	}
	b.expand(`details.object[data-address="apps/v1 Deployment team/n001"]`)
	rows = eval[[]string](b, `Array.from(document.querySelectorAll('details.object[data-address="apps/v1 Deployment team/n001"] tr.attr:not([hidden])')).map(r => r.textContent)`)
	if want := []string{`spec.image"web:1""web:2"`}; strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("the Deployment shows rows %q, want %q", rows, want)
	}
	// The unchanged Secret of the app, once no-ops are shown, is masked.
	b.setChecks("action", append(allActions, "no-op"))
	b.expand(`details.object[data-address="v1 Secret team/n001-db"]`)
	b.do("show its unchanged attributes", chromedp.Click(chromedp.CSS(`details.object[data-address="v1 Secret team/n001-db"] button.show-unchanged`)))
	masked := eval[string](b, `document.querySelector('details.object[data-address="v1 Secret team/n001-db"] tbody').textContent`)
	if !strings.Contains(masked, "data.password(sensitive)(sensitive)") {
		t.Errorf("the app's Secret does not mask its password: %q", masked)
	}
	b.screenshot("app-expanded")
	b.noLeak()

	// The viewer opens the same plan's JSON file and shows the same.
	doc, err := render.JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(b.artifacts, "plan.json")
	if err := os.WriteFile(jsonPath, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	viewer, err := filepath.Abs(filepath.Join("..", "..", "website", "static", "viewer", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	b.open(viewer, "empty")
	b.screenshot("viewer-empty")
	b.do("choose the plan file", chromedp.SetUploadFiles(chromedp.CSS("#picker-file"), []string{jsonPath}))
	b.waitState("ready")
	b.apply(p, "viewer: by default", everything)
	b.apply(p, "viewer: apps", filter{actions: allActions, kinds: []string{"app"}})
	b.screenshot("viewer-plan")
	b.noLeak()

	// A plan JSON file dropped on the viewer opens too.
	small := bigPlan(20)
	smallDoc, err := render.JSON(small)
	if err != nil {
		t.Fatal(err)
	}
	jsText, err := json.Marshal(string(smallDoc))
	if err != nil {
		t.Fatal(err)
	}
	b.open(viewer, "empty")
	eval[bool](b, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([`+string(jsText)+`], "dropped.json", {type: "application/json"}));
		document.getElementById("picker").dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return document.getElementById("picker").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`)
	b.waitState("ready")
	b.apply(small, "viewer: dropped", everything)
	if got := eval[string](b, `document.getElementById("source").textContent`); got != "dropped.json" {
		t.Errorf("the viewer names the dropped file %q, want dropped.json", got)
	}

	// A file that is not a plan says so.
	notPlan := filepath.Join(b.artifacts, "not-a-plan.json")
	if err := os.WriteFile(notPlan, []byte(`{"hello": "world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("choose a file that is not a plan", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{notPlan}))
	b.waitState("error")
	if msg := eval[string](b, `document.getElementById("error").textContent`); !strings.Contains(msg, "slipway show -json PLANFILE") {
		t.Errorf("opening a file that is not a plan says %q", msg)
	}
}

// showHTMLConfig makes a plan of files, one written from a sensitive
// variable, and one whose name is hostile.
const showHTMLConfig = `
variable "token" {
  type      = string
  sensitive = true
}

resource "file" "plain" {
  path    = "out/plain.txt"
  content = "hello\n"
}

resource "file" "each" {
  for_each = toset(["eu", "us", "</script><b>x</b>"])
  path     = "out/${md5(each.key)}.txt"
  content  = "region ${each.key}\n"
}

resource "file" "token" {
  path    = "out/token.txt"
  content = "token=${var.token}\n"
}
`

// slipway show -html of a real saved plan writes the page that shows it,
// masked; the viewer opens the same plan's show -json.
func TestShowHTMLInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: runs Chromium")
	}
	dir := workdir(t, map[string]string{"main.slip.hcl": showHTMLConfig})
	env := []string{"SLIPWAY_VAR_token=" + pageSecret}
	if out, errOut, code := runEnv(t, dir, env, "plan", "-out=saved.plan"); code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	page, errOut, code := runEnv(t, dir, env, "show", "-html", "saved.plan")
	if code != 0 || errOut != "" {
		t.Fatalf("show -html: exit %d\n%s", code, errOut)
	}
	if strings.Contains(page, pageSecret) {
		t.Fatal("show -html wrote a sensitive value into the page")
	}
	doc, errOut, code := runEnv(t, dir, env, "show", "-json", "saved.plan")
	if code != 0 {
		t.Fatalf("show -json: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runEnv(t, dir, env, "show", "-json", "-html", "saved.plan"); code != 1 || !strings.Contains(errOut, "choose one") {
		t.Errorf("show -json -html: exit %d, want 1 and a message that says to choose one\n%s", code, errOut)
	}
	viewer, errOut, code := runEnv(t, dir, env, "show", "-html")
	if code != 0 {
		t.Fatalf("show -html with no plan: exit %d\n%s", code, errOut)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "website", "static", "viewer", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if viewer != string(committed) {
		t.Error("show -html with no plan is not the docs site's viewer (run make generate)")
	}

	b := newBrowser(t)
	pagePath := filepath.Join(b.artifacts, "saved-plan.html")
	jsonPath := filepath.Join(b.artifacts, "saved-plan.json")
	viewerPath := filepath.Join(b.artifacts, "viewer.html")
	for path, content := range map[string]string{pagePath: page, jsonPath: doc, viewerPath: viewer} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{`file.each["</script><b>x</b>"]`, `file.each["eu"]`, `file.each["us"]`, "file.plain", "file.token"}
	check := func(what string) {
		t.Helper()
		got := eval[[]string](b, `Array.from(document.querySelectorAll("#changes details.change:not([hidden])")).map(d => d.dataset.address + " " + d.dataset.action)`)
		var wantRows []string
		for _, a := range want {
			wantRows = append(wantRows, a+" create")
		}
		if strings.Join(got, "|") != strings.Join(wantRows, "|") {
			t.Errorf("%s shows %q, want %q", what, got, wantRows)
		}
		b.expand(`details.change[data-address="file.token"]`)
		content := eval[string](b, `Array.from(document.querySelectorAll('details.change[data-address="file.token"] tr.attr')).map(r => r.textContent).join("\n")`)
		if !strings.Contains(content, "content"+"(sensitive)") {
			t.Errorf("%s does not mask file.token's content:\n%s", what, content)
		}
		b.noLeak()
	}
	b.open(pagePath, "ready")
	check("show -html")
	b.screenshot("show-html")

	b.open(viewerPath, "empty")
	b.do("choose the plan file", chromedp.SetUploadFiles(chromedp.CSS("#picker-file"), []string{jsonPath}))
	b.waitState("ready")
	check("the viewer")
	b.screenshot("viewer-show-json")

	// A -target plan says on the page that it is partial.
	if out, errOut, code := runEnv(t, dir, env, "plan", "-target=file.plain", "-out=partial.plan"); code != 0 {
		t.Fatalf("plan -target: exit %d\n%s%s", code, out, errOut)
	}
	partial, errOut, code := runEnv(t, dir, env, "show", "-html", "partial.plan")
	if code != 0 {
		t.Fatalf("show -html partial.plan: exit %d\n%s", code, errOut)
	}
	partialPath := filepath.Join(b.artifacts, "partial-plan.html")
	if err := os.WriteFile(partialPath, []byte(partial), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(partialPath, "ready")
	if banners := eval[string](b, `document.getElementById("banners").textContent`); !strings.Contains(banners, "Partial plan") || !strings.Contains(banners, "-target=file.plain") {
		t.Errorf("the page of a -target plan does not say it is partial; its banners: %q", banners)
	}
}
