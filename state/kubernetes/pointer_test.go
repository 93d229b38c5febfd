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
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestParsePointerBoundsTheChunks: a pointer whose chunk count is damaged
// (edited by hand to a huge number) is an error that says so, not an
// allocation of that many chunks, which ended every reader of the state
// with an out-of-memory or "makeslice" panic.
func TestParsePointerBoundsTheChunks(t *testing.T) {
	t.Parallel()
	pointer := func(chunks string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Annotations: map[string]string{
			annSerial: "3", annChunks: chunks, annSize: "100", annGeneration: "g1", annChecksum: "sha256:x",
		}}}
	}
	if p, err := parsePointer(pointer("2")); err != nil || p.chunks != 2 {
		t.Fatalf("a sound pointer: %+v, %v", p, err)
	}
	for _, bad := range []string{"999999999999", "65537", "0", "-1", "x"} {
		if _, err := parsePointer(pointer(bad)); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("chunks %q: %v; want the pointer damaged", bad, err)
		}
	}
}
