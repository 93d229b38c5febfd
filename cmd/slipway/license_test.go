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

package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// licenseHeader is the notice the Apache License asks each source file to
// carry. The year is the year the file was written.
const licenseHeader = `// Copyright 2026 The slipway Authors
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
`

// headerPattern is licenseHeader with any year.
var headerPattern = regexp.MustCompile(`^` + strings.Replace(regexp.QuoteMeta(licenseHeader), "2026", `\d{4}`, 1) + "\n")

// generatedPattern marks generated files (https://go.dev/s/generatedcode),
// which carry no header of their own.
var generatedPattern = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

var fixHeaders = flag.Bool("fix-headers", false, "add the licence header to every Go file that lacks it")

// TestLicenseHeaders checks that every Go file of the module that is not
// generated starts with the licence header. With -fix-headers it adds the
// header where it is missing instead.
func TestLicenseHeaders(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if headerPattern.Match(src) || generatedPattern.Match(src) {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if *fixHeaders {
			return os.WriteFile(path, withLicenseHeader(src), 0o644)
		}
		missing = append(missing, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%d Go files do not start with the licence header (run `make license-headers`):\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
}

// withLicenseHeader puts the header and a blank line before src, so that
// the header is never read as the package's doc comment.
func withLicenseHeader(src []byte) []byte {
	var b bytes.Buffer
	b.WriteString(licenseHeader)
	b.WriteString("\n")
	b.Write(src)
	return b.Bytes()
}

func TestWithLicenseHeader(t *testing.T) {
	src := []byte("// Package x does things.\npackage x\n")
	got := withLicenseHeader(src)
	if !headerPattern.Match(got) {
		t.Errorf("the header added does not match the header checked:\n%s", got)
	}
	if headerPattern.Match(src) {
		t.Errorf("a file without the header passes the check")
	}
	if !bytes.HasSuffix(got, append([]byte("\n\n"), src...)) {
		t.Errorf("the header is not followed by a blank line:\n%s", got)
	}
}
