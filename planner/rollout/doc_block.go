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
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

var _ kind.Documented = Kind{}

// servicesDocs are the settings every kind of canary traffic takes.
var servicesDocs = []lang.AttrDoc{
	{Name: "stable_service", Type: "string", Description: "The Service of the stable pods; the one Service of the app that selects the workload's pods unless set."},
	{Name: "canary_service", Type: "string", Description: "The Service slipway keeps for the canary pods; STABLE-canary unless set."},
}

// Doc describes the rollout block for its reference page.
func (Kind) Doc() lang.BlockDoc {
	return lang.BlockDoc{
		Type: "rollout", Labels: []string{"name"},
		Description: "A progressive delivery strategy, declared once and followed by every app that names it (rollout { strategy = rollout.NAME } in the app): canary steps that shift traffic to the pods of a new pod template bit by bit, or blue-green (a preview at full size, then a switch of the active Service). slipway carries it out itself while applying the app, with no controller in the cluster; the plan shows every step a change will take. Give exactly one of canary and blue_green.",
		Attributes:  []lang.AttrDoc{lang.MetaArguments[2]},
		Blocks: []lang.BlockDoc{
			{
				Type: "canary", Description: "Steps, in order, that the new pods go through until they take all the traffic.",
				Attributes: []lang.AttrDoc{
					{Name: "max_surge", Type: "string or number", Description: "How many pods a step may add above the app's replica count: a percentage like \"25%\" or a number of pods; 25% unless set."},
				},
				Blocks: []lang.BlockDoc{
					{
						Type: "step", Repeated: true, Description: "One step; give exactly one of set_weight, pause and analysis.",
						Attributes: []lang.AttrDoc{
							{Name: "set_weight", Type: "number", Description: "Send this percentage of the traffic (0 to 100) to the new pods, and wait until the cluster shows it. Weights must not go down from one step to the next."},
							{Name: "analysis", Type: "reference", Description: "Run an analysis (analysis.NAME) and go on only if it passes; a failed analysis aborts the rollout."},
						},
						Blocks: []lang.BlockDoc{{
							Type: "pause", Description: "Wait: for duration, or without one until slipway rollout promote.",
							Attributes: []lang.AttrDoc{
								{Name: "duration", Type: "duration", Description: "How long to wait, like \"30s\"; without it the rollout waits for slipway rollout promote."},
							},
						}},
					},
					{
						Type: "traffic", Description: "How the weight reaches users; replicas {} unless set. Give exactly one of its blocks.",
						Blocks: []lang.BlockDoc{
							{Type: "replicas", Description: "The weight is the share of ready canary pods among all the ready pods behind the app's Service.", Attributes: servicesDocs},
							{
								Type: "gateway_api", Description: "slipway sets the backendRef weights of a Gateway API HTTPRoute between the stable and canary Services.",
								Attributes: append([]lang.AttrDoc{
									{Name: "route", Type: "string", Required: true, Description: "The HTTPRoute's name, in the app's namespace."},
								}, servicesDocs...),
							},
							{
								Type: "nginx", Description: "slipway keeps a canary Ingress beside the app's Ingress, with the NGINX ingress controller's canary annotations.",
								Attributes: append([]lang.AttrDoc{
									{Name: "ingress", Type: "string", Required: true, Description: "The app's Ingress, in the app's namespace."},
								}, servicesDocs...),
							},
						},
					},
				},
			},
			{
				Type: "blue_green", Description: "The new pods come up at full size behind the preview Service; the active Service switches to them once they are ready and the pre-promotion analysis passed.",
				Attributes: []lang.AttrDoc{
					{Name: "active_service", Type: "string", Required: true, Description: "The Service users reach; its selector switches to the new pods on promotion."},
					{Name: "preview_service", Type: "string", Description: "The Service that selects the new pods before promotion."},
					{Name: "pre_promotion_analysis", Type: "reference", Description: "An analysis (analysis.NAME) run against the preview before the switch; a failed one aborts the rollout."},
					{Name: "auto_promotion", Type: "duration", Description: "Switch this long after the preview is ready; without it the switch waits for slipway rollout promote."},
					{Name: "scale_down_delay", Type: "duration", Description: "How long the old pods stay after the switch; 30s unless set."},
				},
			},
		},
	}
}
