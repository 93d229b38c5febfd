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
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/internal/condition"
	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

// analysisBlock is the language of an analysis block.
type analysisBlock struct {
	Interval          *hcl.Attribute   `hcl:"interval,optional"`
	Count             *hcl.Attribute   `hcl:"count,optional"`
	FailureLimit      *hcl.Attribute   `hcl:"failure_limit,optional"`
	InconclusiveLimit *hcl.Attribute   `hcl:"inconclusive_limit,optional"`
	Prometheus        *prometheusBlock `hcl:"prometheus,block"`
	HTTP              *httpBlock       `hcl:"http,block"`
	Job               *jobBlock        `hcl:"job,block"`
}

type prometheusBlock struct {
	Address   *hcl.Attribute `hcl:"address"`
	Query     *hcl.Attribute `hcl:"query"`
	Condition *hcl.Attribute `hcl:"condition"`
	Def       hcl.Range      `hcl:",def_range"`
}

type httpBlock struct {
	URL          *hcl.Attribute `hcl:"url"`
	ExpectStatus *hcl.Attribute `hcl:"expect_status,optional"`
	BodyMatch    *hcl.Attribute `hcl:"body_match,optional"`
	Def          hcl.Range      `hcl:",def_range"`
}

type jobBlock struct {
	Manifest *hcl.Attribute `hcl:"manifest"`
	Def      hcl.Range      `hcl:",def_range"`
}

// DefaultExpectStatus is the status an http check expects unless told.
const DefaultExpectStatus = 200

// Decode evaluates an analysis block into its value: a kind.SpecValue
// whose spec is the JSON of its rolloutspec.Analysis, unknown while a
// value it is made of is, with the marks (sensitive) of the values it
// was made of.
func Decode(rc *lang.Resource, ectx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	a, diags := decode(rc, ectx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	spec := cty.UnknownVal(cty.String)
	if !a.Unknown {
		b, err := json.Marshal(a.spec)
		if err != nil {
			r := rc.DeclRange
			return cty.DynamicVal, append(diags, kind.Errorf("Cannot encode the analysis", &r, "%s: %v. This is a bug in slipway.", rc.Addr, err))
		}
		spec = cty.StringVal(string(b))
	}
	return kind.SpecValue(rc.Addr.Name, a.Mark(spec)), diags
}

// decoded is an analysis block read so far.
type decoded struct {
	kind.Attrs
	spec *rolloutspec.Analysis
}

func decode(rc *lang.Resource, ectx *hcl.EvalContext) (*decoded, hcl.Diagnostics) {
	var ab analysisBlock
	diags := gohcl.DecodeBody(rc.Config, ectx, &ab)
	if diags.HasErrors() {
		return nil, diags
	}
	d := &decoded{Attrs: kind.Attrs{Ctx: ectx, Diags: diags}, spec: &rolloutspec.Analysis{Name: rc.Addr.Name}}
	s := d.spec
	if v, ok := d.Duration(ab.Interval, "analysis interval"); ok {
		s.Interval = v
	}
	if n, ok := d.Int(ab.Count, "analysis count"); ok {
		if n < 1 {
			d.Errorf(ab.Count.Expr.Range(), "Invalid analysis count", "count is how many measurements the analysis takes; it must be 1 or more, not %d.", n)
		}
		s.Count = n
	}
	if n, ok := d.Int(ab.FailureLimit, "analysis failure_limit"); ok {
		if n < 0 {
			d.Errorf(ab.FailureLimit.Expr.Range(), "Invalid analysis failure_limit", "failure_limit is how many failed measurements the analysis tolerates before it fails; it must be 0 or more, not %d.", n)
		}
		s.FailureLimit = n
	}
	if n, ok := d.Int(ab.InconclusiveLimit, "analysis inconclusive_limit"); ok {
		if n < 0 {
			d.Errorf(ab.InconclusiveLimit.Expr.Range(), "Invalid analysis inconclusive_limit", "inconclusive_limit is how many inconclusive measurements the analysis tolerates before it fails; it must be 0 or more, not %d.", n)
		}
		s.InconclusiveLimit = n
	}

	var metrics []hcl.Range
	if p := ab.Prometheus; p != nil {
		metrics = append(metrics, p.Def)
		s.Prometheus = d.prometheus(p)
	}
	if h := ab.HTTP; h != nil {
		metrics = append(metrics, h.Def)
		s.HTTP = d.http(h)
	}
	if j := ab.Job; j != nil {
		metrics = append(metrics, j.Def)
		s.Job = d.job(j)
	}
	switch len(metrics) {
	case 0:
		r := rc.DeclRange
		d.Errorf(r, "Missing analysis measurement", "%s needs one block saying what it measures: prometheus { address, query, condition }, http { url } or job { manifest }.", rc.Addr)
	case 1:
	default:
		d.Errorf(metrics[1], "Too many analysis measurements", "%s has %d of the blocks prometheus, http and job; an analysis measures one thing. Split it into one analysis block per measurement, and name each in its own rollout step.", rc.Addr, len(metrics))
	}
	return d, d.Diags
}

func (d *decoded) prometheus(p *prometheusBlock) *rolloutspec.PrometheusMetric {
	m := &rolloutspec.PrometheusMetric{}
	d.Required(p.Address, "address", p.Def, `address = "http://prometheus.monitoring:9090"`)
	d.Required(p.Query, "query", p.Def, `query = "sum(rate(http_requests_total{code=~\"5..\"}[1m]))"`)
	d.Required(p.Condition, "condition", p.Def, `condition = "result < 0.05"`)
	if v, ok := d.String(p.Address, "Prometheus address"); ok {
		if err := checkURL(v); err != nil {
			d.Errorf(p.Address.Expr.Range(), "Invalid Prometheus address", "address %q: %v; write the Prometheus server's URL, like \"http://prometheus.monitoring:9090\".", v, err)
		}
		m.Address = v
	}
	if v, ok := d.String(p.Query, "Prometheus query"); ok {
		if strings.TrimSpace(v) == "" {
			d.Errorf(p.Query.Expr.Range(), "Invalid Prometheus query", "query is empty; write the PromQL query whose value the condition judges.")
		}
		m.Query = v
	}
	if v, ok := d.String(p.Condition, "analysis condition"); ok {
		if _, err := condition.Compile(v); err != nil {
			var ce *condition.Error
			subject := p.Condition.Expr.Range()
			msg := err.Error()
			if errors.As(err, &ce) {
				subject = conditionPos(p.Condition.Expr, v, ce.Line, ce.Column)
			}
			d.Errorf(subject, "Invalid analysis condition", "The condition is not valid: %s. A condition is a CEL expression over the query's value, result, that is true when the measurement is successful, like result < 0.05.", strings.TrimSuffix(msg, "."))
		}
		m.Condition = v
	}
	return m
}

func (d *decoded) http(h *httpBlock) *rolloutspec.HTTPMetric {
	m := &rolloutspec.HTTPMetric{ExpectStatus: DefaultExpectStatus}
	d.Required(h.URL, "url", h.Def, `url = "http://web.shop/healthz"`)
	if v, ok := d.String(h.URL, "HTTP check URL"); ok {
		if err := checkURL(v); err != nil {
			d.Errorf(h.URL.Expr.Range(), "Invalid HTTP check URL", "url %q: %v; write the URL to GET, like \"http://web.shop/healthz\".", v, err)
		}
		m.URL = v
	}
	if n, ok := d.Int(h.ExpectStatus, "HTTP check status"); ok {
		if n < 100 || n > 599 {
			d.Errorf(h.ExpectStatus.Expr.Range(), "Invalid HTTP check status", "expect_status %d is not an HTTP status; it must be from 100 to 599, like 200.", n)
		}
		m.ExpectStatus = n
	}
	if v, ok := d.String(h.BodyMatch, "HTTP check body_match"); ok {
		if _, err := regexp.Compile(v); err != nil {
			d.Errorf(h.BodyMatch.Expr.Range(), "Invalid HTTP check body_match", "body_match is not a valid regular expression: %v.", err)
		}
		m.BodyMatch = v
	}
	return m
}

func (d *decoded) job(j *jobBlock) *rolloutspec.JobMetric {
	m := &rolloutspec.JobMetric{}
	d.Required(j.Manifest, "manifest", j.Def, `manifest = file("smoke-job.yaml")`)
	if v, ok := d.String(j.Manifest, "analysis Job manifest"); ok {
		if err := checkJob(v); err != nil {
			d.Errorf(j.Manifest.Expr.Range(), "Invalid analysis Job manifest", "manifest %v. Give the YAML of one Job, like manifest = file(\"smoke-job.yaml\").", err)
		}
		m.Manifest = v
	}
	return m
}

// checkURL accepts an absolute http or https URL.
func checkURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must start with http:// or https://")
	case u.Host == "":
		return errors.New("names no host")
	}
	return nil
}

// docSeparator is a line that starts a new YAML document.
var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// checkJob accepts the YAML of one Kubernetes Job.
func checkJob(manifest string) error {
	var docs []string
	for _, doc := range docSeparator.Split(manifest, -1) {
		if strings.TrimSpace(doc) != "" {
			docs = append(docs, doc)
		}
	}
	if len(docs) != 1 {
		return fmt.Errorf("holds %d YAML documents, not one Job", len(docs))
	}
	var obj struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal([]byte(docs[0]), &obj); err != nil {
		return fmt.Errorf("is not valid YAML: %v", err)
	}
	if obj.Kind != "Job" {
		if obj.Kind == "" {
			return errors.New("has no kind; it must be a Job (apiVersion: batch/v1, kind: Job)")
		}
		return fmt.Errorf("is a %s, not a Job (apiVersion: batch/v1, kind: Job)", obj.Kind)
	}
	switch obj.APIVersion {
	case "batch/v1":
	case "":
		return errors.New("has no apiVersion; a Job is batch/v1")
	default:
		return fmt.Errorf("has apiVersion %q; a Job is batch/v1", obj.APIVersion)
	}
	// What the rollout will decode, as it will decode it: a field
	// Kubernetes does not know, or a Job with no container, is refused
	// here rather than at the analysis's step, after traffic moved.
	if _, err := rolloutspec.DecodeJob(docs[0]); err != nil {
		return fmt.Errorf("is not a Job the rollout can run: %v", err)
	}
	return nil
}

// conditionPos is where the character at CEL's line and column (1-based,
// 0-based in runes) of the condition src is in the file, when expr is a
// quoted string on one line written without escapes, so that the
// diagnostic points at the mistake itself; otherwise the whole
// expression.
func conditionPos(expr hcl.Expression, src string, line, col int) hcl.Range {
	whole := expr.Range()
	if line != 1 || whole.Start.Line != whole.End.Line || whole.End.Byte-whole.Start.Byte != len(src)+2 {
		return whole
	}
	runes := []rune(src)
	if col < 0 || col > len(runes) {
		return whole
	}
	off := len(string(runes[:col]))
	start := hcl.Pos{Line: whole.Start.Line, Column: whole.Start.Column + 1 + col, Byte: whole.Start.Byte + 1 + off}
	end := start
	end.Column++
	end.Byte++
	return hcl.Range{Filename: whole.Filename, Start: start, End: end}
}
