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
	"encoding/json"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/builtin"
)

// FuzzDecodeDocuments turns arbitrary bytes into objects as the
// kubernetes provider reads manifests: YAML streams, JSON documents and
// Lists. It must never panic, and every object it returns must be a
// JSON object again.
func FuzzDecodeDocuments(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\n# empty\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n"))
	f.Add([]byte(`{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2.5e0}}`))
	f.Add([]byte("a: &x [1, 2]\nb: *x\nc: !!binary aGk=\nd: 0x1F\ne: 1e400\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := decodeDocuments(data)
		if err != nil {
			return
		}
		for i, u := range objs {
			if u == nil || u.Object == nil {
				t.Fatalf("object %d is empty", i)
			}
			if _, err := json.Marshal(u.Object); err != nil {
				t.Fatalf("object %d does not encode as JSON: %v", i, err)
			}
		}
	})
}

// FuzzRolloutInputs feeds arbitrary bytes to what a rollout reads from
// outside: the strategy in the app's configuration (another host may
// send any) and the status annotation of a live canary (anyone may edit
// it). Neither may panic, nor may describing what they decode to.
func FuzzRolloutInputs(f *testing.F) {
	f.Add([]byte(`{"rollout":"c","canary":{"steps":[{"set_weight":20},{"pause":{"duration":"30s"}},{"analysis":"e"}],"traffic":{"kind":"gateway_api","route":"web"}},"analyses":{"e":{"name":"e","count":3}}}`))
	f.Add([]byte(`{"rollout":"b","blue_green":{"active_service":"web","auto_promotion":"2m"}}`))
	f.Add([]byte(`{"steps":["set_weight 20","100%"],"step":1,"phase":"Paused","paused_until":"2026-12-05T12:31:00Z","analyses":[{"name":"e","measurements":[{"phase":"Failed"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		conf := cty.ObjectVal(map[string]cty.Value{builtin.AppRollout: cty.StringVal(string(data)), builtin.AppRolloutAction: cty.NullVal(cty.String)})
		if spec, _, err := rolloutConfig(conf); err == nil && spec != nil {
			_ = spec.Road()
			_ = spec.Strategy()
		}
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetAnnotations(map[string]string{annStatus: string(data)})
		if st := liveStatus(u); st != nil {
			_, _, _ = st.Standing(), st.Road(), st.Next()
			for _, r := range st.Analyses {
				_ = r.Summary()
			}
			_ = pauseMessage(st)
		}
	})
}
