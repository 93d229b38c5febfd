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

package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"slipway.dev/slipway/internal/par"
)

// compactPrefix begins the checksum of a document EncodeCompact wrote:
// "sha256-compact:" and the hex SHA-256 of the document's bytes from its
// opening brace to its closing brace with the checksum member removed
// (the bytes from the opening quote of its key to the end of its value,
// and the comma after it). It needs no parse and no re-marshalling to
// verify, and it covers every byte of the rest of the document.
const compactPrefix = "sha256-compact:"

// span is the byte range [start, end) of a JSON value in a document.
type span struct{ start, end int }

// docLayout is the top level of a document, as scanDoc finds it: the
// value of each member, the elements of the resources array, and where
// the checksum member is.
type docLayout struct {
	obj       span            // the top-level object, braces included
	members   map[string]span // each member's value, by its key
	keyStart  map[string]int  // where each member's key begins
	resources []span          // the elements, when resources is an array
	checksum  span            // the checksum member and its comma, if any
}

// scanDoc finds the layout of a document whose top level is an object
// with keys written without escapes, each once. It checks only the
// structure it walks (strings, nesting, the commas and colons between
// members and elements); the values it skips are for encoding/json to
// check. ok is false for anything else, and the caller then reads the
// document the general way.
func scanDoc(b []byte) (l docLayout, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return l, false
	}
	l.obj.start = i
	l.members = make(map[string]span, 8)
	l.keyStart = make(map[string]int, 8)
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		l.obj.end = i + 1
		return l, skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return l, false
		}
		keyStart := i
		end := skipString(b, i)
		if end < 0 {
			return l, false
		}
		key := string(b[i+1 : end-1])
		if strings.IndexByte(key, '\\') >= 0 {
			return l, false
		}
		if _, dup := l.members[key]; dup {
			return l, false
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return l, false
		}
		i = skipSpace(b, i+1)
		start := i
		if key == "resources" && i < len(b) && b[i] == '[' {
			elems, end := scanArray(b, i)
			if end < 0 {
				return l, false
			}
			l.resources, i = elems, end
		} else if i = skipValue(b, i); i < 0 {
			return l, false
		}
		l.members[key] = span{start, i}
		l.keyStart[key] = keyStart
		i = skipSpace(b, i)
		if i >= len(b) {
			return l, false
		}
		switch b[i] {
		case ',':
			if key == "checksum" {
				l.checksum = span{keyStart, i + 1}
			}
			i = skipSpace(b, i+1)
		case '}':
			l.obj.end = i + 1
			return l, skipSpace(b, i+1) == len(b)
		default:
			return l, false
		}
	}
}

// scanArray returns the elements of the array at b[i] and where it ends,
// or end -1.
func scanArray(b []byte, i int) (elems []span, end int) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return []span{}, i + 1
	}
	elems = make([]span, 0, len(b)/1024)
	for {
		start := i
		if i = skipValue(b, i); i < 0 {
			return nil, -1
		}
		elems = append(elems, span{start, i})
		i = skipSpace(b, i)
		if i >= len(b) {
			return nil, -1
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return elems, i + 1
		default:
			return nil, -1
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the end of the string whose opening quote is at
// b[i], or -1. A backslash escapes the byte after it.
//
// It finds the quotes and backslashes with bytes.IndexByte, which looks
// at many bytes at a time: a state's strings are most of its 14 MB at
// 1,000 apps, and a loop over their bytes was a tenth of reading it. The
// next quote is searched for again only once an escape has passed it, so
// the work stays linear in the string's length however many escapes it
// holds.
func skipString(b []byte, i int) int {
	i++
	quote := -1 // the first '"' at or after i, once found
	for i < len(b) {
		if quote < i {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				return -1
			}
			quote = i + q
		}
		esc := bytes.IndexByte(b[i:quote], '\\')
		if esc < 0 {
			return quote + 1
		}
		i += esc + 2
	}
	return -1
}

// skipValue returns the end of the value beginning at b[i], or -1. An
// object or array ends at the bracket that closes it; a number or literal
// at the next delimiter.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t', '"', '{', '[', ':':
			if i == start {
				return -1
			}
			return i
		}
		i++
	}
	return i
}

// compactSum is the compact checksum of the document b laid out as l.
func compactSum(b []byte, l *docLayout) string {
	h := sha256.New()
	if l.checksum.end > 0 {
		h.Write(b[l.obj.start:l.checksum.start])
		h.Write(b[l.checksum.end:l.obj.end])
	} else {
		h.Write(b[l.obj.start:l.obj.end])
	}
	return compactPrefix + hex.EncodeToString(h.Sum(nil))
}

// verifyCompact checks a compact checksum, recorded, of the document b:
// for decodeGeneral, which has no layout of its own.
func verifyCompact(b []byte, recorded string) error {
	l, ok := scanDoc(b)
	if !ok || l.checksum.end == 0 {
		return fmt.Errorf("%w: it records %v, a compact checksum, but its checksum member is not where slipway writes it, so something other than slipway changed it", ErrChecksum, recorded)
	}
	if sum := compactSum(b, &l); sum != recorded {
		return fmt.Errorf("%w: it records %v but its content hashes to %s, so something other than slipway changed it", ErrChecksum, recorded, sum)
	}
	return nil
}

// withCompactChecksum returns the document doc, which EncodeCompact
// marshalled without a checksum, with its compact checksum inserted
// before its resources member. In encoding/json's output a quote inside
// a string is always escaped, so the first `,"resources":` is the member.
// It is inserted in doc's own storage when it has compactMemberLen bytes
// to spare (as appendCompact leaves them), without a copy of the
// document.
func withCompactChecksum(doc []byte) ([]byte, error) {
	at := bytes.Index(doc, []byte(`,"resources":`))
	end := bytes.LastIndexByte(doc, '}')
	if at < 0 || end < 0 || doc[0] != '{' {
		return nil, fmt.Errorf("the compact document has no resources member")
	}
	h := sha256.Sum256(doc[:end+1])
	member := `"checksum":"` + compactPrefix + hex.EncodeToString(h[:]) + `",`
	n := len(doc)
	out := append(doc, member...) // room, in place when doc has it
	copy(out[at+1+len(member):], out[at+1:n])
	copy(out[at+1:], member)
	return out, nil
}

// compactMemberLen is the length of the checksum member
// withCompactChecksum inserts.
const compactMemberLen = len(`"checksum":"`+compactPrefix) + 2*sha256.Size + len(`",`)

// errFallback means the fast path cannot decide a document: decode reads
// it the general way, which says what is wrong with it.
var errFallback = fmt.Errorf("not decided by the fast document path")

// decodeFast reads a document of the current format whose top level
// scanDoc can lay out: its resources are unmarshalled and decoded on
// every CPU, element by element, so that no one goroutine reads the
// whole document, and a compact checksum is verified beside them. It
// returns errFallback for anything it does not decide.
func decodeFast(b []byte) (*State, error) {
	l, ok := scanDoc(b)
	if !ok || l.resources == nil {
		return nil, errFallback
	}
	var f file
	for key, sp := range l.members {
		var dst any
		switch key {
		case "version":
			dst = &f.Version
		case "lineage":
			dst = &f.Lineage
		case "serial":
			dst = &f.Serial
		case "slipway_version":
			dst = &f.SlipwayVersion
		case "checksum":
			dst = &f.Checksum
		case "resources":
			continue
		case "outputs":
			dst = &f.Outputs
		case "extra":
			dst = &f.Extra
		default:
			return nil, errFallback
		}
		if strictUnmarshal(b[sp.start:sp.end], dst) != nil {
			return nil, errFallback
		}
	}
	if f.Version != formatVersion || !strings.HasPrefix(f.Checksum, compactPrefix) || l.checksum.end == 0 {
		// Only documents with a compact checksum: the canonical one is
		// computed from the decoded document whole.
		return nil, errFallback
	}
	sumc := make(chan string, 1)
	go func() { sumc <- compactSum(b, &l) }()
	decoded, err := decodeResourceSpans(b, l.resources)
	if err == errFallback {
		<-sumc
		return nil, err
	}
	if sum := <-sumc; sum != f.Checksum {
		return nil, fmt.Errorf("%w: it records %v but its content hashes to %s, so something other than slipway changed it", ErrChecksum, f.Checksum, sum)
	}
	if err != nil {
		return nil, err
	}
	return fromDecoded(&f, decoded)
}

// strictUnmarshal is json.Unmarshal refusing unknown fields and anything
// after the value.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the value")
	}
	return nil
}

// decodeResourceSpans is decodeResources of the resources at spans of b,
// unmarshalled by the same workers. It returns errFallback when an
// element does not unmarshal.
func decodeResourceSpans(b []byte, spans []span) ([]*ResourceInstance, error) {
	out := make([]*ResourceInstance, len(spans))
	errs := make([]error, len(spans))
	var failed atomic.Bool
	par.Each(len(spans), func(i int) {
		if failed.Load() {
			return
		}
		fr, ok := readEnvelope(b[spans[i].start:spans[i].end])
		if !ok {
			failed.Store(true)
			return
		}
		// decodeResource recovers from panics itself: a value that cannot
		// be decoded is this resource's error, not a panic of the read.
		r, err := decodeResource(fr)
		if err != nil {
			if invalidJSON(fr.Attributes) || invalidJSON(fr.AttributesType) {
				// Not JSON: the full decoder's error says so.
				failed.Store(true)
				return
			}
			err = fmt.Errorf("resource %s: %w", fr.Address, err)
		}
		out[i], errs[i] = r, err
	})
	if failed.Load() {
		return nil, errFallback
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// invalidJSON reports whether raw, when present, is not JSON.
func invalidJSON(raw []byte) bool { return len(raw) > 0 && !json.Valid(raw) }

// readEnvelope unmarshals one element of "resources". Its attributes and
// their type, most of its bytes, are taken as they are, for
// decodeResource's own parser to read: encoding/json would scan them
// once more only to copy them. Its private data, most of the rest, is
// base64 decoded here. The other members go through strictUnmarshal. It
// reports false for anything it does not decide, such as an escaped key
// or a key that differs from "attributes" only in case (encoding/json
// matches keys regardless of case), which the full decoder then reads.
func readEnvelope(r []byte) (fr fileResource, ok bool) {
	i := skipSpace(r, 0)
	if i >= len(r) || r[i] != '{' {
		return fr, false
	}
	var attrs, attrsType, private []byte
	hasPrivate := false
	small := make([]byte, 0, 256)
	small = append(small, '{')
	i = skipSpace(r, i+1)
	if i < len(r) && r[i] == '}' {
		i++
	} else {
		for {
			if i >= len(r) || r[i] != '"' {
				return fr, false
			}
			kEnd := skipString(r, i)
			if kEnd < 0 {
				return fr, false
			}
			key := r[i+1 : kEnd-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				return fr, false
			}
			j := skipSpace(r, kEnd)
			if j >= len(r) || r[j] != ':' {
				return fr, false
			}
			j = skipSpace(r, j+1)
			vEnd := skipValue(r, j)
			if vEnd < 0 {
				return fr, false
			}
			switch {
			case string(key) == "attributes":
				attrs = r[j:vEnd]
			case string(key) == "attributes_type":
				attrsType = r[j:vEnd]
			case string(key) == "private" && base64String(r[j:vEnd]) && !hasPrivate:
				// The provider's private data, most of the rest: base64
				// decoded as encoding/json decodes a []byte, without its
				// scanning the string twice first. A second private, or
				// one that is not a string of base64's characters (null,
				// escapes), is left to the full decoder.
				b64 := r[j+1 : vEnd-1]
				priv := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
				n, err := base64.StdEncoding.Decode(priv, b64)
				if err != nil {
					return fr, false
				}
				private, hasPrivate = priv[:n], true
			case bytes.EqualFold(key, []byte("attributes")) || bytes.EqualFold(key, []byte("attributes_type")) || bytes.EqualFold(key, []byte("private")):
				return fr, false
			default:
				if len(small) > 1 {
					small = append(small, ',')
				}
				small = append(small, r[i:kEnd]...)
				small = append(small, ':')
				small = append(small, r[j:vEnd]...)
			}
			i = skipSpace(r, vEnd)
			if i < len(r) && r[i] == ',' {
				i = skipSpace(r, i+1)
				continue
			}
			if i < len(r) && r[i] == '}' {
				i++
				break
			}
			return fr, false
		}
	}
	if skipSpace(r, i) != len(r) {
		return fr, false
	}
	small = append(small, '}')
	if strictUnmarshal(small, &fr) != nil {
		return fr, false
	}
	fr.Attributes, fr.AttributesType = attrs, attrsType
	if hasPrivate {
		fr.Private = private
	}
	return fr, true
}

// base64String reports whether v is a JSON string of standard base64's
// characters alone: no escapes, and nothing that encoding/json would
// refuse in a string (a raw control character) but the base64 decoder
// would skip (a newline).
func base64String(v []byte) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	for _, c := range v[1 : len(v)-1] {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}
