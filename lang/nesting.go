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

package lang

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// The HCL parser and the evaluation of what it parses recurse once per
// level of nesting, and a deep enough file (100,000 parentheses) ends the
// process with a stack overflow, which nothing can recover. So every file
// and value slipway parses is scanned first, and refused when it nests
// deeper than a limit or chains more operators in one expression than a
// limit allows.

// MaxNestingEnv is the environment variable that sets the nesting limit.
const MaxNestingEnv = "SLIPWAY_MAX_NESTING"

const (
	// DefaultMaxNesting is how deep brackets, braces, parentheses,
	// strings, template interpolations and template directives may nest
	// when SLIPWAY_MAX_NESTING is not set.
	DefaultMaxNesting = 200
	// nestingCeiling is the largest limit SLIPWAY_MAX_NESTING may set,
	// far below the depth at which the parser's stack overflows (tens of
	// thousands).
	nestingCeiling = 2000
	// operatorsPerLevel scales the nesting limit to the number of
	// operators one expression may chain: each binary, unary or
	// conditional operator is another level of recursion too, only a
	// cheaper one. 10,000 by default.
	operatorsPerLevel = 50
)

// syntax is the kind of text a nesting scan reads.
type syntax int

const (
	nativeSyntax   syntax = iota // HCL native syntax: *.slip.hcl, .slipvars, -var values
	jsonSyntax                   // HCL's JSON syntax: *.slip.json, .slipvars.json
	templateSyntax               // a template file: text with ${...} and %{...}
)

// syntaxOf picks the syntax of a configuration or variables file by name.
func syntaxOf(filename string) syntax {
	if strings.HasSuffix(filename, ".json") {
		return jsonSyntax
	}
	return nativeSyntax
}

// CheckNesting refuses src, the content of the HCL file filename (JSON
// syntax when the name ends in .json), when it nests deeper or chains
// more operators than the limits allow. Call it before parsing any HCL
// that slipway did not write itself.
func CheckNesting(src []byte, filename string) hcl.Diagnostics {
	return checkNesting(src, filename, syntaxOf(filename))
}

// nestingLimit is the nesting limit in force: SLIPWAY_MAX_NESTING, or
// DefaultMaxNesting.
func nestingLimit() (int, *hcl.Diagnostic) {
	s := os.Getenv(MaxNestingEnv)
	if s == "" {
		return DefaultMaxNesting, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > nestingCeiling {
		return DefaultMaxNesting, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + MaxNestingEnv,
			Detail: fmt.Sprintf("The environment variable %s is %q, but it must be a whole number from 1 to %d: how deep brackets, braces, parentheses and template interpolations may nest in a file (%d when it is not set).",
				MaxNestingEnv, s, nestingCeiling, DefaultMaxNesting),
		}
	}
	return n, nil
}

// checkNesting scans src for the limits before it is parsed.
func checkNesting(src []byte, filename string, syn syntax) hcl.Diagnostics {
	limit, d := nestingLimit()
	if d != nil {
		return hcl.Diagnostics{d}
	}
	s := newNestScan(src, limit, limit*operatorsPerLevel, 0, 0)
	switch syn {
	case jsonSyntax:
		s.json()
	case templateSyntax:
		s.scan(frame{kind: textFrame})
	default:
		s.scan(frame{kind: codeFrame})
	}
	if s.failAt < 0 {
		return nil
	}
	pos := position(src, s.failAt)
	end := pos
	if s.failAt < len(src) {
		_, size := utf8.DecodeRune(src[s.failAt:])
		end = hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + size}
	}
	rng := &hcl.Range{Filename: filename, Start: pos, End: end}
	where := fmt.Sprintf("line %d, column %d", pos.Line, pos.Column)
	if filename != "" {
		where += " of " + filename
	}
	if s.tooDeep {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Nesting too deep",
			Detail: fmt.Sprintf("Brackets, braces, parentheses, strings and template interpolations nest more than %d deep at %s. "+
				"slipway refuses files nested deeper than that before parsing them, so that no file can exhaust the parser's stack. "+
				"Flatten the expression, for instance by moving parts of it into locals, or raise the limit (at most %d) with the environment variable %s.",
				limit, where, nestingCeiling, MaxNestingEnv),
			Subject: rng,
		}}
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Expression too long",
		Detail: fmt.Sprintf("An expression chains more than %d operators by %s. "+
			"slipway refuses such expressions before parsing them, since each operator is another level of recursion when the expression is parsed and evaluated. "+
			"Split the expression, for instance into locals, or raise the limit with the environment variable %s: it allows %d operators for each level of nesting it allows (%d by default).",
			s.maxOps, where, MaxNestingEnv, operatorsPerLevel, DefaultMaxNesting),
		Subject: rng,
	}}
}

// position is the hcl.Pos of byte offset off of src: 1-based line and
// column, the column counted in characters.
func position(src []byte, off int) hcl.Pos {
	line, col := 1, 1
	for i := 0; i < off && i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return hcl.Pos{Line: line, Column: col, Byte: off}
}

type frameKind int

const (
	codeFrame    frameKind = iota // the top level of a file or -var value
	parenFrame                    // ( ... )
	bracketFrame                  // [ ... ]
	braceFrame                    // { ... }: a block body or an object
	interpFrame                   // ${ ... } or %{ ... } in a template
	quotedFrame                   // "..."
	heredocFrame                  // <<EOT ... EOT
	textFrame                     // the top level of a template file
)

func (k frameKind) isCode() bool { return k <= interpFrame }

// frame is one open level of a nesting scan.
type frame struct {
	kind frameKind
	// ops counts the operators of the expression under way at this level.
	ops int
	// directives counts the %{ if } and %{ for } open in a template.
	directives int
	marker     string // a heredoc's closing marker
}

// nestScan scans one text. It is deliberately rough: it knows where
// strings, comments, heredocs and interpolations start and end, and
// counts over rather than under where it is unsure.
type nestScan struct {
	src              []byte
	maxDepth, maxOps int
	stack            []frame
	// depth and ops are the levels and operators of the text around this
	// one (a JSON string's template); directives and opsOpen the running
	// totals of the frames on stack.
	depth, ops          int
	directives, opsOpen int
	failAt              int // the offset where a limit was passed; -1 while none was
	tooDeep             bool
}

func newNestScan(src []byte, maxDepth, maxOps, depth, ops int) *nestScan {
	return &nestScan{src: src, maxDepth: maxDepth, maxOps: maxOps, depth: depth, ops: ops, failAt: -1}
}

func (s *nestScan) levels() int { return s.depth + len(s.stack) - 1 + s.directives }

func (s *nestScan) push(f frame, at int) bool {
	s.stack = append(s.stack, f)
	if s.levels() > s.maxDepth {
		s.failAt, s.tooDeep = at, true
		return false
	}
	return true
}

// pop closes the innermost level; the outermost is never closed.
func (s *nestScan) pop() {
	if len(s.stack) > 1 {
		f := s.stack[len(s.stack)-1]
		s.directives -= f.directives
		s.opsOpen -= f.ops
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// addOp counts an operator of the expression under way.
func (s *nestScan) addOp(at int) bool {
	s.stack[len(s.stack)-1].ops++
	s.opsOpen++
	if s.ops+s.opsOpen > s.maxOps {
		s.failAt = at
		return false
	}
	return true
}

// endExpr starts a new expression at the innermost level.
func (s *nestScan) endExpr() {
	cur := &s.stack[len(s.stack)-1]
	s.opsOpen -= cur.ops
	cur.ops = 0
}

// scan reads the whole text, which starts within top.
func (s *nestScan) scan(top frame) {
	s.stack = append(s.stack[:0], top)
	src := s.src
	lineStart := true
	for i := 0; i < len(src); {
		cur := &s.stack[len(s.stack)-1]
		c := src[i]
		atLineStart := lineStart
		lineStart = c == '\n'
		if cur.kind.isCode() {
			switch {
			case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			case c == '/' && i+1 < len(src) && src[i+1] == '*':
				if j := bytes.Index(src[i+2:], []byte("*/")); j >= 0 {
					i += 2 + j + 2
				} else {
					i = len(src)
				}
				continue
			case c == '"':
				if !s.push(frame{kind: quotedFrame}, i) {
					return
				}
			case c == '<' && i+1 < len(src) && src[i+1] == '<':
				if marker, body, ok := heredocStart(src, i); ok {
					if !s.push(frame{kind: heredocFrame, marker: marker}, i) {
						return
					}
					i, lineStart = body, true
					continue
				}
				if !s.addOp(i) {
					return
				}
			case c == '(':
				if !s.push(frame{kind: parenFrame}, i) {
					return
				}
			case c == '[':
				if !s.push(frame{kind: bracketFrame}, i) {
					return
				}
			case c == '{':
				if !s.push(frame{kind: braceFrame}, i) {
					return
				}
			case c == ')' || c == ']' || c == '}':
				s.pop()
			case c == ',':
				s.endExpr()
			case c == '\n':
				if cur.kind == codeFrame || cur.kind == braceFrame {
					s.endExpr()
				}
			case strings.IndexByte("+-*/%!<>=&|?", c) >= 0:
				if !s.addOp(i) {
					return
				}
			}
			i++
			continue
		}
		// A quoted string, a heredoc or template text.
		if cur.kind == heredocFrame && atLineStart && heredocEnd(src, i, cur.marker) {
			s.pop()
			continue
		}
		switch {
		case c == '\\' && cur.kind == quotedFrame:
			i += 2
			continue
		case c == '"' && cur.kind == quotedFrame:
			s.pop()
		case c == '\n' && cur.kind == quotedFrame:
			s.pop() // a quoted string cannot span lines: the parser says so
			lineStart = true
		case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
			i += 3 // $${ and %%{ are literal
			continue
		case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
			if c == '%' {
				// Each if and for directive nests the template up to its
				// end directive.
				switch directiveWord(src[i+2:]) {
				case "if", "for":
					cur.directives++
					s.directives++
				case "endif", "endfor":
					if cur.directives > 0 {
						cur.directives--
						s.directives--
					}
				}
			}
			if !s.push(frame{kind: interpFrame}, i) {
				return
			}
			i += 2
			continue
		}
		i++
	}
}

// heredocStart reads "<<EOT" or "<<-EOT" and the newline after it at
// src[i:], returning the marker and the offset where the body starts.
func heredocStart(src []byte, i int) (marker string, body int, ok bool) {
	j := i + 2
	if j < len(src) && src[j] == '-' {
		j++
	}
	k := j
	for k < len(src) && (src[k] == '_' || src[k] == '-' || src[k] >= '0' && src[k] <= '9' || src[k] >= 'a' && src[k] <= 'z' || src[k] >= 'A' && src[k] <= 'Z' || src[k] >= 0x80) {
		k++
	}
	if k == j {
		return "", 0, false
	}
	marker = string(src[j:k])
	if k < len(src) && src[k] == '\r' {
		k++
	}
	if k >= len(src) || src[k] != '\n' {
		return "", 0, false
	}
	return marker, k + 1, true
}

// heredocEnd reports whether the line at src[i:] closes a heredoc: the
// marker alone, perhaps indented.
func heredocEnd(src []byte, i int, marker string) bool {
	j := i
	for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
		j++
	}
	if !strings.HasPrefix(string(src[j:min(len(src), j+len(marker))]), marker) {
		return false
	}
	rest := src[j+len(marker):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r') {
		rest = rest[1:]
	}
	return len(rest) == 0 || rest[0] == '\n'
}

// directiveWord is the keyword of a template directive after its "%{".
func directiveWord(b []byte) string {
	i := 0
	if i < len(b) && b[i] == '~' {
		i++
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	j := i
	for j < len(b) && b[j] >= 'a' && b[j] <= 'z' {
		j++
	}
	return string(b[i:j])
}

// json scans a file in HCL's JSON syntax: its arrays and objects, and
// the templates in its strings, which HCL parses when it evaluates them.
func (s *nestScan) json() {
	src := s.src
	depth := s.depth
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '[', '{':
			depth++
			if depth > s.maxDepth {
				s.failAt, s.tooDeep = i, true
				return
			}
		case ']', '}':
			depth = max(0, depth-1)
		case '"':
			j := i + 1
			escaped := false
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
					escaped = true
				}
				j++
			}
			if j >= len(src) {
				return // unterminated: the parser says so
			}
			raw := src[i : j+1]
			if bytes.IndexByte(raw, '{') >= 0 {
				// The string may be a template: scan what it says as a
				// text of its own, reporting a limit at the string.
				text := raw[1 : len(raw)-1]
				if escaped {
					var u string
					if json.Unmarshal(raw, &u) != nil {
						i = j
						continue
					}
					text = []byte(u)
				}
				inner := newNestScan(text, s.maxDepth, s.maxOps, depth+1, 0)
				inner.scan(frame{kind: textFrame})
				if inner.failAt >= 0 {
					s.failAt, s.tooDeep = i, inner.tooDeep
					return
				}
			}
			i = j
		}
	}
}
