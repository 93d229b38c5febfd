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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestAttributeDiff renders one attribute changing from before to after
// (cty.NilVal for absent) as the body of a resource block would.
func TestAttributeDiff(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		before, after cty.Value
		sensitive     []cty.Path
		want          string
	}{
		"escapes control characters": {
			before: cty.NilVal, after: str("red\x1b[31m\ttab\u200b"),
			want: `+ x = "red\u001B[31m\ttab\u200B"`,
		},
		"escapes template sequences": {
			before: cty.NilVal, after: str("${var.x} %{if} $5"),
			want: `+ x = "$${var.x} %%{if} $5"`,
		},
		"heredoc escapes control characters": {
			before: cty.NilVal, after: str("a\x1b]0;title\x07\nb\n"),
			want: "+ x = <<-EOT\n      a\\u001B]0;title\\u0007\n      b\n  EOT",
		},
		"final newline only": {
			before: str("a\nb"), after: str("a\nb\n"),
			want: `~ x = "a\nb" -> "a\nb\n"`,
		},
		"single line becomes multi-line": {
			before: str("a"), after: str("a\nb"),
			want: "~ x = <<-EOT\n      a\n    + b\n  EOT",
		},
		"kind change": {
			before: str("a"), after: cty.ListVal([]cty.Value{str("a")}),
			want: "- x = \"a\" -> null\n+ x = [\n    + \"a\",\n  ]",
		},
		"null list element": {
			before: cty.ListVal([]cty.Value{str("a")}), after: cty.ListVal([]cty.Value{str("a"), cty.NullVal(cty.String)}),
			want: "~ x = [\n      # (1 unchanged element hidden)\n    + null,\n  ]",
		},
		"empty collections": {
			before: cty.NilVal, after: obj(map[string]cty.Value{"l": cty.ListValEmpty(cty.String), "m": cty.MapValEmpty(cty.String), "o": cty.EmptyObjectVal}),
			want: "+ x = {\n    + l = []\n    + m = {}\n    + o = {}\n  }",
		},
		"object inserted into list": {
			before: cty.ListVal([]cty.Value{obj(map[string]cty.Value{"n": str("a")})}),
			after:  cty.ListVal([]cty.Value{obj(map[string]cty.Value{"n": str("a")}), obj(map[string]cty.Value{"n": str("b")})}),
			want:   "~ x = [\n      # (1 unchanged element hidden)\n    + {\n        + n = \"b\"\n      },\n  ]",
		},
		"unknown element": {
			before: cty.ListValEmpty(cty.String), after: cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)}),
			want: "~ x = [\n    + (known after apply),\n  ]",
		},
		"number and bool": {
			before: obj(map[string]cty.Value{"n": cty.NumberIntVal(1), "b": cty.True}),
			after:  obj(map[string]cty.Value{"n": cty.MustParseNumberVal("1e40"), "b": cty.False}),
			want:   "~ x = {\n    ~ b = true -> false\n    ~ n = 1 -> 10000000000000000000000000000000000000000\n  }",
		},
		"attribute names needing quotes": {
			before: cty.NilVal, after: obj(map[string]cty.Value{"a b": str("1"), "ok_name-2": str("2")}),
			want: "+ x = {\n    + \"a b\"     = \"1\"\n    + ok_name-2 = \"2\"\n  }",
		},
		"sensitive whole becomes unknown": {
			before: str(secret), after: cty.UnknownVal(cty.String), sensitive: []cty.Path{cty.GetAttrPath("x")},
			want: "~ x = (sensitive value)",
		},
		"sensitive set element": {
			before: cty.NilVal, after: cty.SetVal([]cty.Value{str("public"), str(secret)}),
			sensitive: []cty.Path{cty.GetAttrPath("x").Index(str(secret))},
			want:      "+ x = [\n    + \"public\",\n    + (sensitive value),\n  ]",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := &differ{beforeSens: tc.sensitive, afterSens: tc.sensitive}
			wrap := func(v cty.Value) cty.Value {
				if v == cty.NilVal {
					return cty.NullVal(cty.DynamicPseudoType)
				}
				return obj(map[string]cty.Value{"x": v})
			}
			var got []string
			for _, l := range d.root(0, wrap(tc.before), wrap(tc.after)) {
				got = append(got, strings.TrimPrefix(formatLine(painter(false), l), "  "))
			}
			if diff := cmp.Diff(tc.want, strings.Join(got, "\n")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLCS(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		before, after string
		want          string
	}{
		"equal":          {"abc", "abc", "=a =b =c"},
		"insert":         {"ac", "abc", "=a +b =c"},
		"delete":         {"abc", "ac", "=a -b =c"},
		"replace middle": {"abc", "axc", "=a -b +x =c"},
		"all new":        {"ab", "cd", "-a -b +c +d"},
		"empty before":   {"", "ab", "+a +b"},
		"empty after":    {"ab", "", "-a -b"},
		"moved":          {"abcd", "bcda", "-a =b =c =d +a"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ops := lcs(len(tc.before), len(tc.after), func(i, j int) bool { return tc.before[i] == tc.after[j] })
			var got []string
			for _, op := range ops {
				switch op.kind {
				case opKeep:
					got = append(got, "="+string(tc.before[op.i]))
				case opDel:
					got = append(got, "-"+string(tc.before[op.i]))
				case opAdd:
					got = append(got, "+"+string(tc.after[op.j]))
				}
			}
			if diff := cmp.Diff(tc.want, strings.Join(got, " ")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
