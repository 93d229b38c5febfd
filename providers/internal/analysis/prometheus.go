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
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"slipway.dev/slipway/internal/condition"
	"slipway.dev/slipway/internal/rolloutspec"
)

// promCheck runs an instant query and judges its value with a CEL
// condition.
type promCheck struct {
	metric *rolloutspec.PrometheusMetric
	addr   endpoint
	api    promv1.API
	cond   cel.Program
}

func newPrometheus(m *rolloutspec.PrometheusMetric, client *http.Client) (*promCheck, error) {
	if m.Address == "" {
		return nil, errors.New("prometheus needs an address (http://HOST:PORT)")
	}
	if strings.TrimSpace(m.Query) == "" {
		return nil, errors.New("prometheus needs a query")
	}
	cond, err := compileCondition(m.Condition)
	if err != nil {
		return nil, err
	}
	c, err := api.NewClient(api.Config{Address: m.Address, Client: client})
	if err != nil {
		addr := newEndpoint(m.Address)
		return nil, errors.New(addr.mask(fmt.Sprintf("prometheus address %q: %v", addr.shown, err)))
	}
	return &promCheck{metric: m, addr: newEndpoint(m.Address), api: promv1.NewAPI(c), cond: cond}, nil
}

// CheckCondition says whether expr compiles as a prometheus condition:
// a CEL expression over result (a double, or a list of doubles when the
// query returns several series) that yields a bool.
func CheckCondition(expr string) error {
	_, err := compileCondition(expr)
	return err
}

func compileCondition(expr string) (cel.Program, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("prometheus needs a condition, such as \"result < 0.05\"")
	}
	// The planner checks conditions with the same environment
	// (internal/condition), so a condition that validates runs here.
	prg, err := condition.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", expr, err)
	}
	return prg, nil
}

func (p *promCheck) measure(ctx context.Context) rolloutspec.Measurement {
	ctx, cancel := context.WithTimeout(ctx, MeasureTimeout)
	defer cancel()
	v, _, _, err := p.api.Query(ctx, p.metric.Query, time.Now())
	if err != nil {
		return measurement(rolloutspec.Inconclusive, "", p.addr.mask(fmt.Sprintf("query %s at %s: %v", p.metric.Query, p.addr.shown, err)))
	}
	result, shown, why := resultOf(v)
	if why != "" {
		return measurement(rolloutspec.Inconclusive, shown, fmt.Sprintf("query %s: %s", p.metric.Query, why))
	}
	out, _, err := p.cond.ContextEval(ctx, map[string]any{"result": result})
	if err != nil {
		return measurement(rolloutspec.Error, shown, fmt.Sprintf("condition %s with result = %s: %v", p.metric.Condition, shown, err))
	}
	pass, ok := out.Value().(bool)
	switch {
	case !ok:
		return measurement(rolloutspec.Error, shown, fmt.Sprintf("condition %s with result = %s is %v, not a bool", p.metric.Condition, shown, out.Value()))
	case pass:
		return measurement(rolloutspec.Successful, shown, "")
	}
	return measurement(rolloutspec.Failed, shown, fmt.Sprintf("result = %s does not meet %s", shown, p.metric.Condition))
}

// resultOf is the CEL value of a query's result and the way it is shown,
// or why there is none to judge: a scalar or a one-element vector is a
// double, a vector of more a list of doubles; an empty vector, a NaN, a
// range vector or a string cannot be judged.
func resultOf(v model.Value) (result any, shown, why string) {
	switch v := v.(type) {
	case *model.Scalar:
		f := float64(v.Value)
		if math.IsNaN(f) {
			return nil, "NaN", "the query returned NaN (a ratio of no data?)"
		}
		return f, format(f), ""
	case model.Vector:
		switch len(v) {
		case 0:
			return nil, "", "the query returned no data (an empty vector): is the metric scraped, and are its labels right?"
		case 1:
			f := float64(v[0].Value)
			if math.IsNaN(f) {
				return nil, "NaN", "the query returned NaN (a ratio of no data?)"
			}
			return f, format(f), ""
		}
		list := make([]float64, len(v))
		parts := make([]string, len(v))
		for i, s := range v {
			list[i] = float64(s.Value)
			if math.IsNaN(list[i]) {
				return nil, "NaN", fmt.Sprintf("the query returned NaN for %s", s.Metric)
			}
			parts[i] = format(list[i])
		}
		return list, "[" + strings.Join(parts, ", ") + "]", ""
	case nil:
		return nil, "", "the query returned nothing"
	}
	return nil, "", fmt.Sprintf("the query returned a %s; an analysis needs an instant vector or a scalar", v.Type())
}

func format(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
