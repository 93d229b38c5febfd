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
	"encoding/base64"
	"fmt"
	"strconv"

	"slipway.dev/slipway/internal/par"
)

// marshalCompact is marshal(f, "") byte for byte, with f's resources
// written by appendResource on every CPU instead of by encoding/json,
// which reflects over each resource and then checks and compacts again
// every value already encoded (attributes, attributes_type): writing the
// state of 1,000 apps spent 0.3 CPU-s there. The rest of the document is
// encoding/json's.
//
// parts are f's resources as appendResource writes them, or nil for
// marshalCompact to write them.
func marshalCompact(f file, parts [][]byte) ([]byte, error) {
	return appendCompact(nil, f, parts, 0)
}

// appendCompact is marshalCompact written over dst's storage when it
// has room for the document and spare bytes more, which a caller about
// to grow the document (withCompactChecksum) asks for so that it need
// not copy it.
func appendCompact(dst []byte, f file, parts [][]byte, spare int) ([]byte, error) {
	frs := f.Resources
	if frs == nil {
		doc, err := marshal(f, "")
		return append(dst[:0], doc...), err
	}
	f.Resources = []fileResource{}
	head, err := marshal(f, "")
	if err != nil {
		return nil, err
	}
	// The first "resources":[] is the member's: the members before it
	// are a number and strings, in which the bytes would be escaped.
	at := bytes.Index(head, []byte(`"resources":[]`))
	if at < 0 {
		return nil, fmt.Errorf("the document has no resources member")
	}
	at += len(`"resources":[`)
	if parts == nil {
		parts = make([][]byte, len(frs))
		par.Each(len(frs), func(i int) { parts[i] = appendResource(nil, &frs[i]) })
	}
	n := len(head) + len(parts) + spare
	for _, p := range parts {
		n += len(p)
	}
	out := dst[:0]
	if cap(out) < n {
		out = make([]byte, 0, n)
	}
	out = append(out, head[:at]...)
	for i, p := range parts {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, p...)
	}
	return append(out, head[at:]...), nil
}

// appendResource appends fr as encoding/json writes it with HTML escaping
// off: its fields in order, the empty ones with omitempty left out. The
// raw members are already compact JSON (encodeValue's, encodePath's).
func appendResource(b []byte, fr *fileResource) []byte {
	b = append(b, `{"address":`...)
	b = appendPlainString(b, fr.Address)
	b = append(b, `,"mode":`...)
	b = appendPlainString(b, fr.Mode)
	if fr.Type != "" {
		b = append(b, `,"type":`...)
		b = appendPlainString(b, fr.Type)
	}
	b = append(b, `,"name":`...)
	b = appendPlainString(b, fr.Name)
	if len(fr.IndexKey) > 0 {
		b = append(b, `,"index_key":`...)
		b = append(b, fr.IndexKey...)
	}
	if fr.Provider != "" {
		b = append(b, `,"provider":`...)
		b = appendPlainString(b, fr.Provider)
	}
	b = append(b, `,"schema_version":`...)
	b = strconv.AppendInt(b, fr.SchemaVersion, 10)
	if len(fr.Attributes) > 0 {
		b = append(b, `,"attributes":`...)
		b = append(b, fr.Attributes...)
	}
	if len(fr.AttributesType) > 0 {
		b = append(b, `,"attributes_type":`...)
		b = append(b, fr.AttributesType...)
	}
	if len(fr.SensitiveAttributes) > 0 {
		b = append(b, `,"sensitive_attributes":[`...)
		for i, steps := range fr.SensitiveAttributes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for j, st := range steps {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"type":`...)
				b = appendPlainString(b, st.Type)
				b = append(b, `,"value":`...)
				if len(st.Value) == 0 {
					b = append(b, "null"...)
				} else {
					b = append(b, st.Value...)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if len(fr.Private) > 0 {
		b = append(b, `,"private":"`...)
		b = base64.StdEncoding.AppendEncode(b, fr.Private)
		b = append(b, '"')
	}
	if len(fr.Dependencies) > 0 {
		b = append(b, `,"dependencies":[`...)
		for i, d := range fr.Dependencies {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPlainString(b, d)
		}
		b = append(b, ']')
	}
	if fr.Tainted {
		b = append(b, `,"tainted":true`...)
	}
	return append(b, '}')
}

// appendPlainString appends s as encoding/json writes a string with HTML
// escaping off: what needs no escape as it is, anything else through
// encoding/json itself.
func appendPlainString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			js, err := marshal(s, "")
			if err != nil {
				// A string always marshals; keep the document valid.
				return strconv.AppendQuote(b, s)
			}
			return append(b, bytes.TrimSuffix(js, []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
