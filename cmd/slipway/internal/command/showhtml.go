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
	"bytes"
	"errors"

	"slipway.dev/slipway/planner/render"
)

// showHTML runs `slipway show -html [PLANFILE]`: the plan page of a saved
// plan, or, without one, the viewer (the same page with no plan in it,
// which opens a plan JSON file). The page is written whole or not at all,
// so a failure never leaves half a page on standard output.
func (m *Meta) showHTML(a ShowArgs) int {
	if a.JSON {
		m.View.Error(errors.New("-json and -html are two views: choose one (show -json PLANFILE > plan.json, or show -html PLANFILE > plan.html)"))
		return 1
	}
	var page bytes.Buffer
	if a.PlanFile == "" {
		if err := render.HTMLViewer(&page); err != nil {
			m.View.Error(err)
			return 1
		}
		m.View.Stdout.Write(page.Bytes())
		return 0
	}
	p, ok := m.readPlanFile(a.PlanFile)
	if !ok {
		return 1
	}
	if err := render.HTML(&page, p); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Stdout.Write(page.Bytes())
	return 0
}
