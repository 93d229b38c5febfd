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
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// maxListed is how many addresses a destroy report lists by name.
const maxListed = 20

// remaining lists the instances of st that destroy deletes (sources are
// only forgotten) and that the targets (none for all) name, sorted.
func remaining(st *state.State, targets []addrs.ResourceInstance) []addrs.ResourceInstance {
	if st == nil {
		return nil
	}
	var out []addrs.ResourceInstance
	for _, ri := range st.Resources {
		if ri.Addr.Resource.Kind == addrs.Source {
			continue
		}
		if len(targets) > 0 {
			hit := false
			for _, t := range targets {
				hit = hit || t.String() == ri.Addr.String() || (t.Key == addrs.NoKey && t.Resource == ri.Addr.Resource)
			}
			if !hit {
				continue
			}
		}
		out = append(out, ri.Addr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// parseTargets parses a plan's -target addresses; one that does not
// parse names nothing.
func parseTargets(list []string) []addrs.ResourceInstance {
	var out []addrs.ResourceInstance
	for _, t := range list {
		if a, diags := addrs.ParseResourceInstance(t); !diags.HasErrors() {
			out = append(out, a)
		}
	}
	return out
}

// reportDestroyPlanFailed says, after a destroy whose plan failed, what
// state holds: nothing was destroyed, and why.
func (m *Meta) reportDestroyPlanFailed(st *state.State, targets []addrs.ResourceInstance, diags hcl.Diagnostics) {
	left := remaining(st, targets)
	if len(left) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", m.View.Bold(fmt.Sprintf("Destroy failed: nothing was destroyed, and state still holds %s:", objects(len(left)))))
	listAddrs(&b, left, nil)
	fmt.Fprintf(&b, "Planning the destroy failed: %s. Fix that and run slipway destroy again.\n", reasons(diags))
	m.View.Eprintf("%s", m.View.Mask(b.String()))
}

// reportDestroyIncomplete says, after a destroy that did not delete
// everything it planned to, what state still holds and why for each.
func (m *Meta) reportDestroyIncomplete(before, after *state.State, targets []addrs.ResourceInstance, diags hcl.Diagnostics, interrupted bool) {
	left := remaining(after, targets)
	if len(left) == 0 {
		return
	}
	done := len(remaining(before, targets)) - len(left)
	why := map[string]string{}
	for _, a := range left {
		why[a.String()] = "not deleted: the destroy stopped at the errors above before it got to it"
		if interrupted {
			why[a.String()] = "not deleted: the destroy was interrupted before it got to it"
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError && mentions(d, a.String()) {
				why[a.String()] = oneLine(d.Summary + ": " + d.Detail)
				break
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", m.View.Bold(fmt.Sprintf("Destroy incomplete: %d destroyed, and state still holds %s:", done, objects(len(left)))))
	listAddrs(&b, left, why)
	b.WriteString("Run slipway destroy again once the cause is fixed.\n")
	m.View.Eprintf("%s", m.View.Mask(b.String()))
}

func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

// listAddrs lists up to maxListed addresses, each with its reason when
// why has one.
func listAddrs(b *strings.Builder, list []addrs.ResourceInstance, why map[string]string) {
	for i, a := range list {
		if i == maxListed {
			fmt.Fprintf(b, "  … and %d more (slipway state list shows them all)\n", len(list)-maxListed)
			break
		}
		if r := why[a.String()]; r != "" {
			fmt.Fprintf(b, "  %s: %s\n", a, r)
		} else {
			fmt.Fprintf(b, "  %s\n", a)
		}
	}
}

// mentions reports whether a diagnostic is about addr: it names it, and
// not merely a longer address it begins (file.a in file.ab).
func mentions(d *hcl.Diagnostic, addr string) bool {
	text := d.Summary + " " + d.Detail
	for i := strings.Index(text, addr); i >= 0; {
		end := i + len(addr)
		if end == len(text) || !isAddrByte(text[end]) {
			return true
		}
		j := strings.Index(text[end:], addr)
		if j < 0 {
			break
		}
		i = end + j
	}
	return false
}

func isAddrByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '[' || c == '.'
}

// reasons sums up the errors of diags, each once, on one line.
func reasons(diags hcl.Diagnostics) string {
	var out []string
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		r := d.Summary
		if d.Detail != "" {
			r += " (" + oneLine(d.Detail) + ")"
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return "of the errors above"
	}
	if len(out) > 3 {
		out = append(out[:3], fmt.Sprintf("and %d more errors above", len(out)-3))
	}
	return strings.Join(out, "; ")
}

// oneLine is s on one line, without its trailing full stop, and cut if it
// is long.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimSuffix(s, ".")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}
