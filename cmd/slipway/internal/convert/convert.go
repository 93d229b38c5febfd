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
	"bytes"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"slipway.dev/slipway/lang"
)

// Issue is one thing of the input that was not converted, or converted
// with a difference the user should know of.
type Issue struct {
	Where  string // the document: "apps.yaml#2"
	Object string // "Application guestbook"
	Field  string // "spec.source.plugin"
	Reason string
	// Note: converted, but the meaning differs a little or needs a step
	// of the user's; not counted as unconverted.
	Note bool
}

func (i Issue) String() string {
	what := "not converted"
	if i.Note {
		what = "note"
	}
	f := ""
	if i.Field != "" {
		f = " " + i.Field
	}
	return fmt.Sprintf("%s: %s%s (%s): %s", what, i.Object, f, i.Where, i.Reason)
}

// File is one configuration file of the output.
type File struct {
	Name string // "guestbook.slip.hcl"
	Src  []byte
}

// Result is a conversion: the files, and what could not be converted.
type Result struct {
	Files  []File
	Issues []Issue
}

// Unconverted counts the issues that are not mere notes.
func (r *Result) Unconverted() int {
	n := 0
	for _, i := range r.Issues {
		if !i.Note {
			n++
		}
	}
	return n
}

// Combined is every file, in order, as one configuration (for stdout).
func (r *Result) Combined() []byte {
	var b bytes.Buffer
	for i, f := range r.Files {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# %s\n\n", f.Name)
		b.Write(f.Src)
	}
	return b.Bytes()
}

// converter collects the blocks of a conversion, by output file.
type converter struct {
	tool      string // "argocd" or "flux": the adopt block's from
	files     map[string]*outFile
	order     []string
	fileNames names
	srcNames  names
	appNames  names
	sources   map[string]string // url|ref|path -> source name
	issues    []Issue
}

// outFile is one output file: its sources first, then everything else.
type outFile struct {
	name    string
	sources *hclwrite.File
	rest    *hclwrite.File
}

func newConverter(tool string) *converter {
	return &converter{
		tool: tool, files: map[string]*outFile{}, fileNames: names{},
		srcNames: names{}, appNames: names{}, sources: map[string]string{},
	}
}

// file returns the output file for key (a repository URL, an app set),
// made on first use and named after want.
func (c *converter) file(key, want string) *outFile {
	if f, ok := c.files[key]; ok {
		return f
	}
	f := &outFile{name: c.fileNames.take(ident(want, "config")) + ".slip.hcl", sources: hclwrite.NewEmptyFile(), rest: hclwrite.NewEmptyFile()}
	c.files[key] = f
	c.order = append(c.order, key)
	return f
}

// result formats every file.
func (c *converter) result() (*Result, error) {
	r := &Result{Issues: c.issues}
	for _, key := range c.order {
		f := c.files[key]
		var src bytes.Buffer
		src.Write(f.sources.Bytes())
		src.Write(f.rest.Bytes())
		out, diags := lang.Format(src.Bytes())
		if diags.HasErrors() {
			return nil, fmt.Errorf("the converted %s does not parse (a bug in slipway convert): %s\n%s", f.name, diags.Error(), src.String())
		}
		r.Files = append(r.Files, File{Name: f.name, Src: out})
	}
	return r, nil
}

// unconverted records what could not be converted, and writes it as a
// comment at its place in w (when w is set).
func (c *converter) unconverted(w *body, d Document, field, reason string) {
	c.issue(w, d, field, reason, false)
}

// note records a difference of meaning, or a step left to the user.
func (c *converter) note(w *body, d Document, field, reason string) {
	c.issue(w, d, field, reason, true)
}

func (c *converter) issue(w *body, d Document, field, reason string, note bool) {
	i := Issue{Where: d.where(), Object: d.kind() + " " + d.name(), Field: field, Reason: reason, Note: note}
	c.issues = append(c.issues, i)
	if w != nil {
		what := "not converted"
		if note {
			what = "note"
		}
		f := field
		if f != "" {
			f += ": "
		}
		w.comment(what + ": " + f + reason)
	}
}

// gitRef is how a git source names its revision.
type gitRef struct{ attr, value string }

var (
	commitRe = regexp.MustCompile(`^[0-9a-f]{40}$`)
	tagRe    = regexp.MustCompile(`^v?[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.-]+)?$`)
)

// source returns the name of the git source for url at ref (and path,
// which only sources listing directories for for_each have), declaring
// it in the repository's file on first use.
func (c *converter) source(url string, ref gitRef, dir string) string {
	want := repoName(url)
	if ref.value != "" {
		want += "_" + ref.value
	}
	if dir != "" {
		want += "_" + strings.ReplaceAll(dir, "/", "_")
	}
	return c.sourceNamed(strings.ToLower(want), url, ref, dir)
}

// sourceNamed is source, with the name to give the source if it is new.
func (c *converter) sourceNamed(want, url string, ref gitRef, dir string) string {
	key := url + "|" + ref.attr + "=" + ref.value + "|" + dir
	if n, ok := c.sources[key]; ok {
		return n
	}
	name := c.srcNames.take(ident(want, "repo"))
	c.sources[key] = name
	f := c.file(url, repoName(url))
	w := body{f.sources.Body().AppendNewBlock("source", []string{"git", name}).Body()}
	w.set("url", ctyString(url))
	if ref.attr != "" {
		w.set(ref.attr, ctyString(ref.value))
	}
	if dir != "" {
		w.set("path", ctyString(dir))
	}
	f.sources.Body().AppendNewline()
	return name
}

// repoName is a repository's name from its URL: the last element of its
// path, without ".git".
func repoName(raw string) string {
	p := raw
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		p = u.Path
	} else if i := strings.LastIndex(raw, ":"); i >= 0 { // git@host:org/repo.git
		p = raw[i+1:]
	}
	p = strings.TrimSuffix(strings.TrimSuffix(p, "/"), ".git")
	base := path.Base(p)
	if base == "." || base == "/" || base == "" {
		return "repo"
	}
	return base
}
