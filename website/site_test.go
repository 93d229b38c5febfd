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

package website

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The site test builds the documentation site with hugo, serves it from a
// temporary directory with net/http, and walks it in a headless Chromium:
// every internal link must answer 200, every #anchor must name an element
// of its page, every page hugo wrote must be reachable from the home page,
// and the search box must find pages.

// needTool returns the path of a program the test needs. Without it the
// test fails and says how to get it: a missing tool is no pass.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run make deps (or make site, which installs hugo) to install Debian's %s", name, name)
	}
	return p
}

// buildSite runs hugo on this directory into a temporary directory.
func buildSite(t *testing.T) string {
	t.Helper()
	hugo := needTool(t, "hugo")
	out := t.TempDir()
	cmd := exec.Command(hugo, "--source", ".", "--destination", out, "--cacheDir", t.TempDir(), "--quiet")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hugo could not build the site (make site shows the same): %v\n%s", err, b)
	}
	return out
}

// browser starts a headless Chromium for the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	chromium := needTool(t, "chromium")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // as root, Chromium refuses to start without it
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	// The first action starts the browser, which then lives as long as
	// the test.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// serve serves dir on 127.0.0.1 until the test ends.
func serve(t *testing.T, dir string) *url.URL {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// brokenLink is a link of a page that does not lead where it says.
type brokenLink struct {
	page, href, why string
}

func (b brokenLink) String() string { return fmt.Sprintf("%s links to %s: %s", b.page, b.href, b.why) }

// pageLinks is what a loaded page holds: the URLs it refers to (links,
// stylesheets, scripts, images) and the ids its elements carry.
type pageLinks struct {
	Refs []string `json:"refs"`
	IDs  []string `json:"ids"`
}

const collectJS = `(() => {
  const refs = [];
  for (const e of document.querySelectorAll("a[href], link[href]")) refs.push(e.href);
  for (const e of document.querySelectorAll("script[src], img[src], iframe[src]")) refs.push(e.src);
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id)
    .concat([...document.querySelectorAll("a[name]")].map(e => e.name));
  return {refs, ids};
})()`

// crawl walks the site at base in the browser from its home page. It
// returns every page it loaded (as paths) and the links that are broken.
func crawl(ctx context.Context, base *url.URL) (visited map[string]bool, broken []brokenLink, err error) {
	visited = map[string]bool{}
	ids := map[string]map[string]bool{} // page path -> its element ids
	status := map[string]int{}          // path -> HTTP status
	type ref struct {
		page string
		u    *url.URL
		raw  string
	}
	var refs []ref
	queue := []string{base.Path}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if visited[p] {
			continue
		}
		visited[p] = true
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base.ResolveReference(&url.URL{Path: p}).String()),
			chromedp.WaitReady(chromedp.CSS("body")),
		); err != nil {
			return nil, nil, fmt.Errorf("load %s: %w", p, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageLinks](collectJS))
		if err != nil {
			return nil, nil, fmt.Errorf("read the links of %s: %w", p, err)
		}
		ids[p] = map[string]bool{}
		for _, id := range got.IDs {
			ids[p][id] = true
		}
		for _, r := range got.Refs {
			u, err := url.Parse(r)
			if err != nil {
				broken = append(broken, brokenLink{p, r, "not a URL: " + err.Error()})
				continue
			}
			if u.Host != base.Host || u.Scheme != base.Scheme {
				continue // external: not this test's business
			}
			refs = append(refs, ref{p, u, r})
			target := u.Path
			if _, seen := status[target]; !seen {
				status[target] = httpStatus(ctx, base.ResolveReference(&url.URL{Path: target}).String())
			}
			if status[target] == http.StatusOK && isPage(target) && !visited[target] {
				queue = append(queue, target)
			}
		}
	}
	for _, r := range refs {
		switch st := status[r.u.Path]; {
		case st != http.StatusOK:
			broken = append(broken, brokenLink{r.page, r.raw, fmt.Sprintf("HTTP %d", st)})
		case r.u.Fragment != "" && isPage(r.u.Path) && !ids[r.u.Path][r.u.Fragment]:
			broken = append(broken, brokenLink{r.page, r.raw, fmt.Sprintf("%s has no element with id %q", r.u.Path, r.u.Fragment)})
		}
	}
	sort.Slice(broken, func(i, j int) bool { return broken[i].String() < broken[j].String() })
	return visited, broken, nil
}

// isPage reports whether a path is an HTML page, one the crawl loads.
func isPage(p string) bool {
	return strings.HasSuffix(p, "/") || strings.HasSuffix(p, ".html")
}

// httpStatus is the status of a GET of u; 0 when it could not be made.
func httpStatus(ctx context.Context, u string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// builtPages lists the pages hugo wrote, as URL paths.
func builtPages(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = "/" + filepath.ToSlash(rel)
		if strings.HasSuffix(rel, "/index.html") {
			rel = strings.TrimSuffix(rel, "index.html")
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestSiteLinks(t *testing.T) {
	dir := buildSite(t)
	base := serve(t, dir)
	ctx := browser(t)

	visited, broken, err := crawl(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Errorf("broken link: %s", b)
	}
	built := builtPages(t, dir)
	for _, p := range built {
		if !visited[p] {
			t.Errorf("%s is built but no page links to it: add it to the navigation, or link it from a page", p)
		}
	}
	for _, p := range []string{"/", "/cli/", "/viewer/", "/reference/", "/reference/provider-git/", "/reference/provider-git/source-git/", "/reference/provider-kubernetes/resource-kubernetes_app/", "/reference/block-pipeline/"} {
		if !visited[p] {
			t.Errorf("the crawl never reached %s", p)
		}
	}
	t.Logf("followed the links of %d pages (%d built)", len(visited), len(built))
}

func TestSiteSearch(t *testing.T) {
	dir := buildSite(t)
	base := serve(t, dir)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base.String()),
		chromedp.WaitVisible(chromedp.ID("search-input")),
		chromedp.SendKeys(chromedp.ID("search-input"), "kustomize"),
		chromedp.WaitVisible(chromedp.CSS("#search-results li a")),
	)
	if err != nil {
		t.Fatal(err)
	}
	titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#search-results li a")].map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#search-results li a")].map(a => a.href)`))
	if err != nil {
		t.Fatal(err)
	}
	if !contains(titles, "Apps") {
		t.Errorf("searching for kustomize lists %q, not the Apps page", titles)
	}
	for _, h := range hrefs {
		u, err := url.Parse(h)
		if err != nil || u.Host != base.Host {
			t.Errorf("search result %q is not a page of the site", h)
			continue
		}
		if st := httpStatus(ctx, h); st != http.StatusOK {
			t.Errorf("search result %s answers HTTP %d", h, st)
		}
	}

	// A word no page holds lists nothing but says so.
	err = chromedp.Do(ctx,
		chromedp.Clear(chromedp.ID("search-input")),
		chromedp.SendKeys(chromedp.ID("search-input"), "zzqqxyzzy"),
		chromedp.WaitVisible(chromedp.CSS("#search-results li.none")),
	)
	if err != nil {
		t.Fatal(err)
	}
	none, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("search-results")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(none, "No page mentions") {
		t.Errorf("a search with no result shows %q", none)
	}
}

// TestCrawlFindsBrokenLinks runs the crawl over a small site with one
// broken link of each sort, so that a crawl that finds nothing means the
// site has no broken link, not that the crawl missed them.
func TestCrawlFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("<!DOCTYPE html><html><body>"+body+"</body></html>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", `<a href="/a/">a</a> <a href="/a/#here">here</a> <a href="/a/#gone">gone</a> <a href="/missing/">missing</a> <a href="https://example.invalid/">external</a>`)
	write("a/index.html", `<h2 id="here">here</h2><img src="/nope.png"><a href="../">up</a>`)
	write("orphan/index.html", `not linked`)

	base := serve(t, dir)
	ctx := browser(t)
	visited, broken, err := crawl(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range broken {
		got = append(got, b.page+" "+strings.TrimPrefix(b.href, strings.TrimSuffix(base.String(), "/"))+" "+b.why)
	}
	want := []string{
		`/ /a/#gone /a/ has no element with id "gone"`,
		`/ /missing/ HTTP 404`,
		`/a/ /nope.png HTTP 404`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("broken links found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if visited["/orphan/"] || !visited["/a/"] {
		t.Errorf("visited %v; want / and /a/ only", visited)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
