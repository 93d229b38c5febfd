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

package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with every character that is not printable written
// as an escape (WriteRune), keeping tabs: for text shown as one line, such
// as a value, an address, a file name or a line of source.
func Printable(s string) string { return escape(s, false) }

// Lines is Printable keeping newlines too: for text of several lines,
// such as a diagnostic's detail or what a pipeline stage printed.
func Lines(s string) string { return escape(s, true) }

func escape(s string, newlines bool) string {
	keep := func(r rune) bool { return r == '\t' || (newlines && r == '\n') }
	clean := 0
	for _, r := range s {
		if !shown(r) && !keep(r) {
			break
		}
		clean += utf8.RuneLen(r)
	}
	if clean == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:clean])
	for _, r := range s[clean:] {
		if keep(r) {
			b.WriteRune(r)
			continue
		}
		WriteRune(&b, r)
	}
	return b.String()
}

// shown reports whether r is written as itself. utf8.RuneError is not:
// ranging over a string yields it for each byte that is not UTF-8, and
// such a byte must not reach a terminal that reads it as a C1 control.
func shown(r rune) bool {
	return r != utf8.RuneError && unicode.IsPrint(r)
}

// WriteRune writes r to b as itself when it is printable, and otherwise
// as \uXXXX (\UXXXXXXXX beyond the Basic Multilingual Plane), with
// \uFFFD for a byte that is not UTF-8. They are the escapes of Go's and
// HCL's strings, so what is shown can be copied back into one.
func WriteRune(b *strings.Builder, r rune) {
	switch {
	case r == utf8.RuneError:
		b.WriteString(`\uFFFD`)
	case unicode.IsPrint(r):
		b.WriteRune(r)
	case r <= 0xFFFF:
		fmt.Fprintf(b, `\u%04X`, r)
	default:
		fmt.Fprintf(b, `\U%08X`, r)
	}
}
