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
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// attrLines renders one attribute x changing from before to after (NilVal
// for absent), as the body of a resource block.
func attrLines(before, after cty.Value) string {
	d := &differ{}
	wrap := func(v cty.Value) cty.Value {
		if v == cty.NilVal {
			return cty.NullVal(cty.DynamicPseudoType)
		}
		return obj(map[string]cty.Value{"x": v})
	}
	var out []string
	for _, l := range d.root(0, wrap(before), wrap(after)) {
		out = append(out, strings.TrimPrefix(formatLine(painter(false), l), "  "))
	}
	return strings.Join(out, "\n")
}

func numbers(n int) []cty.Value {
	vals := make([]cty.Value, n)
	for i := range vals {
		vals[i] = cty.NumberIntVal(int64(i))
	}
	return vals
}

// TestLargeValuesAreCutShort checks that strings and collections past
// the limits are shown cut short with a note of what was left out.
func TestLargeValuesAreCutShort(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", maxShownText+10)
	longLines := strings.Repeat("line\n", maxShownText/5+3)
	tests := map[string]struct {
		before, after cty.Value
		want          []string // lines or parts of lines, in order
		notWant       string
	}{
		"long string": {
			before: cty.NilVal, after: str(long),
			want: []string{`+ x = "` + strings.Repeat("a", maxShownText) + `" (10 more bytes not shown)`},
		},
		"long string cut at a character": {
			before: cty.NilVal, after: str(strings.Repeat("a", maxShownText-1) + "é"),
			want: []string{`+ x = "` + strings.Repeat("a", maxShownText-1) + `" (2 more bytes not shown)`},
		},
		"long heredoc": {
			before: cty.NilVal, after: str(longLines),
			want: []string{"+ x = <<-EOT", "      line", "      # (" + itoa(len(longLines)-maxShownText) + " more bytes not shown)", "  EOT"},
		},
		"long string changed": {
			before: str(long), after: str(long + "b"),
			want: []string{`(10 more bytes not shown) -> "`, `(11 more bytes not shown)`},
		},
		"long heredoc changed": {
			before: str("first\n" + longLines), after: str("second\n" + longLines),
			want: []string{"- first", "+ second", "# (the rest is not shown: " + itoa(len(longLines)+6-maxShownText) + " more bytes before, " + itoa(len(longLines)+7-maxShownText) + " after)", "EOT"},
		},
		"long list": {
			before: cty.NilVal, after: cty.ListVal(numbers(maxShownElements + 5)),
			want: []string{"+ 9999,", "# (5 more elements not shown)", "]"}, notWant: "+ 10000,",
		},
		"long map": {
			before: cty.NilVal, after: cty.MapVal(func() map[string]cty.Value {
				m := map[string]cty.Value{}
				for i := range maxShownElements + 2 {
					m[itoa(100000+i)] = cty.True
				}
				return m
			}()),
			want: []string{`+ "109999" = true`, "# (2 more elements not shown)", "}"}, notWant: `"110000"`,
		},
		"long list changed": {
			before: cty.ListVal(numbers(maxShownElements + 5)), after: cty.ListVal(numbers(maxShownElements + 7)[1:]),
			want: []string{"- 0,", "# (elements past the first 10000 not shown: 5 before, 6 after)"},
		},
		"long set changed": {
			before: cty.SetVal(numbers(maxShownElements + 3)), after: cty.SetVal(numbers(maxShownElements + 4)),
			want: []string{"+ 10003,", "# (10003 unchanged elements hidden)"},
		},
		"number too small to write": {
			before: cty.NilVal, after: cty.MustParseNumberVal("1e-999999"),
			want: []string{"+ x = (a number too close to zero to show)"},
		},
		"number too large to write": {
			before: cty.NilVal, after: cty.MustParseNumberVal("1e999999"),
			want: []string{"+ x = (a number too large to show)"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			got := attrLines(tc.before, tc.after)
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("rendering took %s", took)
			}
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("%q is not in the output, in order; the output ends:\n%s", w, got[max(0, len(got)-400):])
				}
				rest = rest[i+len(w):]
			}
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("%q is in the output", tc.notWant)
			}
			if len(got) > 2*maxShownText+30*maxShownElements {
				t.Errorf("the output is %d bytes", len(got))
			}
		})
	}
}

// TestJSONPlanKeepsLargeValuesWhole checks that the JSON plan is not cut
// short where the human and markdown views are.
func TestJSONPlanKeepsLargeValuesWhole(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("z", maxShownText*2)
	p := &plans.Plan{Changes: []*plans.ResourceChange{{
		Addr:     addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey),
		Provider: addrs.Provider{Name: "file"}, Type: "file", Action: plans.Create,
		Before: cty.NullVal(cty.Object(map[string]cty.Type{"s": cty.String, "l": cty.List(cty.Number)})),
		After:  obj(map[string]cty.Value{"s": str(long), "l": cty.ListVal(numbers(maxShownElements + 1))}),
	}}}
	js, err := JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(long)) || !regexp.MustCompile(`,\s*10000\s*\]`).Match(js) {
		t.Error("the JSON plan does not hold the whole values")
	}
	var human, md bytes.Buffer
	Human(&human, p, Options{})
	Markdown(&md, p)
	for name, b := range map[string][]byte{"human": human.Bytes(), "markdown": md.Bytes()} {
		if bytes.Contains(b, []byte(long)) || !bytes.Contains(b, []byte("(65536 more bytes not shown)")) || !bytes.Contains(b, []byte("# (1 more element not shown)")) {
			t.Errorf("the %s view does not cut the values short", name)
		}
	}
}

// TestJSONHugeNumbers: a number of a huge exponent is written to the JSON
// plan at once, as a string in scientific notation, not digit by digit
// (which takes hours for 1e-999999).
func TestJSONHugeNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"1e-999999", "1.000000000000000e-999999"},
		{"-2.5e999999", "-2.500000000000000e+999999"},
	} {
		v := cty.MustParseNumberVal(tc.in)
		got := jsonValue(v, nil, nil)
		if s, ok := got.(string); !ok || s != tc.want {
			t.Errorf("%s: %#v, want %q", tc.in, got, tc.want)
		}
	}
	if got := jsonValue(cty.NumberIntVal(42), nil, nil); got != json.Number("42") {
		t.Errorf("42: %#v", got)
	}
}
