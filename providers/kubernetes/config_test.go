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

package kubernetes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"slipway.dev/slipway/providers/internal/kube"
)

func TestParseAppConfig(t *testing.T) {
	t.Parallel()
	conf := appSchema.Object(map[string]cty.Value{
		"name":          cty.StringVal("web"),
		"manifests_dir": cty.StringVal("/src/apps/web"),
		"namespace":     cty.StringVal("web"),
		"prune":         cty.True,
		"wait_timeout":  cty.StringVal("90s"),
		"retry": cty.ObjectVal(map[string]cty.Value{
			"limit": cty.NumberIntVal(2), "backoff": cty.StringVal("10ms"),
			"factor": cty.NullVal(cty.Number), "max_backoff": cty.NullVal(cty.String),
		}),
		"ignore_differences": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"group": cty.StringVal("apps"), "kind": cty.StringVal("Deployment"),
			"name": cty.NullVal(cty.String), "namespace": cty.NullVal(cty.String),
			"json_pointers": cty.ListVal([]cty.Value{cty.StringVal("/spec/replicas")}),
		})}),
	})
	got, diags := parseAppConfig(conf)
	if diags.HasErrors() {
		t.Fatal(diags.Err())
	}
	want := appConfig{
		Name: "web", Dir: "/src/apps/web", Namespace: "web", Prune: true,
		WaitTimeout: 90 * time.Second,
		Retry:       retryPolicy{Limit: 2, Backoff: 10 * time.Millisecond, Factor: 2, MaxBackoff: 3 * time.Minute},
		Ignore:      []ignoreRule{{Group: "apps", Kind: "Deployment", Pointers: []string{"/spec/replicas"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestParseAppConfigErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		attrs map[string]cty.Value
		want  string
	}{
		"bad wait":         {map[string]cty.Value{"wait_timeout": cty.StringVal("soon")}, "Invalid wait_timeout"},
		"namespace needed": {map[string]cty.Value{"create_namespace": cty.True}, "No namespace to create"},
		"bad pointer": {map[string]cty.Value{"ignore_differences": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"group": cty.StringVal(""), "kind": cty.StringVal("ConfigMap"), "name": cty.NullVal(cty.String), "namespace": cty.NullVal(cty.String),
			"json_pointers": cty.ListVal([]cty.Value{cty.StringVal("data")}),
		})})}, "Invalid JSON pointer"},
		"bad factor": {map[string]cty.Value{"retry": cty.ObjectVal(map[string]cty.Value{
			"limit": cty.NullVal(cty.Number), "backoff": cty.NullVal(cty.String),
			"factor": cty.NumberFloatVal(0.5), "max_backoff": cty.NullVal(cty.String),
		})}, "Invalid retry factor"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			attrs := map[string]cty.Value{"name": cty.StringVal("a"), "manifests_dir": cty.StringVal("/m")}
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			_, diags := parseAppConfig(appSchema.Object(attrs))
			if err := diags.Err(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestIgnoreRuleMatches(t *testing.T) {
	t.Parallel()
	id := kube.ObjectID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "web", Name: "api"}
	tests := []struct {
		rule ignoreRule
		want bool
	}{
		{ignoreRule{Group: "apps", Kind: "Deployment"}, true},
		{ignoreRule{Group: "apps", Kind: "Deployment", Name: "api", Namespace: "web"}, true},
		{ignoreRule{Group: "apps", Kind: "Deployment", Name: "web"}, false},
		{ignoreRule{Group: "", Kind: "Deployment"}, false},
		{ignoreRule{Group: "*", Kind: "*"}, true},
		{ignoreRule{Group: "apps", Kind: "StatefulSet"}, false},
	}
	for _, tc := range tests {
		if got := tc.rule.matches(id); got != tc.want {
			t.Errorf("%+v.matches(%s) = %v, want %v", tc.rule, id, got, tc.want)
		}
	}
	core := kube.ObjectID{Version: "v1", Kind: "ConfigMap", Namespace: "web", Name: "c"}
	if !(ignoreRule{Group: "core", Kind: "ConfigMap"}).matches(core) || !(ignoreRule{Kind: "ConfigMap"}).matches(core) {
		t.Error(`group "" and "core" must both match the core group`)
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: "apps", Resource: "deployments"}
	policy := retryPolicy{Limit: 3, Backoff: time.Millisecond, Factor: 2, MaxBackoff: 4 * time.Millisecond}
	tests := map[string]struct {
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		"conflict then success": {errs: []error{apierrors.NewConflict(gr, "web", errors.New("changed")), nil}, wantCalls: 2},
		"throttled twice": {errs: []error{
			apierrors.NewTooManyRequests("slow down", 0), apierrors.NewInternalError(errors.New("etcd")), nil,
		}, wantCalls: 3},
		"permanent error": {errs: []error{apierrors.NewForbidden(gr, "web", errors.New("no"))}, wantCalls: 1, wantErr: true},
		"limit reached": {errs: []error{
			apierrors.NewServiceUnavailable("a"), apierrors.NewServiceUnavailable("b"),
			apierrors.NewServiceUnavailable("c"), apierrors.NewServiceUnavailable("d"), nil,
		}, wantCalls: 4, wantErr: true},
		// A minute's Retry-After is cut to max_backoff, or this test
		// would take minutes.
		"retry-after over max_backoff": {errs: []error{apierrors.NewTooManyRequests("slow down", 60), nil}, wantCalls: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := policy.do(context.Background(), func() error {
				err := tc.errs[calls]
				calls++
				return err
			})
			if calls != tc.wantCalls || (err != nil) != tc.wantErr {
				t.Errorf("calls = %d, err = %v; want %d calls, error %v", calls, err, tc.wantCalls, tc.wantErr)
			}
		})
	}
}

func TestRetryStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "c", errors.New("changed"))
	calls := 0
	err := defaultRetry.do(ctx, func() error {
		calls++
		cancel()
		return conflict
	})
	if calls != 1 || !apierrors.IsConflict(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("calls = %d, err = %v; want 1 call and the conflict joined with the cancellation", calls, err)
	}
}
