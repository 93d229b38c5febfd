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

package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/zclconf/go-cty/cty"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/internal/par"
	"slipway.dev/slipway/plugin-sdk/internal/protocol"
	"slipway.dev/slipway/plugin-sdk/internal/wire"
	"slipway.dev/slipway/plugin-sdk/memo"
	"slipway.dev/slipway/plugin-sdk/peercred"
)

// LaunchConfig says how to start a provider plugin.
type LaunchConfig struct {
	// Name is the provider's name, for messages (provider "file").
	Name string
	// Cmd is the plugin command: a provider binary, or
	// `slipway provider serve NAME`. It must not have been started. The
	// provider inherits this process's environment, with the variables
	// of Cmd.Env added to it and taking precedence over it.
	Cmd *exec.Cmd
	// Stderr receives the plugin's log lines and its own output; nil
	// discards them. Warnings and errors are shown; SLIPWAY_LOG=debug (or
	// trace, info) in the environment shows more.
	Stderr io.Writer
	// SlipwayVersion is passed to the provider's Configure.
	SlipwayVersion string
	// Resident is passed to the Configure of a provider whose Metadata
	// says Sessions (sdk.ConfigureRequest.Resident): the host keeps the
	// process for the plans that follow.
	Resident bool
	// Release, if set, is called once the command no longer needs what
	// it refers to (an open binary, a copy of one): when the process has
	// started and answered the handshake, or when starting it has failed
	// or been cancelled. It may be called after Launch has returned.
	Release func()
	// Peer is for a provider that understands wire.PeerEnv (one built
	// into slipway, served by this very build): the provider admits this
	// process alone and this process the provider's alone, by the
	// kernel's record of the Unix socket between them, instead of
	// certificates made and checked at each start (automatic mutual
	// TLS). Where the system cannot tell the other end of a socket
	// (peercred.Supported), automatic mutual TLS stands, as it does for
	// every other provider: one built with an older SDK would not
	// understand the request.
	Peer bool
}

// startKillWait bounds how long a cancelled Launch waits for the process
// it killed to be reaped before it returns anyway.
const startKillWait = 1500 * time.Millisecond

// maxApplyParallelism bounds what a provider may declare as its
// Metadata.ApplyParallelism: a provider cannot ask the host for more
// goroutines and requests in flight than this.
const maxApplyParallelism = 256

// Client talks to one running provider plugin. It is safe for concurrent
// use: the core may plan, apply and read through one Client from many
// goroutines at once.
type Client struct {
	name           string
	cmdline        string
	slipwayVersion string
	resident       bool

	pc     *plugin.Client
	stop   context.CancelFunc // kills the process at once
	rpc    protocol.ProviderClient
	exited <-chan struct{}
	tail   *tail
	closed atomic.Bool
	log    hclog.Logger // the provider's logger, for what the host says of it

	mu      sync.Mutex // guards schemas
	schemas *schemaSet

	// readPrivate is the private state each address was last sent with
	// in ReadResources, kept as a provider that keeps them
	// (schemaSet.keepsPrivate) keeps them, a generation per session
	// (Configure starts one): a later read of the same address with the
	// same private state (private_as_last_read), or a plan after the
	// read (prior_private_from_refresh), leaves it out. At 1,000
	// instances with a few kilobytes each, the same megabytes crossed at
	// every call.
	readPrivate memo.Generations[[]byte]
}

// sentInRead reports whether address was last sent private in
// ReadResources, in this session or the one before.
func (c *Client) sentInRead(address string, private []byte) bool {
	p, ok := c.readPrivate.Get(address)
	return ok && len(private) > 0 && bytes.Equal(p, private)
}

// schemaSet is the provider's schemas with their implied types, which
// every request needs to encode and decode values.
type schemaSet struct {
	all    *sdk.ProviderSchemas
	pType  cty.Type
	rTypes map[string]cty.Type
	sTypes map[string]cty.Type
	// elided are the resource types whose state a refresh leaves out
	// until the provider asks for it (sdk.ResourceWithElidedState).
	elided map[string]bool
	// priorElided: the provider reads PlanResources items whose prior
	// state as recorded is left out (prior_elided).
	priorElided bool
	// keepsPrivate: the provider keeps the private state each address
	// was last sent in ReadResources, which a later read
	// (private_as_last_read) or the plan after it
	// (prior_private_from_refresh) may leave out.
	keepsPrivate bool
	// gracefulStop: the provider understands a graceful Stop
	// (Metadata.graceful_stop); see Interrupt.
	gracefulStop bool
}

// Launch starts the plugin process, checks the handshake (slipway's cookie,
// the protocol version, gRPC with automatic mutual TLS, or with each side
// admitting the other's process alone: LaunchConfig.Peer) and connects. The
// process runs until Close. Cancelling ctx while the launch is in progress
// kills the process, and Launch returns within two seconds however the
// process behaves; cancelling it later has no effect on the process.
//
// Where the system has a parent-death signal (Linux), the process is
// killed when slipway dies, even by SIGKILL; the SDK's Serve also exits
// when it sees its parent gone, on every system.
func Launch(ctx context.Context, cfg LaunchConfig) (*Client, error) {
	release := func() {}
	if cfg.Release != nil {
		var once sync.Once
		release = func() { once.Do(cfg.Release) }
	}
	if cfg.Cmd == nil {
		release()
		return nil, fmt.Errorf("launching provider %q: no command", cfg.Name)
	}
	name := cfg.Name
	if name == "" {
		name = filepath.Base(cfg.Cmd.Path)
	}
	cmdline := cfg.Cmd.Path
	if len(cfg.Cmd.Args) > 0 {
		cmdline = strings.Join(cfg.Cmd.Args, " ")
	}
	if err := ctx.Err(); err != nil {
		release()
		return nil, fmt.Errorf("launching provider %q (%s): %w", name, cmdline, err)
	}
	out := cfg.Stderr
	if out == nil {
		out = io.Discard
	}
	level := hclog.Warn
	if l := hclog.LevelFromString(os.Getenv("SLIPWAY_LOG")); l != hclog.NoLevel {
		level = l
	}
	logger := hclog.New(&hclog.LoggerOptions{
		Name:   "provider." + name,
		Output: out,
		Level:  level,
	})

	// go-plugin holds its lock for the whole start, so its Kill cannot
	// interrupt a process that never answers the handshake (it waits out a
	// one-minute timeout). The command runs under a context of its own
	// instead, which a cancelled launch, or Close, ends: os/exec then
	// kills the process.
	life, stop := context.WithCancel(context.Background())
	cmd := commandWithContext(life, cfg.Cmd)
	dieWithParent(cmd)

	t := &tail{}
	stdio := &lineWriter{fn: func(line string) {
		t.add(line)
		logStdio(logger, line)
	}}
	peer := cfg.Peer && peercred.Supported() == nil
	dial := wire.DialOptions()
	// This process's environment, as go-plugin would add it
	// (SkipHostEnv), then the command's own variables, which win: os/exec
	// keeps the last value of a variable set twice, and go-plugin would
	// put this process's last (a HOME the caller set would be the
	// user's). Left out are the requests of how to admit the host the
	// user's might hold: a provider reads this process's (PeerEnv, or
	// go-plugin's certificate with AutoMTLS), never one left over.
	cmd.Env = slices.DeleteFunc(slices.Concat(os.Environ(), cmd.Env), func(kv string) bool {
		return strings.HasPrefix(kv, wire.PeerEnv+"=") || strings.HasPrefix(kv, "PLUGIN_CLIENT_CERT=")
	})
	if peer {
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", wire.PeerEnv, os.Getpid()))
		// The process is started, so cmd.Process set, before go-plugin
		// dials, and the handshake comes after.
		dial = append(dial, grpc.WithTransportCredentials(wire.PeerClient(func() int {
			if cmd.Process == nil {
				return 0
			}
			return cmd.Process.Pid
		})))
	}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  wire.Handshake,
		Plugins:          plugin.PluginSet{wire.PluginName: &wire.GRPCPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         !peer,
		SkipHostEnv:      true,
		Managed:          false,
		Logger:           logger,
		Stderr:           &lineWriter{fn: t.add},
		SyncStdout:       stdio,
		SyncStderr:       stdio,
		GRPCDialOptions:  dial,
	})

	type started struct {
		conn *wire.Conn
		err  error
	}
	done := make(chan started, 1)
	go func() {
		s := func() started {
			cp, err := pc.Client()
			if err != nil {
				return started{err: err}
			}
			raw, err := cp.Dispense(wire.PluginName)
			if err != nil {
				return started{err: err}
			}
			conn, ok := raw.(*wire.Conn)
			if !ok {
				return started{err: fmt.Errorf("unexpected plugin client %T", raw)}
			}
			return started{conn: conn}
		}()
		// The process has started and connected, or will not: what the
		// command refers to is no longer needed.
		release()
		done <- s
	}()

	var s started
	select {
	case s = <-done:
	case <-ctx.Done():
		stop()
		select {
		case <-done:
		case <-time.After(startKillWait):
			// Something else holds the process's output open (a child
			// it started, say); go-plugin gives up on it later.
		}
		go func() {
			<-done
			pc.Kill()
		}()
		return nil, fmt.Errorf("launching provider %q (%s): %w", name, cmdline, ctx.Err())
	}
	if s.err != nil {
		pc.Kill()
		stop()
		err := fmt.Errorf("launching provider %q (%s): %w", name, cmdline, s.err)
		if output := t.String(); output != "" {
			err = fmt.Errorf("%w\nThe provider's last output was:\n%s", err, output)
		}
		return nil, err
	}
	return &Client{
		name:           name,
		cmdline:        cmdline,
		slipwayVersion: cfg.SlipwayVersion,
		resident:       cfg.Resident,
		pc:             pc,
		stop:           stop,
		rpc:            s.conn.Provider,
		exited:         s.conn.Exited,
		tail:           t,
		log:            logger,
	}, nil
}

// commandWithContext copies an unstarted command into one that is killed
// when ctx ends. Standard output and error are left to go-plugin.
func commandWithContext(ctx context.Context, c *exec.Cmd) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.Path)
	cmd.Path, cmd.Args, cmd.Err = c.Path, c.Args, c.Err
	cmd.Env, cmd.Dir = c.Env, c.Dir
	cmd.ExtraFiles = c.ExtraFiles
	cmd.WaitDelay = c.WaitDelay
	if c.SysProcAttr != nil {
		attr := *c.SysProcAttr
		cmd.SysProcAttr = &attr
	}
	return cmd
}

// Name is the provider's name as given to Launch.
func (c *Client) Name() string { return c.name }

// Close ends the plugin process, gracefully if it can (it waits up to two
// seconds, then kills it). It may be called more than once.
func (c *Client) Close() {
	if c.closed.Swap(true) {
		return
	}
	c.pc.Kill()
	c.stop()
}

// Exited reports whether the plugin process has ended.
func (c *Client) Exited() bool { return c.pc.Exited() }

// Schemas returns the provider's metadata and schemas. The first call asks
// the provider; later calls return the same value, which callers must not
// modify.
func (c *Client) Schemas(ctx context.Context) (*sdk.ProviderSchemas, error) {
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	return ss.all, nil
}

func (c *Client) loadSchemas(ctx context.Context) (*schemaSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.schemas != nil {
		return c.schemas, nil
	}
	resp, err := c.rpc.GetSchema(ctx, &protocol.GetSchema_Request{})
	if err != nil {
		return nil, c.callErr(ctx, "get schema", err)
	}
	if resp.ProtocolVersion != wire.ProtocolVersion {
		return nil, fmt.Errorf("provider %q speaks protocol version %d, but this slipway speaks %d; use a provider version built for this slipway",
			c.name, resp.ProtocolVersion, wire.ProtocolVersion)
	}
	if diags := diagsFromProto(resp.Diagnostics); diags.HasErrors() {
		return nil, fmt.Errorf("provider %q: %w", c.name, diags.Err())
	}
	ss := &schemaSet{
		all: &sdk.ProviderSchemas{
			Resources: make(map[string]sdk.Schema, len(resp.ResourceSchemas)),
			Sources:   make(map[string]sdk.Schema, len(resp.SourceSchemas)),
		},
		rTypes: make(map[string]cty.Type, len(resp.ResourceSchemas)),
		sTypes: make(map[string]cty.Type, len(resp.SourceSchemas)),
	}
	if m := resp.Metadata; m != nil {
		ss.all.Metadata = sdk.Metadata{Name: m.Name, Version: m.Version, Offline: m.Offline, ApplyParallelism: int(min(max(m.ApplyParallelism, 0), maxApplyParallelism)), Sessions: m.Sessions}
	}
	if ss.all.Provider, err = schemaFromProto(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider %q: provider schema: %w", c.name, err)
	}
	ss.pType = ss.all.Provider.ImpliedType()
	ss.priorElided = resp.PlansPriorElided
	ss.gracefulStop = resp.Metadata.GetGracefulStop()
	ss.keepsPrivate = resp.KeepsReadPrivate
	for _, name := range resp.ElidedStateTypes {
		if ss.elided == nil {
			ss.elided = map[string]bool{}
		}
		ss.elided[name] = true
	}
	for name, p := range resp.ResourceSchemas {
		s, err := schemaFromProto(p)
		if err != nil {
			return nil, fmt.Errorf("provider %q: resource type %q: %w", c.name, name, err)
		}
		ss.all.Resources[name], ss.rTypes[name] = s, s.ImpliedType()
	}
	for name, p := range resp.SourceSchemas {
		s, err := schemaFromProto(p)
		if err != nil {
			return nil, fmt.Errorf("provider %q: source type %q: %w", c.name, name, err)
		}
		ss.all.Sources[name], ss.sTypes[name] = s, s.ImpliedType()
	}
	c.schemas = ss
	return ss, nil
}

func (c *Client) resourceType(ss *schemaSet, typeName string) (cty.Type, error) {
	ty, ok := ss.rTypes[typeName]
	if !ok {
		return cty.NilType, fmt.Errorf("provider %q has no resource type %q", c.name, typeName)
	}
	return ty, nil
}

// encoder encodes the values of one request, keeping the first error with
// the address it concerns.
type encoder struct {
	c   *Client
	err error
}

func (e *encoder) value(v cty.Value, ty cty.Type, address, what string) *protocol.DynamicValue {
	if e.err != nil {
		return nil
	}
	dv, err := wire.EncodeValue(v, ty)
	if err != nil {
		if address != "" {
			what = address + " " + what
		}
		e.err = fmt.Errorf("provider %q: encoding %s: %w", e.c.name, what, err)
	}
	return dv
}

func invalidResult(what string, err error) sdk.Diagnostics {
	var d sdk.Diagnostics
	d.AddError("Provider produced an invalid value",
		fmt.Sprintf("The %s the provider returned cannot be decoded against its schema: %s. This is a bug in the provider; please report it to its author.", what, err))
	return d
}

func (c *Client) checkCount(op string, got, want int) error {
	if got != want {
		return fmt.Errorf("provider %q returned %d results for %d %s requests", c.name, got, want, op)
	}
	return nil
}

// Configure passes the provider block's configuration. Problems with the
// configuration come back as diagnostics; the error is for failures to
// talk to the provider.
func (c *Client) Configure(ctx context.Context, config cty.Value) (sdk.Diagnostics, error) {
	return c.ConfigureWith(ctx, sdk.ConfigureRequest{Config: config})
}

// ConfigureWith is Configure with the request's other fields (Offline);
// SlipwayVersion is the Client's own.
func (c *Client) ConfigureWith(ctx context.Context, req sdk.ConfigureRequest) (sdk.Diagnostics, error) {
	config := req.Config
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	e := encoder{c: c}
	dv := e.value(config, ss.pType, "", "provider configuration")
	if e.err != nil {
		return nil, e.err
	}
	c.readPrivate.Next()
	resp, err := c.rpc.Configure(ctx, &protocol.Configure_Request{
		Config: dv, SlipwayVersion: c.slipwayVersion, Offline: req.Offline,
		// Only a process whose sessions may be configured again is kept.
		Resident: c.resident && ss.all.Metadata.Sessions,
	})
	if err != nil {
		return nil, c.callErr(ctx, "configure", err)
	}
	return diagsFromProto(resp.Diagnostics), nil
}

// Validate checks resource configurations; the i-th response is for reqs[i].
func (c *Client) Validate(ctx context.Context, reqs []sdk.ValidateRequest) ([]sdk.ValidateResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	e := encoder{c: c}
	items := make([]*protocol.ValidateResourceConfigs_Item, len(reqs))
	for i, r := range reqs {
		ty, err := c.resourceType(ss, r.TypeName)
		if err != nil {
			return nil, err
		}
		items[i] = &protocol.ValidateResourceConfigs_Item{TypeName: r.TypeName, Config: e.value(r.Config, ty, "", r.TypeName+" configuration")}
	}
	if e.err != nil {
		return nil, e.err
	}
	resp, err := c.rpc.ValidateResourceConfigs(ctx, &protocol.ValidateResourceConfigs_Request{Items: items})
	if err != nil {
		return nil, c.callErr(ctx, "validate", err)
	}
	if err := c.checkCount("validate", len(resp.Results), len(reqs)); err != nil {
		return nil, err
	}
	out := make([]sdk.ValidateResponse, len(reqs))
	for i, r := range resp.Results {
		out[i].Diagnostics = diagsFromProto(r.Diagnostics)
	}
	return out, nil
}

// Plan plans resource instances in one call; the i-th response is for
// reqs[i]. A null Config plans a delete; a NilVal ProposedNewState is
// computed by the provider side from Config and PriorState.
func (c *Client) Plan(ctx context.Context, reqs []sdk.PlanRequest) ([]sdk.PlanResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	types := make([]cty.Type, len(reqs))
	for i, r := range reqs {
		if types[i], err = c.resourceType(ss, r.TypeName); err != nil {
			return nil, err
		}
	}
	// An item whose prior state the provider kept from its refresh goes
	// without it, and so does one whose prior state is as recorded, of a
	// type the provider can plan from private state alone
	// (sdk.ResourceWithElidedState) when nothing changed; the provider
	// asks for it again if it must. The provider computes a proposed new
	// state that is not given. Values are encoded in parallel.
	asRecorded := func(r sdk.PlanRequest) bool {
		return r.PriorAsRecorded && ss.priorElided && ss.elided[r.TypeName] && len(r.PriorPrivate) > 0 &&
			r.PriorState != cty.NilVal && !r.PriorState.IsNull() && r.Config != cty.NilVal && !r.Config.IsNull()
	}
	encode := func(idx []int, withPrior bool) ([]*protocol.PlanResources_Item, error) {
		items := make([]*protocol.PlanResources_Item, len(idx))
		errs := make([]error, len(idx))
		par.Each(len(idx), func(k int) {
			i := idx[k]
			r, ty := reqs[i], types[i]
			e := encoder{c: c}
			it := &protocol.PlanResources_Item{
				Address: r.Address, TypeName: r.TypeName, PriorPrivate: r.PriorPrivate,
				Config: e.value(r.Config, ty, r.Address, "configuration"),
			}
			switch {
			case withPrior:
				it.PriorState = e.value(r.PriorState, ty, r.Address, "prior state")
			case r.PriorFromRefresh:
				it.PriorFromRefresh = true
				if ss.keepsPrivate && c.sentInRead(r.Address, r.PriorPrivate) {
					it.PriorPrivate, it.PriorPrivateFromRefresh = nil, true
				}
			case asRecorded(r):
				it.PriorElided = true
			default:
				it.PriorState = e.value(r.PriorState, ty, r.Address, "prior state")
			}
			if r.ProposedNewState != cty.NilVal {
				it.ProposedNewState = e.value(r.ProposedNewState, ty, r.Address, "proposed new state")
			}
			items[k], errs[k] = it, e.err
		})
		return items, errors.Join(errs...)
	}
	out := make([]sdk.PlanResponse, len(reqs))
	idx := make([]int, len(reqs))
	for i := range idx {
		idx[i] = i
	}
	for attempt := 0; len(idx) > 0; attempt++ {
		items, err := encode(idx, attempt > 0)
		if err != nil {
			return nil, err
		}
		resp, err := c.rpc.PlanResources(ctx, &protocol.PlanResources_Request{Items: items, OmitUnchangedPrivate: true})
		if err != nil {
			return nil, c.callErr(ctx, "plan", err)
		}
		if err := c.checkCount("plan", len(resp.Results), len(items)); err != nil {
			return nil, err
		}
		var again []int
		results := resp.Results
		par.Each(len(results), func(k int) {
			r, i := results[k], idx[k]
			if r.PriorMissing {
				return
			}
			o := &out[i]
			o.Diagnostics = diagsFromProto(r.Diagnostics)
			o.RequiresReplace = pathsFromProto(r.RequiresReplace)
			o.ReplaceReasons = r.RequiresReplaceReasons
			o.SensitivePaths = pathsFromProto(r.SensitivePaths)
			o.PlannedPrivate = r.PlannedPrivate
			if r.PrivateUnchanged {
				o.PlannedPrivate = reqs[i].PriorPrivate
			}
			if r.Unchanged {
				o.PlannedState, o.Unchanged = reqs[i].PriorState, true
				return
			}
			var err error
			if o.PlannedState, err = wire.DecodeValue(r.PlannedState, types[i]); err != nil {
				o.PlannedState = cty.NullVal(types[i])
				o.Diagnostics = append(o.Diagnostics, invalidResult("planned state", err)...)
			}
		})
		elided := 0
		for k, r := range results {
			if items[k].PriorElided {
				elided++
			}
			if r.PriorMissing {
				if attempt > 0 {
					return nil, fmt.Errorf("provider %q asked again for the prior state of %s", c.name, reqs[idx[k]].Address)
				}
				again = append(again, idx[k])
			}
		}
		if elided > 0 && c.log != nil {
			c.log.Debug("plan without prior state", "instances", len(items), "without_prior", elided, "prior_asked_for", len(again))
		}
		idx = again
	}
	return out, nil
}

// ApplyEvent is one event of an apply: progress of item Index (Message
// set), or its outcome (Done and Response set), which is its last event.
// Waiting is set on the progress event that says the item has made every
// change it is going to make and only waits from now on (see
// sdk.ApplyRequest.Waiting); it is set on at most one event per item.
type ApplyEvent struct {
	Index    int
	Message  string
	Waiting  bool
	Done     bool
	Response *sdk.ApplyResponse
}

// Apply carries out planned changes; the provider runs them concurrently.
// onEvent (which may be nil) is called from the calling goroutine, one
// event at a time, as events arrive: each item's result as soon as that
// item finishes, so the core can persist state without waiting for the
// whole batch. onEvent should return quickly: while it runs, the
// provider's progress reports wait. The error is for failures to talk to
// the provider; items whose result was not delivered before it are in an
// unknown state. ApplyRequest.Progress is not used here.
func (c *Client) Apply(ctx context.Context, reqs []sdk.ApplyRequest, onEvent func(ApplyEvent)) error {
	if len(reqs) == 0 {
		return nil
	}
	if onEvent == nil {
		onEvent = func(ApplyEvent) {}
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return err
	}
	e := encoder{c: c}
	types := make([]cty.Type, len(reqs))
	items := make([]*protocol.ApplyResources_Item, len(reqs))
	for i, r := range reqs {
		ty, err := c.resourceType(ss, r.TypeName)
		if err != nil {
			return err
		}
		types[i] = ty
		items[i] = &protocol.ApplyResources_Item{
			Address:        r.Address,
			TypeName:       r.TypeName,
			Config:         e.value(r.Config, ty, r.Address, "configuration"),
			PriorState:     e.value(r.PriorState, ty, r.Address, "prior state"),
			PlannedState:   e.value(r.PlannedState, ty, r.Address, "planned state"),
			PlannedPrivate: r.PlannedPrivate,
			OperationId:    r.OperationID,
		}
	}
	if e.err != nil {
		return e.err
	}
	stream, err := c.rpc.ApplyResources(ctx, &protocol.ApplyResources_Request{Items: items})
	if err != nil {
		return c.callErr(ctx, "apply", err)
	}
	done := make([]bool, len(reqs))
	waiting := make([]bool, len(reqs))
	remaining := len(reqs)
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return c.callErr(ctx, "apply", err)
		}
		i := int(ev.Index)
		if i < 0 || i >= len(reqs) {
			return fmt.Errorf("provider %q sent an apply event for item %d of %d", c.name, i, len(reqs))
		}
		switch kind := ev.Kind.(type) {
		case *protocol.ApplyResources_Event_Progress:
			if !done[i] {
				wait := kind.Progress.GetWaiting() && !waiting[i]
				waiting[i] = waiting[i] || wait
				onEvent(ApplyEvent{Index: i, Message: kind.Progress.GetMessage(), Waiting: wait})
			}
		case *protocol.ApplyResources_Event_Result:
			if done[i] {
				continue
			}
			done[i] = true
			remaining--
			r := kind.Result
			resp := &sdk.ApplyResponse{Private: r.Private, SensitivePaths: pathsFromProto(r.SensitivePaths), Diagnostics: diagsFromProto(r.Diagnostics)}
			if resp.NewState, err = wire.DecodeValue(r.NewState, types[i]); err != nil {
				// What exists is unknown; the prior state is the best guess.
				resp.NewState = reqs[i].PriorState
				if resp.NewState == cty.NilVal {
					resp.NewState = cty.NullVal(types[i])
				}
				resp.Diagnostics = append(resp.Diagnostics, invalidResult("new state", err)...)
			}
			onEvent(ApplyEvent{Index: i, Done: true, Response: resp})
		}
	}
	if remaining > 0 {
		var missing []string
		for i, d := range done {
			if !d {
				missing = append(missing, label(reqs[i].Address, i))
			}
		}
		return fmt.Errorf("provider %q ended the apply without a result for %s", c.name, strings.Join(missing, ", "))
	}
	return nil
}

func label(address string, i int) string {
	if address != "" {
		return address
	}
	return fmt.Sprintf("item %d", i)
}

// Read refreshes resource instances in one call; the i-th response is for
// reqs[i]. A null NewState means the object is gone.
func (c *Client) Read(ctx context.Context, reqs []sdk.ReadRequest) ([]sdk.ReadResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	types := make([]cty.Type, len(reqs))
	for i, r := range reqs {
		if types[i], err = c.resourceType(ss, r.TypeName); err != nil {
			return nil, err
		}
	}
	// An instance of a type the provider can refresh from its private
	// state alone goes first without its state, and again with it only
	// if the provider asks (sdk.ResourceWithElidedState).
	elide := func(r sdk.ReadRequest) bool {
		return ss.elided[r.TypeName] && len(r.Private) > 0 && r.InterruptedOperation == "" &&
			r.State != cty.NilVal && !r.State.IsNull()
	}
	encode := func(idx []int, withState bool) ([]*protocol.ReadResources_Item, error) {
		items := make([]*protocol.ReadResources_Item, len(idx))
		errs := make([]error, len(idx))
		par.Each(len(idx), func(k int) {
			i := idx[k]
			r := reqs[i]
			it := &protocol.ReadResources_Item{
				Address: r.Address, TypeName: r.TypeName, Private: r.Private,
				InterruptedOperation: r.InterruptedOperation,
			}
			if !withState && ss.keepsPrivate && c.sentInRead(r.Address, r.Private) {
				it.Private, it.PrivateAsLastRead = nil, true
			}
			if !withState && elide(r) {
				it.StateElided = true
			} else {
				e := encoder{c: c}
				it.State = e.value(r.State, types[i], r.Address, "state")
				errs[k] = e.err
			}
			items[k] = it
		})
		return items, errors.Join(errs...)
	}
	results := make([]*protocol.ReadResources_Result, len(reqs))
	idx := make([]int, len(reqs))
	for i := range idx {
		idx[i] = i
	}
	for attempt := 0; len(idx) > 0; attempt++ {
		items, err := encode(idx, attempt > 0)
		if err != nil {
			return nil, err
		}
		resp, err := c.rpc.ReadResources(ctx, &protocol.ReadResources_Request{Items: items, OmitUnchangedPrivate: true})
		if err != nil {
			return nil, c.callErr(ctx, "read", err)
		}
		for _, i := range idx {
			c.readPrivate.Put(reqs[i].Address, reqs[i].Private)
		}
		if err := c.checkCount("read", len(resp.Results), len(items)); err != nil {
			return nil, err
		}
		var again []int
		elided := 0
		for k, r := range resp.Results {
			i := idx[k]
			if items[k].StateElided {
				elided++
			}
			if r.StateMissing {
				if !items[k].StateElided && !items[k].PrivateAsLastRead {
					return nil, fmt.Errorf("provider %q asked for the state of %s, which it was sent", c.name, reqs[i].Address)
				}
				again = append(again, i)
				continue
			}
			results[i] = r
		}
		if elided > 0 && c.log != nil {
			c.log.Debug("refresh without state", "instances", len(items), "without_state", elided, "state_asked_for", len(again))
		}
		idx = again
	}
	out := make([]sdk.ReadResponse, len(reqs))
	par.Each(len(reqs), func(i int) {
		r := results[i]
		o := &out[i]
		o.Private = r.Private
		if r.PrivateUnchanged {
			o.Private = reqs[i].Private
		}
		o.SensitivePaths = pathsFromProto(r.SensitivePaths)
		o.Diagnostics = diagsFromProto(r.Diagnostics)
		if r.Unchanged {
			o.NewState, o.Unchanged = reqs[i].State, true
			return
		}
		var err error
		if o.NewState, err = wire.DecodeValue(r.NewState, types[i]); err != nil {
			o.NewState = reqs[i].State
			o.Diagnostics = append(o.Diagnostics, invalidResult("refreshed state", err)...)
		}
	})
	return out, nil
}

// Status reports the live status of instances in one call; the i-th
// response is for reqs[i]. Types without a status ability report Unknown.
func (c *Client) Status(ctx context.Context, reqs []sdk.StatusRequest) ([]sdk.StatusResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	e := encoder{c: c}
	items := make([]*protocol.ResourceStatus_Item, len(reqs))
	for i, r := range reqs {
		ty, err := c.resourceType(ss, r.TypeName)
		if err != nil {
			return nil, err
		}
		items[i] = &protocol.ResourceStatus_Item{
			Address:  r.Address,
			TypeName: r.TypeName,
			State:    e.value(r.State, ty, r.Address, "state"),
			Private:  r.Private,
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	if c.log != nil {
		c.log.Debug("live status", "instances", len(items))
	}
	resp, err := c.rpc.ResourceStatus(ctx, &protocol.ResourceStatus_Request{Items: items})
	if err != nil {
		return nil, c.callErr(ctx, "status", err)
	}
	if err := c.checkCount("status", len(resp.Results), len(reqs)); err != nil {
		return nil, err
	}
	out := make([]sdk.StatusResponse, len(reqs))
	for i, r := range resp.Results {
		o := &out[i]
		o.Health, o.Sync, o.Message = r.Health, r.Sync, r.Message
		o.Diagnostics = diagsFromProto(r.Diagnostics)
		for _, ob := range r.Objects {
			o.Objects = append(o.Objects, sdk.ObjectStatus{ID: ob.Id, Sync: ob.Sync, Health: ob.Health, Message: ob.Message})
		}
	}
	return out, nil
}

// ReadSources resolves sources in one call; the i-th response is for reqs[i].
func (c *Client) ReadSources(ctx context.Context, reqs []sdk.SourceReadRequest) ([]sdk.SourceReadResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	e := encoder{c: c}
	types := make([]cty.Type, len(reqs))
	items := make([]*protocol.ReadSources_Item, len(reqs))
	for i, r := range reqs {
		ty, ok := ss.sTypes[r.TypeName]
		if !ok {
			return nil, fmt.Errorf("provider %q has no source type %q", c.name, r.TypeName)
		}
		types[i] = ty
		items[i] = &protocol.ReadSources_Item{
			Address:    r.Address,
			TypeName:   r.TypeName,
			Config:     e.value(r.Config, ty, r.Address, "configuration"),
			PriorState: e.value(r.PriorState, ty, r.Address, "prior state"),
			Hard:       r.Hard,
			LocalDir:   r.LocalDir,
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	resp, err := c.rpc.ReadSources(ctx, &protocol.ReadSources_Request{Items: items})
	if err != nil {
		return nil, c.callErr(ctx, "read sources", err)
	}
	if err := c.checkCount("source read", len(resp.Results), len(reqs)); err != nil {
		return nil, err
	}
	out := make([]sdk.SourceReadResponse, len(reqs))
	for i, r := range resp.Results {
		o := &out[i]
		o.Diagnostics = diagsFromProto(r.Diagnostics)
		o.LocalRevision = r.LocalRevision
		if o.State, err = wire.DecodeValue(r.State, types[i]); err != nil {
			o.State = cty.NullVal(types[i])
			o.Diagnostics = append(o.Diagnostics, invalidResult("source state", err)...)
		}
	}
	return out, nil
}

// Import adopts an existing object by its ID.
func (c *Client) Import(ctx context.Context, req sdk.ImportRequest) (sdk.ImportResponse, error) {
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return sdk.ImportResponse{}, err
	}
	ty, err := c.resourceType(ss, req.TypeName)
	if err != nil {
		return sdk.ImportResponse{}, err
	}
	resp, err := c.rpc.ImportResource(ctx, &protocol.ImportResource_Request{Address: req.Address, TypeName: req.TypeName, Id: req.ID})
	if err != nil {
		return sdk.ImportResponse{}, c.callErr(ctx, "import", err)
	}
	out := sdk.ImportResponse{Private: resp.Private, Diagnostics: diagsFromProto(resp.Diagnostics)}
	if out.State, err = wire.DecodeValue(resp.State, ty); err != nil {
		out.State = cty.NullVal(ty)
		out.Diagnostics = append(out.Diagnostics, invalidResult("imported state", err)...)
	}
	return out, nil
}

// UpgradeState brings stored states written with older schema versions
// of their types up to the current version; the i-th response is for
// reqs[i]. A provider that predates state upgrades is an error.
func (c *Client) UpgradeState(ctx context.Context, reqs []sdk.UpgradeStateRequest) ([]sdk.UpgradeStateResponse, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ss, err := c.loadSchemas(ctx)
	if err != nil {
		return nil, err
	}
	types := make([]cty.Type, len(reqs))
	items := make([]*protocol.UpgradeState_Item, len(reqs))
	for i, r := range reqs {
		if types[i], err = c.resourceType(ss, r.TypeName); err != nil {
			return nil, err
		}
		items[i] = &protocol.UpgradeState_Item{Address: r.Address, TypeName: r.TypeName, Version: r.Version, RawState: r.RawState}
	}
	resp, err := c.rpc.UpgradeState(ctx, &protocol.UpgradeState_Request{Items: items})
	if status.Code(err) == codes.Unimplemented {
		return nil, fmt.Errorf("provider %q cannot upgrade state: it was built with a plugin SDK that predates state upgrades, yet its schema version is newer than the stored state's; rebuild it with a newer SDK", c.name)
	}
	if err != nil {
		return nil, c.callErr(ctx, "upgrade state", err)
	}
	if err := c.checkCount("upgrade state", len(resp.Results), len(reqs)); err != nil {
		return nil, err
	}
	out := make([]sdk.UpgradeStateResponse, len(reqs))
	for i, r := range resp.Results {
		o := &out[i]
		o.Diagnostics = diagsFromProto(r.Diagnostics)
		if o.Diagnostics.HasErrors() {
			o.State = cty.NullVal(types[i])
			continue
		}
		if o.State, err = wire.DecodeValue(r.UpgradedState, types[i]); err != nil {
			o.State = cty.NullVal(types[i])
			o.Diagnostics = append(o.Diagnostics, invalidResult("upgraded state", err)...)
		}
	}
	return out, nil
}
