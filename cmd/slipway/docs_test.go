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
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/spf13/cobra"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/plugins"
)

// The documentation's examples are tested here, so that they say what
// slipway does.
//
// A ```hcl block is a whole configuration: it must parse, be formatted as
// slipway fmt would format it, and pass slipway init and slipway validate
// without an error or a warning. Words after "hcl" in the info string say
// otherwise:
//
//	```hcl fragment   part of a configuration (it refers to blocks it does
//	                  not declare, or is a bare argument, or a .slipvars
//	                  file): it must parse and be formatted
//	```hcl invalid    a configuration whose mistake the page shows: it must
//	                  parse and be formatted, and slipway validate must
//	                  fail with the output of the next block when that
//	                  block has no info string, and with the JSON of the
//	                  ```json block after it, if any, for validate -json
//	```hcl lockfile   a .slipway.lock.hcl: it must be formatted and load
//
// In ```sh and ```console blocks, every line that runs slipway (slipway,
// or a path ending in /slipway, after an optional "$ " prompt) must name a
// real command and parse its flags and arguments as the CLI would. A line
// in synopsis notation ([optional] parts, A|B alternatives, ARG...) has
// its command path and the names of its flags checked.

// docFiles are the pages whose examples are tested, relative to the
// repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	files, err := filepath.Glob(filepath.Join(root, "website", "docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no documentation pages found: %v", err)
	}
	return append(files, filepath.Join(root, "README.md"))
}

// docBlock is one fenced code block of a page.
type docBlock struct {
	file string // the page, relative to the repository root
	line int    // the line of the opening fence
	lang string // the first word of the info string
	args []string
	text string
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// readBlocks returns the fenced code blocks of a Markdown page, in order.
func readBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel := strings.TrimPrefix(filepath.ToSlash(path), "../../")
	var blocks []docBlock
	var cur *docBlock
	var body []string
	for i, line := range strings.Split(string(src), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			info := strings.Fields(strings.TrimPrefix(trimmed, "```"))
			cur = &docBlock{file: rel, line: i + 1}
			if len(info) > 0 {
				cur.lang, cur.args = info[0], info[1:]
			}
			body = nil
		case cur != nil && trimmed == "```":
			cur.text = strings.Join(body, "\n") + "\n"
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	if cur != nil {
		t.Fatalf("%s: the code block opened here is never closed", cur)
	}
	return blocks
}

// TestDocsHCL checks every ```hcl block of the documentation.
func TestDocsHCL(t *testing.T) {
	t.Parallel()
	n := 0
	for _, page := range docFiles(t) {
		blocks := readBlocks(t, page)
		for i, b := range blocks {
			if b.lang != "hcl" {
				continue
			}
			n++
			var next []docBlock
			if i+1 < len(blocks) {
				next = blocks[i+1:]
			}
			t.Run(b.String(), func(t *testing.T) {
				t.Parallel()
				checkHCLBlock(t, b, next)
			})
		}
	}
	if n == 0 {
		t.Fatal("the documentation has no hcl blocks: did the pages move?")
	}
}

func checkHCLBlock(t *testing.T, b docBlock, next []docBlock) {
	kind := ""
	if len(b.args) > 0 {
		kind = b.args[0]
	}
	if len(b.args) > 1 || !map[string]bool{"": true, "fragment": true, "invalid": true, "lockfile": true}[kind] {
		t.Fatalf("%s: unknown info string %q; use hcl, hcl fragment, hcl invalid or hcl lockfile", b, strings.Join(append([]string{b.lang}, b.args...), " "))
	}
	src := []byte(b.text)
	if _, diags := hclparse.NewParser().ParseHCL(src, b.String()); diags.HasErrors() {
		t.Fatalf("%s does not parse:\n%s", b, diags.Error())
	}
	formatted, diags := lang.Format(src)
	if diags.HasErrors() {
		t.Fatalf("%s cannot be formatted: %s", b, diags.Error())
	}
	if string(formatted) != b.text {
		t.Errorf("%s is not formatted as slipway fmt formats it; write it as:\n%s", b, formatted)
	}

	dir := t.TempDir()
	switch kind {
	case "fragment":
		return
	case "lockfile":
		if err := os.WriteFile(filepath.Join(dir, plugins.LockFileName), src, 0o644); err != nil {
			t.Fatal(err)
		}
		locks, diags := plugins.LoadLocks(dir)
		if len(diags) > 0 || len(locks.Providers) == 0 {
			t.Errorf("%s is not a lock file slipway reads (%d providers): %s", b, len(locks.Providers), diags.Error())
		}
		return
	}

	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	initOut, initErr := slipwayIn(dir, "init")
	if kind == "invalid" {
		// init fails too when the mistake is one it sees; validate shows it.
		out, err := slipwayIn(dir, "validate")
		if exitCode(err) != 1 {
			t.Fatalf("%s is marked invalid, but slipway validate exited %d:\n%s", b, exitCode(err), out)
		}
		if len(next) > 0 && next[0].lang == "" {
			if got, want := strings.TrimSpace(out), strings.TrimSpace(next[0].text); got != want {
				t.Errorf("%s shows what slipway validate prints for %s, but it prints:\n%s", next[0], b, got)
			}
			if len(next) > 1 && next[1].lang == "json" {
				out, _ := slipwayStdout(dir, "validate", "-json")
				if !sameJSON(t, out, next[1].text) {
					t.Errorf("%s shows what slipway validate -json prints for %s, but it prints:\n%s", next[1], b, out)
				}
			}
		}
		return
	}

	if initErr != nil {
		t.Fatalf("slipway init of %s failed (%v):\n%s\n(mark a block that is not a whole configuration with ```hcl fragment)", b, initErr, initOut)
	}
	out, err := slipwayStdout(dir, "validate", "-json")
	var res struct {
		Valid        bool `json:"valid"`
		WarningCount int  `json:"warning_count"`
	}
	if jerr := json.Unmarshal([]byte(out), &res); err != nil || jerr != nil || !res.Valid || res.WarningCount > 0 {
		human, _ := slipwayIn(dir, "validate")
		t.Errorf("slipway validate of %s is not clean (%v):\n%s\n(mark a block that is not a whole configuration with ```hcl fragment)", b, err, human)
	}
}

// slipwayIn runs slipway in dir with the example file provider on the
// provider path, and returns what it printed on both streams.
func slipwayIn(dir string, args ...string) (string, error) {
	var out strings.Builder
	err := runSlipwayIn(dir, &out, &out, args...)
	return out.String(), err
}

// slipwayStdout is slipwayIn for JSON: standard output alone.
func slipwayStdout(dir string, args ...string) (string, error) {
	var out, stderr strings.Builder
	err := runSlipwayIn(dir, &out, &stderr, args...)
	if err != nil {
		err = fmt.Errorf("%w\n%s", err, stderr.String())
	}
	return out.String(), err
}

func runSlipwayIn(dir string, stdout, stderr *strings.Builder, args ...string) error {
	cmd := exec.Command(filepath.Join(binDir(), "slipway"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+filepath.Join(dir, ".home"), "SLIPWAY_PROVIDER_PATH="+binDir())
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownGroup(cmd)
	defer endGroup(cmd)
	return cmd.Run()
}

func sameJSON(t *testing.T, a, b string) bool {
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Errorf("not JSON: %v\n%s", err, a)
		return false
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Errorf("not JSON: %v\n%s", err, b)
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestDocsCLI checks every slipway command line of the documentation's
// shell examples against the real command tree.
func TestDocsCLI(t *testing.T) {
	t.Parallel()
	n := 0
	for _, page := range docFiles(t) {
		for _, b := range readBlocks(t, page) {
			if b.lang != "sh" && b.lang != "console" {
				continue
			}
			for i, line := range strings.Split(b.text, "\n") {
				cmdline, ok := slipwayCommandLine(line)
				if !ok {
					continue
				}
				n++
				if err := checkCommandLine(cmdline); err != nil {
					t.Errorf("%s:%d: %s\n\t%v", b.file, b.line+1+i, strings.TrimSpace(line), err)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("the documentation has no slipway command lines: did the pages move?")
	}
}

// slipwayCommandLine returns the arguments part of a shell line that runs
// slipway, cut before a comment, a pipe or the next command.
func slipwayCommandLine(line string) (string, bool) {
	line = strings.TrimPrefix(strings.TrimSpace(line), "$ ")
	first, rest, _ := strings.Cut(line, " ")
	if first != "slipway" && !strings.HasSuffix(first, "/slipway") {
		return "", false
	}
	var quote rune
	depth := 0
	prev := ' '
	for i, r := range rest {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '[':
			depth++
		case r == ']':
			depth--
		case r == '#' && prev == ' ',
			r == ';', r == '&', r == '>', r == '<',
			r == '|' && depth == 0 && prev == ' ':
			return strings.TrimSpace(rest[:i]), true
		}
		prev = r
	}
	return strings.TrimSpace(rest), true
}

// checkCommandLine parses a slipway command line (without "slipway") with
// the real root command, as run does.
func checkCommandLine(line string) error {
	if strings.ContainsAny(line, "[]|") || strings.Contains(line, "...") {
		return checkSynopsis(line)
	}
	words, err := shellWords(line)
	if err != nil {
		return err
	}
	root := docRoot()
	cmd, rest, err := root.Find(normalizeArgs(words))
	if err != nil {
		return err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	for _, f := range []string{"help", "version"} {
		if fl := cmd.Flags().Lookup(f); fl != nil && fl.Changed {
			return nil
		}
	}
	if !cmd.Runnable() {
		return fmt.Errorf("%q needs a subcommand", cmd.CommandPath())
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// checkSynopsis checks a line like "state push [-force] FILE" or
// "state list|show|rm": the command path, with each alternative, and that
// every flag it names exists.
func checkSynopsis(line string) error {
	var flags, words []string
	addFlag := func(w string) {
		name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		flags = append(flags, name)
	}
	// Take out the [optional] parts, keeping the flags they name.
	var plain strings.Builder
	depth := 0
	var group strings.Builder
	for _, r := range line {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
			if depth == 0 {
				for _, w := range strings.FieldsFunc(group.String(), func(r rune) bool { return r == ' ' || r == '|' }) {
					if strings.HasPrefix(w, "-") {
						addFlag(w)
					}
				}
				group.Reset()
				plain.WriteRune(' ')
			}
		case depth > 0:
			group.WriteRune(r)
		default:
			plain.WriteRune(r)
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced brackets")
	}
	for _, w := range strings.Fields(plain.String()) {
		if strings.HasPrefix(w, "-") {
			addFlag(w)
		} else {
			words = append(words, w)
		}
	}
	// Expand A|B alternatives into command paths.
	paths := [][]string{nil}
	for _, w := range words {
		var next [][]string
		for _, p := range paths {
			for _, alt := range strings.Split(w, "|") {
				next = append(next, append(append([]string(nil), p...), alt))
			}
		}
		paths = next
	}
	for _, p := range paths {
		root := docRoot()
		cmd, rest, err := root.Find(p)
		if err != nil {
			return err
		}
		if !cmd.Runnable() && cmd.HasSubCommands() {
			return fmt.Errorf("%q has no subcommand %q", cmd.CommandPath(), strings.Join(rest, " "))
		}
		if err := cmd.ParseFlags(nil); err != nil {
			return err
		}
		for _, f := range flags {
			if cmd.Flags().Lookup(f) == nil && (len(f) != 1 || cmd.Flags().ShorthandLookup(f) == nil) {
				return fmt.Errorf("%q has no flag -%s", cmd.CommandPath(), f)
			}
		}
	}
	return nil
}

// docRoot is the real root command, with the help and completion commands
// and the help and version flags that Execute would add.
func docRoot() *cobra.Command {
	code := 0
	root := newRoot(context.Background(), context.Background(), &code, processInvocation(nil))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	var all func(*cobra.Command)
	all = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		for _, s := range c.Commands() {
			all(s)
		}
	}
	all(root)
	return root
}

// shellWords splits a command line as a POSIX shell would, for the
// quoting the examples use.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	got, err := shellWords(`plan -var 'a=b c' --out "x y" -x=\"z`)
	want := []string{"plan", "-var", "a=b c", "--out", "x y", `-x="z`}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("shellWords = %q, %v; want %q", got, err, want)
	}
}

// TestDocsCLIFails makes sure the command line check can fail.
func TestDocsCLIFails(t *testing.T) {
	for _, line := range []string{
		"plan -outt=plan",                 // no such flag
		"aply plan",                       // no such command
		"apply plan1 plan2",               // too many arguments
		"plan -parallelism=many",          // not a number
		"state",                           // needs a subcommand
		"state list|show|remove",          // no such subcommand
		"output [-json | -rawest] [NAME]", // no such flag
		"logs -run=2",                     // missing argument
	} {
		if err := checkCommandLine(line); err == nil {
			t.Errorf("slipway %s passes the check", line)
		}
	}
	for _, line := range []string{
		"plan -out=plan -var 'replicas=3'",
		"plan --out plan --var replicas=3",
		"-version",
		"state list|show|rm|mv|pull|push",
		"status [-json] [-var ...] [app.NAME... pipeline.NAME...]",
		"completion bash",
	} {
		if err := checkCommandLine(line); err != nil {
			t.Errorf("slipway %s fails the check: %v", line, err)
		}
	}
}
