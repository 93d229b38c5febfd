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
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestEscapes: what could move a terminal or reorder what it shows is
// written as an escape; printable text, tabs and (for Lines) newlines
// come out as they are.
func TestEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, printable, lines string }{
		{"plain text, ünïcödé 日本 🚀", "plain text, ünïcödé 日本 🚀", "plain text, ünïcödé 日本 🚀"},
		{"a\tb", "a\tb", "a\tb"},
		{"a\nb", `a\u000Ab`, "a\nb"},
		{"ok\r\x1b[2K\x1b]52;c;Y3VybCBldmlsfHNo\x07", `ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007`, `ok\u000D\u001B[2K\u001B]52;c;Y3VybCBldmlsfHNo\u0007`},
		{"\x00\x08\x0b\x0c\x7f", `\u0000\u0008\u000B\u000C\u007F`, `\u0000\u0008\u000B\u000C\u007F`},
		{"\u0085\u009b31m\u009d", `\u0085\u009B31m\u009D`, `\u0085\u009B31m\u009D`},
		{"evil\u202Etxt.exe", `evil\u202Etxt.exe`, `evil\u202Etxt.exe`},
		{"\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069", `\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069`, `\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069`},
		{"a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF", `a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF`, `a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF`},
		{"line\u2028para\u2029", `line\u2028para\u2029`, `line\u2028para\u2029`},
		{"\U000E0041tag", `\U000E0041tag`, `\U000E0041tag`},
		// A byte that is not UTF-8 (0x9B is CSI on an 8-bit terminal),
		// alone or first: never passed through.
		{"\x9b31mred", `\uFFFD31mred`, `\uFFFD31mred`},
		{"ok \xff", `ok \uFFFD`, `ok \uFFFD`},
	}
	for _, tt := range tests {
		if got := Printable(tt.in); got != tt.printable {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.printable)
		}
		if got := Lines(tt.in); got != tt.lines {
			t.Errorf("Lines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

// TestEveryRune: for every rune, Printable writes the rune itself only
// when it is printable or a tab, and an escape otherwise.
func TestEveryRune(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		got := Printable("x" + s)
		self := got == "x"+s
		if want := r != utf8.RuneError && (r == '\t' || unicode.IsPrint(r)); self != want {
			t.Fatalf("Printable(%U) = %q", r, got)
		}
		if !self && !strings.HasPrefix(got, `x\u`) && !strings.HasPrefix(got, `x\U`) {
			t.Fatalf("Printable(%U) = %q, not an escape", r, got)
		}
	}
}
