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
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Mistakes in backend "pg"'s arguments are diagnostics on their line;
// a database that cannot be reached is one on the block, which does not
// show the password.
func TestPgStoreDiagnostics(t *testing.T) {
	tests := map[string]struct {
		body     string
		env      map[string]string
		line     int
		contains string
	}{
		"unknown argument": {
			body: "conn_str = \"postgres://x\"\npath = \"x\"\n", line: 2, contains: "path",
		},
		"conn_str not a string": {
			body: "conn_str = [1]\n", line: 1, contains: "conn_str of backend \"pg\" must be a string",
		},
		"bad lock_ttl": {
			body: "conn_str = \"postgres://x\"\n\nlock_ttl = \"soon\"\n", line: 3, contains: "lock_ttl must be a duration",
		},
		"short lock_ttl": {
			body: "lock_ttl = \"100ms\"\n", line: 1, contains: "at least 1s",
		},
		"skip flag not a bool": {
			body: "skip_table_creation = \"maybe\"\n", line: 1, contains: "must be a bool",
		},
		"empty schema_name": {
			body: "schema_name = \"\"\n", line: 1, contains: "schema_name must not be empty",
		},
		"skip flag from a bad environment variable": {
			body: "", env: map[string]string{"PG_SKIP_TABLE_CREATION": "perhaps"}, line: 10, contains: "PG_SKIP_TABLE_CREATION=\"perhaps\"",
		},
		"nothing listens": {
			body: "conn_str = \"postgres://u:sekrit@127.0.0.1:1/db?connect_timeout=2\"\n", line: 10, contains: "Check conn_str",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			f, diags := hclsyntax.ParseConfig([]byte(tc.body), "main.slip.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			block := hcl.Range{Filename: "main.slip.hcl", Start: hcl.Pos{Line: 10, Column: 3}, End: hcl.Pos{Line: 10, Column: 16}}
			s, diags := pgStore(t.Context(), f.Body, block, nil)
			if s != nil || !diags.HasErrors() {
				t.Fatalf("pgStore = %v, %v; want an error", s, diags)
			}
			d := diags[0]
			if d.Subject == nil || d.Subject.Filename != "main.slip.hcl" || d.Subject.Start.Line != tc.line {
				t.Errorf("diagnostic %q is at %v, want main.slip.hcl line %d", d.Summary, d.Subject, tc.line)
			}
			if text := d.Summary + ": " + d.Detail; !strings.Contains(text, tc.contains) || strings.Contains(text, "sekrit") {
				t.Errorf("diagnostic %q, want it to say %q (and no password)", text, tc.contains)
			}
		})
	}
}
