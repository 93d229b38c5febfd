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

package schema

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator checks JSON output against the published schemas.
type Validator struct {
	schemas map[string]*jsonschema.Schema // by file name
}

// Load compiles the schemas in dir (website/schema), one for each of
// Documents, asserting formats such as date-time.
func Load(dir string) (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	v := &Validator{schemas: map[string]*jsonschema.Schema{}}
	for _, d := range Documents {
		f, err := os.Open(filepath.Join(dir, d.File))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		if err := c.AddResource(BaseURL+d.File, doc); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		s, err := c.Compile(BaseURL + d.File)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		v.schemas[d.File] = s
	}
	return v, nil
}

// Validate checks one JSON document against the schema in file.
func (v *Validator) Validate(file string, doc []byte) error {
	s, ok := v.schemas[file]
	if !ok {
		return fmt.Errorf("no schema %s", file)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("not valid against %s: %w", file, err)
	}
	return nil
}

// ValidateStream checks JSON lines, each one event of the
// machine-readable UI; the first must be the version event.
func (v *Validator) ValidateStream(stream []byte) error {
	if len(stream) == 0 {
		return fmt.Errorf("the stream is empty: it must start with a version event")
	}
	if !bytes.HasSuffix(stream, []byte("\n")) {
		return fmt.Errorf("the stream does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(string(stream), "\n"), "\n")
	for i, line := range lines {
		if err := v.Validate("ui-events.schema.json", []byte(line)); err != nil {
			return fmt.Errorf("line %d: %w\n%s", i+1, err, line)
		}
		if i == 0 && !strings.Contains(line, `"type":"version"`) {
			return fmt.Errorf("line 1 is not the version event: %s", line)
		}
	}
	return nil
}
