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

	"slipway.dev/slipway/planner/plans"
)

// partialLead is the warning a partial plan opens with, in Terraform's
// words, which CI scripts and people already look for.
const partialLead = "Resource targeting is in effect."

// maxPartialListed is how many -target and -exclude addresses the
// warning names; a plan made with more says how many more.
const maxPartialListed = 10

// partialText explains a partial plan, with the flags as quote writes
// them (a person's or Markdown's code), or is "" for a whole plan.
func partialText(p *plans.Plan, code func(string) string) string {
	if !p.Partial() {
		return ""
	}
	var flags []string
	for _, t := range p.Targets {
		flags = append(flags, "-target="+t)
	}
	for _, x := range p.Excludes {
		flags = append(flags, "-exclude="+x)
	}
	more := len(flags) - maxPartialListed
	if more > 0 {
		flags = flags[:maxPartialListed]
	}
	for i, f := range flags {
		flags[i] = code(printable(f))
	}
	if more > 0 {
		flags = append(flags, itoa(more)+" more")
	}
	list := flags[len(flags)-1]
	if len(flags) > 1 {
		list = strings.Join(flags[:len(flags)-1], ", ") + " and " + list
	}
	return "This plan is partial: it was made with " + list + ", so it may not show every change the configuration asks for, and applying it changes nothing else. Make a plan without -target and -exclude to see every change."
}

// plainCode leaves a flag as it is, for the human view.
func plainCode(s string) string { return s }
