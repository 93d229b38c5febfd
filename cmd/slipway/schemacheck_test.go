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

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"slipway.dev/slipway/cmd/slipway/internal/schema"
)

// schemaDirEnv names the directory where the slipway processes of the
// tests record JSON output that the published schemas reject; TestMain
// sets it and fails the run when anything is recorded there.
const schemaDirEnv = "SLIPWAY_TEST_SCHEMA_REPORTS"

// schemaRootEnv names website/schema/, as an absolute path, for the
// slipway processes, which run in directories of their own.
const schemaRootEnv = "SLIPWAY_TEST_SCHEMAS"

// publishedSchemas is website/schema/, from this package's directory.
var publishedSchemas = filepath.Join("..", "..", "website", "schema")

// jsonOutputOf says which schema the standard output of a command line
// must be valid against: a file of website/schema, or stream for the
// JSON lines of the machine-readable UI; "" and false for output that
// is not JSON, or is a single value (output -json NAME).
func jsonOutputOf(args []string) (file string, stream bool) {
	var words []string
	isJSON := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			words = append(words, args[i+1:]...)
			i = len(args)
		case a == "--json" || a == "--json=true":
			isJSON = true
		case a == "--chdir" || a == "--var" || a == "--var-file" || a == "--target" || a == "--exclude" || a == "--replace" ||
			a == "--out" || a == "--parallelism" || a == "--lock-timeout" || a == "--approve" || a == "--run":
			i++ // the flag's value
		case strings.HasPrefix(a, "-"):
		default:
			words = append(words, a)
		}
	}
	if !isJSON || len(words) == 0 {
		return "", false
	}
	switch words[0] {
	case "plan", "apply", "destroy", "rollback":
		return "", true
	case "show":
		if len(words) > 1 {
			return "plan.schema.json", false
		}
		return "state.schema.json", false
	case "output":
		if len(words) == 1 {
			return "outputs.schema.json", false
		}
	case "status":
		return "status.schema.json", false
	case "rollout":
		// promote, abort and retry are applies: their -json is the
		// event stream. (status -json has no published schema yet.)
		if len(words) > 1 && words[1] != "status" {
			return "", true
		}
	case "validate":
		return "validate.schema.json", false
	case "version":
		return "version.schema.json", false
	case "providers":
		if len(words) > 1 && words[1] == "schema" {
			return "provider-schemas.schema.json", false
		}
		return "providers.schema.json", false
	}
	return "", false
}

// runChecked runs slipway as run does. When the tests asked for it
// (schemaDirEnv) and the command prints JSON, it also copies standard
// output as it is written and, once the command ends, validates it
// against the published schema, recording what is not valid.
func runChecked(args []string) int {
	reports := os.Getenv(schemaDirEnv)
	file, stream := jsonOutputOf(normalizeArgs(args))
	if reports == "" || file == "" && !stream {
		return run(args)
	}
	realStdout := os.Stdout
	r, w, err := os.Pipe()
	if err != nil {
		return run(args)
	}
	os.Stdout = w
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		// Through at once, so tests that read the stream as it comes
		// see it as they would without the check.
		io.Copy(io.MultiWriter(realStdout, &out), r)
		close(copied)
	}()
	code := run(args)
	w.Close()
	<-copied
	os.Stdout = realStdout

	if err := checkJSONOutput(file, stream, out.Bytes()); err != nil {
		report := fmt.Sprintf("slipway %s (exit %d): %v\n", strings.Join(args, " "), code, err)
		f, ferr := os.CreateTemp(reports, "violation-*.txt")
		if ferr == nil {
			f.WriteString(report)
			f.Close()
		}
		fmt.Fprint(os.Stderr, "schema check: "+report)
	}
	return code
}

func checkJSONOutput(file string, stream bool, out []byte) error {
	v, err := schema.Load(os.Getenv(schemaRootEnv))
	if err != nil {
		return fmt.Errorf("loading the schemas: %w", err)
	}
	if stream {
		return v.ValidateStream(out)
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil // the command failed before printing, and said so on standard error
	}
	return v.Validate(file, out)
}

// startSchemaReports makes the directory runChecked records into and
// returns a function that reports what was recorded and removes it.
func startSchemaReports() (finish func() int) {
	dir, err := os.MkdirTemp("", "slipway-schema-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return func() int { return 1 }
	}
	abs, _ := filepath.Abs(publishedSchemas)
	os.Setenv(schemaDirEnv, dir)
	os.Setenv(schemaRootEnv, abs)
	return func() int {
		defer os.RemoveAll(dir)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			fmt.Fprintf(os.Stderr, "JSON output not valid against website/schema: %s", b)
		}
		if len(entries) > 0 {
			return 1
		}
		return 0
	}
}

// schemaCheckEnv passes the check's settings to a script's commands,
// which testscript starts with an environment of its own.
func schemaCheckEnv(env *testscript.Env) {
	env.Setenv(schemaDirEnv, os.Getenv(schemaDirEnv))
	env.Setenv(schemaRootEnv, os.Getenv(schemaRootEnv))
}

// TestJSONOutputOf: the command lines the check knows.
func TestJSONOutputOf(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"plan --json":                           "stream",
		"--chdir d apply --json --auto-approve": "stream",
		"destroy --json --auto-approve":         "stream",
		"plan --out p":                          "",
		"show --json":                           "state.schema.json",
		"show --json p":                         "plan.schema.json",
		"output --json":                         "outputs.schema.json",
		"output --json name":                    "",
		"status --json":                         "status.schema.json",
		"validate --json":                       "validate.schema.json",
		"version --json":                        "version.schema.json",
		"plan --var a=b --json":                 "stream",
	} {
		file, stream := jsonOutputOf(strings.Fields(line))
		got := file
		if stream {
			got = "stream"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", line, got, want)
		}
	}
}
