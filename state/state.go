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

package state

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
)

// DefaultLocalPath is the file the local backend uses when the configuration
// names none.
const DefaultLocalPath = "slipway.slipstate"

// State is everything slipway knows about what it manages, as of the last
// write.
type State struct {
	// Lineage is a random id fixed when the state is first created, so that
	// two unrelated states are never mistaken for versions of one another.
	Lineage string
	// Serial counts the writes that changed the state's content. Backends
	// own it: Write sets it to the stored serial plus one when the content
	// differs from what is stored and leaves it as stored otherwise.
	// Callers never set it.
	Serial uint64
	// SlipwayVersion is the version of slipway that wrote the state. It is
	// informational and may be empty.
	SlipwayVersion string
	// Resources is keyed by Addr.String() of each instance.
	Resources map[string]*ResourceInstance
	Outputs   map[string]*Output
	// Extra holds sections owned by later features (app inventories,
	// pipeline runs, rollout progress, sync history), each a JSON document
	// by name. This package round-trips them untouched except that they
	// come back compacted.
	Extra map[string]json.RawMessage
}

// ResourceInstance is the recorded result of one resource instance's last
// apply.
type ResourceInstance struct {
	Addr     addrs.ResourceInstance
	Provider addrs.Provider
	// Type is the resource or source type; it equals Addr's type for
	// managed resources and sources and is empty for pipelines, apps and
	// rollouts unless the caller sets one.
	Type          string
	SchemaVersion int64
	// Value is a wholly known value, usually an object, with no marks.
	Value cty.Value
	// Sensitive lists the paths of sensitive values inside Value.
	Sensitive []cty.Path
	// Private is the provider's opaque data.
	Private []byte
	// Dependencies is what the instance depended on when last applied; it
	// orders deletes once the configuration no longer says.
	Dependencies []addrs.Resource
	Tainted      bool
}

// Output is a root output value as of the last apply.
type Output struct {
	Value     cty.Value
	Sensitive bool
}

// NewState returns an empty state with a fresh lineage.
func NewState() *State {
	return &State{
		Lineage:   newID(),
		Resources: map[string]*ResourceInstance{},
		Outputs:   map[string]*Output{},
		Extra:     map[string]json.RawMessage{},
	}
}

// DeepCopy returns a copy of s that shares nothing mutable with it. cty
// values are immutable, so only maps and slices are copied.
func (s *State) DeepCopy() *State {
	if s == nil {
		return nil
	}
	c := *s
	c.Resources = make(map[string]*ResourceInstance, len(s.Resources))
	for k, r := range s.Resources {
		rc := *r
		if r.Sensitive != nil {
			rc.Sensitive = make([]cty.Path, len(r.Sensitive))
			for i, p := range r.Sensitive {
				rc.Sensitive[i] = p.Copy()
			}
		}
		rc.Private = slices.Clone(r.Private)
		rc.Dependencies = slices.Clone(r.Dependencies)
		c.Resources[k] = &rc
	}
	c.Outputs = make(map[string]*Output, len(s.Outputs))
	for k, o := range s.Outputs {
		oc := *o
		c.Outputs[k] = &oc
	}
	c.Extra = make(map[string]json.RawMessage, len(s.Extra))
	for k, v := range s.Extra {
		c.Extra[k] = slices.Clone(v)
	}
	return &c
}

// Empty reports whether s records nothing: no resources, outputs or extra
// sections.
func (s *State) Empty() bool {
	return s == nil || len(s.Resources) == 0 && len(s.Outputs) == 0 && len(s.Extra) == 0
}

// SortedAddrs returns the keys of s.Resources in addrs.ResourceInstance.Less
// order of their instances' addresses.
func (s *State) SortedAddrs() []string {
	keys := slices.Collect(maps.Keys(s.Resources))
	slices.SortFunc(keys, func(a, b string) int {
		switch ra, rb := s.Resources[a].Addr, s.Resources[b].Addr; {
		case ra.Less(rb):
			return -1
		case rb.Less(ra):
			return 1
		}
		return 0
	})
	return keys
}

// newID returns a random version 4 UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
