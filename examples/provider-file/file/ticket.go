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

package file

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// ticket is the resource type "file_ticket": a record filed in a directory
// under an ID the provider makes up, as a ticket system, a cloud VM or a
// DNS record gets one. Creating it twice files two tickets. It shows what
// a provider does so that a create a crash interrupted is never made
// twice: it writes the operation ID slipway gives each change into what
// it creates, and when slipway reads an interrupted change back, Read
// finds the ticket by that ID.
type ticket struct{}

var (
	_ sdk.ResourceWithPlan   = ticket{}
	_ sdk.ResourceWithImport = ticket{}
)

var ticketSchema = sdk.Schema{
	Description: "A ticket filed in a directory under an ID made up when it is created.",
	Attributes: map[string]sdk.Attribute{
		"dir":   {Type: cty.String, Required: true, ForceNew: true, Description: "The directory tickets are filed in."},
		"title": {Type: cty.String, Required: true, Description: "The ticket's title."},
		"id":    {Type: cty.String, Computed: true, Description: "The ticket's ID, made up when it is filed."},
	},
}

// ticketFile is what a ticket's file holds.
type ticketFile struct {
	Title string `json:"title"`
	// Operation is the slipway change that filed it.
	Operation string `json:"operation,omitempty"`
}

func (ticket) Schema() sdk.Schema { return ticketSchema }

// Plan keeps the ID of a ticket that exists; a new one's is known after
// apply.
func (ticket) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	id := cty.UnknownVal(cty.String)
	if !req.PriorState.IsNull() {
		id = req.PriorState.GetAttr("id")
	}
	resp.PlannedState = sdk.With(resp.PlannedState, "id", id)
}

func (ticket) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() { // delete
		path := ticketPath(sdk.GetString(req.PriorState, "dir"), sdk.GetString(req.PriorState, "id"))
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			resp.NewState = req.PriorState
			resp.Diagnostics.AddError("Cannot delete ticket", err.Error())
			return
		}
		resp.NewState = req.PlannedState
		return
	}
	dir, title := sdk.GetString(req.Config, "dir"), sdk.GetString(req.Config, "title")
	id := sdk.GetString(req.PriorState, "id")
	op := req.OperationID
	if id == "" {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	} else if old, err := readTicket(ticketPath(dir, id)); err == nil {
		op = old.Operation // the change that filed it
	}
	data, _ := json.Marshal(ticketFile{Title: title, Operation: op})
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		// Written whole or not at all: a ticket is filed by the rename.
		tmp := ticketPath(dir, id) + ".tmp"
		if err = os.WriteFile(tmp, data, 0o644); err == nil {
			err = os.Rename(tmp, ticketPath(dir, id))
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot file ticket", err.Error())
		return
	}
	resp.NewState = ticketState(dir, id, title)
}

// Read reads a ticket by its ID; for a change a crash interrupted, by the
// operation that filed it.
func (ticket) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	dir, id := sdk.GetString(req.State, "dir"), sdk.GetString(req.State, "id")
	if id == "" && req.InterruptedOperation != "" {
		id = findTicket(dir, req.InterruptedOperation)
	}
	if id == "" {
		resp.NewState = cty.NullVal(ticketSchema.ImpliedType())
		return
	}
	t, err := readTicket(ticketPath(dir, id))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		resp.NewState = cty.NullVal(ticketSchema.ImpliedType())
	case err != nil:
		resp.Diagnostics.AddError("Cannot read ticket", err.Error())
	default:
		resp.NewState = ticketState(dir, id, t.Title)
	}
}

// Import adopts a ticket by the path of its file.
func (ticket) Import(_ context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	t, err := readTicket(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import ticket", err.Error())
		return
	}
	resp.State = ticketState(filepath.Dir(req.ID), strings.TrimSuffix(filepath.Base(req.ID), ".json"), t.Title)
}

// findTicket is the ID of the ticket in dir that operation filed, or "".
func findTicket(dir, operation string) string {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if t, err := readTicket(filepath.Join(dir, e.Name())); err == nil && t.Operation == operation {
			return strings.TrimSuffix(e.Name(), ".json")
		}
	}
	return ""
}

func readTicket(path string) (ticketFile, error) {
	var t ticketFile
	data, err := os.ReadFile(path)
	if err != nil {
		return t, err
	}
	return t, json.Unmarshal(data, &t)
}

func ticketPath(dir, id string) string { return filepath.Join(dir, id+".json") }

func ticketState(dir, id, title string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"dir": cty.StringVal(dir), "title": cty.StringVal(title), "id": cty.StringVal(id)})
}
