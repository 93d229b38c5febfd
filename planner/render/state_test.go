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
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

func fixtureState() *state.State {
	s := &state.State{
		Lineage:        "3f2a9c1e-lineage",
		Serial:         7,
		SlipwayVersion: "0.4.0",
		Resources:      map[string]*state.ResourceInstance{},
		Outputs: map[string]*state.Output{
			"path":  {Value: str("out/a.txt")},
			"token": {Value: str(secret + "-output"), Sensitive: true},
			"urls":  {Value: cty.ListVal([]cty.Value{str("http://a"), str("http://b")})},
		},
	}
	add := func(r *state.ResourceInstance) { s.Resources[r.Addr.String()] = r }
	add(&state.ResourceInstance{
		Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
		Value: obj(map[string]cty.Value{
			"path":    str("out/a.txt"),
			"content": str("hello\nworld\n"),
			"id":      str("a-1"),
			"unset":   cty.NullVal(cty.String),
			"meta":    obj(map[string]cty.Value{"owner": str("web"), "labels": cty.MapVal(map[string]cty.Value{"tier": str("front")})}),
		}),
	})
	add(&state.ResourceInstance{
		Addr: managed("secret", "db", addrs.StringKey("eu")), Provider: addrs.Provider{Name: "vault"}, Type: "secret",
		Value: obj(map[string]cty.Value{
			"name":     str("db"),
			"password": str(secret + "-password"),
			"data":     cty.MapVal(map[string]cty.Value{"user": str("app"), "token": str(secret + "-token")}),
		}),
		Sensitive:     []cty.Path{cty.GetAttrPath("password"), cty.GetAttrPath("data").IndexString("token")},
		SchemaVersion: 2,
		Dependencies:  []addrs.Resource{{Kind: addrs.Managed, Type: "file", Name: "a"}},
		Tainted:       true,
	})
	add(&state.ResourceInstance{
		Addr:     addrs.Resource{Kind: addrs.Pipeline, Name: "myapp"}.Instance(addrs.NoKey),
		Provider: addrs.Provider{Name: "slipway"},
		Value:    obj(map[string]cty.Value{"commit": str("9f8e7d6"), "stages": cty.ListVal([]cty.Value{str("test"), str("build")})}),
	})
	add(&state.ResourceInstance{
		Addr:     managed("file", "c", addrs.IntKey(0)),
		Provider: fileProvider, Type: "file",
		Value: cty.EmptyObjectVal,
	})
	return s
}

func TestStateViews(t *testing.T) {
	t.Parallel()
	s := fixtureState()
	var human, color, one bytes.Buffer
	HumanState(&human, s, Options{})
	HumanState(&color, s, Options{Color: true})
	HumanResource(&one, s.Resources[`secret.db["eu"]`], Options{})
	js, err := StateJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := OutputsJSON(s.Outputs)
	if err != nil {
		t.Fatal(err)
	}
	var empty bytes.Buffer
	HumanState(&empty, &state.State{Lineage: "x"}, Options{})
	emptyJS, err := StateJSON(&state.State{Lineage: "x"})
	if err != nil {
		t.Fatal(err)
	}
	emptyOuts, err := OutputsJSON(nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		got        []byte
		mayShowKey bool
	}{
		"state.human.golden":              {got: human.Bytes()},
		"state.color.golden":              {got: color.Bytes()},
		"state-resource.human.golden":     {got: one.Bytes()},
		"state.json.golden":               {got: js},
		"state-empty.human.golden":        {got: empty.Bytes()},
		"state-empty.json.golden":         {got: emptyJS},
		"state-outputs.json.golden":       {got: outs, mayShowKey: true},
		"state-outputs-empty.json.golden": {got: emptyOuts},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden(t, name, tc.got)
			if !tc.mayShowKey && bytes.Contains(tc.got, []byte(secret)) {
				t.Errorf("%s shows a sensitive value:\n%s", name, tc.got)
			}
		})
	}
}

func TestOutputsJSONIncludesSensitiveValues(t *testing.T) {
	t.Parallel()
	raw, err := OutputsJSON(fixtureState().Outputs)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]struct {
		Sensitive bool            `json:"sensitive"`
		Type      json.RawMessage `json:"type"`
		Value     any             `json:"value"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	tok := got["token"]
	if !tok.Sensitive || tok.Value != secret+"-output" || string(tok.Type) != `"string"` {
		t.Errorf("token = %+v, want the sensitive string with its type", tok)
	}
}

func TestStateJSONMarksSensitiveValues(t *testing.T) {
	t.Parallel()
	raw, err := StateJSON(fixtureState())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Values struct {
			Outputs   map[string]map[string]any `json:"outputs"`
			Resources []struct {
				Address         string `json:"address"`
				Values          any    `json:"values"`
				SensitiveValues any    `json:"sensitive_values"`
			} `json:"resources"`
		} `json:"values"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, r := range doc.Values.Resources {
		if r.Address == `secret.db["eu"]` {
			got = append(got, r.Values, r.SensitiveValues)
		}
	}
	got = append(got, doc.Values.Outputs["token"])
	want := []any{
		map[string]any{"name": "db", "password": nil, "data": map[string]any{"user": "app", "token": nil}},
		map[string]any{"password": true, "data": map[string]any{"token": true}},
		map[string]any{"sensitive": true, "type": "string", "value": nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStateMarkedValuesAreMasked(t *testing.T) {
	t.Parallel()
	s := fixtureState()
	s.Resources["file.a"].Value = obj(map[string]cty.Value{"content": str(secret).Mark("sensitive")})
	s.Outputs["path"].Value = str(secret).Mark("sensitive")
	var human bytes.Buffer
	HumanState(&human, s, Options{})
	js, err := StateJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"human": human.Bytes(), "json": js} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("%s view shows a marked value:\n%s", name, got)
		}
	}
}
