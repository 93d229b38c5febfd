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

// What every view says of a preview plan (plan -offline, plan -source):
// that it is offline, which sources came from local checkouts, and what
// it could not plan. The three views word it alike.

// jsonPreview is the JSON plan's "preview" object, present only for a
// preview plan.
type jsonPreview struct {
	Offline bool `json:"offline"`
	// OfflineNote is plans.OfflineNote for an offline plan.
	OfflineNote  string              `json:"offline_note,omitempty"`
	LocalSources []plans.LocalSource `json:"local_sources,omitempty"`
	NotPlanned   []string            `json:"not_planned,omitempty"`
}

func previewJSON(p *plans.Plan) *jsonPreview {
	if !p.Preview() {
		return nil
	}
	j := &jsonPreview{Offline: p.Offline, LocalSources: p.LocalSources, NotPlanned: p.NotPlanned}
	if p.Offline {
		j.OfflineNote = plans.OfflineNote
	}
	return j
}

// localSourceText is one local source as the text views show it.
func localSourceText(l plans.LocalSource) (addr, rest string) {
	return printable(l.Addr), "from " + printable(l.Dir) + " at " + printable(l.Revision)
}

func (h *human) preview(p *plans.Plan) {
	if !p.Preview() {
		return
	}
	if p.Offline {
		h.leadPara("Offline plan:", strings.TrimPrefix(plans.OfflineNote, "offline: ")+". It is a preview and cannot be applied.", sgrYellow)
	} else {
		h.leadPara("Preview plan:", "some sources were read from local checkouts. It cannot be applied.", sgrYellow)
	}
	if len(p.LocalSources) > 0 {
		h.b.WriteString(h.p.bold("Sources from local checkouts:") + "\n")
		for _, l := range p.LocalSources {
			a, rest := localSourceText(l)
			h.b.WriteString("  " + h.p.bold(a) + " " + rest + "\n")
		}
		h.b.WriteString("\n")
	}
	if len(p.NotPlanned) > 0 {
		h.b.WriteString(h.p.bold("Not planned offline") + " (their providers cannot plan without reaching what they manage):\n")
		for _, a := range p.NotPlanned {
			h.b.WriteString("  " + printable(a) + "\n")
		}
		h.b.WriteString("\n")
	}
}

func (m *markdown) preview(p *plans.Plan) {
	if !p.Preview() {
		return
	}
	if p.Offline {
		m.b.WriteString("> **Offline plan** (" + plans.OfflineNote + "). It is a preview and cannot be applied.\n\n")
	} else {
		m.b.WriteString("> **Preview plan:** some sources were read from local checkouts. It cannot be applied.\n\n")
	}
	if len(p.LocalSources) > 0 {
		m.b.WriteString("**Sources from local checkouts:**\n\n")
		for _, l := range p.LocalSources {
			a, rest := localSourceText(l)
			m.b.WriteString("- " + mdCode(a) + " " + mdLiteralText(rest) + "\n")
		}
		m.b.WriteString("\n")
	}
	if len(p.NotPlanned) > 0 {
		m.b.WriteString("**Not planned offline** (their providers cannot plan without reaching what they manage):\n\n")
		for _, a := range p.NotPlanned {
			m.b.WriteString("- " + mdCode(a) + "\n")
		}
		m.b.WriteString("\n")
	}
}
