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

package state_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

var update = flag.Bool("update", false, "rewrite testdata/v1-*.json from the states in fixtures")

// fixtures are the states the golden files of the current format version
// are generated from; golden files of older versions have no entry here and
// are kept as they were written.
var fixtures = map[string]func() *state.State{
	"v1-empty.json": func() *state.State {
		s := state.NewState()
		s.Lineage = "0b6e1d0a-1f43-4d8e-8c3a-7d2b9e4f5a61"
		return s
	},
	"v1-sample.json": func() *state.State {
		s := statetest.Sample()
		s.Serial = 7
		return s
	},
}

func TestGoldenRoundTrip(t *testing.T) {
	if *update {
		for name, mk := range fixtures {
			b, err := state.Encode(mk())
			if err != nil {
				t.Fatalf("encoding %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob("testdata/v1-*.json")
	if err != nil || len(files) < len(fixtures) {
		t.Fatalf("golden files %v (%v), want at least %d; run go test -update", files, err, len(fixtures))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := state.Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got, err := state.Encode(s)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if diff := cmp.Diff(string(b), string(got)); diff != "" {
				t.Errorf("Encode(Decode(file)) differs from the file (-want +got):\n%s", diff)
			}
			if mk, ok := fixtures[name]; ok {
				if diff := statetest.Diff(mk(), s); diff != "" {
					t.Errorf("Decode differs from the fixture's state (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestEncodeDeterministic(t *testing.T) {
	t.Parallel()
	a, err := state.Encode(statetest.Sample())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := state.Encode(statetest.Sample().DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("two encodings of equal states differ:\n%s\n%s", a, b)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	good, err := state.Encode(statetest.Sample())
	if err != nil {
		t.Fatal(err)
	}
	unsummed := regexp.MustCompile(`(?m)^  "checksum": .*\n`).ReplaceAll(good, nil)
	tests := map[string]struct {
		in      []byte
		wantIs  error
		wantMsg string
	}{
		"truncated":      {good[:len(good)/2], nil, "state file is corrupted: invalid JSON"},
		"empty":          {nil, nil, "state file is corrupted: invalid JSON"},
		"not an object":  {[]byte(`[1]`), nil, "state file is corrupted: invalid JSON"},
		"null":           {[]byte(`null`), nil, "state file is corrupted: invalid JSON"},
		"trailing data":  {append(bytes.Clone(good), "{}"...), nil, "data after the document"},
		"changed value":  {bytes.Replace(good, []byte("hunter2"), []byte("hunter3"), 1), state.ErrChecksum, "state file is corrupted: checksum mismatch"},
		"bad checksum":   {bytes.Replace(good, []byte(`"sha256:`), []byte(`"sha256:00`), 1), state.ErrChecksum, "checksum mismatch"},
		"newer version":  {bytes.Replace(good, []byte(`"version": 1,`), []byte(`"version": 2,`), 1), state.ErrUnsupportedVersion, "state file is unsupported: format version 2 was written by a newer slipway"},
		"no version":     {[]byte(`{"lineage": "x"}`), nil, "no format version"},
		"version zero":   {[]byte(`{"version": 0, "lineage": "x"}`), nil, "unknown format version 0"},
		"no lineage":     {[]byte(`{"version": 1, "serial": 1, "resources": [], "outputs": {}}`), nil, "state file is corrupted: no lineage"},
		"unknown member": {bytes.Replace(unsummed, []byte(`"serial"`), []byte(`"surprise": 1, "serial"`), 1), nil, `unknown field "surprise"`},
		"address mismatch": {
			bytes.Replace(unsummed, []byte(`"address": "file.a"`), []byte(`"address": "file.z"`), 1), nil,
			"resource file.z: its mode, type, name and index_key make the address file.a",
		},
		"duplicate resource": {
			[]byte(`{"version": 1, "lineage": "x", "serial": 1, "outputs": {}, "resources": [
				{"address": "file.a", "mode": "managed", "type": "file", "name": "a", "schema_version": 0},
				{"address": "file.a", "mode": "managed", "type": "file", "name": "a", "schema_version": 0}]}`), nil,
			"resource file.a appears twice",
		},
		"value without type": {
			[]byte(`{"version": 1, "lineage": "x", "serial": 1, "outputs": {"o": {"value": 1}}, "resources": []}`), nil,
			"output o: a value and its type must appear together",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := state.Decode(tc.in)
			if err == nil {
				t.Fatalf("Decode succeeded with %+v, want an error", s)
			}
			if s != nil {
				t.Errorf("Decode returned a state with its error")
			}
			var fe *state.FileError
			if !errors.As(err, &fe) {
				t.Errorf("Decode error %T is not a *state.FileError", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Decode error %q does not wrap %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Decode error %q does not contain %q", err, tc.wantMsg)
			}
		})
	}
}

func TestDecodeWithoutChecksum(t *testing.T) {
	t.Parallel()
	good, err := state.Encode(statetest.Sample())
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`(?m)^  "checksum": .*\n`).ReplaceAll(good, nil)
	edited = bytes.Replace(edited, []byte("hunter2"), []byte("hunter3"), 1)
	got, err := state.Decode(edited)
	if err != nil {
		t.Fatalf("Decode of a hand-edited file without a checksum: %v", err)
	}
	want := statetest.Sample()
	want.Outputs["db"].Value = cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal("hunter3"), "port": cty.NumberIntVal(5432)})
	if diff := statetest.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func TestFileErrorName(t *testing.T) {
	t.Parallel()
	_, err := state.Decode([]byte(`{`))
	var fe *state.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Decode error %T is not a *state.FileError", err)
	}
	fe.Name = "dir/slipway.slipstate"
	if want := "state file dir/slipway.slipstate is corrupted: invalid JSON"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to begin %q", err, want)
	}
}

func TestEncodeRefuses(t *testing.T) {
	t.Parallel()
	file := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey)
	withResource := func(key string, r *state.ResourceInstance) *state.State {
		s := state.NewState()
		s.Resources[key] = r
		return s
	}
	tests := map[string]struct {
		s       *state.State
		wantMsg string
	}{
		"no lineage": {&state.State{}, "no lineage"},
		"unknown value": {
			withResource("file.a", &state.ResourceInstance{Addr: file, Type: "file", Value: cty.ObjectVal(map[string]cty.Value{"x": cty.UnknownVal(cty.String)})}),
			"resource file.a: value is not wholly known",
		},
		"marked value": {
			withResource("file.a", &state.ResourceInstance{Addr: file, Type: "file", Value: cty.StringVal("x").Mark("sensitive")}),
			"value has marks",
		},
		"wrong key": {
			withResource("file.b", &state.ResourceInstance{Addr: file, Type: "file"}),
			`resource file.a is stored under key "file.b"`,
		},
		"type differs from address": {
			withResource("file.a", &state.ResourceInstance{Addr: file, Type: "dir"}),
			`type "dir" differs from the address's type "file"`,
		},
		"set element in sensitive path": {
			withResource("file.a", &state.ResourceInstance{Addr: file, Type: "file", Sensitive: []cty.Path{cty.GetAttrPath("s").Index(cty.ListValEmpty(cty.String))}}),
			"a sensitive path may index only by a known string or number",
		},
		"invalid extra": {
			&state.State{Lineage: "x", Extra: map[string]json.RawMessage{"apps": json.RawMessage(`{`)}},
			"encoding state",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := state.Encode(tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Encode error = %v, want one containing %q", err, tc.wantMsg)
			}
		})
	}
}

// TestDecodeRefusesWhatCtyPanicsOn checks documents that once panicked
// inside go-cty, on the goroutines that decode resources, are refused
// with an error naming the resource.
func TestDecodeRefusesWhatCtyPanicsOn(t *testing.T) {
	resource := func(attrs, typ string) string {
		return `{"version":1,"lineage":"l","serial":1,"outputs":{},"resources":[{"address":"file.a","mode":"managed","type":"file","name":"a","schema_version":0,"attributes":` + attrs + `,"attributes_type":` + typ + `}]}`
	}
	for _, c := range []struct{ name, doc, want string }{
		{"optional attribute the object lacks", resource(`{}`, `["object",{},["0"]]`), `resource file.a: type: optional attribute "0" is not an attribute of the object`},
		{"tuple with too few elements", resource(`[]`, `["tuple",["string"]]`), `resource file.a: value: the value has 0 elements where its tuple type has 1`},
		{"nested dynamic tuple with too few elements", resource(`{"value":[],"type":["tuple",["string"]]}`, `"dynamic"`), `resource file.a: value: does not fit its type dynamic`},
		{"list of dynamic values of two types", resource(`[{"value":"a","type":"string"},{"value":1,"type":"number"}]`, `["list","dynamic"]`), `resource file.a: value: does not fit its type list of dynamic`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := state.Decode([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Decode: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestDecodeRefusesNumbersTooLargeToWrite checks that state refuses a
// number whose decimal text would take hours to write.
func TestDecodeRefusesNumbersTooLargeToWrite(t *testing.T) {
	for _, n := range []string{"1e-999999", "1e999999"} {
		for _, c := range []struct{ attrs, typ string }{
			{`{"n":` + n + `}`, `["object",{"n":"number"}]`},
			{`{"value":` + n + `,"type":"number"}`, `"dynamic"`},
		} {
			doc := `{"version":1,"lineage":"l","serial":1,"outputs":{},"resources":[{"address":"file.a","mode":"managed","type":"file","name":"a","schema_version":0,"attributes":` + c.attrs + `,"attributes_type":` + c.typ + `}]}`
			_, err := state.Decode([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), "a number is too large or too small") {
				t.Errorf("Decode of %s: %v", c.attrs, err)
			}
		}
	}
	ok := `{"version":1,"lineage":"l","serial":1,"outputs":{"n":{"value":1e-300,"type":"number"}},"resources":[]}`
	if _, err := state.Decode([]byte(ok)); err != nil {
		t.Errorf("Decode of 1e-300: %v", err)
	}
}
