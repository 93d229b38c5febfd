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
