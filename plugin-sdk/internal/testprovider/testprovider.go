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

package testprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// New returns the test provider.
func New() sdk.Provider {
	return &provider{stop: make(chan struct{})}
}

type provider struct {
	stopOnce sync.Once
	stop     chan struct{}

	mu       sync.Mutex
	greeting string
}

var (
	_ sdk.ProviderWithSources = (*provider)(nil)
	_ sdk.ProviderWithStop    = (*provider)(nil)
)

// SessionsEnv, set to 1 in the provider's environment, makes its
// Metadata say Sessions.
const SessionsEnv = "SLIPWAY_TESTPROVIDER_SESSIONS"

func (p *provider) Metadata() sdk.Metadata {
	return sdk.Metadata{Name: "test", Version: "1.2.3", ApplyParallelism: 24, Sessions: os.Getenv(SessionsEnv) == "1"}
}

func (p *provider) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"greeting": {Type: cty.String, Optional: true, Description: "Said back in every id.", Validators: []sdk.Validator{fault("panic")}},
	}}
}

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	g := sdk.GetString(req.Config, "greeting")
	if g == "bad" {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("greeting"), "Invalid greeting", "The greeting \"bad\" is not allowed.")
		return
	}
	if req.Resident {
		// Said back in every id, for the host's tests.
		g = "resident " + g
	}
	p.mu.Lock()
	p.greeting = g
	p.mu.Unlock()
}

func (p *provider) Stop(context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	return nil
}

func (p *provider) Resources() map[string]sdk.Resource {
	e := echo{p: p}
	return map[string]sdk.Resource{
		"echo":  e,
		"probe": probe{e},
		"batch": batch{e},
		// elided refreshes and plans from its private state alone
		// (sdk.ResourceWithElidedState); see elided.
		"elided": elided{batch{e}},
		"gate":   gate{e},
		"panic":  panicky{e},
		"crash":  crash{e},
		// widget is at schema version 3, with upgraders from 1 and 2.
		"widget": widget{},
		// stubborn's apply ignores its context and Stop.
		"stubborn": stubborn{e},
		// fragile has a validator, a plan modifier and a Plan whose
		// result panic; careless returns what a create must not.
		"fragile":  fragile{},
		"careless": careless{},
		// rules has a set block whose elements have computed
		// attributes; nested sets its state from a struct.
		"rules":  rules{},
		"nested": nested{},
	}
}

func (p *provider) Sources() map[string]sdk.Source {
	return map[string]sdk.Source{"upper": upper{}, "env": env{}}
}

// Schema is the schema of every resource type here.
var Schema = sdk.Schema{
	Version: 2,
	Attributes: map[string]sdk.Attribute{
		"name":   {Type: cty.String, Required: true, Description: "What the thing is called."},
		"value":  {Type: cty.String, Optional: true},
		"key":    {Type: cty.String, Optional: true, ForceNew: true},
		"tags":   {Type: cty.Map(cty.String), Optional: true},
		"secret": {Type: cty.String, Optional: true, Sensitive: true},
		"id":     {Type: cty.String, Computed: true},
		"note":   {Type: cty.String, Optional: true, Computed: true},
		"dir":    {Type: cty.String, Optional: true, Local: true},
	},
}

type echo struct{ p *provider }

func (echo) Schema() sdk.Schema { return Schema }

func (e echo) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	e.p.mu.Lock()
	greeting := e.p.greeting
	e.p.mu.Unlock()
	st := sdk.With(req.PlannedState, "id", cty.StringVal(greeting+"id-"+sdk.GetString(req.Config, "name")))
	if !sdk.IsKnown(st, "note") {
		st = sdk.With(st, "note", cty.StringVal("applied"))
	}
	resp.NewState = st
}

func (echo) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	if sdk.GetString(req.State, "value") == "gone" {
		resp.NewState = cty.NullVal(Schema.ImpliedType())
	}
}

func (echo) Import(_ context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	if req.ID == "missing" {
		return
	}
	resp.State = Schema.Object(map[string]cty.Value{
		"name": cty.StringVal(req.ID), "id": cty.StringVal("id-" + req.ID), "note": cty.StringVal("imported"),
	})
}

type probe struct{ echo }

func (probe) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	if !req.Config.GetAttr("value").IsKnown() {
		resp.PlannedState = sdk.With(resp.PlannedState, "note", cty.StringVal("value unknown"))
	}
	if sdk.GetString(req.Config, "name") == "diag" {
		resp.Diagnostics.AddAttributeError(
			cty.GetAttrPath("tags").Index(cty.StringVal("k")).Index(cty.NumberIntVal(3)),
			"Bad tag", "The tag k is bad.")
		resp.Diagnostics.AddWarning("Just so you know", "A warning without a path.")
	}
}

// probe's status is of one instance at a time: Healthy, "status of
// NAME".
func (probe) Status(_ context.Context, req sdk.StatusRequest, resp *sdk.StatusResponse) {
	resp.Health, resp.Sync, resp.Message = sdk.Healthy, sdk.Synced, "status of "+sdk.GetString(req.State, "name")
}

type batch struct{ echo }

// batch's status is of every instance of a call at once: Progressing,
// "NAME in a batch of N"; an instance named "panic" panics, which fails
// the batch.
func (batch) StatusBatch(_ context.Context, reqs []sdk.StatusRequest, resps []sdk.StatusResponse) {
	for i, r := range reqs {
		name := sdk.GetString(r.State, "name")
		if name == "panic" {
			panic("status exploded")
		}
		resps[i].Health, resps[i].Sync = sdk.Progressing, sdk.OutOfSync
		resps[i].Message = fmt.Sprintf("%s in a batch of %d", name, len(reqs))
		resps[i].Objects = []sdk.ObjectStatus{{ID: "v1 ConfigMap ns/" + name, Sync: sdk.OutOfSync, Health: sdk.Progressing, Message: "waiting"}}
	}
}

// elided says from its private state alone: "read" finds it as recorded,
// "plan" also plans it unchanged, "panic" panics, "short" answers for
// fewer instances than asked; anything else is read
// and planned in full, which notes so in the state.
type elided struct{ batch }

var _ sdk.ResourceWithElidedState = elided{}

func (elided) ReadElided(_ context.Context, reqs []sdk.ReadRequest) []bool {
	out := make([]bool, len(reqs))
	for i, r := range reqs {
		if r.State != cty.NilVal {
			panic("ReadElided was sent a state")
		}
		switch string(r.Private) {
		case "panic":
			panic("elided read")
		case "short":
			return out[:i]
		case "read", "plan":
			out[i] = true
		}
	}
	return out
}

func (elided) PlanElided(_ context.Context, reqs []sdk.PlanRequest) []bool {
	out := make([]bool, len(reqs))
	for i, r := range reqs {
		if r.PriorState != cty.NilVal || r.ProposedNewState != cty.NilVal {
			panic("PlanElided was sent a prior state")
		}
		out[i] = string(r.PriorPrivate) == "plan" && sdk.GetString(r.Config, "name") == "a"
	}
	return out
}

func (elided) ReadBatch(_ context.Context, reqs []sdk.ReadRequest, resps []sdk.ReadResponse) {
	for i := range reqs {
		resps[i].NewState = sdk.With(reqs[i].State, "note", cty.StringVal("read in full"))
	}
}

func (elided) PlanBatch(_ context.Context, reqs []sdk.PlanRequest, resps []sdk.PlanResponse) {
	for i := range reqs {
		resps[i].PlannedState = sdk.With(resps[i].PlannedState, "note", cty.StringVal("planned in full"))
	}
}

func (batch) PlanBatch(_ context.Context, reqs []sdk.PlanRequest, resps []sdk.PlanResponse) {
	for i := range reqs {
		note := fmt.Sprintf("batch of %d", len(reqs))
		if d := reqs[i].ConfigDigest; d != "" {
			note += ", config " + d // a process the host keeps
		}
		resps[i].PlannedState = sdk.With(resps[i].PlannedState, "note", cty.StringVal(note))
	}
}

func (batch) ReadBatch(_ context.Context, reqs []sdk.ReadRequest, resps []sdk.ReadResponse) {
	for i := range reqs {
		resps[i].NewState = sdk.With(reqs[i].State, "note", cty.StringVal(fmt.Sprintf("read batch of %d", len(reqs))))
	}
}

type gate struct{ echo }

// Apply of a gate whose value is "wait:PATH" waits until PATH exists,
// saying it only waits (Waiting). One whose value is "resumable:PATH"
// waits the same way, but a graceful Stop (req.Interrupt) ends the wait:
// the gate is created all the same, with a warning.
func (g gate) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if path, ok := strings.CutPrefix(sdk.GetString(req.Config, "value"), "resumable:"); ok {
		req.Progress("waiting for " + path)
		deadline := time.After(20 * time.Second)
	wait:
		for {
			if _, err := os.Stat(path); err == nil {
				req.Progress("done waiting")
				break
			}
			select {
			case <-req.Interrupt:
				if ctx.Err() != nil {
					resp.Diagnostics.AddError("Cancelled", "An interrupt cancelled the call's context.")
					return
				}
				resp.Diagnostics.AddWarning("Interrupted", "Stopped waiting for "+path+"; the next apply goes on.")
				break wait
			case <-ctx.Done():
				resp.Diagnostics.AddError("Cancelled", context.Cause(ctx).Error())
				return
			case <-deadline:
				resp.Diagnostics.AddError("Timed out", "Waited 20s for "+path+".")
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		g.echo.Apply(ctx, req, resp)
		return
	}
	if path, ok := strings.CutPrefix(sdk.GetString(req.Config, "value"), "wait:"); ok {
		req.Waiting("waiting for " + path)
		deadline := time.After(20 * time.Second)
		for {
			if _, err := os.Stat(path); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				// The SDK cancels the call's context before it calls
				// the provider's Stop, so a stop ends up here too.
				summary := "Cancelled"
				select {
				case <-g.p.stop:
					summary = "Stopped"
				default:
				}
				resp.Diagnostics.AddError(summary, context.Cause(ctx).Error())
				return
			case <-g.p.stop:
				detail := "The provider was asked to stop."
				if ctx.Err() != nil {
					detail = context.Cause(ctx).Error()
				}
				resp.Diagnostics.AddError("Stopped", detail)
				return
			case <-deadline:
				resp.Diagnostics.AddError("Timed out", "Waited 20s for "+path+".")
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		req.Progress("done waiting")
	}
	g.echo.Apply(ctx, req, resp)
}

type panicky struct{ echo }

func (panicky) Plan(_ context.Context, req sdk.PlanRequest, _ *sdk.PlanResponse) {
	if sdk.GetString(req.Config, "value") == "plan" {
		panic("plan exploded")
	}
}

func (panicky) Status(context.Context, sdk.StatusRequest, *sdk.StatusResponse) {
	panic("status exploded")
}

func (panicky) Apply(context.Context, sdk.ApplyRequest, *sdk.ApplyResponse) {
	var m map[string]int
	m["boom"]++ // a nil map write: the panic a real bug would cause
}

type crash struct{ echo }

func (c crash) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	switch sdk.GetString(req.Config, "value") {
	case "exit":
		log.Print("exiting on purpose")
		os.Exit(3)
	case "goroutine":
		go func() { panic("boom in a goroutine") }()
		select {}
	}
	c.echo.Apply(ctx, req, resp)
}

type upper struct{}

func (upper) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"input":  {Type: cty.String, Required: true, Validators: []sdk.Validator{fault("panic")}},
		"output": {Type: cty.String, Computed: true},
	}}
}

func (u upper) Read(_ context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	in := sdk.GetString(req.Config, "input")
	resp.State = u.Schema().Object(map[string]cty.Value{
		"input": cty.StringVal(in), "output": cty.StringVal(strings.ToUpper(in)),
	})
}

type stubborn struct{ echo }

// Apply of a stubborn resource whose value is "block" blocks for a
// minute, whatever its context and Stop say.
func (s stubborn) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if sdk.GetString(req.Config, "value") == "block" {
		req.Progress("blocking")
		time.Sleep(time.Minute)
	}
	s.echo.Apply(ctx, req, resp)
}

// WidgetSchema is the widget's schema, version 3. Version 1 stored
// {"name": "w", "size": "3"}, the size a string; version 2 made the size
// a number; version 3 renamed it count and added id.
var WidgetSchema = sdk.Schema{
	Version: 3,
	Attributes: map[string]sdk.Attribute{
		"name":  {Type: cty.String, Required: true},
		"count": {Type: cty.Number, Optional: true},
		"id":    {Type: cty.String, Computed: true},
	},
}

type widget struct{}

var _ sdk.ResourceWithUpgradeState = widget{}

func (widget) Schema() sdk.Schema { return WidgetSchema }
func (widget) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	resp.NewState = req.PlannedState
}
func (widget) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

func (widget) StateUpgraders() map[int64]sdk.StateUpgrader {
	return map[int64]sdk.StateUpgrader{
		1: func(_ context.Context, st map[string]any) (map[string]any, error) {
			size, _ := st["size"].(string)
			if size == "" {
				return nil, fmt.Errorf("size %v is not a number in a string", st["size"])
			}
			st["size"] = json.Number(size)
			return st, nil
		},
		2: func(_ context.Context, st map[string]any) (map[string]any, error) {
			st["count"] = st["size"]
			delete(st, "size")
			st["id"] = fmt.Sprintf("widget-%v", st["name"])
			return st, nil
		},
	}
}

// fault is a validator, and a plan modifier, that panics when the value
// (as a modifier, the configured value) is the string it holds: a bug in
// a provider's code that the SDK runs for it.
type fault string

var (
	_ sdk.Validator    = fault("")
	_ sdk.PlanModifier = fault("")
)

func (f fault) Description() string { return "not be " + strconv.Quote(string(f)) }

func (f fault) Validate(req sdk.ValidatorRequest) sdk.Diagnostics {
	if req.Value.RawEquals(cty.StringVal(string(f))) {
		panic("validator exploded")
	}
	return nil
}

func (f fault) PlanModify(req sdk.PlanModifyRequest, _ *sdk.PlanModifyResponse) {
	if req.Config.RawEquals(cty.StringVal(string(f))) {
		panic("plan modifier exploded")
	}
}

// FragileSchema is the schema of fragile: the validator of fault panics
// on "validator", its plan modifier on "modifier", and its Plan, given
// "plan", returns a string for the rule blocks, which the SDK cannot
// give the schema's type.
var FragileSchema = sdk.Schema{
	Attributes: map[string]sdk.Attribute{
		"name":  {Type: cty.String, Required: true},
		"fault": {Type: cty.String, Optional: true, Validators: []sdk.Validator{fault("validator")}, PlanModifiers: []sdk.PlanModifier{fault("modifier")}},
		"id":    {Type: cty.String, Computed: true, PlanModifiers: []sdk.PlanModifier{sdk.UseStateForUnknown()}},
	},
	Blocks: map[string]sdk.Block{
		"rule": {Nesting: sdk.NestingList, Attributes: map[string]sdk.Attribute{"port": {Type: cty.Number, Optional: true}}},
	},
}

type fragile struct{}

func (fragile) Schema() sdk.Schema { return FragileSchema }

func (fragile) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	if sdk.GetString(req.Config, "fault") == "plan" {
		resp.PlannedState = sdk.With(resp.PlannedState, "rule", cty.StringVal("not a list"))
	}
}

func (fragile) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	resp.NewState = sdk.With(req.PlannedState, "id", cty.StringVal("id-"+sdk.GetString(req.Config, "name")))
}

func (fragile) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

// careless makes the mistakes of an Apply that creates: by its value,
// it returns its plan as the new state, unknown id and all (the common
// one), no new state ("none"), or a value of another type ("string").
// Given "zero", it fails with a diagnostic of the zero Severity and no
// new state; given "partial", it returns its plan with note unknown (an
// update that made its change but lost a computed value). Its Read of a
// state whose value is "unknown", and its Import of the ID "unknown",
// return a note unknown.
type careless struct{ echo }

func (careless) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	switch sdk.GetString(req.Config, "value") {
	case "zero":
		resp.Diagnostics = append(resp.Diagnostics, sdk.Diagnostic{Summary: "Failed quietly", Detail: "A diagnostic without a severity."})
	case "none":
	case "string":
		resp.NewState = cty.StringVal("made " + sdk.GetString(req.Config, "name"))
	case "partial":
		resp.NewState = sdk.With(req.PlannedState, "note", cty.UnknownVal(cty.String))
	default:
		resp.NewState = req.PlannedState
	}
}

func (careless) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	if sdk.GetString(req.State, "value") == "unknown" {
		resp.NewState = sdk.With(req.State, "note", cty.UnknownVal(cty.String))
		resp.Private = []byte("read")
	}
}

func (e careless) Import(ctx context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	e.echo.Import(ctx, req, resp)
	if req.ID == "unknown" {
		resp.State = sdk.With(resp.State, "note", cty.UnknownVal(cty.String))
	}
}

// RulesSchema is the schema of rules: a set block whose elements have a
// computed attribute, an optional and computed one, one whose change
// requires replacement and a ForceNew one.
var RulesSchema = sdk.Schema{
	Attributes: map[string]sdk.Attribute{
		"name":  {Type: cty.String, Required: true},
		"value": {Type: cty.String, Optional: true},
		"id":    {Type: cty.String, Computed: true},
	},
	Blocks: map[string]sdk.Block{
		"rule": {Nesting: sdk.NestingSet, Attributes: map[string]sdk.Attribute{
			"port":   {Type: cty.Number, Required: true, PlanModifiers: []sdk.PlanModifier{sdk.RequiresReplace("a rule's port is fixed")}},
			"host":   {Type: cty.String, Optional: true, ForceNew: true},
			"proto":  {Type: cty.String, Optional: true, Computed: true},
			"status": {Type: cty.String, Computed: true},
		}},
	},
}

// rules plans by default; its Apply fills each rule's status ("open
// PORT") and, where the configuration leaves it out, its proto ("tcp").
type rules struct{}

func (rules) Schema() sdk.Schema { return RulesSchema }

func (rules) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	st := sdk.With(req.PlannedState, "id", cty.StringVal("rules-"+sdk.GetString(req.Config, "name")))
	set := st.GetAttr("rule")
	if set.LengthInt() > 0 {
		var out []cty.Value
		for it := set.ElementIterator(); it.Next(); {
			_, r := it.Element()
			if !sdk.IsKnown(r, "proto") {
				r = sdk.With(r, "proto", cty.StringVal("tcp"))
			}
			r = sdk.With(r, "status", cty.StringVal("open "+r.GetAttr("port").AsBigFloat().String()))
			out = append(out, r)
		}
		st = sdk.With(st, "rule", cty.SetVal(out))
	}
	resp.NewState = st
}

func (rules) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

// NestedSchema is the schema of nested: a single block that holds a
// list block.
var NestedSchema = sdk.Schema{
	Attributes: map[string]sdk.Attribute{
		"name": {Type: cty.String, Required: true},
		"id":   {Type: cty.String, Computed: true},
	},
	Blocks: map[string]sdk.Block{
		"tls": {Nesting: sdk.NestingSingle, Attributes: map[string]sdk.Attribute{
			"verify": {Type: cty.Bool, Optional: true},
		}, Blocks: map[string]sdk.Block{
			"ca": {Nesting: sdk.NestingList, Attributes: map[string]sdk.Attribute{
				"pem": {Type: cty.String, Required: true},
			}},
		}},
	},
}

// nested sets its new state from a struct whose every field is tagged,
// so that the value has the schema's type exactly, with the list of ca
// blocks a nil slice (null) where the configuration writes none.
type nested struct{}

type nestedCA struct {
	PEM string `slipway:"pem"`
}

type nestedTLS struct {
	Verify *bool      `slipway:"verify"`
	CA     []nestedCA `slipway:"ca"`
}

type nestedState struct {
	Name string     `slipway:"name"`
	ID   string     `slipway:"id"`
	TLS  *nestedTLS `slipway:"tls"`
}

func (nested) Schema() sdk.Schema { return NestedSchema }

func (nested) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		resp.NewState = req.PlannedState
		return
	}
	var cfg nestedState
	if resp.Diagnostics = sdk.Decode(req.Config, &cfg); resp.Diagnostics.HasErrors() {
		return
	}
	st := nestedState{Name: cfg.Name, ID: "nested-" + cfg.Name}
	if cfg.TLS != nil {
		// No ca block written: a nil slice, not an empty one.
		st.TLS = &nestedTLS{Verify: cfg.TLS.Verify, CA: append([]nestedCA(nil), cfg.TLS.CA...)}
	}
	resp.Set(st)
}

func (nested) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

// env reads the variable of the provider's environment its input names.
type env struct{}

func (env) Schema() sdk.Schema {
	return sdk.Schema{Attributes: map[string]sdk.Attribute{
		"input":  {Type: cty.String, Required: true},
		"output": {Type: cty.String, Computed: true},
	}}
}

func (e env) Read(_ context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	in := sdk.GetString(req.Config, "input")
	resp.State = e.Schema().Object(map[string]cty.Value{
		"input": cty.StringVal(in), "output": cty.StringVal(os.Getenv(in)),
	})
}
