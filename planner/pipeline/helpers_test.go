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

package pipeline

import (
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/planner/kind/kindtest"
)

// The helpers every kind package's tests share.
var (
	ctyCmp    = kindtest.CtyCmp
	loadBlock = kindtest.LoadBlock
	withAttr  = kindtest.WithAttr
	summaries = kindtest.Summaries
)

// scope is what an instance's expressions see.
type scope = kindtest.Scope

// gitSource is the value of a git source following a branch, as the git
// provider reads it.
func gitSource(name, branch, commit string) cty.Value {
	short := commit
	if len(short) > 7 {
		short = short[:7]
	}
	br, ref := cty.NullVal(cty.String), cty.NullVal(cty.String)
	if branch != "" {
		br, ref = cty.StringVal(branch), cty.StringVal("refs/heads/"+branch)
	}
	return cty.ObjectVal(map[string]cty.Value{
		builtin.SourceURL:         cty.StringVal("https://git.example.com/" + name + ".git"),
		builtin.SourceBranch:      br,
		builtin.SourceTag:         cty.NullVal(cty.String),
		builtin.SourceRef:         ref,
		builtin.SourceCommit:      cty.StringVal(commit),
		builtin.SourceShortCommit: cty.StringVal(short),
		builtin.SourceDir:         cty.StringVal("/cache/" + name),
	})
}

const (
	commitA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
	commitB = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
	commitG = "aaaabbbbccccddddeeeeffff0000111122223333"
	commitH = "4444555566667777888899990000aaaabbbbcccc"
)
