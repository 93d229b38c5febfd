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

package helm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// knownDrafts are the $schema values Helm's validator
// (santhosh-tekuri/jsonschema) knows without loading anything, with or
// without a trailing "#".
var knownDrafts = map[string]bool{
	"http://json-schema.org/schema":                true,
	"http://json-schema.org/draft-04/schema":       true,
	"http://json-schema.org/draft-06/schema":       true,
	"http://json-schema.org/draft-07/schema":       true,
	"https://json-schema.org/draft/2019-09/schema": true,
	"https://json-schema.org/draft/2020-12/schema": true,
}

// confineSchemas takes out of the values.schema.json of ch and of each
// of its subcharts what would make Helm's validation load a document
// from outside the chart: a $ref, $dynamicRef or $recursiveRef that is
// not a fragment of the schema itself ("#/definitions/port") or a URN
// (which Helm resolves to an empty schema), and a $schema that is not a
// draft the validator knows. Helm loads those with its file and HTTP
// loaders, from any path of the machine and any address: a chart under
// review could make a plan (an offline one too) read a local file or
// call an address of the CI runner's network, whatever slipway's own
// confinement of the chart's files. The schema keeps every other rule,
// and what was taken out is returned, for a warning: values are not
// checked against what it referred to. A schema that refers to nothing
// outside is left byte for byte as it is.
//
// Why not through Helm: its validator's loaders are fixed inside
// chartutil.ValidateAgainstSingleSchema, and SkipSchemaValidation would
// drop the chart's own rules as well.
func confineSchemas(ch *chart.Chart) ([]string, error) {
	var out []string
	var walk func(c *chart.Chart) error
	walk = func(c *chart.Chart) error {
		if len(c.Schema) > 0 {
			schema, removed, err := confineSchema(c.Schema)
			if err != nil {
				return fmt.Errorf("chart %s: values.schema.json: %w", c.Name(), err)
			}
			for _, r := range removed {
				out = append(out, fmt.Sprintf("%s: %s", c.Name(), r))
			}
			c.Schema = schema
		}
		for _, d := range c.Dependencies() {
			if err := walk(d); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(ch); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// confineSchema is confineSchemas for one schema document.
func confineSchema(doc []byte) ([]byte, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// Helm reports a schema that is not JSON itself.
		return doc, nil, nil
	}
	var removed []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
				if s, ok := v[k].(string); ok && !strings.HasPrefix(s, "#") && !strings.HasPrefix(s, "urn:") {
					removed = append(removed, fmt.Sprintf("%s %q", k, s))
					delete(v, k)
				}
			}
			if s, ok := v["$schema"].(string); ok && !knownDrafts[strings.TrimSuffix(s, "#")] {
				removed = append(removed, fmt.Sprintf("$schema %q", s))
				delete(v, "$schema")
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	if len(removed) == 0 {
		return doc, nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	return b, removed, nil
}
