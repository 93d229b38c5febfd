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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

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

// Lock pins one provider binary.
type Lock struct {
	Name    string
	Version string
	Path    string
	// Hashes are "sha256:HEX" checksums of the binary.
	Hashes []string
}

type lockFile struct {
	Providers []struct {
		Name    string   `hcl:"name,label"`
		Version string   `hcl:"version"`
		Path    string   `hcl:"path"`
		Hashes  []string `hcl:"hashes"`
	} `hcl:"provider,block"`
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
		locks.Providers[p.Name] = &Lock{Name: p.Name, Version: p.Version, Path: p.Path, Hashes: p.Hashes}
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
		b.SetAttributeValue("version", cty.StringVal(p.Version))
		b.SetAttributeValue("path", cty.StringVal(p.Path))
		hashes := make([]cty.Value, len(p.Hashes))
		for i, h := range p.Hashes {
			hashes[i] = cty.StringVal(h)
		}
		b.SetAttributeValue("hashes", cty.ListVal(hashes))
	}
	header := "# This file is maintained by \"slipway init\".\n# It pins each provider binary by checksum; commit it with the configuration.\n\n"
	tmp := filepath.Join(dir, LockFileName+".tmp")
	if err := os.WriteFile(tmp, append([]byte(header), f.Bytes()...), 0o644); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, LockFileName))
}

// HashFile returns the "sha256:HEX" checksum of a file.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
