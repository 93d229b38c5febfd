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

package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// yamlFile is a YAML file being edited: its documents, each parsed with
// kyaml's YAML library and written back so that only what an edit changes
// differs from the original text.
//
// An edit that only replaces scalar values (a tag, an image) is written by
// splicing the new values' text into the original bytes at the positions
// the parser reports, so comments, blank lines, quoting, indentation and
// key order are untouched, byte for byte. An edit that changes structure
// (a key or list entry added) encodes that one document again with kyaml's
// encoder, which keeps comments and key order but not blank lines or
// unusual spacing; the file's other documents are kept verbatim.
type yamlFile struct {
	docs []*yamlDoc
}

// yamlDoc is one document of a yamlFile.
type yamlDoc struct {
	// prefix is kept verbatim: comments and directives before the
	// document and its "---" line.
	prefix string
	// body is the document's text; root is it parsed (a DocumentNode),
	// nil when it holds no content, only comments.
	body string
	root *yaml.Node
	// firstLine is the line of the file that body starts on, for messages.
	firstLine int

	splices []splice
	rewrite bool // the structure changed: body is encoded again from root
	lines   []int
}

// splice replaces n bytes of a document's body at off with text.
type splice struct {
	off, n int
	text   string
}

// parseYAMLFile splits data into documents at their "---" lines and parses
// each one.
func parseYAMLFile(data []byte) (*yamlFile, error) {
	text := string(data)
	var lines []string
	for rest := text; rest != ""; {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			lines = append(lines, rest)
			break
		}
		lines = append(lines, rest[:i+1])
		rest = rest[i+1:]
	}

	f := &yamlFile{}
	var pending strings.Builder // comment lines waiting for the next document
	body := &strings.Builder{}
	bodyLine := 1
	var cur *yamlDoc
	flush := func() {
		if cur != nil {
			cur.body = body.String()
			f.docs = append(f.docs, cur)
		}
	}
	for i, line := range lines {
		lineNo := i + 1
		if isDocMarker(line) {
			flush()
			cur = &yamlDoc{prefix: pending.String()}
			pending.Reset()
			body = &strings.Builder{}
			if bareDocMarker(line) {
				cur.prefix += line
				bodyLine = lineNo + 1
			} else {
				body.WriteString(line)
				bodyLine = lineNo
			}
			cur.firstLine = bodyLine
			continue
		}
		if cur == nil {
			if isPreamble(line) {
				pending.WriteString(line)
				continue
			}
			// The first document has no "---": it starts here, with the
			// comments before it.
			cur = &yamlDoc{firstLine: lineNo - strings.Count(pending.String(), "\n")}
			body.WriteString(pending.String())
			pending.Reset()
		}
		body.WriteString(line)
	}
	if cur == nil {
		// Nothing but comments (or nothing at all): one empty document.
		cur = &yamlDoc{firstLine: 1}
		body.WriteString(pending.String())
	}
	flush()

	for _, d := range f.docs {
		dec := yaml.NewDecoder(strings.NewReader(d.body))
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return nil, fmt.Errorf("the YAML document starting at line %d: %v", d.firstLine, err)
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the YAML document starting at line %d holds more than one document (a \"...\" end marker?), which this editor cannot split", d.firstLine)
		}
		d.root = &n
	}
	return f, nil
}

// isDocMarker reports whether line starts a document: "---" at the start
// of a line, alone or followed by a space.
func isDocMarker(line string) bool {
	rest, ok := strings.CutPrefix(line, "---")
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r')
}

// bareDocMarker reports whether a document marker line holds nothing
// else but a comment, so the document's content starts on the next line.
func bareDocMarker(line string) bool {
	rest := strings.TrimSpace(strings.TrimPrefix(line, "---"))
	return rest == "" || strings.HasPrefix(rest, "#")
}

// isPreamble reports whether line may come before a document's "---"
// without being part of its content: blank, a comment or a directive.
func isPreamble(line string) bool {
	s := strings.TrimSpace(line)
	return s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(line, "%")
}

// content is the document's top node, nil when it has none.
func (d *yamlDoc) content() *yaml.Node {
	if d.root == nil || len(d.root.Content) == 0 {
		return nil
	}
	return d.root.Content[0]
}

// ensureMap makes the document's top node a map when the document is
// empty, and returns it; it fails when the top node is something else.
func (d *yamlDoc) ensureMap() (*yaml.Node, error) {
	if n := d.content(); n != nil {
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
				*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				d.rewrite = true
				return n, nil
			}
			return nil, fmt.Errorf("the document starting at line %d is a %s, not a map", d.firstLine, kindName(n))
		}
		return n, nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if d.root == nil {
		d.root = &yaml.Node{Kind: yaml.DocumentNode}
	}
	d.root.Content = []*yaml.Node{m}
	d.rewrite = true
	return m, nil
}

// encode is the document's new text.
func (d *yamlDoc) encode() (string, error) {
	if d.rewrite {
		var buf bytes.Buffer
		style := yaml.SequenceIndentStyle(yaml.DeriveSeqIndentStyle(d.body))
		enc := yaml.NewEncoderWithOptions(&buf, &yaml.EncoderOptions{SeqIndent: style})
		enc.SetIndent(mapIndent(d.body))
		if err := enc.Encode(d.root); err != nil {
			return "", err
		}
		if err := enc.Close(); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	if len(d.splices) == 0 {
		return d.body, nil
	}
	sp := append([]splice(nil), d.splices...)
	sort.Slice(sp, func(i, j int) bool { return sp[i].off > sp[j].off })
	out := d.body
	for _, s := range sp {
		out = out[:s.off] + s.text + out[s.off+s.n:]
	}
	return out, nil
}

// mapIndent guesses how far the text indents nested maps: the smallest
// indentation of a line of content, 2 when there is none.
func mapIndent(text string) int {
	best := 0
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		n := len(line) - len(trimmed)
		if n == 0 || strings.TrimSpace(trimmed) == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if best == 0 || n < best {
			best = n
		}
	}
	if best < 2 || best > 8 {
		return 2
	}
	return best
}

// bytes is the file's new text.
func (f *yamlFile) bytes() ([]byte, error) {
	var b strings.Builder
	for _, d := range f.docs {
		text, err := d.encode()
		if err != nil {
			return nil, fmt.Errorf("write the YAML document starting at line %d: %w", d.firstLine, err)
		}
		b.WriteString(d.prefix)
		b.WriteString(text)
	}
	return []byte(b.String()), nil
}

// setScalar sets the scalar n of the document to v and reports whether
// that changed it. The scalar keeps its quoting and, when v reads as a
// value of the same type (an integer for an integer), its type; otherwise
// it becomes a string, quoted when it would not read back as one.
func (d *yamlDoc) setScalar(n *yaml.Node, v string) (bool, error) {
	if n.Kind != yaml.ScalarNode {
		return false, fmt.Errorf("line %d holds a %s, not a single value", d.firstLine+n.Line-1, kindName(n))
	}
	isNull := n.ShortTag() == "!!null"
	if n.Value == v && !isNull {
		return false, nil
	}
	old := *n
	tag := "!!str"
	if t := n.ShortTag(); t != "!!str" && t != "!!null" && n.Style&quotedStyles == 0 && plainTag(v) == t {
		tag = t
	}
	style := n.Style &^ (yaml.LiteralStyle | yaml.FoldedStyle)
	if tag == "!!str" && style&quotedStyles == 0 && yaml11Special(v) {
		style |= yaml.DoubleQuotedStyle
	}
	n.Value, n.Tag, n.Style = v, tag, style
	if isNull || old.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || old.Alias != nil {
		d.rewrite = true
	}
	if d.rewrite {
		return true, nil
	}
	oldText, ok1 := encodeScalar(&old)
	newText, ok2 := encodeScalar(n)
	off, ok3 := d.offset(n.Line, n.Column)
	if !ok1 || !ok2 || !ok3 || !strings.HasPrefix(d.body[off:], oldText) || !endsScalar(d.body[off+len(oldText):]) {
		// The value is written in a way this editor does not reproduce
		// (spread over lines, escaped differently): encode the document.
		d.rewrite = true
		return true, nil
	}
	d.splices = append(d.splices, splice{off: off, n: len(oldText), text: newText})
	return true, nil
}

var quotedStyles = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle

// newString is a string scalar for v, quoted when it needs to be.
func newString(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	if yaml11Special(v) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// setField sets key of map m to the string v, adding the key when it is
// missing, and returns the value before ("" when missing) and whether it
// changed.
func (d *yamlDoc) setField(m *yaml.Node, key, v string) (before string, changed bool, err error) {
	field := yaml.NewRNode(m).Field(key)
	if field == nil || field.Value == nil {
		m.Content = append(m.Content, newString(key), newString(v))
		d.rewrite = true
		return "", true, nil
	}
	n := field.Value.YNode()
	if n.Kind != yaml.ScalarNode {
		return "", false, fmt.Errorf("%q (line %d) holds a %s, not a single value", key, d.firstLine+n.Line-1, kindName(n))
	}
	before = n.Value
	if n.ShortTag() == "!!null" {
		before = ""
	}
	changed, err = d.setScalar(n, v)
	return before, changed, err
}

// offset is the byte offset in body of a parser position (1-based line,
// 1-based column counted in characters).
func (d *yamlDoc) offset(line, col int) (int, bool) {
	if d.lines == nil {
		d.lines = []int{0}
		for i := 0; i < len(d.body); i++ {
			if d.body[i] == '\n' {
				d.lines = append(d.lines, i+1)
			}
		}
	}
	if line < 1 || line > len(d.lines) || col < 1 {
		return 0, false
	}
	off := d.lines[line-1]
	for range col - 1 {
		if off >= len(d.body) || d.body[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRuneInString(d.body[off:])
		off += size
	}
	return off, true
}

// endsScalar reports whether rest, the text after a scalar, may follow a
// scalar that ends there.
func endsScalar(rest string) bool {
	if rest == "" {
		return true
	}
	switch rest[0] {
	case '\n', '\r', ' ', '\t', ',', ']', '}':
		return true
	}
	return false
}

// encodeScalar is the text a scalar node is written as, when it fits on
// one line.
func encodeScalar(n *yaml.Node) (string, bool) {
	c := &yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value, Style: n.Style, Anchor: n.Anchor}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(c); err != nil {
		return "", false
	}
	if err := enc.Close(); err != nil {
		return "", false
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	if s == "" || strings.ContainsAny(s, "\n\r") {
		return "", false
	}
	return s, true
}

// plainTag is the type v has when written unquoted ("!!int" for "3"), or
// "" when it would not read back as itself.
func plainTag(v string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || len(n.Content) != 1 {
		return ""
	}
	c := n.Content[0]
	if c.Kind != yaml.ScalarNode || c.Style != 0 || c.Value != v {
		return ""
	}
	return c.ShortTag()
}

// yaml11Special reports whether v, unquoted, is a boolean or null to a
// YAML 1.1 reader (many Kubernetes tools still are one), so that a string
// must be quoted to stay a string everywhere.
func yaml11Special(v string) bool {
	switch strings.ToLower(v) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~":
		return true
	}
	return false
}

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "map"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	if n.ShortTag() == "!!null" {
		return "null"
	}
	return "single value"
}
