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
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// tmpl translates the parameters of an ApplicationSet's template into
// HCL: param returns the template fragment (as inside an HCL string) that
// stands for a parameter.
type tmpl struct {
	goTemplate bool
	param      func(name string) (fragment string, ok bool)
	// clusters: the parameters are those of the clusters generator,
	// which reports itself that only one cluster is listed.
	clusters bool
	// elements: the list generator's elements, by for_each key.
	elements map[string]map[string]any
}

var tagRe2 = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
var goFieldRe = regexp.MustCompile(`^\.[A-Za-z0-9_.\[\]-]+$`)

// expr returns s as an HCL expression: a string literal, or a template
// whose generator parameters are each.key and each.value expressions. A
// nil t translates nothing.
func (t *tmpl) expr(s string) (string, error) {
	if t == nil || !strings.Contains(s, "{{") {
		return quote(s), nil
	}
	var b strings.Builder
	last := 0
	frags := 0
	for _, m := range tagRe2.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(quotedPart(s[last:m[0]]))
		name := strings.TrimSpace(s[m[2]:m[3]])
		if t.goTemplate {
			if !goFieldRe.MatchString(name) {
				return "", fmt.Errorf("the Go template {{%s}} is more than a parameter; only {{.name}} parameters are converted", name)
			}
			name = strings.TrimPrefix(name, ".")
		}
		f, ok := t.param(name)
		if !ok {
			return "", fmt.Errorf("the parameter {{%s}} has no equivalent", name)
		}
		b.WriteString(f)
		frags++
		last = m[1]
	}
	b.WriteString(quotedPart(s[last:]))
	out := b.String()
	if frags == 1 && strings.HasPrefix(out, "${") && strings.HasSuffix(out, "}") && strings.Count(out, "${") == 1 {
		return out[2 : len(out)-1], nil
	}
	return `"` + out + `"`, nil
}

// render substitutes literal values for a template's parameters (for the
// keys of a list generator).
func render(s string, goTemplate bool, values map[string]any) (string, bool) {
	ok := true
	out := tagRe2.ReplaceAllStringFunc(s, func(tag string) string {
		name := strings.TrimSpace(tag[2 : len(tag)-2])
		if goTemplate {
			name = strings.TrimPrefix(name, ".")
		}
		v := get(values, strings.Split(name, ".")...)
		if v == nil {
			ok = false
			return ""
		}
		return fmt.Sprint(v)
	})
	return out, ok
}

// applicationSet converts an ApplicationSet with one list, git
// directories or clusters generator into an app block with for_each.
func (c *converter) applicationSet(d Document) {
	spec := mapOf(d.Obj, "spec")
	goTpl, _ := boolOf(spec, "goTemplate")
	tplName := str(spec, "template", "metadata", "name")
	tplSpec := mapOf(spec, "template", "spec")
	gens := listOf(spec, "generators")
	fail := func(field, reason string) {
		f := c.file("appset:"+d.name(), d.name())
		w := body{f.rest.Body()}
		c.unconverted(&w, d, field, reason)
		w.newline()
	}
	if len(gens) != 1 {
		fail("spec.generators", fmt.Sprintf("%d generators: write one app block per generator, each with its own for_each", len(gens)))
		return
	}
	g, _ := gens[0].(map[string]any)
	var lead func(body)
	var t *tmpl
	var genIssues []func(body)
	switch {
	case g["list"] != nil:
		lead, t = c.listGenerator(d, mapOf(g, "list"), tplName, goTpl, &genIssues)
	case g["git"] != nil:
		lead, t = c.gitGenerator(d, mapOf(g, "git"), goTpl, &genIssues)
	case g["clusters"] != nil:
		lead, t = c.clusterGenerator(d, mapOf(g, "clusters"), goTpl, &genIssues)
	default:
		var kinds []string
		for k := range g {
			kinds = append(kinds, k)
		}
		fail("spec.generators", fmt.Sprintf("the %s generator has no equivalent: write the app block's for_each by hand (for matrix, setproduct; for merge, merge)", strings.Join(kinds, ", ")))
		return
	}
	if lead == nil {
		for _, f := range genIssues {
			f(body{c.file("appset:"+d.name(), d.name()).rest.Body()})
		}
		return
	}
	adopt, err := t.expr(tplName)
	if err != nil {
		adopt = ""
	}
	c.appBlock(d, d.name(), tplSpec, t, func(w body) {
		lead(w)
		for _, f := range genIssues {
			f(w)
		}
		if err != nil {
			c.unconverted(&w, d, "spec.template.metadata.name", err.Error()+"; the objects cannot be adopted")
		}
		for _, k := range sortedKeys(spec) {
			switch k {
			case "generators", "template", "goTemplate":
			case "syncPolicy":
				c.note(&w, d, "spec.syncPolicy", "an ApplicationSet's own policy (which Applications it may create or delete) has no equivalent: slipway destroys the instances whose key leaves for_each")
			default:
				c.unconverted(&w, d, "spec."+k, "no equivalent in slipway")
			}
		}
		if tm := mapOf(spec, "template", "metadata"); tm != nil {
			for _, k := range sortedKeys(tm) {
				if k != "name" {
					c.note(&w, d, "spec.template.metadata."+k, "the Applications' own metadata has no equivalent")
				}
			}
		}
	}, adopt)
}

// listGenerator: for_each over the elements, keyed by each one's app name.
func (c *converter) listGenerator(d Document, list map[string]any, tplName string, goTpl bool, issues *[]func(body)) (func(body), *tmpl) {
	if list["elementsYaml"] != nil {
		*issues = append(*issues, func(w body) {
			c.unconverted(&w, d, "spec.generators[0].list.elementsYaml", "elements from a template: write the for_each map by hand")
		})
		return nil, nil
	}
	entries := map[string]any{}
	elements := map[string]map[string]any{}
	for i, e := range listOf(list, "elements") {
		em, _ := e.(map[string]any)
		key, ok := render(tplName, goTpl, em)
		if !ok || key == "" || entries[key] != nil {
			key = strconv.Itoa(i)
		}
		entries[key] = em
		elements[key] = em
	}
	v, err := valueOf(entries)
	if err != nil {
		*issues = append(*issues, func(w body) { c.unconverted(&w, d, "spec.generators[0].list.elements", err.Error()) })
		return nil, nil
	}
	t := &tmpl{goTemplate: goTpl, elements: elements, param: func(name string) (string, bool) {
		e := "each.value"
		for _, step := range strings.Split(name, ".") {
			e = attrRef(e, step)
		}
		return "${" + e + "}", true
	}}
	return func(w body) { w.set("for_each", v) }, t
}

// gitGenerator: the directories generator, for one pattern "DIR/*".
func (c *converter) gitGenerator(d Document, git map[string]any, goTpl bool, issues *[]func(body)) (func(body), *tmpl) {
	field := "spec.generators[0].git"
	if listOf(git, "files") != nil {
		*issues = append(*issues, func(w body) {
			c.unconverted(&w, d, field+".files", "the git files generator has no equivalent: put the parameters in a locals map (yamldecode(file(...)) of a copy beside the configuration) and use it as for_each")
		})
		return nil, nil
	}
	var include []string
	var exclude []string
	var bad []string
	for _, e := range listOf(git, "directories") {
		p := strings.Trim(str(e, "path"), "/")
		if x, _ := boolOf(e, "exclude"); x {
			exclude = append(exclude, p)
		} else {
			include = append(include, p)
		}
	}
	if len(include) != 1 || !strings.HasSuffix(include[0], "/*") || strings.ContainsAny(strings.TrimSuffix(include[0], "/*"), "*?[") {
		*issues = append(*issues, func(w body) {
			c.unconverted(&w, d, field+".directories", fmt.Sprintf("the patterns %q: only one pattern of the form \"DIR/*\" is converted (a source's directories)", include))
		})
		return nil, nil
	}
	dir := strings.TrimSuffix(include[0], "/*")
	var skip []cty.Value
	for _, x := range exclude {
		if path.Dir(x) == dir && !strings.ContainsAny(path.Base(x), "*?[") {
			skip = append(skip, cty.StringVal(path.Base(x)))
		} else {
			bad = append(bad, x)
		}
	}
	src := c.source(str(git, "repoURL"), c.gitRef(nil, d, field+".revision", str(git, "revision")), dir)
	set := "toset(source.git." + src + ".directories)"
	if len(skip) > 0 {
		set = "setsubtract(toset(source.git." + src + ".directories), " + listExpr(skip) + ")"
	}
	depth := len(strings.Split(dir, "/"))
	t := &tmpl{goTemplate: goTpl, param: func(name string) (string, bool) {
		switch name {
		case "path", "path.path":
			return quotedPart(dir+"/") + "${each.key}", true
		case "path.basename":
			return "${each.key}", true
		case "path.basenameNormalized":
			return `${replace(each.key, "/[^a-zA-Z0-9.-]/", "-")}`, true
		}
		if m := regexp.MustCompile(`^path\[([0-9]+)\]$`).FindStringSubmatch(name); m != nil {
			n, _ := strconv.Atoi(m[1])
			segs := strings.Split(dir, "/")
			switch {
			case n < depth:
				return quotedPart(segs[n]), true
			case n == depth:
				return "${each.key}", true
			}
		}
		return "", false
	}}
	return func(w body) {
		w.raw("for_each", set)
		for _, x := range bad {
			c.unconverted(&w, d, field+".directories", fmt.Sprintf("the exclusion %q: only directories directly in %q can be left out", x, dir))
		}
	}, t
}

// listExpr is a list of strings as HCL.
func listExpr(l []cty.Value) string {
	var parts []string
	for _, v := range l {
		parts = append(parts, quote(v.AsString()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// clusterGenerator: slipway has no registry of clusters; the default
// provider's cluster stands for Argo CD's in-cluster.
func (c *converter) clusterGenerator(d Document, cl map[string]any, goTpl bool, issues *[]func(body)) (func(body), *tmpl) {
	field := "spec.generators[0].clusters"
	if sel := mapOf(cl, "selector"); len(sel) > 0 {
		*issues = append(*issues, func(w body) {
			c.unconverted(&w, d, field+".selector", "a cluster selector picks clusters by the labels of Argo CD's cluster secrets, and slipway has no registry of clusters: declare an aliased provider and an app block per cluster")
		})
		return nil, nil
	}
	entry := map[string]any{"server": "https://kubernetes.default.svc"}
	if vals := mapOf(cl, "values"); vals != nil {
		entry["values"] = vals
	}
	v, err := valueOf(map[string]any{"in-cluster": entry})
	if err != nil {
		*issues = append(*issues, func(w body) { c.unconverted(&w, d, field, err.Error()) })
		return nil, nil
	}
	t := &tmpl{goTemplate: goTpl, clusters: true, param: func(name string) (string, bool) {
		switch {
		case name == "name" || name == "nameNormalized":
			return "${each.key}", true
		case name == "server":
			return "${each.value.server}", true
		case strings.HasPrefix(name, "values."):
			e := "each.value.values"
			for _, step := range strings.Split(strings.TrimPrefix(name, "values."), ".") {
				e = attrRef(e, step)
			}
			return "${" + e + "}", true
		}
		return "", false
	}}
	return func(w body) {
		w.set("for_each", v)
		c.unconverted(&w, d, field, "slipway has no registry of clusters: only the cluster of the default kubernetes provider is listed (as in-cluster); for each other cluster, declare an aliased provider and an app block with destination.provider")
	}, t
}
