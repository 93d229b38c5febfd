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

package plugins

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
)

// LockFileName is the lock file's name, beside the configuration.
const LockFileName = ".slipway.lock.hcl"

// Locks is the content of the lock file.
type Locks struct {
	Providers map[string]*Lock
}

// Lock pins one provider. A third-party provider is pinned by its version
// and the hashes of its binary, never by a path: any binary on the search
// path whose hash is listed is that provider. A built-in provider is
// pinned by the version of slipway that serves it.
type Lock struct {
	Name string
	// Version is the third-party provider's version.
	Version string
	// Hashes are the accepted hashes of the binary, each naming its
	// scheme ("sha256:HEX"); more than one lets one lock file serve
	// several platforms.
	Hashes []string
	// SlipwayVersion is set, and Version and Hashes are not, for a
	// built-in provider: the version of slipway that served it.
	SlipwayVersion string
	// Source is the OCI repository the provider was pulled from, for a
	// provider whose required_providers source names one; "" otherwise.
	Source string
	// Digest is the digest of the OCI image index that the version's
	// tag named when the provider was pinned ("sha256:HEX"). A binary
	// for another platform is pinned later only from that same index.
	Digest string
}

// Builtin reports whether the lock pins a built-in provider.
func (l *Lock) Builtin() bool { return l.SlipwayVersion != "" }

type lockBlock struct {
	Name    string  `hcl:"name,label"`
	Version *string `hcl:"version"`
	// Path was written by slipway 0.1, which pinned where the binary was.
	// It is read and ignored: the hashes are the pin.
	Path           *string   `hcl:"path"`
	Hashes         []string  `hcl:"hashes,optional"`
	SlipwayVersion *string   `hcl:"slipway_version"`
	Source         *string   `hcl:"source"`
	Digest         *string   `hcl:"digest"`
	DeclRange      hcl.Range `hcl:",def_range"`
}

type lockFile struct {
	Providers []*lockBlock `hcl:"provider,block"`
}

// LoadLocks reads the lock file in dir; a missing file gives empty locks.
func LoadLocks(dir string) (*Locks, hcl.Diagnostics) {
	locks := &Locks{Providers: map[string]*Lock{}}
	path := filepath.Join(dir, LockFileName)
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return locks, nil
	}
	if err != nil {
		return locks, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the lock file", Detail: err.Error()}}
	}
	if diags := lang.CheckNesting(src, path); diags.HasErrors() {
		return locks, diags // parsing it could overflow the stack
	}
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return locks, diags
	}
	var lf lockFile
	diags = append(diags, gohcl.DecodeBody(f.Body, nil, &lf)...)
	for _, p := range lf.Providers {
		r := p.DeclRange
		bad := func(detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid provider pin",
				Detail: detail + ` Run "slipway init -upgrade" to pin the providers again.`, Subject: &r})
		}
		l := &Lock{Name: p.Name, Hashes: p.Hashes}
		if p.Version != nil {
			l.Version = *p.Version
		}
		if p.Source != nil {
			l.Source = *p.Source
		}
		if p.Digest != nil {
			l.Digest = *p.Digest
		}
		switch {
		case p.SlipwayVersion != nil:
			if *p.SlipwayVersion == "" || p.Version != nil || len(p.Hashes) > 0 {
				bad(fmt.Sprintf("Provider %q is pinned as a built-in provider (slipway_version), which takes no version or hashes, only the version of slipway.", p.Name))
				continue
			}
			l.SlipwayVersion = *p.SlipwayVersion
		case p.Version == nil || len(p.Hashes) == 0:
			bad(fmt.Sprintf("Provider %q needs a version and at least one hash, or slipway_version for a built-in provider.", p.Name))
			continue
		case l.Digest != "" && (l.Source == "" || !strings.HasPrefix(l.Digest, HashScheme)):
			bad(fmt.Sprintf("Provider %q has the digest %q, which needs a source and is written %sHEX.", p.Name, l.Digest, HashScheme))
			continue
		}
		for _, h := range p.Hashes {
			if scheme, _, ok := strings.Cut(h, ":"); !ok || scheme == "" {
				bad(fmt.Sprintf("Provider %q has the hash %q, which names no scheme; slipway writes %sHEX.", p.Name, h, HashScheme))
			}
		}
		if _, dup := locks.Providers[p.Name]; dup {
			bad(fmt.Sprintf("Provider %q is pinned twice.", p.Name))
		}
		locks.Providers[p.Name] = l
	}
	return locks, diags
}

// Save writes the lock file into dir.
func (l *Locks) Save(dir string) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	names := make([]string, 0, len(l.Providers))
	for n := range l.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		p := l.Providers[n]
		if i > 0 {
			body.AppendNewline()
		}
		b := body.AppendNewBlock("provider", []string{n}).Body()
		if p.Builtin() {
			b.SetAttributeValue("slipway_version", cty.StringVal(p.SlipwayVersion))
			continue
		}
		b.SetAttributeValue("version", cty.StringVal(p.Version))
		if p.Source != "" {
			b.SetAttributeValue("source", cty.StringVal(p.Source))
		}
		if p.Digest != "" {
			b.SetAttributeValue("digest", cty.StringVal(p.Digest))
		}
		hashes := make([]cty.Value, len(p.Hashes))
		for i, h := range p.Hashes {
			hashes[i] = cty.StringVal(h)
		}
		b.SetAttributeValue("hashes", cty.ListVal(hashes))
	}
	header := "# This file is maintained by \"slipway init\".\n# It pins each provider by version and by the hashes of its binary;\n# commit it with the configuration.\n\n"
	tmp := filepath.Join(dir, LockFileName+".tmp")
	if err := os.WriteFile(tmp, append([]byte(header), f.Bytes()...), 0o644); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, LockFileName))
}
