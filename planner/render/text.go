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

package render

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"slipway.dev/slipway/internal/termtext"
)

// Options shape the human views.
type Options struct {
	// Color turns on ANSI colours and bold.
	Color bool
	// Width is the terminal width prose is wrapped to; 0 means 78.
	Width int
}

func (o Options) width() int {
	if o.Width <= 0 {
		return 78
	}
	return o.Width
}

// painter writes ANSI SGR sequences when colour is on and nothing when it
// is off, so the same code draws both.
type painter bool

const (
	sgrBold   = "1"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrCyan   = "36"
)

func (p painter) paint(sgr, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

func (p painter) bold(s string) string { return p.paint(sgrBold, s) }

// symbol colours an action symbol: green adds, yellow updates, red
// removes, cyan reads and runs.
func (p painter) symbol(sym string) string {
	switch sym {
	case "+":
		return p.paint(sgrGreen, sym)
	case "~":
		return p.paint(sgrYellow, sym)
	case "-":
		return p.paint(sgrRed, sym)
	case "<=", ">":
		return p.paint(sgrCyan, sym)
	case "-/+":
		return p.paint(sgrRed, "-") + "/" + p.paint(sgrGreen, "+")
	case "+/-":
		return p.paint(sgrGreen, "+") + "/" + p.paint(sgrRed, "-")
	}
	return sym
}

// quote writes s as an HCL quoted string, escaping what HCL would and
// every non-printing character, so no value can move the terminal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r) // ${ and %{ would start a template
			}
		default:
			termtext.WriteRune(&b, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// printable escapes non-printing characters in free text such as a
// heredoc line, an object address or a reason, keeping tabs. It is
// termtext.Printable, which the diagnostics and the CLI's lines share.
func printable(s string) string { return termtext.Printable(s) }

// attrName writes an object attribute name bare when it is an HCL
// identifier, quoted otherwise.
func attrName(name string) string {
	if name == "" {
		return quote(name)
	}
	for i, r := range name {
		ok := r == '_' || unicode.IsLetter(r) || (i > 0 && (r == '-' || unicode.IsDigit(r)))
		if !ok {
			return quote(name)
		}
	}
	return name
}

// numberText writes whole numbers with every digit and fractions in the
// shortest form that reads back the same.
func numberText(f *big.Float) string {
	if f.IsInt() && !f.IsInf() {
		i, _ := f.Int(nil)
		return i.String()
	}
	return f.Text('f', -1)
}

// plural picks the singular or plural noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// wrap breaks prose into lines of at most width columns.
func wrap(text string, width int) string {
	var out strings.Builder
	col := 0
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case col == 0:
		case col+1+n > width:
			out.WriteByte('\n')
			col = 0
		default:
			out.WriteByte(' ')
			col++
		}
		out.WriteString(word)
		col += n
	}
	return out.String()
}
