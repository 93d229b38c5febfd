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
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// line is one line of a human diff. Lines with a symbol put it, right
// aligned, in a three-column field after indent spaces; lines without one
// start their text after indent spaces. Keeping the symbol apart lets the
// markdown view move it to the first column for diff highlighting.
type line struct {
	indent int
	sym    string
	text   string
}

// Nesting depth d puts a symbol at column 4d and the text after it at
// column 4d+4, where a line without a symbol starts its text too;
// comments about an object sit at 4d+2.
func symLine(depth int, sym, text string) line {
	if sym == "" {
		return plainLine(depth, text)
	}
	return line{indent: 4 * depth, sym: sym, text: text}
}
func plainLine(depth int, text string) line   { return line{indent: 4*depth + 4, text: text} }
func commentLine(depth int, text string) line { return line{indent: 4*depth + 2, text: text} }

// frag is a value written from the middle of a line: first continues the
// line that introduced it, rest are the lines after.
type frag struct {
	first string
	rest  []line
}

func (f *frag) suffix(s string) {
	if len(f.rest) > 0 {
		f.rest[len(f.rest)-1].text += s
	} else {
		f.first += s
	}
}

// differ writes the attribute-level diff of one before/after pair.
type differ struct {
	p          painter
	beforeSens []cty.Path
	afterSens  []cty.Path
	replace    []cty.Path
	// random are the fields rendered differently each time.
	random  []cty.Path
	reasons []string // parallel to replace
}

const (
	sensitiveText = "(sensitive value)"
	unknownText   = "(known after apply)"
	randomText    = "(random: changes on every render)"
	// randomWithinText follows a masked value that holds random fields.
	randomWithinText = "(some fields random: changes on every render)"
)

// A value too large to read in a terminal or a pull request is shown cut
// short, with a note of how much was left out: the first maxShownText
// bytes of a string and the first maxShownElements elements or attributes
// of a collection. The JSON views always hold the whole value.
const (
	maxShownText     = 64 << 10
	maxShownElements = 10_000
	// maxShownExponent bounds the binary exponent of a number shown, to
	// about 10^±9864; state and plan files refuse numbers past it.
	maxShownExponent = 1 << 15
)

// clip cuts s to at most maxShownText bytes, at a character boundary,
// and says how many bytes it left out.
func clip(s string) (shown string, more int) {
	if len(s) <= maxShownText {
		return s, 0
	}
	cut := maxShownText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], len(s) - cut
}

// moreBytes is the note after a string clip cut short.
func moreBytes(more int) string {
	return "(" + itoa(more) + " more " + plural(more, "byte", "bytes") + " not shown)"
}

// moreElements is the note after a collection cut short.
func moreElements(more int, noun string) string {
	return "# (" + itoa(more) + " more " + noun + " not shown)"
}

// quoteClipped is s quoted, cut short with a note when it is too long.
func quoteClipped(s string) string {
	s, more := clip(s)
	if more > 0 {
		return quote(s) + " " + moreBytes(more)
	}
	return quote(s)
}

// absent reports a value that is not there to show: missing or null.
func absent(v cty.Value) bool {
	return v == cty.NilVal || (v.IsKnown() && v.IsNull())
}

// isStructured reports values written as blocks rather than on one line.
func isStructured(ty cty.Type) bool {
	return ty.IsObjectType() || ty.IsMapType() || ty.IsListType() || ty.IsSetType() || ty.IsTupleType()
}

// root writes the body of a change: one entry per attribute at depth.
func (d *differ) root(depth int, before, after cty.Value) []line {
	objectish := func(v cty.Value) bool {
		if absent(v) {
			return true
		}
		return v.Type().IsObjectType() || (v.Type().IsMapType() && v.IsKnown())
	}
	if objectish(before) && objectish(after) {
		return d.members(depth, before, after, nil)
	}
	// A change whose value is not an object, which no provider should
	// plan, still shows: as a single entry named value.
	return d.entry(depth, "value = ", before, after, nil, nil, "")
}

// members writes the entries of an object or map pair at depth, hiding
// unchanged ones and counting them in a comment.
func (d *differ) members(depth int, before, after cty.Value, path cty.Path) []line {
	isMap := false
	keys := map[string]bool{}
	collect := func(v cty.Value) {
		if absent(v) {
			return
		}
		ty := v.Type()
		switch {
		case ty.IsObjectType():
			for name := range ty.AttributeTypes() {
				keys[name] = true
			}
		case ty.IsMapType() && v.IsKnown():
			isMap = true
			for it := v.ElementIterator(); it.Next(); {
				k, _ := it.Element()
				keys[k.AsString()] = true
			}
		}
	}
	collect(before)
	collect(after)

	get := func(v cty.Value, k string) cty.Value {
		if absent(v) {
			return cty.NilVal
		}
		ty := v.Type()
		var e cty.Value
		switch {
		case ty.IsObjectType():
			if !ty.HasAttribute(k) {
				return cty.NilVal
			}
			e = v.GetAttr(k)
		case ty.IsMapType() && v.IsKnown():
			if !v.HasIndex(cty.StringVal(k)).True() {
				return cty.NilVal
			}
			e = v.Index(cty.StringVal(k))
		default:
			return cty.NilVal
		}
		if absent(e) {
			return cty.NilVal
		}
		return e
	}

	type shown struct {
		label string
		b, a  cty.Value
		path  cty.Path
	}
	var entries []shown
	hidden, width := 0, 0
	for _, k := range sortedKeys(keys) {
		b, a := get(before, k), get(after, k)
		if b == cty.NilVal && a == cty.NilVal {
			continue
		}
		var p cty.Path
		label := attrName(k)
		if isMap {
			p = path.Index(cty.StringVal(k))
			label = quote(k)
		} else {
			p = path.GetAttr(k)
		}
		if b != cty.NilVal && a != cty.NilVal && b.RawEquals(a) {
			hidden++
			continue
		}
		entries = append(entries, shown{label, b, a, p})
		if len(entries) <= maxShownElements {
			width = max(width, len(label))
		}
	}

	var out []line
	more := 0
	if len(entries) > maxShownElements {
		entries, more = entries[:maxShownElements], len(entries)-maxShownElements
	}
	for _, e := range entries {
		label := e.label + strings.Repeat(" ", width-len(e.label)) + " = "
		out = append(out, d.entry(depth, label, e.b, e.a, e.path, e.path, "")...)
	}
	if more > 0 {
		noun := plural(more, "changed attribute", "changed attributes")
		if isMap {
			noun = plural(more, "changed element", "changed elements")
		}
		out = append(out, plainLine(depth, moreElements(more, noun)))
	}
	if hidden > 0 {
		noun := plural(hidden, "attribute", "attributes")
		if isMap {
			noun = plural(hidden, "element", "elements")
		}
		out = append(out, plainLine(depth, "# ("+itoa(hidden)+" unchanged "+noun+" hidden)"))
	}
	return out
}

// entry writes one attribute, map element (label "name = ") or list
// element (label "", tail ","). Absent before means added, absent after
// removed; the two paths differ only for list elements that moved.
func (d *differ) entry(depth int, label string, b, a cty.Value, bpath, apath cty.Path, tail string) []line {
	if b == cty.NilVal && a == cty.NilVal {
		return nil
	}
	named := label != ""
	note := ""
	if i := indexOf(d.replace, apath); i >= 0 || (bpath != nil && indexOf(d.replace, bpath) >= 0) {
		if i < 0 {
			i = indexOf(d.replace, bpath)
		}
		text := "# forces replacement"
		if i < len(d.reasons) && d.reasons[i] != "" {
			text += ": " + d.reasons[i]
		}
		note = " " + d.p.paint(sgrRed, text)
	}
	one := func(sym, text string) []line {
		return []line{symLine(depth, sym, label+text+tail+note)}
	}
	block := func(sym string, f frag) []line {
		out := []line{symLine(depth, sym, label+f.first+note)}
		return append(out, f.rest...)
	}

	bSens := b != cty.NilVal && covered(d.beforeSens, bpath)
	aSens := a != cty.NilVal && covered(d.afterSens, apath)
	switch {
	case bSens || aSens:
		// Both sides are masked, whichever is sensitive: showing the
		// other would show what the secret was or became.
		switch {
		case b == cty.NilVal:
			return one("+", sensitiveText)
		case a == cty.NilVal:
			if named {
				return one("-", sensitiveText+" -> null")
			}
			return one("-", sensitiveText)
		case covered(d.random, apath):
			return one("~", sensitiveText+" -> "+randomText)
		case holds(d.random, apath):
			return one("~", sensitiveText+" "+randomWithinText)
		default:
			return one("~", sensitiveText)
		}

	case b == cty.NilVal:
		f := d.full(depth, "+", a, apath, d.afterSens)
		f.suffix(tail)
		return block("+", f)

	case a == cty.NilVal:
		f := d.full(depth, "-", b, bpath, d.beforeSens)
		if named {
			f.suffix(" -> null")
		}
		f.suffix(tail)
		return block("-", f)

	case !a.IsKnown():
		f := d.full(depth, "-", b, bpath, d.beforeSens)
		if covered(d.random, apath) {
			f.suffix(" -> " + randomText + tail)
		} else {
			f.suffix(" -> " + unknownText + tail)
		}
		return block("~", f)

	case !b.IsKnown():
		f := d.full(depth, "+", a, apath, d.afterSens)
		f.first = unknownText + " -> " + f.first
		f.suffix(tail)
		return block("~", f)
	}

	// Both known, both there, and different.
	bt, at := b.Type(), a.Type()
	switch {
	case bt.IsObjectType() && at.IsObjectType(),
		bt.IsMapType() && at.IsMapType():
		f := frag{first: "{", rest: d.members(depth+1, b, a, apath)}
		f.rest = append(f.rest, plainLine(depth, "}"+tail))
		return block("~", f)
	case (bt.IsListType() || bt.IsTupleType()) && (at.IsListType() || at.IsTupleType()):
		f := frag{first: "[", rest: d.list(depth+1, b, a, bpath, apath)}
		f.rest = append(f.rest, plainLine(depth, "]"+tail))
		return block("~", f)
	case bt.IsSetType() && at.IsSetType():
		f := frag{first: "[", rest: d.set(depth+1, b, a, bpath, apath)}
		f.rest = append(f.rest, plainLine(depth, "]"+tail))
		return block("~", f)
	case bt == cty.String && at == cty.String:
		bs, bmore := clip(b.AsString())
		as, amore := clip(a.AsString())
		if f, ok := d.heredocDiff(depth, bs, as); ok {
			if bmore+amore > 0 {
				// Before the closing EOT.
				note := plainLine(depth+1, "# (the rest is not shown: "+itoa(bmore)+" more "+plural(bmore, "byte", "bytes")+" before, "+itoa(amore)+" after)")
				f.rest = append(f.rest[:len(f.rest)-1], note, f.rest[len(f.rest)-1])
			}
			f.suffix(tail)
			return block("~", f)
		}
		return one("~", quoteClipped(b.AsString())+" -> "+quoteClipped(a.AsString()))
	case bt.IsPrimitiveType() && bt.Equals(at):
		return one("~", d.full(depth, "", b, bpath, nil).first+" -> "+d.full(depth, "", a, apath, nil).first)
	}
	// The value changed kind (a string became a list, say): show it as
	// the old one removed and the new one added.
	out := d.entry(depth, label, b, cty.NilVal, bpath, apath, tail)
	return append(out, d.entry(depth, label, cty.NilVal, a, bpath, apath, tail)...)
}

// full writes a whole value whose nested lines all carry sym, as in a
// created or destroyed object; null attributes of objects are left out.
func (d *differ) full(depth int, sym string, v cty.Value, path cty.Path, sens []cty.Path) frag {
	switch {
	case covered(sens, path):
		return frag{first: sensitiveText}
	case !v.IsKnown() && covered(d.random, path):
		return frag{first: randomText}
	case !v.IsKnown():
		return frag{first: unknownText}
	case v.IsNull():
		return frag{first: "null"}
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		s, more := clip(v.AsString())
		if lines, ok := heredocLines(s); ok {
			f := frag{first: "<<-EOT"}
			for _, l := range lines {
				f.rest = append(f.rest, plainLine(depth+1, printable(l)))
			}
			if more > 0 {
				f.rest = append(f.rest, plainLine(depth+1, "# "+moreBytes(more)))
			}
			f.rest = append(f.rest, plainLine(depth, "EOT"))
			return f
		}
		if more > 0 {
			return frag{first: quote(s) + " " + moreBytes(more)}
		}
		return frag{first: quote(s)}
	case ty == cty.Number:
		f := v.AsBigFloat()
		if !f.IsInf() && f.Sign() != 0 {
			// Writing such a number in decimal takes time that grows
			// with the square of its exponent: hours for 1e-999999.
			if exp := f.MantExp(nil); exp > maxShownExponent {
				return frag{first: "(a number too large to show)"}
			} else if exp < -maxShownExponent {
				return frag{first: "(a number too close to zero to show)"}
			}
		}
		return frag{first: numberText(f)}
	case ty == cty.Bool:
		if v.True() {
			return frag{first: "true"}
		}
		return frag{first: "false"}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		if v.LengthInt() == 0 {
			return frag{first: "[]"}
		}
		f := frag{first: "["}
		n := 0
		for it := v.ElementIterator(); it.Next() && n < maxShownElements; n++ {
			k, e := it.Element()
			ef := d.full(depth+1, sym, e, path.Index(k), sens)
			ef.suffix(",")
			f.rest = append(f.rest, symLine(depth+1, sym, ef.first))
			f.rest = append(f.rest, ef.rest...)
		}
		if more := v.LengthInt() - n; more > 0 {
			f.rest = append(f.rest, plainLine(depth+1, moreElements(more, plural(more, "element", "elements"))))
		}
		f.rest = append(f.rest, plainLine(depth, "]"))
		return f
	case ty.IsObjectType() || ty.IsMapType():
		type member struct {
			label string
			v     cty.Value
			path  cty.Path
		}
		var members []member
		width, more := 0, 0
		for it := v.ElementIterator(); it.Next(); {
			if len(members) == maxShownElements {
				more++
				continue
			}
			k, e := it.Element()
			m := member{v: e}
			if ty.IsObjectType() {
				if e.IsKnown() && e.IsNull() {
					continue
				}
				m.label, m.path = attrName(k.AsString()), path.GetAttr(k.AsString())
			} else {
				m.label, m.path = quote(k.AsString()), path.Index(k)
			}
			members = append(members, m)
			width = max(width, len(m.label))
		}
		if len(members) == 0 {
			return frag{first: "{}"}
		}
		f := frag{first: "{"}
		for _, m := range members {
			mf := d.full(depth+1, sym, m.v, m.path, sens)
			label := m.label + strings.Repeat(" ", width-len(m.label)) + " = "
			f.rest = append(f.rest, symLine(depth+1, sym, label+mf.first))
			f.rest = append(f.rest, mf.rest...)
		}
		if more > 0 {
			noun := plural(more, "element", "elements")
			if ty.IsObjectType() {
				noun = plural(more, "attribute", "attributes")
			}
			f.rest = append(f.rest, plainLine(depth+1, moreElements(more, noun)))
		}
		f.rest = append(f.rest, plainLine(depth, "}"))
		return f
	}
	return frag{first: "(" + ty.FriendlyName() + ")"}
}

// list diffs two sequences element by element along their longest common
// subsequence. Changed runs of structured elements are paired and diffed
// in place; unchanged runs are hidden and counted.
func (d *differ) list(depth int, b, a cty.Value, bpath, apath cty.Path) []line {
	bs, bmore := elements(b)
	as, amore := elements(a)
	out := d.listDiff(depth, bs, as, bpath, apath)
	return append(out, notCompared(depth, bmore, amore)...)
}

// notCompared notes the elements of two long collections past those
// compared.
func notCompared(depth, bmore, amore int) []line {
	if bmore+amore == 0 {
		return nil
	}
	return []line{plainLine(depth, "# (elements past the first "+itoa(maxShownElements)+" not shown: "+itoa(bmore)+" before, "+itoa(amore)+" after)")}
}

func (d *differ) listDiff(depth int, bs, as []cty.Value, bpath, apath cty.Path) []line {
	ops := lcs(len(bs), len(as), func(i, j int) bool { return bs[i].RawEquals(as[j]) })

	var out []line
	hidden := 0
	flushHidden := func() {
		if hidden > 0 {
			out = append(out, plainLine(depth, "# ("+itoa(hidden)+" unchanged "+plural(hidden, "element", "elements")+" hidden)"))
			hidden = 0
		}
	}
	var dels, adds []int
	flush := func() {
		if len(dels)+len(adds) == 0 {
			return
		}
		flushHidden()
		paired := 0
		for paired < len(dels) && paired < len(adds) &&
			isStructured(bs[dels[paired]].Type()) && isStructured(as[adds[paired]].Type()) {
			i, j := dels[paired], adds[paired]
			out = append(out, d.entry(depth, "", bs[i], as[j], bpath.IndexInt(i), apath.IndexInt(j), ",")...)
			paired++
		}
		for _, i := range dels[paired:] {
			out = append(out, d.entry(depth, "", bs[i], cty.NilVal, bpath.IndexInt(i), apath.IndexInt(i), ",")...)
		}
		for _, j := range adds[paired:] {
			out = append(out, d.entry(depth, "", cty.NilVal, as[j], bpath.IndexInt(j), apath.IndexInt(j), ",")...)
		}
		dels, adds = dels[:0], adds[:0]
	}
	for _, op := range ops {
		switch op.kind {
		case opKeep:
			flush()
			hidden++
		case opDel:
			dels = append(dels, op.i)
		case opAdd:
			adds = append(adds, op.j)
		}
	}
	flush()
	flushHidden()
	return out
}

// set diffs two sets: elements only before are removed, elements only
// after are added, shared ones are hidden and counted.
func (d *differ) set(depth int, b, a cty.Value, bpath, apath cty.Path) []line {
	hashed := func(set cty.Value) bool { return set.IsWhollyKnown() && !set.ContainsMarked() }
	if b.Type().Equals(a.Type()) && hashed(b) && hashed(a) {
		// cty's own set operations find the difference by hashing, so
		// that large sets need no comparison of every pair.
		bset, aset := b.AsValueSet(), a.AsValueSet()
		removed, added := bset.Subtract(aset).Values(), aset.Subtract(bset).Values()
		hidden := bset.Length() - len(removed)
		rmore, amore := max(0, len(removed)-maxShownElements), max(0, len(added)-maxShownElements)
		out := d.setLines(depth, removed[:len(removed)-rmore], added[:len(added)-amore], hidden, bpath, apath)
		return append(out, notCompared(depth, rmore, amore)...)
	}
	bs, bmore := elements(b)
	as, amore := elements(a)
	in := func(v cty.Value, vs []cty.Value) bool {
		for _, o := range vs {
			if v.RawEquals(o) {
				return true
			}
		}
		return false
	}
	var rs, adds []cty.Value
	hidden := 0
	if len(bs)*len(as) > lcsLimit {
		// Too many pairs to compare: every element shows as changed,
		// which is correct if not minimal.
		rs, adds = bs, as
	} else {
		for _, e := range bs {
			if in(e, as) {
				hidden++
			} else {
				rs = append(rs, e)
			}
		}
		for _, e := range as {
			if !in(e, bs) {
				adds = append(adds, e)
			}
		}
	}
	return append(d.setLines(depth, rs, adds, hidden, bpath, apath), notCompared(depth, bmore, amore)...)
}

// setLines writes the removed and added elements of a set and counts
// the hidden ones.
func (d *differ) setLines(depth int, removed, added []cty.Value, hidden int, bpath, apath cty.Path) []line {
	var out []line
	for _, e := range removed {
		out = append(out, d.entry(depth, "", e, cty.NilVal, bpath.Index(e), apath.Index(e), ",")...)
	}
	for _, e := range added {
		out = append(out, d.entry(depth, "", cty.NilVal, e, bpath.Index(e), apath.Index(e), ",")...)
	}
	if hidden > 0 {
		out = append(out, plainLine(depth, "# ("+itoa(hidden)+" unchanged "+plural(hidden, "element", "elements")+" hidden)"))
	}
	return out
}

// heredocContext is how many unchanged lines are kept around a change in
// a multi-line string.
const heredocContext = 2

// heredocDiff diffs multi-line strings line by line. It declines (ok
// false) when neither is multi-line, or when they differ only in a way
// the lines cannot show, such as a final newline.
func (d *differ) heredocDiff(depth int, b, a string) (frag, bool) {
	bl, bok := heredocLines(b)
	al, aok := heredocLines(a)
	if !bok && !aok {
		return frag{}, false
	}
	if !bok {
		bl = []string{b}
	}
	if !aok {
		al = []string{a}
	}
	ops := lcs(len(bl), len(al), func(i, j int) bool { return bl[i] == al[j] })
	changed := 0
	for _, op := range ops {
		if op.kind != opKeep {
			changed++
		}
	}
	if changed == 0 {
		return frag{}, false
	}
	// Keep unchanged lines near a change; hide the others in runs.
	near := make([]bool, len(ops))
	for k, op := range ops {
		if op.kind == opKeep {
			continue
		}
		for c := max(0, k-heredocContext); c <= min(len(ops)-1, k+heredocContext); c++ {
			near[c] = true
		}
	}
	f := frag{first: "<<-EOT"}
	hidden := 0
	flushHidden := func() {
		if hidden > 0 {
			f.rest = append(f.rest, plainLine(depth+1, "# ("+itoa(hidden)+" unchanged "+plural(hidden, "line", "lines")+" hidden)"))
			hidden = 0
		}
	}
	for k, op := range ops {
		switch {
		case op.kind == opKeep && !near[k]:
			hidden++
		case op.kind == opKeep:
			flushHidden()
			f.rest = append(f.rest, plainLine(depth+1, printable(bl[op.i])))
		case op.kind == opDel:
			flushHidden()
			f.rest = append(f.rest, symLine(depth+1, "-", printable(bl[op.i])))
		default:
			flushHidden()
			f.rest = append(f.rest, symLine(depth+1, "+", printable(al[op.j])))
		}
	}
	flushHidden()
	f.rest = append(f.rest, plainLine(depth, "EOT"))
	return f, true
}

// heredocLines splits a multi-line string into its lines, dropping the
// newline that ends the last one as a heredoc would.
func heredocLines(s string) ([]string, bool) {
	if !strings.Contains(s, "\n") {
		return nil, false
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n"), true
}

// elements is the first maxShownElements elements of v, and how many more
// it has.
func elements(v cty.Value) ([]cty.Value, int) {
	n := v.LengthInt()
	out := make([]cty.Value, 0, min(n, maxShownElements))
	for it := v.ElementIterator(); it.Next() && len(out) < maxShownElements; {
		_, e := it.Element()
		out = append(out, e)
	}
	return out, n - len(out)
}
