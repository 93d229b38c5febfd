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

package provdocs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/planner/schemas"
)

func TestTypeString(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		ty   cty.Type
		want string
	}{
		"primitive":      {cty.String, "string"},
		"dynamic":        {cty.DynamicPseudoType, "any"},
		"list":           {cty.List(cty.String), "list of string"},
		"set":            {cty.Set(cty.Number), "set of number"},
		"map of objects": {cty.Map(cty.Object(map[string]cty.Type{"a": cty.Bool})), "map of object"},
		"list of lists":  {cty.List(cty.List(cty.Bool)), "list of list of bool"},
		"tuple":          {cty.Tuple([]cty.Type{cty.String, cty.Number}), "tuple [string, number]"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := TypeString(tc.ty); got != tc.want {
				t.Errorf("TypeString(%#v) = %q, want %q", tc.ty, got, tc.want)
			}
		})
	}
}

func TestAnchor(t *testing.T) {
	t.Parallel()
	for heading, want := range map[string]string{
		"Nested schema for `ignore_differences`": "nested-schema-for-ignore_differences",
		"Nested schema for `spec.ports`":         "nested-schema-for-specports",
		"Arguments":                              "arguments",
	} {
		if got := anchor(heading); got != want {
			t.Errorf("anchor(%q) = %q, want %q", heading, got, want)
		}
	}
}

// testProvider is a provider document with one of everything the pages
// show.
func testProvider(t *testing.T) *schemas.Provider {
	t.Helper()
	ty := func(ty cty.Type) json.RawMessage {
		b, err := ty.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	port := cty.ObjectWithOptionalAttrs(map[string]cty.Type{
		"number": cty.Number,
		"name":   cty.String,
		"tls":    cty.Object(map[string]cty.Type{"cert": cty.String}),
	}, []string{"name"})
	return &schemas.Provider{
		Version:  "1.2.3",
		Provider: schemas.Schema{Block: schemas.Block{Description: "A service <somewhere>.", Attributes: map[string]*schemas.Attribute{"token": {Type: ty(cty.String), Optional: true, Sensitive: true, Description: "The API token."}}}},
		ResourceSchemas: map[string]schemas.Schema{
			"svc": {Block: schemas.Block{Description: "A service.", Attributes: map[string]*schemas.Attribute{
				"name":  {Type: ty(cty.String), Required: true, ForceNew: true, Description: "The name | the key."},
				"ports": {Type: ty(cty.Map(port)), Optional: true, Description: "Ports by name."},
				"mode":  {Type: ty(cty.String), Optional: true, Computed: true, Description: "How.", Default: json.RawMessage(`"fast"`), Validators: []string{"be one of \"fast\", \"slow\""}},
				"id":    {Type: ty(cty.String), Computed: true, Description: "The ID."},
			}, BlockTypes: map[string]*schemas.BlockType{
				"rule": {NestingMode: "list", MinItems: 1, Block: schemas.Block{Description: "A firewall rule.", Attributes: map[string]*schemas.Attribute{
					"port": {Type: ty(cty.Number), Required: true, Description: "The port."},
				}}},
			}}},
		},
		SourceSchemas: map[string]schemas.Schema{
			"svc": {Block: schemas.Block{Description: "A service read.", Attributes: map[string]*schemas.Attribute{
				"name": {Type: ty(cty.String), Required: true},
			}}},
		},
	}
}

func TestPages(t *testing.T) {
	t.Parallel()
	p := testProvider(t)
	ex, err := ReadExamples(fstest.MapFS{
		"provider/provider.slip.hcl":   {Data: []byte("provider \"svc\" {}\n")},
		"resources/svc/a.slip.hcl":     {Data: []byte("# first\n")},
		"resources/svc/b-two.slip.hcl": {Data: []byte("# second\n")},
		".slipway.lock.hcl":            {Data: []byte("ignored")},
	}, p)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := Pages("svc", p, ex, Options{Weight: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 {
		t.Fatalf("pages: %v, want _index.md, resource-svc.md and source-svc.md", keys(pages))
	}
	for name, want := range map[string][]string{
		IndexPage: {
			"title: \"svc provider\"\nlinkTitle: \"provider svc\"\nweight: 7\n",
			Marker + " from the schema and the examples of provider svc; edit those, then run slipway providers docs svc. -->",
			"Version 1.2.3.\n\nA service &lt;somewhere>.\n",
			"## Example\n\n```hcl\nprovider \"svc\" {}\n```\n",
			"| `token` | `string` | optional, sensitive | The API token. |",
			"| [`svc`](resource-svc.md) | A service. |",
			"| [`svc`](source-svc.md) | A service read. |",
		},
		ResourcePage("svc"): {
			"weight: 1\n",
			"A resource type of the [svc provider](_index.md).\n\nA service.\n",
			"## Examples\n\n### A\n\n```hcl\n# first\n```\n\n### B two\n\n```hcl\n# second\n```\n",
			// Required arguments first, then the others by name.
			"| `name` | `string` | required, forces replacement | The name \\| the key. |\n| `mode` | `string` | optional, computed, default `\"fast\"`, be one of \"fast\", \"slow\" | How. |\n| `ports` | [`map of object`](#nested-schema-for-ports) | optional | Ports by name. |\n",
			"reads them, and the arguments, as `svc.NAME.ATTRIBUTE`",
			"| `id` | `string` |  | The ID. |",
			"## Blocks\n\n| block | how many | description |\n|---|---|---|\n| [`rule`](#block-rule) | a list, at least 1 | A firewall rule. |\n",
			"### Block `rule`\n\nWritten `rule { ... }`.\n",
			"| `port` | `number` | required | The port. |",
			"### Nested schema for `ports`\n\n| attribute | type | |\n|---|---|---|\n| `name` | `string` | optional |\n| `number` | `number` | required |\n| `tls` | [`object`](#nested-schema-for-portstls) | required |\n",
			"### Nested schema for `ports.tls`\n\n| attribute | type | |\n|---|---|---|\n| `cert` | `string` | required |\n",
		},
		SourcePage("svc"): {
			"weight: 2\n",
			"source \"svc\" \"NAME\" { ... }",
			"| `name` | `string` | required |  |",
		},
	} {
		for _, w := range want {
			if !strings.Contains(string(pages[name]), w) {
				t.Errorf("%s lacks %q:\n%s", name, w, pages[name])
			}
		}
	}
	if strings.Contains(string(pages[SourcePage("svc")]), "## Example") {
		t.Errorf("the source page shows an example it does not have:\n%s", pages[SourcePage("svc")])
	}
}

func TestReadExamplesErrors(t *testing.T) {
	t.Parallel()
	p := testProvider(t)
	for name, tc := range map[string]struct {
		fs   fstest.MapFS
		want string
	}{
		"unknown resource type": {fstest.MapFS{"resources/svx/a.slip.hcl": {}}, `examples: resources/svx: the provider has no resource type "svx" (it has svc)`},
		"unknown directory":     {fstest.MapFS{"data-sources/svc/a.slip.hcl": {}}, "examples: data-sources/ is not provider/, resources/ or sources/"},
		"not an example":        {fstest.MapFS{"sources/svc/a.tf": {}}, "examples: sources/svc/a.tf is not a .slip.hcl file"},
		"loose file":            {fstest.MapFS{"main.slip.hcl": {}}, "examples: main.slip.hcl is a file"},
		"empty type directory":  {fstest.MapFS{"sources/svc/.keep": {}}, "examples: sources/svc holds no .slip.hcl file"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadExamples(tc.fs, p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadExamples: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if ex, err := ReadExamples(nil, p); err != nil || len(ex.All()) != 0 {
		t.Errorf("ReadExamples(nil) = %v, %v; want no examples", ex, err)
	}
}

// TestWriteRemovesOnlyGeneratedPages: a page of a type that is gone goes,
// a page a person wrote in the same directory stays.
func TestWriteRemovesOnlyGeneratedPages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("resource-gone.md", Marker+" ... -->\n")
	write("guide.md", "# A guide written by hand\n")
	if err := Write(dir, map[string][]byte{IndexPage: []byte(Marker + " -->\n")}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"resource-gone.md": false, "guide.md": true, IndexPage: true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
}

func keys(m map[string][]byte) []string {
	return schemas.Names(m)
}
