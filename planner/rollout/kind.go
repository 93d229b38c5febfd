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

package rollout

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
)

// Kind is the rollout block kind.
type Kind struct{}

var _ kind.Kind = Kind{}

// Kind is addrs.Rollout.
func (Kind) Kind() addrs.Kind { return addrs.Rollout }

// Providers is empty: a rollout is carried out by the provider of the app
// that names it.
func (Kind) Providers(*lang.Resource) []addrs.Provider { return nil }

// Writes is empty: a rollout commits to no source.
func (Kind) Writes(*lang.Resource) []addrs.Resource { return nil }

// Check has nothing to check.
func (Kind) Check(kind.Host, *lang.Resource) hcl.Diagnostics { return nil }

// Validate has nothing beyond the references the engine checks.
func (Kind) Validate(context.Context, kind.ValidateHost, *lang.Resource) hcl.Diagnostics {
	return nil
}

// Plan proposes nothing and says so: a rollout's effects are not in the
// plan of this version.
func (Kind) Plan(_ context.Context, h kind.PlanHost, rc *lang.Resource) hcl.Diagnostics {
	insts := []kind.Instance{{Addr: rc.Addr.Instance(addrs.NoKey)}}
	h.SetValues(rc, insts, []cty.Value{cty.DynamicVal})
	r := rc.DeclRange
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("%s blocks are not planned yet", rc.Addr.Kind),
		Detail:   fmt.Sprintf("%s is parsed and ordered in the graph, but this version of slipway proposes no changes for %s blocks; its effects are not in this plan.", rc.Addr, rc.Addr.Kind),
		Subject:  &r,
	}}
}

// Apply does nothing but give the block its (unknown) value.
func (Kind) Apply(_ context.Context, h kind.ApplyHost, rc *lang.Resource) hcl.Diagnostics {
	insts := []kind.Instance{{Addr: rc.Addr.Instance(addrs.NoKey)}}
	h.SetValues(rc, insts, []cty.Value{cty.DynamicVal})
	return nil
}
