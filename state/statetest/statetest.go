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

package statetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

// TestBackend checks that a Backend keeps the state.Backend contract.
// newBackend must return a Backend over fresh, empty storage each time it is
// called; TestBackend runs its subtests in parallel.
func TestBackend(t *testing.T, newBackend func(t *testing.T) state.Backend) {
	ctx := context.Background()
	t.Run("EmptyRead", func(t *testing.T) {
		t.Parallel()
		s, err := newBackend(t).Read(ctx)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if !s.Empty() || s.Lineage == "" || s.Serial != 0 {
			t.Errorf("Read of empty storage = %+v, want an empty state with a lineage and serial 0", s)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		want := Sample()
		if err := b.Write(ctx, want); err != nil {
			t.Fatalf("Write: %v", err)
		}
		got, err := b.Read(ctx)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if diff := Diff(want, got); diff != "" {
			t.Errorf("Read after Write (-want +got):\n%s", diff)
		}
	})
	t.Run("Serial", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		s := Sample()
		s.Serial = 41 // callers never set it; Write must ignore it
		step := func(what string, s *state.State, want uint64) {
			t.Helper()
			if err := b.Write(ctx, s); err != nil {
				t.Fatalf("%s: Write: %v", what, err)
			}
			if s.Serial != want {
				t.Errorf("%s: Write set Serial %d, want %d", what, s.Serial, want)
			}
			got, err := b.Read(ctx)
			if err != nil {
				t.Fatalf("%s: Read: %v", what, err)
			}
			if got.Serial != want {
				t.Errorf("%s: Read gives Serial %d, want %d", what, got.Serial, want)
			}
		}
		step("first write", s, 1)
		step("same content again", Sample(), 1)
		read, err := b.Read(ctx)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		step("state as read", read, 1)
		read.Outputs["added"] = &state.Output{Value: cty.True}
		step("changed content", read, 2)
		step("changed content again", read.DeepCopy(), 2)
	})
	t.Run("LockExcludes", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		info := state.NewLockInfo("apply")
		id := lock(ctx, t, b, info)
		if id != info.ID {
			t.Errorf("Lock returned ID %q, want the info's %q", id, info.ID)
		}
		err := lockWithin(b, state.NewLockInfo("plan"), 300*time.Millisecond)
		var le *state.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("second Lock = %v, want a *state.LockedError", err)
		}
		if le.Info == nil || le.Info.Operation != "apply" || le.Info.Who != info.Who || le.Info.ID != id {
			t.Errorf("LockedError.Info = %+v, want the first holder's (apply by %s, ID %s)", le.Info, info.Who, id)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("LockedError wraps %v, want context.DeadlineExceeded", le.Err)
		}
		unlock(ctx, t, b, id)
	})
	t.Run("UnlockWrongID", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		id := lock(ctx, t, b, state.NewLockInfo("apply"))
		if err := b.Unlock(ctx, "not-"+id); err == nil {
			t.Errorf("Unlock with a wrong ID succeeded")
		}
		unlock(ctx, t, b, id)
		if err := lockWithin(b, state.NewLockInfo("apply"), time.Second); err != nil {
			t.Errorf("Lock after Unlock: %v", err)
		}
	})
	t.Run("LockWaits", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		id := lock(ctx, t, b, state.NewLockInfo("apply"))
		unlocked := make(chan error, 1)
		go func() {
			time.Sleep(200 * time.Millisecond)
			unlocked <- b.Unlock(ctx, id)
		}()
		if err := lockWithin(b, state.NewLockInfo("plan"), 10*time.Second); err != nil {
			t.Errorf("Lock while the holder unlocks within the timeout: %v", err)
		}
		if err := <-unlocked; err != nil {
			t.Errorf("Unlock: %v", err)
		}
	})
	t.Run("ForceUnlock", func(t *testing.T) {
		t.Parallel()
		// The holder lost track of its lock: it never calls Unlock.
		b := newBackend(t)
		id := lock(ctx, t, b, state.NewLockInfo("apply"))
		if err := b.ForceUnlock(ctx, "not-"+id); err == nil {
			t.Errorf("ForceUnlock with a wrong ID succeeded")
		}
		if err := b.ForceUnlock(ctx, id); err != nil {
			t.Fatalf("ForceUnlock: %v", err)
		}
		if err := lockWithin(b, state.NewLockInfo("apply"), time.Second); err != nil {
			t.Errorf("Lock after ForceUnlock: %v", err)
		}
	})
	t.Run("ConcurrentWrites", func(t *testing.T) {
		t.Parallel()
		b := newBackend(t)
		const n = 8
		written := make([]*state.State, n)
		var wg sync.WaitGroup
		for i := range written {
			written[i] = Sample()
			written[i].Outputs["writer"] = &state.Output{Value: cty.NumberIntVal(int64(i))}
			wg.Go(func() {
				if err := b.Write(ctx, written[i]); err != nil {
					t.Errorf("Write %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		got, err := b.Read(ctx)
		if err != nil {
			t.Fatalf("Read after concurrent Writes: %v", err)
		}
		if got.Serial < 1 || got.Serial > n {
			t.Errorf("Serial after %d Writes = %d, want 1 to %d", n, got.Serial, n)
		}
		o := got.Outputs["writer"]
		if o == nil {
			t.Fatalf("Read after concurrent Writes has no writer output")
		}
		i, err := wholeNumber(o.Value)
		if err != nil || i < 0 || i >= n {
			t.Fatalf("writer output = %#v, want 0 to %d", o.Value, n-1)
		}
		want := written[i].DeepCopy()
		want.Serial = got.Serial
		if diff := Diff(want, got); diff != "" {
			t.Errorf("Read after concurrent Writes differs from writer %d's state (-want +got):\n%s", i, diff)
		}
	})
}

func lock(ctx context.Context, t *testing.T, b state.Backend, info *state.LockInfo) string {
	t.Helper()
	id, err := b.Lock(ctx, info)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	return id
}

func unlock(ctx context.Context, t *testing.T, b state.Backend, id string) {
	t.Helper()
	if err := b.Unlock(ctx, id); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

// lockWithin locks b, giving up after d, and unlocks it again on success.
func lockWithin(b state.Backend, info *state.LockInfo, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	id, err := b.Lock(ctx, info)
	if err != nil {
		return err
	}
	return b.Unlock(context.Background(), id)
}

func wholeNumber(v cty.Value) (int, error) {
	if v.Type() != cty.Number || v.IsNull() {
		return 0, errors.New("not a number")
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != 0 {
		return 0, errors.New("not a whole number")
	}
	return int(n), nil
}

// Diff compares two states as cmp.Diff does, comparing cty values with
// RawEquals and treating nil and empty maps and slices alike.
func Diff(want, got *state.State) string {
	return cmp.Diff(want, got,
		cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b cty.Value) bool {
			if a.Type() == cty.NilType || b.Type() == cty.NilType {
				return a.Type() == b.Type()
			}
			return a.RawEquals(b)
		}),
		cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) }),
	)
}

// Sample returns a state that exercises the whole file format: every
// address kind, int and string keys, nested object, list, map, set and
// tuple values, awkward numbers, sensitive paths, private bytes,
// dependencies, outputs and extra sections. Its lineage is fixed.
func Sample() *state.State {
	file := func(name string) addrs.Resource { return addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name} }
	fileProvider := addrs.Provider{Name: "file"}
	s := &state.State{
		Lineage:        "6f1c2b7e-5d3a-4c8e-9b1f-0a2d3c4e5f60",
		SlipwayVersion: "0.1.0",
		Resources:      map[string]*state.ResourceInstance{},
		Outputs: map[string]*state.Output{
			"url":     {Value: cty.StringVal("https://example.com/<app>&")},
			"db":      {Value: cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal("hunter2"), "port": cty.NumberIntVal(5432)}), Sensitive: true},
			"nothing": {Value: cty.NullVal(cty.String)},
			"regions": {Value: cty.ListVal([]cty.Value{cty.StringVal("eu"), cty.StringVal("us")})},
		},
		Extra: map[string]json.RawMessage{
			"apps":    json.RawMessage(`{"web":{"objects":["apps/v1/Deployment/default/web","v1/Service/default/web"]}}`),
			"history": json.RawMessage(`[{"app":"web","revision":3,"note":"a<b"}]`),
		},
	}
	add := func(r *state.ResourceInstance) { s.Resources[r.Addr.String()] = r }
	add(&state.ResourceInstance{
		Addr:          file("a").Instance(addrs.NoKey),
		Provider:      fileProvider,
		Type:          "file",
		SchemaVersion: 2,
		Value: cty.ObjectVal(map[string]cty.Value{
			"path":    cty.StringVal("out/a.txt"),
			"content": cty.StringVal("héllo\n\t\"quoted\" \u2028 <tag>"),
			"secret":  cty.StringVal("s3cr3t"),
			"mode":    cty.NumberIntVal(0o644),
			"ratio":   cty.NumberFloatVal(0.5),
			"pi":      cty.MustParseNumberVal("3.14159"),
			"tiny":    cty.MustParseNumberVal("-1e-30"),
			"huge":    cty.MustParseNumberVal("123456789012345678901234567890.5"),
			"enabled": cty.True,
			"gone":    cty.NullVal(cty.String),
			"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core"), "token": cty.StringVal("abc")}),
			"ports":   cty.ListVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
			"names":   cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}),
			"pair":    cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1)}),
			"nested": cty.ObjectVal(map[string]cty.Value{
				"list": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
					"key": cty.StringVal("k"),
					"env": cty.MapVal(map[string]cty.Value{"A": cty.StringVal("1")}),
				})}),
				"empty": cty.ListValEmpty(cty.String),
			}),
		}),
		Sensitive: []cty.Path{
			cty.GetAttrPath("secret"),
			cty.GetAttrPath("tags").IndexString("token"),
			cty.GetAttrPath("nested").GetAttr("list").IndexInt(0).GetAttr("env"),
		},
		Private:      []byte{0, 1, 2, 0xfe, 0xff},
		Dependencies: []addrs.Resource{file("b"), {Kind: addrs.Source, Type: "git", Name: "app"}},
	})
	for _, i := range []int{0, 1, 10} {
		add(&state.ResourceInstance{
			Addr:     file("b").Instance(addrs.IntKey(i)),
			Provider: fileProvider,
			Type:     "file",
			Value:    cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))}),
		})
	}
	add(&state.ResourceInstance{
		Addr:     addrs.Resource{Kind: addrs.Source, Type: "git", Name: "app"}.Instance(addrs.NoKey),
		Provider: addrs.Provider{Name: "git"},
		Type:     "git",
		Value:    cty.ObjectVal(map[string]cty.Value{"commit": cty.StringVal("0123abc")}),
	})
	add(&state.ResourceInstance{
		Addr:         addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.StringKey("eu \"west\"")),
		Provider:     addrs.Provider{Name: "kubernetes", Alias: "prod"},
		Value:        cty.ObjectVal(map[string]cty.Value{"revision": cty.NumberIntVal(3)}),
		Dependencies: []addrs.Resource{{Kind: addrs.Pipeline, Name: "web"}},
		Tainted:      true,
	})
	add(&state.ResourceInstance{
		Addr:  addrs.Resource{Kind: addrs.Pipeline, Name: "web"}.Instance(addrs.NoKey),
		Type:  "container",
		Value: cty.EmptyObjectVal,
	})
	add(&state.ResourceInstance{
		Addr: addrs.Resource{Kind: addrs.Rollout, Name: "web"}.Instance(addrs.NoKey),
	})
	return s
}
