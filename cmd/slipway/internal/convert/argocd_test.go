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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// convertArgoCD converts the documents of src, YAML.
func convertArgoCD(t *testing.T, src string) *Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, err := Read([]string{p})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ArgoCD(docs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// unconvertedIssues are the issues of res that are not notes, by field.
func unconvertedIssues(res *Result) map[string]string {
	out := map[string]string{}
	for _, i := range res.Issues {
		if !i.Note {
			out[i.Field] += i.Reason
		}
	}
	return out
}

// attrJSON parses the configuration and returns, as JSON, the value of
// the attribute at path: the types of the nested blocks, then the
// attribute's name (the first block of each type is taken).
func attrJSON(t *testing.T, src []byte, path ...string) string {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "out.slip.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the output does not parse: %v\n%s", diags, src)
	}
	b := f.Body.(*hclsyntax.Body)
next:
	for _, typ := range path[:len(path)-1] {
		for _, blk := range b.Blocks {
			if blk.Type == typ {
				b = blk.Body
				continue next
			}
		}
		t.Fatalf("no block %s of %v in\n%s", typ, path, src)
	}
	a := b.Attributes[path[len(path)-1]]
	if a == nil {
		t.Fatalf("no attribute %v in\n%s", path, src)
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%v: %v", path, diags)
	}
	j, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}

// TestAppSetTemplatedCluster: a destination made from generator
// parameters is reported unless every app goes to the default provider's
// cluster, or the clusters generator (which reports it) made it.
func TestAppSetTemplatedCluster(t *testing.T) {
	t.Parallel()
	const template = `
  template:
    metadata: {name: 'x-%s'}
    spec:
      source: {repoURL: https://github.com/example/gitops.git, path: x}
      destination: {%s, namespace: x}
`
	tests := map[string]struct {
		generator, dest string
		want            map[string]string // field: a part of the reason
	}{
		"list, another cluster": {
			`{list: {elements: [{cluster: dev, server: 'https://kubernetes.default.svc'}, {cluster: prod, server: 'https://prod.example:6443'}]}}`,
			`server: '{{server}}'`,
			map[string]string{"spec.template.spec.destination": `x-prod ("https://prod.example:6443")`},
		},
		"list, by name": {
			`{list: {elements: [{cluster: dev}, {cluster: prod}]}}`,
			`name: '{{ cluster }}'`,
			map[string]string{"spec.template.spec.destination": `x-dev ("dev"), x-prod ("prod")`},
		},
		"list, in-cluster only": {
			`{list: {elements: [{cluster: a, server: 'https://kubernetes.default.svc'}, {cluster: b, server: 'https://kubernetes.default.svc'}]}}`,
			`server: '{{server}}'`,
			map[string]string{},
		},
		"list, in-cluster by name": {
			`{list: {elements: [{cluster: in-cluster}]}}`,
			`name: '{{cluster}}'`,
			map[string]string{},
		},
		"git": {
			`{git: {repoURL: https://github.com/example/gitops.git, directories: [{path: clusters/*}]}}`,
			`name: '{{path.basename}}'`,
			map[string]string{"spec.template.spec.destination": "every app of the set goes to the default provider's cluster"},
		},
		"clusters": {
			`{clusters: {}}`,
			`server: '{{server}}'`,
			map[string]string{"spec.generators[0].clusters": "only the cluster of the default kubernetes provider"},
		},
	}
	names := map[string]string{"list": "{{cluster}}", "git": "{{path.basename}}", "clusters": "{{name}}"}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			gen, _, _ := strings.Cut(strings.TrimPrefix(tc.generator, "{"), ":")
			tpl := strings.Replace(strings.Replace(template, "%s", names[gen], 1), "%s", tc.dest, 1)
			src := "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: set}\nspec:\n  generators: [" + tc.generator + "]" + tpl
			res := convertArgoCD(t, src)
			got := unconvertedIssues(res)
			if len(got) != len(tc.want) {
				t.Errorf("not converted: %q; want the fields of %q", got, tc.want)
			}
			for field, part := range tc.want {
				if !strings.Contains(got[field], part) {
					t.Errorf("%s: %q; want it to hold %q", field, got[field], part)
				}
			}
			if strings.Contains(got["spec.template.spec.destination"], "x-dev (\"https://") {
				t.Errorf("an app of the default cluster is listed: %q", got["spec.template.spec.destination"])
			}
		})
	}
}

// TestAppSetTemplateNotLiteral: every field of an ApplicationSet's
// template made from generator parameters is translated into an
// expression, or reported; none is written as the template's text.
func TestAppSetTemplateNotLiteral(t *testing.T) {
	t.Parallel()
	res := convertArgoCD(t, `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: set}
spec:
  goTemplate: true
  generators:
    - list:
        elements: [{env: dev, version: "1.0", revision: main, rev2: main, opt: "true", d: 5s}]
  template:
    metadata: {name: 'web-{{.env}}'}
    spec:
      source:
        repoURL: https://github.com/example/gitops.git
        targetRevision: '{{ .revision }}'
        path: web
        helm:
          valuesObject:
            image:
              tag: '{{.version}}'
              name: '{{ .version | upper }}'
            env: 'env-{{.env}}'
            hosts: ['{{.env}}.example', static]
            literal: plain
          parameters:
            - {name: replicas, value: '{{.env}}'}
            - {name: fixed, value: '3'}
      destination: {namespace: '{{.env}}'}
      syncPolicy:
        syncOptions: ['CreateNamespace={{.opt}}']
        retry: {backoff: {duration: '{{.d}}', maxDuration: 3m}}
      ignoreDifferences:
        - kind: ConfigMap
          name: 'cm-{{.env}}'
          namespace: '{{.env}}'
          jsonPointers: ['/data/{{.env}}']
          jqPathExpressions: ['.data["{{.env}}"]']
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: plain}
spec:
  generators: [{list: {elements: [{env: dev, revision: main}]}}]
  template:
    metadata: {name: 'api-{{env}}'}
    spec:
      source: {repoURL: https://github.com/example/gitops.git, targetRevision: '{{revision}}', path: api}
      destination: {namespace: api}
`)
	var code []string // the output without its comments
	for _, l := range strings.Split(string(res.Combined()), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			code = append(code, l)
		}
	}
	out := []byte(strings.Join(code, "\n"))
	if strings.Contains(string(out), "{{") {
		t.Errorf("written as the template's text:\n%s", out)
	}
	for _, re := range []string{
		`tag += tostring\(each\.value\.version\)`,
		`env += "env-\$\{each\.value\.env\}"`,
		`hosts += \["\$\{each\.value\.env\}\.example", "static"\]`,
		`literal += "plain"`,
		`fixed += 3`,
		`name += "cm-\$\{each\.value\.env\}"`,
		`namespace += each\.value\.env\n`,
		`json_pointers = \["/data/\$\{each\.value\.env\}"\]`,
		`max_backoff = "3m"`,
	} {
		if !regexp.MustCompile(re).Match(out) {
			t.Errorf("no %s in\n%s", re, out)
		}
	}
	got := unconvertedIssues(res)
	for _, field := range []string{
		"spec.template.spec.source.targetRevision",
		"spec.template.spec.source.helm.valuesObject.image.name",
		"spec.template.spec.source.helm.parameters",
		"spec.template.spec.syncPolicy.syncOptions",
		"spec.template.spec.syncPolicy.retry.backoff.duration",
		"spec.template.spec.ignoreDifferences[0].jqPathExpressions",
	} {
		if !strings.Contains(got[field], "generator parameters") && !strings.Contains(got[field], "Go template") {
			t.Errorf("%s: %q; want it reported as made from generator parameters", field, got[field])
		}
	}
	if len(got) != 6 || !strings.Contains(got["spec.template.spec.source.targetRevision"], `"{{revision}}" is made from generator parameters`) {
		t.Errorf("not converted: %q; want the fields above, and the plain set's targetRevision", got)
	}
	for _, i := range res.Issues {
		if strings.Contains(i.Reason, "version range") {
			t.Errorf("a template is taken for a version range: %s", i)
		}
	}
	if strings.Contains(string(out), "replicas") || strings.Contains(string(out), "create_namespace") {
		t.Errorf("a field made from generator parameters is written:\n%s", out)
	}
}

// TestHelmParameterCommas: a parameter's commas are escaped as Argo CD
// escapes them, so that its value stays one value.
func TestHelmParameterCommas(t *testing.T) {
	t.Parallel()
	res := convertArgoCD(t, `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source:
    repoURL: https://github.com/example/gitops.git
    path: web
    helm:
      parameters:
        - {name: opts, value: 'a=1,b=2'}
        - {name: hosts, value: 'a.example,b.example'}
        - {name: list, value: '{a,b}'}
        - {name: escaped, value: 'a\,b'}
        - {name: str, value: '1,2', forceString: true}
        - {name: 'x,y', value: '1'}
  destination: {namespace: web}
`)
	got := attrJSON(t, res.Combined(), "app", "source", "helm", "values")
	want := `{"escaped":"a,b","hosts":"a.example,b.example","list":["a","b"],"opts":"a=1,b=2","str":"1,2"}`
	if got != want {
		t.Errorf("values = %s; want %s", got, want)
	}
	if u := unconvertedIssues(res); len(u) != 1 || !strings.Contains(u["spec.source.helm.parameters"], `"x,y"`) {
		t.Errorf("not converted: %q; want the parameter x,y, which Helm refuses", u)
	}
}

// TestObjectKeyKeywords: a key that HCL reads as a keyword at the start
// of an object is quoted; the output parses and holds the same value.
func TestObjectKeyKeywords(t *testing.T) {
	t.Parallel()
	res := convertArgoCD(t, `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source:
    repoURL: https://github.com/example/gitops.git
    path: web
    helm:
      values: |
        for: {for: 1, if: [2], in: x}
        if: {in: true}
  destination: {namespace: web}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: set}
spec:
  generators: [{list: {elements: [{for: a}, {for: b, in: c}]}}]
  template:
    metadata: {name: '{{for}}'}
    spec:
      source: {repoURL: https://github.com/example/gitops.git, path: '{{for}}'}
      destination: {namespace: x}
`)
	if u := res.Unconverted(); u != 0 {
		t.Errorf("%d not converted: %v", u, res.Issues)
	}
	for _, f := range res.Files {
		switch f.Name {
		case "gitops.slip.hcl":
			got := attrJSON(t, f.Src, "app", "source", "helm", "values")
			want := `{"for":{"for":1,"if":[2],"in":"x"},"if":{"in":true}}`
			if got != want {
				t.Errorf("values = %s; want %s", got, want)
			}
		case "set.slip.hcl":
			got := attrJSON(t, f.Src, "app", "for_each")
			want := `{"a":{"for":"a"},"b":{"for":"b","in":"c"}}`
			if got != want {
				t.Errorf("for_each = %s; want %s", got, want)
			}
		default:
			t.Errorf("unexpected file %s", f.Name)
		}
	}
}

// TestSourcesOverSource: with both source and sources, Argo CD reads
// sources and ignores source; so does the conversion, with a note.
func TestSourcesOverSource(t *testing.T) {
	t.Parallel()
	res := convertArgoCD(t, `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source: {repoURL: https://github.com/example/old.git, path: old}
  sources:
    - {repoURL: https://github.com/example/new.git, targetRevision: main, path: new, kustomize: {namePrefix: x-}}
  destination: {namespace: web}
`)
	out := string(res.Combined())
	if !strings.Contains(out, "repo = source.git.new_main") || !regexp.MustCompile(`path += "new"`).MatchString(out) || strings.Contains(out, "old") {
		t.Errorf("the app does not read sources[0]:\n%s", out)
	}
	var note bool
	for _, i := range res.Issues {
		note = note || i.Note && i.Field == "spec.source"
	}
	if !note {
		t.Errorf("no note that spec.source is ignored: %v", res.Issues)
	}
	if u := unconvertedIssues(res); len(u) != 1 || u["spec.sources[0].kustomize.namePrefix"] == "" {
		t.Errorf("not converted: %q; want spec.sources[0].kustomize.namePrefix", u)
	}
}
