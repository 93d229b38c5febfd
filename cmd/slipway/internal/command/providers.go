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
	"sort"
	"strings"
	"text/tabwriter"

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
