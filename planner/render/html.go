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
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"slipway.dev/slipway/planner/plans"
)

//go:generate go run ./internal/viewerpage ../../website/static/viewer/index.html

// The plan page is one HTML template with its script and styles, all
// inlined into the page it makes: a page that fetched anything would not
// open offline, and could leak what it shows.
var (
	//go:embed planpage/page.html
	pageTemplate string
	//go:embed planpage/page.js
	pageJS string
	//go:embed planpage/page.css
	pageCSS string
)

var page = template.Must(template.New("page").Parse(pageTemplate))

// pagePolicy is the page's Content-Security-Policy: it runs its own script
// and styles (by their hashes) and nothing else, and fetches nothing. A
// script smuggled into the page by plan data would not run, and nothing
// the page holds can be sent anywhere.
var pagePolicy = fmt.Sprintf("default-src 'none'; script-src '%s'; style-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
	cspHash(pageJS), cspHash(pageCSS))

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type pageData struct {
	Title  string
	Policy string
	CSS    template.CSS
	JS     template.JS
	// Plan is the JSON plan, safe to write inside a script element (see
	// scriptJSON); empty in the viewer.
	Plan template.JS
}

// HTML writes the plan page: one self-contained HTML document that shows
// the summary, filters by action, kind, app and address, and every
// change, expandable, with the objects of each app. It is drawn from the
// JSON plan document, embedded in the page, so it shows exactly what
// `show -json` does and no sensitive value. The page loads nothing from
// the network.
func HTML(w io.Writer, p *plans.Plan) error {
	doc, err := JSON(p)
	if err != nil {
		return err
	}
	data, err := scriptJSON(doc)
	if err != nil {
		return err
	}
	return writePage(w, "slipway plan", data)
}

// HTMLViewer writes the same page with no plan in it: it asks for a JSON
// plan file (the output of `slipway show -json PLANFILE`), chosen or
// dropped on it, and shows that. The file is read in the browser; nothing
// is sent anywhere.
func HTMLViewer(w io.Writer) error {
	return writePage(w, "slipway plan viewer", "")
}

func writePage(w io.Writer, title string, plan template.JS) error {
	var b bytes.Buffer
	if err := page.Execute(&b, pageData{
		Title:  title,
		Policy: pagePolicy,
		CSS:    template.CSS(pageCSS),
		JS:     template.JS(pageJS),
		Plan:   plan,
	}); err != nil {
		return fmt.Errorf("render the plan page: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// scriptJSON makes a JSON document safe to write as the text of a
// <script type="application/json"> element: compact, with <, > and & (and
// U+2028, U+2029) written as \u escapes. The text then holds no "<", so
// no value can close the element ("</script>") or open a comment
// ("<!--"), and JSON.parse reads back the very same document.
func scriptJSON(doc []byte) (template.JS, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return "", fmt.Errorf("render the plan page: %w", err)
	}
	var b bytes.Buffer
	json.HTMLEscape(&b, compact.Bytes())
	if bytes.IndexByte(b.Bytes(), '<') >= 0 {
		// json.HTMLEscape escapes every '<' outside strings too, and
		// JSON has none there; this cannot happen.
		return "", fmt.Errorf("render the plan page: the plan's JSON holds a raw '<' after escaping")
	}
	// The text is trusted below because it holds no '<' and is JSON.
	return template.JS(b.String()), nil
}
