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

package analysis

import (
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

var _ kind.Documented = Kind{}

// Doc describes the analysis block for its reference page.
func (Kind) Doc() lang.BlockDoc {
	return lang.BlockDoc{
		Type: "analysis", Labels: []string{"name"},
		Description: "A check that a rollout step runs (step { analysis = analysis.NAME }, or a blue-green pre_promotion_analysis): a Prometheus query judged by a CEL condition, an HTTP probe or a Kubernetes Job, measured count times, interval apart. The analysis fails, and the rollout is aborted, once more than failure_limit measurements failed or more than inconclusive_limit were inconclusive. It proposes no change of its own; an unreachable Prometheus server makes a measurement inconclusive, never successful.",
		Attributes: []lang.AttrDoc{
			{Name: "interval", Type: "duration", Description: "The time between two measurements; 10s unless set."},
			{Name: "count", Type: "number", Description: "How many measurements to take, 1 or more; 1 unless set. Here count is this argument, not the meta-argument: an analysis block is one thing."},
			{Name: "failure_limit", Type: "number", Description: "How many failed measurements are tolerated before the analysis fails; 0 unless set."},
			{Name: "inconclusive_limit", Type: "number", Description: "How many inconclusive measurements (no answer, an error) are tolerated before the analysis fails; 0 unless set."},
			lang.MetaArguments[2],
		},
		Blocks: []lang.BlockDoc{
			{
				Type: "prometheus", Description: "Measure with a PromQL query through the Prometheus HTTP API. Give exactly one of prometheus, http and job.",
				Attributes: []lang.AttrDoc{
					{Name: "address", Type: "string", Required: true, Description: "The Prometheus server's URL, like http://prometheus.monitoring:9090."},
					{Name: "query", Type: "string", Required: true, Description: "The PromQL query."},
					{Name: "condition", Type: "string", Required: true, Description: "A CEL expression over the query's value, result, true when the measurement is successful, like result < 0.05. It is checked when the plan is made."},
				},
			},
			{
				Type: "http", Description: "Measure with an HTTP GET.",
				Attributes: []lang.AttrDoc{
					{Name: "url", Type: "string", Required: true, Description: "The URL to get (http:// or https://)."},
					{Name: "expect_status", Type: "number", Description: "The status a successful measurement answers, 100 to 599; 200 unless set."},
					{Name: "body_match", Type: "string", Description: "A regular expression (Go syntax) the body must match too."},
				},
			},
			{
				Type: "job", Description: "Measure by running a Kubernetes Job in the app's namespace: its success or failure is the measurement.",
				Attributes: []lang.AttrDoc{
					{Name: "manifest", Type: "string", Required: true, Description: "The YAML of one Job (apiVersion: batch/v1, kind: Job), like file(\"smoke-job.yaml\")."},
				},
			},
		},
	}
}
