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

package command

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/state"
)

// backendOf parses the body of a backend block of type typ.
func backendOf(t *testing.T, typ, body string) backendConfig {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(body), "main.slip.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return backendConfig{Type: typ, Body: f.Body}
}

func TestBackendRecord(t *testing.T) {
	t.Parallel()
	const secret = "postgres://slip:hunter2@db.internal/state"
	cfg := backendOf(t, "pg", `
conn_str    = "`+secret+`"
schema_name = "prod"
`)
	m := &Meta{Dir: t.TempDir(), View: &views.View{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}}
	rec, diags := newBackendRecord(cfg)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if err := m.writeBackendRecord(rec); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(m.dataDir(), backendRecordName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("hunter2")) {
		t.Errorf("the backend record holds a secret in clear:\n%s", data)
	}
	if !bytes.Contains(data, []byte(`"prod"`)) || !slices.Equal(rec.Withheld, []string{"conn_str"}) {
		t.Errorf("the backend record should keep schema_name and withhold conn_str:\n%s", data)
	}
	got, err := m.readBackendRecord()
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		cfg  backendConfig
		want bool
	}{
		"same":          {cfg, true},
		"same, spaced":  {backendOf(t, "pg", "schema_name = \"prod\"\n\n\nconn_str = \""+secret+"\"\n"), true},
		"other secret":  {backendOf(t, "pg", "conn_str = \"postgres://slip:other@db/state\"\nschema_name = \"prod\"\n"), false},
		"other value":   {backendOf(t, "pg", "conn_str = \""+secret+"\"\nschema_name = \"dev\"\n"), false},
		"one more":      {backendOf(t, "pg", "conn_str = \""+secret+"\"\nschema_name = \"prod\"\nx = 1\n"), false},
		"other type":    {backendOf(t, "local", "conn_str = \""+secret+"\"\nschema_name = \"prod\"\n"), false},
		"number, not a": {backendOf(t, "pg", "conn_str = \""+secret+"\"\nschema_name = 1\n"), false},
	} {
		if ok, diags := got.matches(tc.cfg); ok != tc.want || diags.HasErrors() {
			t.Errorf("%s: matches = %v (%v), want %v", name, ok, diags, tc.want)
		}
	}
	// Two records of one configuration hash differently: the salt.
	if again, _ := newBackendRecord(cfg); again.Hash == rec.Hash {
		t.Errorf("two records of one configuration have the same hash %s", rec.Hash)
	}

	// Opening the recorded backend again: the secret comes from the
	// configured backend when the hash confirms it.
	for name, tc := range map[string]struct {
		cur         backendConfig
		wantMissing bool
	}{
		"schema moved": {backendOf(t, "pg", "conn_str = \""+secret+"\"\nschema_name = \"next\"\n"), false},
		"db moved":     {backendOf(t, "pg", "conn_str = \"postgres://elsewhere\"\nschema_name = \"prod\"\n"), true},
		"to local":     {backendOf(t, "local", "path = \"x\"\n"), true},
	} {
		old, missing, err := got.config(tc.cur)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		args, diags := backendArgs(old)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		if old.Type != "pg" || args["schema_name"].AsString() != "prod" {
			t.Errorf("%s: the recorded backend reopens as %s %#v", name, old.Type, args)
		}
		_, has := args["conn_str"]
		if (len(missing) > 0) != tc.wantMissing || has == tc.wantMissing {
			t.Errorf("%s: missing %q, conn_str given %v; want missing %v", name, missing, has, tc.wantMissing)
		}
		if has && args["conn_str"].AsString() != secret {
			t.Errorf("%s: conn_str reopened as %q", name, args["conn_str"].AsString())
		}
	}
}

// Nothing recorded: the default local backend's, when a state is at its
// path; nothing otherwise. An unreadable record says what to do.
func TestBackendRecordImplied(t *testing.T) {
	t.Parallel()
	m := &Meta{Dir: t.TempDir()}
	if rec, err := m.readBackendRecord(); rec != nil || err != nil {
		t.Errorf("record of an empty directory = %+v, %v; want none", rec, err)
	}
	if err := os.WriteFile(filepath.Join(m.Dir, state.DefaultLocalPath), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, err := m.readBackendRecord()
	if err != nil || rec == nil || !rec.Implied || rec.Type != "local" {
		t.Fatalf("record beside a default state = %+v, %v; want the implied local one", rec, err)
	}
	for body, want := range map[string]bool{"": true, `path = "slipway.slipstate.other"`: false} {
		if ok, _ := rec.matches(backendOf(t, "local", body)); ok != want {
			t.Errorf("implied record matches backend \"local\" {%s} = %v, want %v", body, ok, want)
		}
	}
	if ok, _ := rec.matches(impliedBackend()); !ok {
		t.Errorf("implied record does not match a configuration without a backend block")
	}
	if err := os.MkdirAll(m.dataDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.dataDir(), backendRecordName), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := m.readBackendRecord(); err == nil || !strings.Contains(err.Error(), "slipway init -reconfigure") {
		t.Errorf("an unreadable record = %v, want an error naming init -reconfigure", err)
	}
}

func TestPushable(t *testing.T) {
	t.Parallel()
	cur := state.NewState()
	cur.Lineage, cur.Serial = "l1", 5
	cur.Outputs["o"] = &state.Output{Value: cty.StringVal("x")}
	with := func(f func(s *state.State)) *state.State {
		s := cur.DeepCopy()
		f(s)
		return s
	}
	tests := map[string]struct {
		cur, pushed *state.State
		want        string // "" for accepted
	}{
		"newer":                   {cur, with(func(s *state.State) { s.Serial = 6 }), ""},
		"the same":                {cur, cur.DeepCopy(), ""},
		"older":                   {cur, with(func(s *state.State) { s.Serial = 4 }), "is older than the current state's 5"},
		"another lineage":         {cur, with(func(s *state.State) { s.Lineage = "l2"; s.Serial = 9 }), "lineage l2 differs from the current state's l1"},
		"same serial, other data": {cur, with(func(s *state.State) { s.Outputs["o"] = &state.Output{Value: cty.StringVal("y")} }), "has the current state's serial 5 but other content"},
		"onto an empty state":     {state.NewState(), with(func(s *state.State) { s.Lineage = "l2" }), ""},
	}
	for name, tc := range tests {
		err := pushable(tc.cur, tc.pushed, false)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "-force")) {
			t.Errorf("%s: pushable = %v, want %q", name, err, tc.want)
		}
		if err := pushable(tc.cur, tc.pushed, true); err != nil {
			t.Errorf("%s: pushable with -force = %v", name, err)
		}
	}
}

// TestErroredSerial: the fallback state of an apply that could not save
// wins over this apply's own checkpoints, never over another run's write.
func TestErroredSerial(t *testing.T) {
	st := func(serial uint64, lineage string) *state.State {
		return &state.State{Serial: serial, Lineage: lineage}
	}
	for _, tc := range []struct {
		name    string
		snap    *state.State
		written uint64
		cur     *state.State
		want    uint64
		other   bool
	}{
		{"no checkpoint, nothing written since", st(4, "l"), 0, st(4, "l"), 5, false},
		{"own checkpoints moved the serial", st(4, "l"), 7, st(7, "l"), 8, false},
		{"another run wrote after the lock was lost", st(4, "l"), 7, st(9, "l"), 8, true},
		{"another run wrote, no checkpoint of ours", st(4, "l"), 0, st(5, "l"), 5, true},
		{"the state is unreadable", st(4, "l"), 7, nil, 4, false},
		{"another lineage", st(4, "l"), 0, st(9, "m"), 4, false},
	} {
		got, other := erroredSerial(tc.snap, tc.written, tc.cur)
		if got != tc.want || other != tc.other {
			t.Errorf("%s: erroredSerial = %d, %v; want %d, %v", tc.name, got, other, tc.want, tc.other)
		}
		if other && tc.cur != nil {
			pushed := st(got, tc.snap.Lineage)
			pushed.Resources = map[string]*state.ResourceInstance{}
			cur := st(tc.cur.Serial, tc.cur.Lineage)
			cur.Resources = map[string]*state.ResourceInstance{"file.other": {}}
			if err := pushable(cur, pushed, false); err == nil {
				t.Errorf("%s: state push would take the file over the other run's write", tc.name)
			}
		}
	}
}
