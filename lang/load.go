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

package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"slipway.dev/slipway/lang/addrs"
)

// fileSchema lists the blocks a configuration file may hold at its top
// level. Decoding with Content (not PartialContent) makes hcl report any
// other block or argument with its own "Did you mean" suggestion.
var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "slipway"},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "source", LabelNames: []string{"type", "name"}},
	{Type: "pipeline", LabelNames: []string{"name"}},
	{Type: "app", LabelNames: []string{"name"}},
	{Type: "rollout", LabelNames: []string{"name"}},
	{Type: "analysis", LabelNames: []string{"name"}},
	{Type: "policy", LabelNames: []string{"name"}},
}}

// resourceKinds maps the block types of resource-like blocks to their kinds.
var resourceKinds = map[string]addrs.Kind{
	"resource": addrs.Managed,
	"source":   addrs.Source,
	"pipeline": addrs.Pipeline,
	"app":      addrs.App,
	"rollout":  addrs.Rollout,
	"analysis": addrs.Analysis,
}

// LoadDir parses every *.slip.hcl and *.slip.json file directly inside dir,
// in name order, into one Config. The Config is returned even when there
// are errors, so that callers can print the diagnostics against its Files;
// its maps and Slipway are never nil.
func LoadDir(dir string) (*Config, hcl.Diagnostics) {
	l := newLoader(dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return l.cfg, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   fmt.Sprintf("slipway reads its configuration from the directory %s, but could not list it: %s. Check that the directory exists and is readable.", dir, err),
		}}
	}
	parser := hclparse.NewParser()
	for _, e := range entries {
		name := e.Name()
		isHCL, isJSON := strings.HasSuffix(name, ".slip.hcl"), strings.HasSuffix(name, ".slip.json")
		if e.IsDir() || !isHCL && !isJSON {
			continue
		}
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read configuration file",
				Detail:   fmt.Sprintf("Reading %s failed: %s. Check that the file is readable.", path, err),
			})
			continue
		}
		l.source(parser, path, src)
	}
	if len(l.cfg.Sources) == 0 && len(l.diags) == 0 {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("slipway looks for *.slip.hcl files in %s and found none. Run slipway in the directory that holds your configuration, or create a main.slip.hcl file there.", dir),
		})
	}
	return l.cfg, l.diags
}

// loader fills one Config, collecting diagnostics as it goes.
type loader struct {
	cfg   *Config
	diags hcl.Diagnostics
}

func newLoader(dir string) *loader {
	return &loader{cfg: &Config{
		Dir:       dir,
		Files:     map[string]*hcl.File{},
		Sources:   map[string][]byte{},
		Slipway:   &SlipwayBlock{RequiredProviders: map[string]*RequiredProvider{}},
		Providers: map[string]*ProviderBlock{},
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
		Outputs:   map[string]*Output{},
		Resources: map[string]*Resource{},
		Policies:  map[string]*Policy{},
	}}
}

// source parses one file, native syntax or JSON by its name, into the
// Config.
func (l *loader) source(parser *hclparse.Parser, path string, src []byte) {
	l.cfg.Sources[path] = src
	if diags := CheckNesting(src, path); diags.HasErrors() {
		// Parsing a file nested this deep could overflow the stack.
		l.diags = append(l.diags, diags...)
		return
	}
	var file *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		file, diags = parser.ParseJSON(src, path)
	} else {
		file, diags = parser.ParseHCL(src, path)
	}
	l.diags = append(l.diags, diags...)
	if file != nil {
		l.cfg.Files[path] = file
		l.file(file.Body)
	}
}

func (l *loader) errorf(subject hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  subject.Ptr(),
	})
}

func (l *loader) file(body hcl.Body) {
	content, diags := body.Content(fileSchema)
	l.diags = append(l.diags, diags...)
	for _, b := range content.Blocks {
		switch b.Type {
		case "slipway":
			l.slipway(b)
		case "provider":
			l.provider(b)
		case "variable":
			l.variable(b)
		case "locals":
			l.locals(b)
		case "output":
			l.output(b)
		case "policy":
			l.policy(b, l.cfg.Policies, false)
		default:
			l.resource(b, resourceKinds[b.Type])
		}
	}
}

// validName reports whether a block's name label is an identifier, which
// it must be to be referred to from expressions.
func (l *loader) validName(what, name string, rng hcl.Range) bool {
	if hclsyntax.ValidIdentifier(name) {
		return true
	}
	l.errorf(rng, "Invalid name", "%q is not a valid %s name. A name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", name, what)
	return false
}

// duplicate reports a second declaration of a name, pointing at the first.
func (l *loader) duplicate(what, name string, first, second hcl.Range) {
	l.errorf(second, "Duplicate "+what, "The %s %s was already declared at %s; each %s needs a unique name. Rename or remove one of the two.", what, name, first, what)
}

// decode evaluates a literal argument into a Go value, reporting a
// mismatch as a diagnostic on the argument.
func (l *loader) decode(attr *hcl.Attribute, target any) {
	if attr != nil {
		l.decodeExpr(attr.Expr, target)
	}
}

func (l *loader) decodeExpr(expr hcl.Expression, target any) {
	l.diags = append(l.diags, gohcl.DecodeExpression(expr, nil, target)...)
}

// sortedAttrs returns attributes in source order, so that diagnostics
// come out in a stable order.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return rangeLess(out[i].Range, out[j].Range) })
	return out
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}
