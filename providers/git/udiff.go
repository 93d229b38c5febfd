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

package git

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// diffContext is the number of unchanged lines shown around a change, as
// git shows them.
const diffContext = 3

// unifiedDiff is a git-style unified diff of the changed files, in the
// order given; "" when there are none.
func unifiedDiff(files []fileChange) string {
	var b strings.Builder
	for _, f := range files {
		from, to := "a/"+f.path, "b/"+f.path
		b.WriteString("diff --git " + from + " " + to + "\n")
		if f.created {
			b.WriteString("new file mode 100644\n")
			from = "/dev/null"
		}
		text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A:        diffLines(string(f.before)),
			B:        diffLines(string(f.after)),
			FromFile: from,
			ToFile:   to,
			Context:  diffContext,
		})
		if err != nil {
			// Writing to a strings.Builder does not fail.
			panic(err)
		}
		b.WriteString(text)
	}
	return b.String()
}

// noNewline is what git prints after a last line that has no newline.
const noNewline = "\n\\ No newline at end of file\n"

// diffLines splits text into lines that keep their newline. A last line
// without one carries git's marker instead, so that adding the newline
// shows as a change of that line.
func diffLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += noNewline
	}
	return lines
}
