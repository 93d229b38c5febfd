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

package command

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"slipway.dev/slipway/planner/provdocs"
	"slipway.dev/slipway/planner/schemas"
)

// ProvidersArgs are the flags of `slipway providers` and `slipway
// providers schema`.
type ProvidersArgs struct {
	JSON bool
	// BuiltinVersion returns the version of a built-in provider.
	BuiltinVersion func(name string) string
}

// ProvidersDocument is what `slipway providers -json` prints, whose
// schema is website/schema/providers.schema.json.
type ProvidersDocument struct {
	Providers []versionProvider `json:"providers"`
}

// Providers runs `slipway providers`: every provider built into slipway
// and every provider the configuration in the directory needs, with its
// version and where it was found. It never starts a provider.
func (m *Meta) Providers(a ProvidersArgs) int {
	list := m.allProviders(VersionArgs{BuiltinVersion: a.BuiltinVersion})
	if a.JSON {
		m.View.JSON(ProvidersDocument{Providers: list})
		return 0
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tVERSION\tFOUND\tPATH")
	for _, p := range list {
		v := p.Version
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, v, foundText(p.Found), p.Path)
	}
	tw.Flush()
	m.View.Printf("%s", b.String())
	for _, p := range list {
		if p.Note != "" {
			m.View.Printf("\n%s: %s\n", p.Name, p.Note)
		}
	}
	return 0
}

// foundText is where a provider was found, for people.
func foundText(found string) string {
	switch found {
	case FoundBuiltin:
		return "built in"
	case FoundLockFile:
		return "pinned"
	case FoundSearchPath:
		return "not pinned"
	}
	return "not found"
}

// allProviders is every built-in provider, then every other provider the
// configuration needs, by name.
func (m *Meta) allProviders(a VersionArgs) []versionProvider {
	inUse := m.providersInUse(a)
	seen := map[string]bool{}
	var out []versionProvider
	for _, p := range inUse {
		seen[p.Name] = true
		out = append(out, p)
	}
	for name := range m.Builtins {
		if seen[name] {
			continue
		}
		p := versionProvider{Name: name, Found: FoundBuiltin}
		if a.BuiltinVersion != nil {
			p.Version = a.BuiltinVersion(name)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ProvidersSchema runs `slipway providers schema -json`: it starts every
// provider that `slipway providers` lists as slipway would (built-ins as
// child processes, others only when pinned) and prints their schemas.
func (m *Meta) ProvidersSchema(ctx context.Context, a ProvidersArgs) int {
	if !a.JSON {
		m.View.Error(fmt.Errorf("slipway providers schema prints JSON only: run slipway providers schema -json"))
		return 1
	}
	set, diags := m.providerSet()
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	defer set.Close()
	doc := schemas.Document{FormatVersion: schemas.FormatVersion, ProviderSchemas: map[string]*schemas.Provider{}}
	failed := false
	for _, p := range m.allProviders(VersionArgs{}) {
		if p.Found == FoundNone || p.Found == FoundSearchPath {
			m.View.Error(fmt.Errorf("provider %q: %s", p.Name, p.Note))
			failed = true
			continue
		}
		c, err := set.Get(ctx, "provider."+p.Name, p.Name)
		if err != nil {
			m.View.Error(err)
			failed = true
			continue
		}
		s, err := c.Schemas(ctx)
		if err == nil {
			doc.ProviderSchemas[p.Name], err = schemas.FromSDK(s)
		}
		if err != nil {
			m.View.Error(fmt.Errorf("provider %q: %w", p.Name, err))
			failed = true
		}
	}
	if failed {
		return 1
	}
	m.View.JSON(doc)
	return 0
}

// ProvidersDocsArgs are the arguments of `slipway providers docs`.
type ProvidersDocsArgs struct {
	// Name is the provider's.
	Name string
	// Out is the directory the pages go into.
	Out string
	// Examples is the provider's examples directory; empty: a built-in
	// provider's own, none for another.
	Examples string
	// BuiltinExamples returns the examples a built-in provider carries.
	BuiltinExamples func(name string) fs.FS
}

// ProvidersDocs runs `slipway providers docs NAME -out DIR`: it starts
// provider NAME as `providers schema -json` does and writes its reference
// pages, with the examples of its examples directory, into DIR
// (package provdocs says what the pages are).
func (m *Meta) ProvidersDocs(ctx context.Context, a ProvidersDocsArgs) int {
	if a.Out == "" {
		m.View.Error(fmt.Errorf("slipway providers docs needs -out DIR, the directory to write the pages into"))
		return 1
	}
	var found *versionProvider
	for _, p := range m.allProviders(VersionArgs{}) {
		if p.Name == a.Name {
			found = &p
			break
		}
	}
	switch {
	case found == nil:
		m.View.Error(fmt.Errorf("provider %q is neither built into slipway nor required by the configuration in this directory: add it to required_providers, run slipway init, and run slipway providers docs again (slipway providers lists what slipway finds)", a.Name))
		return 1
	case found.Found == FoundNone || found.Found == FoundSearchPath:
		m.View.Error(fmt.Errorf("provider %q: %s", a.Name, found.Note))
		return 1
	}
	builtin := found.Found == FoundBuiltin

	var examples fs.FS
	switch {
	case a.Examples != "":
		if st, err := os.Stat(a.Examples); err != nil || !st.IsDir() {
			m.View.Error(fmt.Errorf("-examples %s is not a directory: name the directory that holds provider/, resources/TYPE/ and sources/TYPE/", a.Examples))
			return 1
		}
		examples = os.DirFS(a.Examples)
	case builtin && a.BuiltinExamples != nil:
		examples = a.BuiltinExamples(a.Name)
	}

	set, diags := m.providerSet()
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	defer set.Close()
	c, err := set.Get(ctx, "provider."+a.Name, a.Name)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	s, err := c.Schemas(ctx)
	if err != nil {
		m.View.Error(fmt.Errorf("provider %q: %w", a.Name, err))
		return 1
	}
	doc, err := schemas.FromSDK(s)
	if err != nil {
		m.View.Error(fmt.Errorf("provider %q: %w", a.Name, err))
		return 1
	}
	ex, err := provdocs.ReadExamples(examples, doc)
	if err != nil {
		m.View.Error(fmt.Errorf("%w\n(-examples names the directory that holds provider/, resources/TYPE/ and sources/TYPE/)", err))
		return 1
	}
	pages, err := provdocs.Pages(a.Name, doc, ex, provdocs.Options{Builtin: builtin})
	if err == nil {
		err = provdocs.Write(a.Out, pages)
	}
	if err != nil {
		m.View.Error(fmt.Errorf("provider %q: %w", a.Name, err))
		return 1
	}
	examplesText := "1 example"
	if n := len(ex.All()); n != 1 {
		examplesText = fmt.Sprintf("%d examples", n)
	}
	m.View.Printf("Wrote %d pages of provider %s into %s, with %s.\n", len(pages), a.Name, a.Out, examplesText)
	if examples == nil {
		m.View.Printf("It has no examples: write them as the documentation says (Documenting a provider), and name their directory with -examples.\n")
	}
	return 0
}
