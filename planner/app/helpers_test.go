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

package app

import (
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/planner/kind/kindtest"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// The helpers every kind package's tests share.
var (
	ctyCmp    = kindtest.CtyCmp
	loadBlock = kindtest.LoadBlock
	withAttr  = kindtest.WithAttr
	summaries = kindtest.Summaries
)

// scope is what an instance's expressions see.
type scope = kindtest.Scope

// gitSource is the value of a git source on main, checked out in
// /cache/NAME.
func gitSource(name, commit string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		builtin.SourceURL:    cty.StringVal("https://git.example.com/" + name + ".git"),
		builtin.SourceBranch: cty.StringVal("main"),
		builtin.SourceRef:    cty.StringVal("refs/heads/main"),
		builtin.SourceCommit: cty.StringVal(commit),
		builtin.SourceDir:    cty.StringVal("/cache/" + name),
	})
}

// The schemas of the types apps are lowered to, as the kubernetes and
// helm providers declare them.
var (
	appSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName: {Type: cty.String, Required: true}, builtin.AppManifestsDir: {Type: cty.String, Required: true},
		builtin.AppNamespace: {Type: cty.String, Optional: true}, builtin.AppCreateNamespace: {Type: cty.Bool, Optional: true},
		builtin.AppPrune: {Type: cty.Bool, Optional: true}, builtin.AppPruneLast: {Type: cty.Bool, Optional: true},
		builtin.AppSelfHeal: {Type: cty.Bool, Optional: true}, builtin.AppRevision: {Type: cty.String, Optional: true},
		builtin.AppWaitTimeout: {Type: cty.String, Optional: true}, builtin.AppRetry: {Type: builtin.RetryType, Optional: true},
		builtin.AppIgnoreDifferences: {Type: cty.List(builtin.IgnoreDifferenceType), Optional: true},
		builtin.AppObjects:           {Type: cty.DynamicPseudoType, Computed: true},
		builtin.AppInventory:         {Type: cty.List(cty.String), Computed: true},
	}}
	releaseSchema = sdk.Schema{Attributes: map[string]sdk.Attribute{
		builtin.AppName: {Type: cty.String, Required: true}, builtin.AppNamespace: {Type: cty.String, Required: true},
		builtin.HelmChartDir: {Type: cty.String, Optional: true}, builtin.HelmRepository: {Type: cty.String, Optional: true},
		builtin.HelmChart: {Type: cty.String, Optional: true}, builtin.HelmVersion: {Type: cty.String, Optional: true},
		builtin.HelmValues: {Type: cty.String, Optional: true}, builtin.HelmValuesFiles: {Type: cty.List(cty.String), Optional: true},
		builtin.AppCreateNamespace: {Type: cty.Bool, Optional: true}, builtin.AppWaitTimeout: {Type: cty.String, Optional: true},
		builtin.HelmAtomic: {Type: cty.Bool, Optional: true}, builtin.AppRevision: {Type: cty.String, Optional: true},
		builtin.HelmChartVersion: {Type: cty.String, Computed: true}, builtin.HelmAppVersion: {Type: cty.String, Computed: true},
		builtin.HelmReleaseRevision: {Type: cty.Number, Computed: true},
		builtin.AppAdopt:            {Type: builtin.AdoptType, Optional: true},
		builtin.AppAdopted:          {Type: cty.DynamicPseudoType, Computed: true},
		builtin.AppObjects:          {Type: cty.DynamicPseudoType, Computed: true},
		builtin.AppInventory:        {Type: cty.List(cty.String), Computed: true},
	}}
)

const (
	commitA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
	commitB = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
	commitC = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)
