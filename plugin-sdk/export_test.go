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

package sdk

import (
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/plugin-sdk/internal/protocol"
)

// RunValidators and KeepStateForUnknown expose, to this package's
// external tests, what the server runs.
func RunValidators(s Schema, config cty.Value) Diagnostics {
	return runValidators("the test", s.Attributes, s.Blocks, config)
}

var KeepStateForUnknown = keepStateForUnknown

// NewProtocolServer is the server Serve runs for p, for external tests
// that speak the protocol to it directly.
func NewProtocolServer(p Provider) protocol.ProviderServer { return newServer(p) }
