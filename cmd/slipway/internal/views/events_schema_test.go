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

package views_test

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/cmd/slipway/internal/schema"
	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// TestEventsMatchSchema: every event type, with every payload filled in
// as the code fills it, is valid against the published schema.
func TestEventsMatchSchema(t *testing.T) {
	t.Parallel()
	v, err := schema.Load(filepath.Join("..", "..", "..", "..", "website", "schema"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	view := &views.View{Stdout: &out, Stderr: io.Discard}
	view.StartStream("0.2.0")
	view.StartStream("0.2.0") // once only

	managed := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}
	app := addrs.Resource{Kind: addrs.App, Name: "web"}
	pipe := addrs.Resource{Kind: addrs.Pipeline, Name: "ci"}
	src := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "app"}
	var changes []*plans.ResourceChange
	for i, a := range []plans.Action{plans.NoOp, plans.Create, plans.Read, plans.Update, plans.DeleteThenCreate, plans.CreateThenDelete, plans.Delete, plans.Run} {
		r := managed
		switch a {
		case plans.Read:
			r = src
		case plans.Run:
			r = pipe
		}
		changes = append(changes, &plans.ResourceChange{Addr: r.Instance(addrs.IntKey(i)), Type: r.Type, Action: a, Reason: plans.ReasonConfigChanged, ReasonDetail: "because"})
	}
	changes = append(changes, &plans.ResourceChange{Addr: app.Instance(addrs.StringKey("eu")), Action: plans.Update})
	p := &plans.Plan{
		Changes: changes,
		Drift:   []*plans.ResourceChange{{Addr: managed.Instance(addrs.NoKey), Type: "file", Action: plans.Update, Reason: plans.ReasonDrift}},
		Outputs: []*plans.OutputChange{{Name: "url", Action: plans.Create}, {Name: "token", Action: plans.Update, Sensitive: true}, {Name: "same", Action: plans.NoOp}},
	}
	view.PlanEvents(p)
	view.PlanEvents(&plans.Plan{Mode: plans.DestroyMode, Errored: true})
	view.Diagnostics(hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Bad", Detail: "very", Subject: &hcl.Range{Filename: "a.slip.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 4, Byte: 3}}},
		{Severity: hcl.DiagWarning, Summary: "Careful"},
	})
	view.Error(errors.New("the disk is full"))

	pr := views.NewProgress(view, true)
	a := managed.Instance(addrs.IntKey(1))
	pr.Total(3)
	pr.PreApply(a, plans.Create)
	pr.Progress(a, "writing")
	pr.Progress(app.Instance(addrs.NoKey), "heard outside a change")
	pr.PostApply(a, plans.Create, nil, 0)
	pr.PreApply(a, plans.Delete)
	pr.PostApply(a, plans.Delete, errors.New("denied"), 0)
	pr.PreApply(pipe.Instance(addrs.NoKey), plans.Run)
	pr.PostApply(pipe.Instance(addrs.NoKey), plans.Run, errors.New("context canceled"), 0)
	pr.Stop()
	pr.Complete("Apply", plans.Summary{Add: 1})
	pr.Complete("Destroy", plans.Summary{Destroy: 1})

	if err := v.ValidateStream([]byte(out.String())); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for line := range strings.SplitSeq(out.String(), "\n") {
		for _, ty := range views.EventTypes {
			if strings.Contains(line, `"type":"`+ty+`"`) {
				seen[ty] = true
			}
		}
	}
	for _, ty := range views.EventTypes {
		if !seen[ty] {
			t.Errorf("no %s event was made, so none was checked", ty)
		}
	}
	if n := strings.Count(out.String(), `"type":"version"`); n != 1 {
		t.Errorf("%d version events, want 1", n)
	}
}
