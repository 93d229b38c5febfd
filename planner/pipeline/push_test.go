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

package pipeline

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/plans"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/state"
)

// fakeRunHost is the engine as runInstance sees it. The embedded
// interface is nil: a call the test does not expect panics.
type fakeRunHost struct {
	kind.ApplyHost
	dir       string
	sc        scope
	providers map[addrs.Provider]kind.Provider

	mu       sync.Mutex
	recorded map[string]*state.ResourceInstance
	progress []string
}

func (h *fakeRunHost) Dir() string                                          { return h.dir }
func (h *fakeRunHost) Workspace() string                                    { return state.DefaultWorkspace }
func (h *fakeRunHost) Prior(addrs.ResourceInstance) *state.ResourceInstance { return nil }
func (h *fakeRunHost) PriorOf(addrs.Resource) []*state.ResourceInstance     { return nil }
func (h *fakeRunHost) EvalContext(*lang.Resource, kind.Instance) (*hcl.EvalContext, hcl.Diagnostics) {
	return h.sc.EvalContext(), nil
}
func (h *fakeRunHost) Provider(p addrs.Provider) (kind.Provider, bool) {
	pr, ok := h.providers[p]
	return pr, ok
}
func (h *fakeRunHost) Started(addrs.ResourceInstance, plans.Action) {}
func (h *fakeRunHost) Finished(addrs.ResourceInstance, plans.Action, time.Time, hcl.Diagnostics) {
}
func (h *fakeRunHost) Persist() {}
func (h *fakeRunHost) Progress(addr addrs.ResourceInstance, msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.progress = append(h.progress, msg)
}
func (h *fakeRunHost) Record(ri *state.ResourceInstance) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.recorded == nil {
		h.recorded = map[string]*state.ResourceInstance{}
	}
	h.recorded[ri.Addr.String()] = ri
}

// pushingProvider is a registry provider whose applies answer with apply.
type pushingProvider struct {
	apply func(req sdk.ApplyRequest) sdk.ApplyResponse
}

func (p *pushingProvider) Schemas() *sdk.ProviderSchemas {
	return &sdk.ProviderSchemas{Resources: map[string]sdk.Schema{builtin.RegistryImage: imageSchema}}
}
func (p *pushingProvider) Plan(_ context.Context, req sdk.PlanRequest) (sdk.PlanResponse, error) {
	planned := req.Config.AsValueMap()
	planned[builtin.ImageDigest] = cty.UnknownVal(cty.String)
	planned[builtin.ImageRef] = cty.UnknownVal(cty.String)
	return sdk.PlanResponse{PlannedState: cty.ObjectVal(planned)}, nil
}
func (p *pushingProvider) Apply(_ context.Context, req sdk.ApplyRequest, _ func(string)) (sdk.ApplyResponse, error) {
	return p.apply(req), nil
}

// TestRunNamesTagsOfAFailedPush: the registry provider writes an image's
// tags one after another. When a later one fails, the run fails, but the
// tags written before name the new image, and stay: the failed run's
// note lists them, where it said that no image was pushed.
func TestRunNamesTagsOfAFailedPush(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  image "app" {
    repository = "registry.example.com/me/app"
    tags       = ["v1", "v2", "latest"]
  }
}
`
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	refused := sdk.Diagnostics{{Severity: sdk.Error, Summary: "Cannot push image",
		Detail: `Could not tag registry.example.com/me/app:v2: TAG_INVALID. Before that, the image was pushed as "v1", which names it now; its other tags were not moved.`}}
	tests := map[string]struct {
		apply    func(req sdk.ApplyRequest) sdk.ApplyResponse
		want     []string
		wantNot  []string
		wantStop string
	}{
		"a push that fails after a tag was written": {
			apply: func(req sdk.ApplyRequest) sdk.ApplyResponse {
				st := req.PlannedState.AsValueMap()
				st[builtin.ImageTags] = cty.ListVal([]cty.Value{cty.StringVal("v1")})
				st[builtin.ImageDigest] = cty.StringVal(digest)
				st[builtin.ImageRef] = cty.StringVal("registry.example.com/me/app@" + digest)
				return sdk.ApplyResponse{NewState: cty.ObjectVal(st), Diagnostics: refused}
			},
			want:    []string{`stage "image app"`, "this run made what stays: image app pushed to registry.example.com/me/app as v1", "a GitOps controller may deploy it"},
			wantNot: []string{"No image was pushed"},
		},
		"a push that fails before any tag was written": {
			apply: func(req sdk.ApplyRequest) sdk.ApplyResponse {
				return sdk.ApplyResponse{NewState: cty.NullVal(req.PlannedState.Type()), Diagnostics: refused}
			},
			want:    []string{`stage "image app"`, "No image was pushed and nothing was promoted."},
			wantNot: []string{"made what stays"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sc := scope{Sources: map[string]cty.Value{
				"git.app": withAttr(gitSource("app", "main", commitA), builtin.SourceDir, cty.StringVal(t.TempDir())),
			}}
			h := &fakeRunHost{dir: dir, sc: sc, providers: map[addrs.Provider]kind.Provider{
				registryProvider: &pushingProvider{apply: tc.apply},
			}}
			rc := loadBlock(t, src)
			_, diags := runInstance(t.Context(), h, rc, kind.Instance{Addr: rc.Addr.Instance(addrs.NoKey)})
			var detail string
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Summary == "Pipeline failed" {
					detail = d.Detail
				}
			}
			if detail == "" {
				t.Fatalf("diagnostics %v, want the run failed", diags)
			}
			t.Log(detail)
			for _, s := range tc.want {
				if !strings.Contains(detail, s) {
					t.Errorf("the failed run's note does not say %q", s)
				}
			}
			for _, s := range tc.wantNot {
				if strings.Contains(detail, s) {
					t.Errorf("the failed run's note says %q", s)
				}
			}
		})
	}
}
