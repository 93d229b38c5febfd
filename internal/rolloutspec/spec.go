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

package rolloutspec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Strategies.
const (
	Canary    = "canary"
	BlueGreen = "blue_green"
)

// Traffic kinds of a canary.
const (
	TrafficReplicas   = "replicas"
	TrafficGatewayAPI = "gateway_api"
	TrafficNginx      = "nginx"
)

// Spec is the strategy an app follows, with everything it refers to
// resolved: the rollout block, the app's choice of workload and triggers,
// and the analyses its steps name.
type Spec struct {
	// Rollout is the rollout block's name ("canary" for rollout.canary).
	Rollout string `json:"rollout"`
	// Workload is the Deployment that rolls, as "Deployment/NAME"; empty:
	// the app's one Deployment (an app of several must name one).
	Workload string `json:"workload,omitempty"`
	// TriggerOn lists objects ("ConfigMap/web-config") whose change also
	// rolls the workload out, as a pod template change does.
	TriggerOn []string `json:"trigger_on,omitempty"`

	Canary    *CanarySpec    `json:"canary,omitempty"`
	BlueGreen *BlueGreenSpec `json:"blue_green,omitempty"`
	// Analyses are the analysis blocks the strategy names, by name.
	Analyses map[string]*Analysis `json:"analyses,omitempty"`
}

// CanarySpec is a canary strategy: steps that shift traffic to pods of
// the new template bit by bit.
type CanarySpec struct {
	Steps   []Step  `json:"steps"`
	Traffic Traffic `json:"traffic"`
	// MaxSurge bounds the pods above the app's replica count while a
	// step scales ("25%" or "1"); empty: 25%.
	MaxSurge string `json:"max_surge,omitempty"`
}

// Step is one canary step; exactly one field is set.
type Step struct {
	SetWeight *int   `json:"set_weight,omitempty"`
	Pause     *Pause `json:"pause,omitempty"`
	// Analysis names an analysis of Spec.Analyses.
	Analysis string `json:"analysis,omitempty"`
}

// Pause waits for Duration, or until promoted when Duration is empty.
type Pause struct {
	Duration string `json:"duration,omitempty"`
}

// Traffic says how a canary's weight reaches users.
type Traffic struct {
	// Kind is TrafficReplicas (the weight is the share of ready pods
	// behind the app's Service), TrafficGatewayAPI or TrafficNginx.
	Kind string `json:"kind"`
	// Route is the HTTPRoute whose backendRefs weights slipway sets
	// (gateway_api).
	Route string `json:"route,omitempty"`
	// Ingress is the Ingress beside which slipway keeps a canary Ingress
	// with NGINX's canary annotations (nginx).
	Ingress string `json:"ingress,omitempty"`
	// StableService is the Service of the stable pods; empty: the one
	// Service of the app that selects the workload's pods.
	StableService string `json:"stable_service,omitempty"`
	// CanaryService is the Service slipway creates for the canary pods;
	// empty: STABLE-canary.
	CanaryService string `json:"canary_service,omitempty"`
}

// BlueGreenSpec is a blue-green strategy: the new template at full size
// behind a preview Service, then the active Service switched over.
type BlueGreenSpec struct {
	ActiveService        string `json:"active_service"`
	PreviewService       string `json:"preview_service,omitempty"`
	PrePromotionAnalysis string `json:"pre_promotion_analysis,omitempty"`
	// AutoPromotion is how long after the preview is ready (and its
	// analysis passed) the switch happens; empty: on promote only.
	AutoPromotion string `json:"auto_promotion,omitempty"`
	// ScaleDownDelay is how long the old pods stay after the switch;
	// empty: 30s.
	ScaleDownDelay string `json:"scale_down_delay,omitempty"`
}

// Analysis is a measurement taken Count times, Interval apart.
type Analysis struct {
	Name              string `json:"name"`
	Interval          string `json:"interval,omitempty"`
	Count             int    `json:"count,omitempty"`
	FailureLimit      int    `json:"failure_limit,omitempty"`
	InconclusiveLimit int    `json:"inconclusive_limit,omitempty"`

	Prometheus *PrometheusMetric `json:"prometheus,omitempty"`
	HTTP       *HTTPMetric       `json:"http,omitempty"`
	Job        *JobMetric        `json:"job,omitempty"`
}

// PrometheusMetric runs Query through the Prometheus HTTP API at Address
// and evaluates Condition (CEL) with the query's value as result.
type PrometheusMetric struct {
	Address   string `json:"address"`
	Query     string `json:"query"`
	Condition string `json:"condition"`
}

// HTTPMetric checks the status of a GET of URL, and optionally that its
// body matches BodyMatch (a regular expression).
type HTTPMetric struct {
	URL          string `json:"url"`
	ExpectStatus int    `json:"expect_status,omitempty"`
	BodyMatch    string `json:"body_match,omitempty"`
}

// JobMetric runs a Kubernetes Job from Manifest (YAML); its success or
// failure is the measurement.
type JobMetric struct {
	Manifest string `json:"manifest"`
}

// Defaults of an analysis.
const (
	DefaultInterval = 10 * time.Second
	DefaultCount    = 1
)

// IntervalOr is the analysis's interval, DefaultInterval when unset.
func (a *Analysis) IntervalOr() time.Duration {
	if d, err := time.ParseDuration(a.Interval); err == nil && d > 0 {
		return d
	}
	return DefaultInterval
}

// CountOr is the analysis's count, DefaultCount when unset.
func (a *Analysis) CountOr() int {
	if a.Count > 0 {
		return a.Count
	}
	return DefaultCount
}

// Digest identifies what a's measurements measure and how they are
// judged: a short hash of all of it (query, condition, address, URL,
// Job, count, interval, limits). A run recorded under another digest
// measured something else, and is not gone on with.
func (a *Analysis) Digest() string {
	b, _ := json.Marshal(a)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Strategy is Canary or BlueGreen.
func (s *Spec) Strategy() string {
	if s.BlueGreen != nil {
		return BlueGreen
	}
	return Canary
}

// Encode is the JSON of s.
func (s *Spec) Encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// DecodeSpec reads a Spec from its JSON.
func DecodeSpec(s string) (*Spec, error) {
	var out Spec
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("read the rollout strategy: %w", err)
	}
	if out.Canary == nil && out.BlueGreen == nil {
		return nil, fmt.Errorf("the rollout strategy %q has neither canary nor blue_green", out.Rollout)
	}
	return &out, nil
}

// Steps describes each step of the strategy in words, in order, ending
// with the step that makes the new template stable ("100%").
func (s *Spec) Steps() []string {
	var out []string
	if c := s.Canary; c != nil {
		for _, st := range c.Steps {
			out = append(out, s.describeStep(st))
		}
		return append(out, "100%")
	}
	bg := s.BlueGreen
	out = append(out, "preview at full size")
	if bg.PrePromotionAnalysis != "" {
		out = append(out, s.describeAnalysis(bg.PrePromotionAnalysis))
	}
	if bg.AutoPromotion != "" {
		out = append(out, "promote after "+bg.AutoPromotion)
	} else {
		out = append(out, "pause until promoted")
	}
	out = append(out, "switch "+bg.ActiveService)
	delay := bg.ScaleDownDelay
	if delay == "" {
		delay = "30s"
	}
	return append(out, "scale down the old pods after "+delay)
}

func (s *Spec) describeStep(st Step) string {
	switch {
	case st.SetWeight != nil:
		return fmt.Sprintf("set_weight %d", *st.SetWeight)
	case st.Pause != nil && st.Pause.Duration == "":
		return "pause until promoted"
	case st.Pause != nil:
		return "pause " + st.Pause.Duration
	case st.Analysis != "":
		return s.describeAnalysis(st.Analysis)
	}
	return "?"
}

func (s *Spec) describeAnalysis(name string) string {
	a := s.Analyses[name]
	if a == nil {
		return "analysis " + name
	}
	return fmt.Sprintf("analysis %s (%d x %s)", name, a.CountOr(), a.IntervalOr())
}

// Road is the steps in one line: "set_weight 20 -> pause 30s -> 100%".
func (s *Spec) Road() string { return strings.Join(s.Steps(), " -> ") }
