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
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/internal/par"
	"slipway.dev/slipway/lang/addrs"
)

// formatVersion is the state file format version this slipway writes and
// the newest it reads.
const formatVersion = 1

// upgrades[i] turns a decoded document of format version i+1 into one of
// version i+2, in place. To introduce format version N+1: append the step
// from N, bump formatVersion and change the file types below to the new
// shape. Decode runs every step from a file's version up to the current one.
var upgrades = []func(doc map[string]any) error{}

var (
	// ErrChecksum means a state document's content does not match its
	// recorded checksum: something other than slipway changed it.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsupportedVersion means a state document uses a format version
	// newer than this slipway reads.
	ErrUnsupportedVersion = errors.New("written by a newer slipway")
)

// A FileError is Decode's refusal of a document. Backends set Name to where
// the bytes came from (a path, a Secret) so that the message names it.
type FileError struct {
	Name string
	Err  error
}

func (e *FileError) Error() string {
	what := "state file"
	if e.Name != "" {
		what += " " + e.Name
	}
	if errors.Is(e.Err, ErrUnsupportedVersion) {
		return what + " is unsupported: " + e.Err.Error()
	}
	return what + " is corrupted: " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// file is the JSON document of the current format version.
type file struct {
	Version        int                        `json:"version"`
	Lineage        string                     `json:"lineage"`
	Serial         uint64                     `json:"serial"`
	SlipwayVersion string                     `json:"slipway_version,omitempty"`
	Checksum       string                     `json:"checksum,omitempty"`
	Resources      []fileResource             `json:"resources"`
	Outputs        map[string]fileOutput      `json:"outputs"`
	Extra          map[string]json.RawMessage `json:"extra,omitempty"`
}

type fileResource struct {
	Address             string          `json:"address"`
	Mode                string          `json:"mode"`
	Type                string          `json:"type,omitempty"`
	Name                string          `json:"name"`
	IndexKey            json.RawMessage `json:"index_key,omitempty"`
	Provider            string          `json:"provider,omitempty"`
	SchemaVersion       int64           `json:"schema_version"`
	Attributes          json.RawMessage `json:"attributes,omitempty"`
	AttributesType      json.RawMessage `json:"attributes_type,omitempty"`
	SensitiveAttributes [][]fileStep    `json:"sensitive_attributes,omitempty"`
	Private             []byte          `json:"private,omitempty"`
	Dependencies        []string        `json:"dependencies,omitempty"`
	Tainted             bool            `json:"tainted,omitempty"`
}

type fileOutput struct {
	Value     json.RawMessage `json:"value,omitempty"`
	Type      json.RawMessage `json:"type,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

// fileStep is one step of a path: {"type": "get_attr", "value": "name"} or
// {"type": "index", "value": 0 or "key"}.
type fileStep struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

var modeNames = map[addrs.Kind]string{
	addrs.Managed: "managed", addrs.Source: "source", addrs.Pipeline: "pipeline",
	addrs.App: "app", addrs.Rollout: "rollout",
}

var modeKinds = func() map[string]addrs.Kind {
	m := make(map[string]addrs.Kind, len(modeNames))
	for k, n := range modeNames {
		m[n] = k
	}
	return m
}()

// Encode returns s as an indented JSON document of the current format
// version, resources sorted by address, with a checksum. The checksum is
// "sha256:" and the hex SHA-256 of the document's canonical form: the
// document without its checksum member, as compact JSON with object members
// sorted by name, numbers as written, and strings escaped as Go's
// encoding/json escapes them with HTML escaping off.
func Encode(s *State) ([]byte, error) {
	f, err := fileOf(s)
	if err != nil {
		return nil, err
	}
	raw, err := marshal(f, "")
	if err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	doc, err := parseDoc(raw)
	if err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	if f.Checksum, err = checksum(doc); err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	return marshal(f, "  ")
}

// EncodeCompact is Encode without indentation, in about half the bytes,
// with a checksum that needs no re-marshalling to verify: "sha256-compact:"
// and the hex SHA-256 of the document's bytes without its checksum member
// (see compactPrefix). Decode reads it in a fraction of the time, on every
// CPU. Backends store it; Encode is for people.
func EncodeCompact(s *State) ([]byte, error) {
	e, err := NewCompactEncoding(s)
	if err != nil {
		return nil, err
	}
	return e.Document(s.Serial)
}

// CompactEncoding is a state encoded once for EncodeCompact's documents
// of any serial: a backend that compares the state with what it stores
// (at the stored serial) before it writes the next serial encodes the
// values once, not twice.
type CompactEncoding struct {
	f     file
	parts [][]byte // the resources, each as appendResource writes it
}

// NewCompactEncoding encodes s, whose serial Document sets.
func NewCompactEncoding(s *State) (*CompactEncoding, error) {
	f, err := fileOf(s)
	if err != nil {
		return nil, err
	}
	e := &CompactEncoding{f: f, parts: make([][]byte, len(f.Resources))}
	par.Each(len(f.Resources), func(i int) { e.parts[i] = appendResource(nil, &f.Resources[i]) })
	return e, nil
}

// Document is EncodeCompact of the state with serial.
func (e *CompactEncoding) Document(serial uint64) ([]byte, error) {
	return e.AppendDocument(nil, serial)
}

// AppendDocument is Document written over dst's storage when it has
// room, which it then no longer holds: a backend that compares the
// document at the stored serial with what it stores before it writes
// the next needs the memory of one document, not two (14 MB each for a
// state of 1,000 apps).
func (e *CompactEncoding) AppendDocument(dst []byte, serial uint64) ([]byte, error) {
	f := e.f
	f.Serial = serial
	raw, err := appendCompact(dst, f, e.parts, compactMemberLen)
	if err == nil {
		raw, err = withCompactChecksum(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	return raw, nil
}

// fileOf is the document of s, its values encoded.
func fileOf(s *State) (file, error) {
	if s.Lineage == "" {
		return file{}, errors.New("encoding state: no lineage")
	}
	f := file{
		Version:        formatVersion,
		Lineage:        s.Lineage,
		Serial:         s.Serial,
		SlipwayVersion: s.SlipwayVersion,
		Resources:      make([]fileResource, 0, len(s.Resources)),
		Outputs:        make(map[string]fileOutput, len(s.Outputs)),
		Extra:          s.Extra,
	}
	keys := s.SortedAddrs()
	f.Resources = f.Resources[:len(keys)]
	errs := make([]error, len(keys))
	// On every CPU: the values of a state of 1,000 apps take a third of
	// a second to encode.
	par.Each(len(keys), func(i int) {
		key := keys[i]
		defer func() {
			// A value that cannot be encoded is this resource's error,
			// named, not a panic of the whole write.
			if p := recover(); p != nil {
				errs[i] = fmt.Errorf("encoding state: resource %s cannot be encoded: %v", key, p)
			}
		}()
		r := s.Resources[key]
		if a := r.Addr.String(); a != key {
			errs[i] = fmt.Errorf("encoding state: resource %s is stored under key %q", a, key)
			return
		}
		fr, err := encodeResource(r)
		if err != nil {
			errs[i] = fmt.Errorf("encoding state: resource %s: %w", key, err)
			return
		}
		f.Resources[i] = fr
	})
	for _, err := range errs {
		if err != nil {
			return file{}, err
		}
	}
	for name, o := range s.Outputs {
		v, t, err := encodeValue(o.Value)
		if err != nil {
			return file{}, fmt.Errorf("encoding state: output %s: %w", name, err)
		}
		f.Outputs[name] = fileOutput{Value: v, Type: t, Sensitive: o.Sensitive}
	}
	return f, nil
}

// StoredSerial is the serial of a stored state document, read without
// decoding the rest: what a writer needs to number the next document.
// For a compact document whose checksum holds (what EncodeCompact
// wrote, untouched, so valid JSON throughout) it reads that one member;
// any other is read by encoding/json, as it always was, and an error
// says it is not JSON. A state of 1,000 apps took encoding/json about
// 0.1 s to go through before each write; the checksum takes a tenth.
func StoredSerial(doc []byte) (uint64, error) {
	if n, ok := compactSerial(doc); ok {
		return n, nil
	}
	var stored struct{ Serial uint64 }
	if err := json.Unmarshal(doc, &stored); err != nil {
		return 0, err
	}
	return stored.Serial, nil
}

// compactSerial is StoredSerial's read of a compact document whose
// checksum holds; ok is false for any other.
func compactSerial(doc []byte) (n uint64, ok bool) {
	l, ok := scanDoc(doc)
	if !ok || l.checksum.end == 0 {
		return 0, false
	}
	serial, ok := l.members["serial"]
	sum := l.members["checksum"]
	if !ok || sum.end-sum.start < 2 || string(doc[sum.start+1:sum.end-1]) != compactSum(doc, &l) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(doc[serial.start:serial.end]), 10, 64)
	return n, err == nil
}

// Decode reads a state document, upgrading it from an older format version
// if need be. It returns a *FileError, wrapping ErrChecksum or
// ErrUnsupportedVersion where they apply, for any document it cannot read
// completely. A document without a checksum is accepted: removing it is how
// a person who edits a state file by hand says so.
func Decode(b []byte) (s *State, err error) {
	// Every known way for a document to panic the decoder is an error
	// before it gets that far; this is the net for any other.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &FileError{Err: fmt.Errorf("cannot be decoded: %v", r)}
		}
	}()
	s, err = decode(b)
	if err != nil {
		return nil, &FileError{Err: err}
	}
	if s.Serial > MaxSerial {
		// The next write would wrap it to 0, after which every older
		// copy, backup or saved plan would count as newer.
		return nil, &FileError{Err: fmt.Errorf("its serial %d is past %d, more than any number of writes makes; it was edited by hand or damaged", s.Serial, uint64(MaxSerial))}
	}
	return s, nil
}

// MaxSerial is the largest serial a state may have: 2^63-1, which the
// writes of any lifetime never reach, and which a serial incremented
// past cannot wrap around.
const MaxSerial = 1<<63 - 1

func decode(b []byte) (*State, error) {
	if s, err := decodeFast(b); err != errFallback {
		return s, err
	}
	// A document of the current format decodes straight into its type in
	// one pass, and its checksum is computed from that (fastChecksum);
	// anything else (an older format, a document edited by hand) takes
	// the general path through the whole document.
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err == nil && f.Version == formatVersion {
		if _, err := dec.Token(); err == io.EOF {
			if err := verifyFast(b, &f); err != nil {
				return nil, err
			}
			return fromFile(&f)
		}
	}
	return decodeGeneral(b)
}

// verifyFast checks the checksum of a document decoded into f.
func verifyFast(b []byte, f *file) error {
	if f.Checksum == "" {
		// Absent (or empty): accepted, as decodeGeneral accepts a document
		// without one. An empty one is refused there.
		if bytes.Contains(b, []byte(`"checksum"`)) {
			_, err := decodeGeneral(b)
			return err
		}
		return nil
	}
	if strings.HasPrefix(f.Checksum, compactPrefix) {
		return verifyCompact(b, f.Checksum)
	}
	sum, ok := fastChecksum(f)
	if ok && sum == f.Checksum {
		return nil
	}
	doc, err := parseDoc(b)
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if sum, err = checksum(doc); err != nil {
		return err
	}
	if sum != f.Checksum {
		return fmt.Errorf("%w: it records %v but its content hashes to %s, so something other than slipway changed it", ErrChecksum, f.Checksum, sum)
	}
	return nil
}

// decodeGeneral reads any document: checks its version and checksum on
// the whole document and upgrades it to the current format.
func decodeGeneral(b []byte) (*State, error) {
	doc, err := parseDoc(b)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	num, ok := doc["version"].(json.Number)
	if !ok {
		return nil, errors.New("no format version")
	}
	version, err := strconv.Atoi(num.String())
	switch {
	case err != nil || version < 1:
		return nil, fmt.Errorf("unknown format version %s", num)
	case version > formatVersion:
		return nil, fmt.Errorf("format version %d was %w (this one reads versions up to %d); upgrade slipway to use it", version, ErrUnsupportedVersion, formatVersion)
	}
	if recorded, ok := doc["checksum"].(string); ok && strings.HasPrefix(recorded, compactPrefix) {
		if err := verifyCompact(b, recorded); err != nil {
			return nil, err
		}
	} else if recorded, ok := doc["checksum"]; ok {
		sum, err := checksum(doc)
		if err != nil {
			return nil, err
		}
		if recorded != sum {
			return nil, fmt.Errorf("%w: it records %v but its content hashes to %s, so something other than slipway changed it", ErrChecksum, recorded, sum)
		}
	}
	if version < formatVersion {
		if err := upgrade(doc, version, upgrades); err != nil {
			return nil, err
		}
		if b, err = marshal(doc, ""); err != nil {
			return nil, err
		}
	}
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return fromFile(&f)
}

// fromFile builds the state of a decoded document.
func fromFile(f *file) (*State, error) {
	if f.Lineage == "" {
		return nil, errors.New("no lineage")
	}
	decoded, err := decodeResources(f.Resources)
	if err != nil {
		return nil, err
	}
	return fromDecoded(f, decoded)
}

// fromDecoded builds the state of a decoded document whose resources
// are decoded already.
func fromDecoded(f *file, decoded []*ResourceInstance) (*State, error) {
	if f.Lineage == "" {
		return nil, errors.New("no lineage")
	}
	s := &State{
		Lineage:        f.Lineage,
		Serial:         f.Serial,
		SlipwayVersion: f.SlipwayVersion,
		Resources:      make(map[string]*ResourceInstance, len(decoded)),
		Outputs:        make(map[string]*Output, len(f.Outputs)),
		Extra:          make(map[string]json.RawMessage, len(f.Extra)),
	}
	for _, r := range decoded {
		key := r.Addr.String()
		if _, dup := s.Resources[key]; dup {
			return nil, fmt.Errorf("resource %s appears twice", key)
		}
		s.Resources[key] = r
	}
	for name, fo := range f.Outputs {
		v, err := decodeValue(fo.Value, fo.Type)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		s.Outputs[name] = &Output{Value: v, Sensitive: fo.Sensitive}
	}
	for name, raw := range f.Extra {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("extra section %s: %w", name, err)
		}
		s.Extra[name] = buf.Bytes()
	}
	return s, nil
}

// decodeResources decodes the resources of a document on every CPU: a
// state of thousands of objects holds megabytes of values.
func decodeResources(frs []fileResource) ([]*ResourceInstance, error) {
	out := make([]*ResourceInstance, len(frs))
	errs := make([]error, len(frs))
	par.Each(len(frs), func(i int) {
		// decodeResource recovers from panics itself: one here would end
		// the process, since no caller can recover it.
		r, err := decodeResource(frs[i])
		if err != nil {
			err = fmt.Errorf("resource %s: %w", frs[i].Address, err)
		}
		out[i], errs[i] = r, err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fastChecksum computes the checksum of a document of the current format
// from its decoded form: the canonical form (see Encode) written directly,
// members in name order, the values' JSON compacted as it is. It matches
// checksum for every document slipway writes; ok is false when it cannot
// tell (a value whose JSON is not in canonical form), and the caller then
// falls back to checksum of the whole document.
func fastChecksum(f *file) (sum string, ok bool) {
	var buf bytes.Buffer
	buf.Grow(1 << 20)
	str := func(s string) {
		b, _ := marshal(s, "")
		buf.Write(bytes.TrimSuffix(b, []byte("\n")))
	}
	var scratch bytes.Buffer
	raw := func(r json.RawMessage) bool {
		scratch.Reset()
		if err := json.Compact(&scratch, r); err != nil {
			return false
		}
		// Values are written with HTML escaping (<, >, & as \u003c...),
		// the canonical form without it.
		unescapeHTML(&buf, scratch.Bytes())
		return true
	}
	key := func(first *bool, k string) {
		if !*first {
			buf.WriteByte(',')
		}
		*first = false
		str(k)
		buf.WriteByte(':')
	}
	sortedKeys := func(m map[string]json.RawMessage) []string {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	first := true
	buf.WriteByte('{')
	if len(f.Extra) > 0 {
		key(&first, "extra")
		buf.WriteByte('{')
		inner := true
		for _, k := range sortedKeys(f.Extra) {
			key(&inner, k)
			// Extra sections are any JSON, in any member order: their
			// canonical form goes through a full parse (they are small).
			dec := json.NewDecoder(bytes.NewReader(f.Extra[k]))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) != nil {
				return "", false
			}
			b, err := marshal(v, "")
			if err != nil {
				return "", false
			}
			buf.Write(bytes.TrimSuffix(b, []byte("\n")))
		}
		buf.WriteByte('}')
	}
	key(&first, "lineage")
	str(f.Lineage)
	key(&first, "outputs")
	if f.Outputs == nil {
		buf.WriteString("null")
	} else {
		names := make([]string, 0, len(f.Outputs))
		for k := range f.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		buf.WriteByte('{')
		inner := true
		for _, k := range names {
			o := f.Outputs[k]
			key(&inner, k)
			buf.WriteByte('{')
			of := true
			if o.Sensitive {
				key(&of, "sensitive")
				buf.WriteString("true")
			}
			if len(o.Type) > 0 {
				key(&of, "type")
				if !raw(o.Type) {
					return "", false
				}
			}
			if len(o.Value) > 0 {
				key(&of, "value")
				if !raw(o.Value) {
					return "", false
				}
			}
			buf.WriteByte('}')
		}
		buf.WriteByte('}')
	}
	key(&first, "resources")
	if f.Resources == nil {
		buf.WriteString("null")
	} else {
		buf.WriteByte('[')
		for i := range f.Resources {
			if i > 0 {
				buf.WriteByte(',')
			}
			r := &f.Resources[i]
			rf := true
			buf.WriteByte('{')
			key(&rf, "address")
			str(r.Address)
			if len(r.Attributes) > 0 {
				key(&rf, "attributes")
				if !raw(r.Attributes) {
					return "", false
				}
			}
			if len(r.AttributesType) > 0 {
				key(&rf, "attributes_type")
				if !raw(r.AttributesType) {
					return "", false
				}
			}
			if len(r.Dependencies) > 0 {
				key(&rf, "dependencies")
				b, _ := marshal(r.Dependencies, "")
				buf.Write(bytes.TrimSuffix(b, []byte("\n")))
			}
			if len(r.IndexKey) > 0 {
				key(&rf, "index_key")
				if !raw(r.IndexKey) {
					return "", false
				}
			}
			key(&rf, "mode")
			str(r.Mode)
			key(&rf, "name")
			str(r.Name)
			if len(r.Private) > 0 {
				key(&rf, "private")
				b, _ := marshal(r.Private, "")
				buf.Write(bytes.TrimSuffix(b, []byte("\n")))
			}
			if r.Provider != "" {
				key(&rf, "provider")
				str(r.Provider)
			}
			key(&rf, "schema_version")
			buf.WriteString(strconv.FormatInt(r.SchemaVersion, 10))
			if len(r.SensitiveAttributes) > 0 {
				key(&rf, "sensitive_attributes")
				buf.WriteByte('[')
				for j, path := range r.SensitiveAttributes {
					if j > 0 {
						buf.WriteByte(',')
					}
					buf.WriteByte('[')
					for k, st := range path {
						if k > 0 {
							buf.WriteByte(',')
						}
						sf := true
						buf.WriteByte('{')
						key(&sf, "type")
						str(st.Type)
						key(&sf, "value")
						if !raw(st.Value) {
							return "", false
						}
						buf.WriteByte('}')
					}
					buf.WriteByte(']')
				}
				buf.WriteByte(']')
			}
			if r.Tainted {
				key(&rf, "tainted")
				buf.WriteString("true")
			}
			if r.Type != "" {
				key(&rf, "type")
				str(r.Type)
			}
			buf.WriteByte('}')
		}
		buf.WriteByte(']')
	}
	key(&first, "serial")
	buf.WriteString(strconv.FormatUint(f.Serial, 10))
	if f.SlipwayVersion != "" {
		key(&first, "slipway_version")
		str(f.SlipwayVersion)
	}
	key(&first, "version")
	buf.WriteString(strconv.Itoa(f.Version))
	buf.WriteByte('}')
	h := sha256.Sum256(buf.Bytes())
	return "sha256:" + hex.EncodeToString(h[:]), true
}

// unescapeHTML writes b with the escapes \u003c, \u003e and \u0026 that
// Go's HTML-safe JSON writes turned back into <, > and &.
func unescapeHTML(out *bytes.Buffer, b []byte) {
	for {
		i := bytes.Index(b, []byte(`\u00`))
		if i < 0 || i+6 > len(b) {
			out.Write(b)
			return
		}
		// An escape only when the backslash is not itself escaped.
		bs := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			bs++
		}
		var c byte
		if bs%2 == 0 {
			switch string(b[i+4 : i+6]) {
			case "3c":
				c = '<'
			case "3e":
				c = '>'
			case "26":
				c = '&'
			}
		}
		if c == 0 {
			out.Write(b[:i+4])
			b = b[i+4:]
			continue
		}
		out.Write(b[:i])
		out.WriteByte(c)
		b = b[i+6:]
	}
}

// upgrade brings doc from format version from to len(steps)+1.
func upgrade(doc map[string]any, from int, steps []func(map[string]any) error) error {
	for v := from; v <= len(steps); v++ {
		if err := steps[v-1](doc); err != nil {
			return fmt.Errorf("upgrading from format version %d: %w", v, err)
		}
		doc["version"] = json.Number(strconv.Itoa(v + 1))
	}
	return nil
}

// parseDoc reads one JSON object, keeping numbers as written.
func parseDoc(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errors.New("the document is null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the document")
	}
	return doc, nil
}

// checksum returns the checksum of doc's canonical form, as Encode
// describes it.
func checksum(doc map[string]any) (string, error) {
	doc = maps.Clone(doc)
	delete(doc, "checksum")
	b, err := marshal(doc, "")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(bytes.TrimSuffix(b, []byte("\n")))
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// marshal encodes v without HTML escaping, indented by indent or compact
// when it is empty, followed by a newline.
func marshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeResource(r *ResourceInstance) (fileResource, error) {
	a := r.Addr.Resource
	mode, ok := modeNames[a.Kind]
	if !ok {
		return fileResource{}, fmt.Errorf("unknown resource kind %d", a.Kind)
	}
	if (a.Kind == addrs.Managed || a.Kind == addrs.Source) && r.Type != a.Type {
		return fileResource{}, fmt.Errorf("type %q differs from the address's type %q", r.Type, a.Type)
	}
	fr := fileResource{
		Address:       r.Addr.String(),
		Mode:          mode,
		Type:          r.Type,
		Name:          a.Name,
		SchemaVersion: r.SchemaVersion,
		Private:       r.Private,
		Tainted:       r.Tainted,
	}
	switch k := r.Addr.Key.(type) {
	case addrs.IntKey:
		fr.IndexKey = json.RawMessage(strconv.Itoa(int(k)))
	case addrs.StringKey:
		fr.IndexKey, _ = json.Marshal(string(k))
	}
	if r.Provider != (addrs.Provider{}) {
		fr.Provider = r.Provider.String()
	}
	var err error
	if fr.Attributes, fr.AttributesType, err = encodeValue(r.Value); err != nil {
		return fileResource{}, err
	}
	for _, p := range r.Sensitive {
		steps, err := encodePath(p)
		if err != nil {
			return fileResource{}, err
		}
		fr.SensitiveAttributes = append(fr.SensitiveAttributes, steps)
	}
	for _, d := range r.Dependencies {
		fr.Dependencies = append(fr.Dependencies, d.String())
	}
	return fr, nil
}

// decodeResource builds the instance of a decoded resource. A panic
// while doing so (in cty, on a value no known check refuses) is returned
// as an error, because resources are decoded on goroutines of their own
// where nothing else could recover it.
func decodeResource(fr fileResource) (r *ResourceInstance, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("cannot be decoded: %v", p)
		}
	}()
	return decodeResourceUnguarded(fr)
}

func decodeResourceUnguarded(fr fileResource) (*ResourceInstance, error) {
	kind, ok := modeKinds[fr.Mode]
	if !ok {
		return nil, fmt.Errorf("unknown mode %q", fr.Mode)
	}
	res := addrs.Resource{Kind: kind, Name: fr.Name}
	if kind == addrs.Managed || kind == addrs.Source {
		res.Type = fr.Type
	}
	var key addrs.InstanceKey
	if len(fr.IndexKey) > 0 {
		var err error
		if key, err = decodeKey(fr.IndexKey); err != nil {
			return nil, err
		}
	}
	r := &ResourceInstance{
		Addr:          res.Instance(key),
		Type:          fr.Type,
		SchemaVersion: fr.SchemaVersion,
		Private:       fr.Private,
		Tainted:       fr.Tainted,
	}
	if got := r.Addr.String(); got != fr.Address {
		return nil, fmt.Errorf("its mode, type, name and index_key make the address %s", got)
	}
	if fr.Provider != "" {
		parts := strings.Split(fr.Provider, ".")
		if parts[0] != "provider" || len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("provider %q is not provider.NAME or provider.NAME.ALIAS", fr.Provider)
		}
		r.Provider.Name = parts[1]
		if len(parts) == 3 {
			r.Provider.Alias = parts[2]
		}
	}
	var err error
	if r.Value, err = decodeValue(fr.Attributes, fr.AttributesType); err != nil {
		return nil, err
	}
	for _, steps := range fr.SensitiveAttributes {
		p, err := decodePath(steps)
		if err != nil {
			return nil, err
		}
		r.Sensitive = append(r.Sensitive, p)
	}
	for _, d := range fr.Dependencies {
		dep, diags := addrs.ParseResourceInstance(d)
		if diags.HasErrors() {
			return nil, fmt.Errorf("dependency %q: %s", d, diags.Error())
		}
		if dep.Key != nil {
			return nil, fmt.Errorf("dependency %q names an instance, not a resource", d)
		}
		r.Dependencies = append(r.Dependencies, dep.Resource)
	}
	return r, nil
}

func decodeKey(raw json.RawMessage) (addrs.InstanceKey, error) {
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("index_key: %w", err)
		}
		return addrs.StringKey(s), nil
	}
	var i int
	if err := json.Unmarshal(raw, &i); err != nil {
		return nil, fmt.Errorf("index_key %s is neither a string nor a whole number", raw)
	}
	return addrs.IntKey(i), nil
}

// encodeValue returns v and its type as JSON, or nothing for cty.NilVal.
func encodeValue(v cty.Value) (val, ty json.RawMessage, err error) {
	if v.Type() == cty.NilType {
		return nil, nil, nil
	}
	var w jsonWriter
	if val, ok := w.appendValue(nil, v, v.Type()); ok {
		if ty = w.append(nil, v.Type()); w.err == nil {
			return val, ty, nil
		}
	}
	// What the writer leaves to go-cty: it says what is wrong.
	if !v.IsWhollyKnown() {
		return nil, nil, errors.New("value is not wholly known; state records only known values")
	}
	if v.ContainsMarked() {
		return nil, nil, errors.New("value has marks; record sensitive paths beside the value instead")
	}
	if val, err = ctyjson.Marshal(v, v.Type()); err != nil {
		return nil, nil, err
	}
	if ty, err = appendTypeJSON(nil, v.Type()); err != nil {
		return nil, nil, err
	}
	return val, ty, nil
}

func decodeValue(val, ty json.RawMessage) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("value does not fit its type: %v", r)
		}
	}()
	switch {
	case val == nil && ty == nil:
		return cty.NilVal, nil
	case val == nil || ty == nil:
		return cty.NilVal, errors.New("a value and its type must appear together")
	}
	t, err := unmarshalType(ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("type: %w", err)
	}
	if v, err = unmarshalValue(val, t); err != nil {
		return cty.NilVal, fmt.Errorf("value: %w", err)
	}
	return v, nil
}

func encodePath(p cty.Path) ([]fileStep, error) {
	steps := make([]fileStep, 0, len(p))
	for _, st := range p {
		switch st := st.(type) {
		case cty.GetAttrStep:
			v, _ := json.Marshal(st.Name)
			steps = append(steps, fileStep{Type: "get_attr", Value: v})
		case cty.IndexStep:
			t := st.Key.Type()
			if t != cty.String && t != cty.Number || !st.Key.IsKnown() || st.Key.IsNull() {
				return nil, errors.New("a sensitive path may index only by a known string or number")
			}
			v, err := ctyjson.Marshal(st.Key, t)
			if err != nil {
				return nil, err
			}
			steps = append(steps, fileStep{Type: "index", Value: v})
		}
	}
	return steps, nil
}

func decodePath(steps []fileStep) (cty.Path, error) {
	p := make(cty.Path, 0, len(steps))
	for _, st := range steps {
		switch st.Type {
		case "get_attr":
			var name string
			if err := json.Unmarshal(st.Value, &name); err != nil {
				return nil, fmt.Errorf("sensitive path attribute: %w", err)
			}
			p = p.GetAttr(name)
		case "index":
			t := cty.Number
			if len(st.Value) > 0 && st.Value[0] == '"' {
				t = cty.String
			}
			k, err := ctyjson.Unmarshal(st.Value, t)
			if err == nil && t == cty.Number {
				err = checkNumber(k)
			}
			if err != nil {
				return nil, fmt.Errorf("sensitive path index: %w", err)
			}
			p = p.Index(k)
		default:
			return nil, fmt.Errorf("sensitive path step type %q is not get_attr or index", st.Type)
		}
	}
	return p, nil
}
