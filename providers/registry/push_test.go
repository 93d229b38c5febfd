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

package registry

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// startRefusingRegistry runs a registry on 127.0.0.1 that refuses the
// manifest of one tag of team/app, as a registry with immutable tags, or
// a quota, does. It returns its host:port.
func startRefusingRegistry(t *testing.T, refused string) string {
	t.Helper()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == "/v2/team/app/manifests/"+refused {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"errors":[{"code":"TAG_INVALID","message":"the test refuses this tag"}]}`)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestPushFailsPartWay: a push writes one tag after another. When a later
// tag fails, the earlier ones already name the new image: the failed
// apply's new state says which (tags), and its error too, so a pipeline's
// failed run can list them. "latest" goes last, so a failure leaves it
// where it was, and the other tags, which look immutable, go first.
func TestPushFailsPartWay(t *testing.T) {
	t.Parallel()
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, appFiles, appModes)
	for _, tc := range []struct {
		name    string
		tags    []string
		refused string
		wrote   []string
	}{
		{"a later tag fails", []string{"latest", "v1", "v2"}, "v2", []string{"v1"}},
		{"latest fails", []string{"latest", "v1", "v2"}, "latest", []string{"v1", "v2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := startRefusingRegistry(t, tc.refused)
			repo := reg + "/team/app"
			s := newSession(t, startProvider(t, nil))
			cfg := appConfig(repo, ctxDir, map[string]cty.Value{"tags": strList(tc.tags...)})
			applied, progress := s.Apply(cfg, s.Plan(cfg))
			t.Logf("progress: %q", progress)

			var quoted []string
			for _, w := range tc.wrote {
				quoted = append(quoted, `"`+w+`"`)
			}
			checkDiag(t, applied.Diagnostics, "Cannot push image", cty.GetAttrPath("repository"),
				repo+":"+tc.refused, "the image was pushed as "+strings.Join(quoted, ", "))

			// latest moves last: a failure before it leaves it alone.
			if tc.refused != "latest" {
				latest, err := name.ParseReference(repo + ":latest")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := remote.Head(latest, remote.WithContext(t.Context())); err == nil {
					t.Errorf("latest was moved, though the push failed at %s", tc.refused)
				}
			}
			var digest string
			for _, w := range tc.wrote {
				d := digestOf(t, pull(t, repo+":"+w))
				if digest != "" && d != digest {
					t.Errorf("%s is %s, want %s", w, d, digest)
				}
				digest = d
			}

			// The new state is what exists: the image, under the tags
			// written.
			st := applied.NewState
			if st == cty.NilVal || st.IsNull() {
				t.Fatalf("the failed push left no state, though it wrote %q", tc.wrote)
			}
			if got := stringList(st.GetAttr("tags")); !cmp.Equal(got, tc.wrote) {
				t.Errorf("state tags %q, want the tags written %q", got, tc.wrote)
			}
			if got := sdk.GetString(st, "digest"); got != digest {
				t.Errorf("state digest %s, want %s", got, digest)
			}
			if got := sdk.GetString(st, "ref"); got != repo+"@"+digest {
				t.Errorf("state ref %s", got)
			}

			// The next plan pushes it again, under every tag.
			if plan := s.Plan(cfg); plan.PlannedState.RawEquals(st) {
				t.Errorf("the next plan keeps the partly pushed image: %#v", plan.PlannedState)
			}
		})
	}

	// Every tag written: latest last.
	reg := startRefusingRegistry(t, "none")
	repo := reg + "/team/app"
	cfg := appConfig(repo, ctxDir, map[string]cty.Value{"tags": strList("latest", "v1")})
	synced, progress := newSession(t, startProvider(t, nil)).Sync(cfg)
	checkEqual(t, "progress", []string{"pushing " + repo + ":v1 (1 layer)", "tagged " + repo + ":latest"}, progress[len(progress)-3:len(progress)-1])
	if got := stringList(synced.NewState.GetAttr("tags")); !cmp.Equal(got, []string{"latest", "v1"}) {
		t.Errorf("tags %q, want the configuration's", got)
	}
	if got := sdk.GetString(synced.NewState, "image"); got != repo+":latest" {
		t.Errorf("image %s, want the first tag's", got)
	}
}
