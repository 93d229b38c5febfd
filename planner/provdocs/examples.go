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
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"slipway.dev/slipway/planner/schemas"
)

// ExampleSuffix ends the name of every example file.
const ExampleSuffix = ".slip.hcl"

// The directories of an examples directory.
const (
	providerDir  = "provider"
	resourcesDir = "resources"
	sourcesDir   = "sources"
)

// Example is one example configuration.
type Example struct {
	// Path is the file's path in the examples directory, with slashes
	// ("resources/file/basic.slip.hcl").
	Path string
	// Name is the file's name without ExampleSuffix ("basic").
	Name string
	Src  []byte
}

// Examples are a provider's example configurations, each list sorted by
// file name.
type Examples struct {
	Provider  []Example
	Resources map[string][]Example
	Sources   map[string][]Example
}

// All lists every example, the provider's first, then the resource
// types' and the source types', each by type name.
func (e *Examples) All() []Example {
	if e == nil {
		return nil
	}
	out := append([]Example(nil), e.Provider...)
	for _, t := range schemas.Names(e.Resources) {
		out = append(out, e.Resources[t]...)
	}
	for _, t := range schemas.Names(e.Sources) {
		out = append(out, e.Sources[t]...)
	}
	return out
}

// ReadExamples reads the examples of provider p from fsys, laid out as
// the package documentation says. A nil fsys has no examples; names
// that begin with a dot are left out. Any other entry
// of fsys that fits no place of the layout (a type p does not have, a
// file that is not *.slip.hcl) is an error that names it, so a renamed
// type cannot leave its examples behind unseen.
func ReadExamples(fsys fs.FS, p *schemas.Provider) (*Examples, error) {
	out := &Examples{Resources: map[string][]Example{}, Sources: map[string][]Example{}}
	if fsys == nil {
		return out, nil
	}
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read the examples: %w", err)
	}
	var errs []error
	for _, e := range top {
		switch name := e.Name(); {
		case hidden(name):
		case !e.IsDir():
			errs = append(errs, fmt.Errorf("examples: %s is a file; examples go in provider/, resources/TYPE/ or sources/TYPE/", name))
		case name == providerDir:
			out.Provider, err = readExampleDir(fsys, name)
			errs = append(errs, err)
		case name == resourcesDir || name == sourcesDir:
			types, into, what := p.ResourceSchemas, out.Resources, "resource"
			if name == sourcesDir {
				types, into, what = p.SourceSchemas, out.Sources, "source"
			}
			dirs, err := fs.ReadDir(fsys, name)
			if err != nil {
				errs = append(errs, fmt.Errorf("read the examples: %w", err))
				continue
			}
			for _, d := range dirs {
				if hidden(d.Name()) {
					continue
				}
				dir := path.Join(name, d.Name())
				if _, ok := types[d.Name()]; !ok || !d.IsDir() {
					errs = append(errs, fmt.Errorf("examples: %s: the provider has no %s type %q (it has %s)", dir, what, d.Name(), nameList(schemas.Names(types))))
					continue
				}
				into[d.Name()], err = readExampleDir(fsys, dir)
				errs = append(errs, err)
			}
		default:
			errs = append(errs, fmt.Errorf("examples: %s/ is not provider/, resources/ or sources/", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// readExampleDir reads the *.slip.hcl files of one directory.
func readExampleDir(fsys fs.FS, dir string) ([]Example, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read the examples: %w", err)
	}
	var out []Example
	var errs []error
	for _, e := range entries {
		if hidden(e.Name()) {
			continue
		}
		p := path.Join(dir, e.Name())
		if e.IsDir() || !strings.HasSuffix(e.Name(), ExampleSuffix) {
			errs = append(errs, fmt.Errorf("examples: %s is not a %s file", p, ExampleSuffix))
			continue
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read the examples: %w", err))
			continue
		}
		out = append(out, Example{Path: p, Name: strings.TrimSuffix(e.Name(), ExampleSuffix), Src: src})
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("examples: %s holds no %s file", dir, ExampleSuffix))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

// hidden reports whether a name is left out of the examples: a dot file,
// such as the lock file and provider directory of a slipway init run in
// an example's directory.
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

func nameList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
