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

package planner

import (
	"context"
	"runtime"
	"testing"
	"weak"
)

// TestBatcherLetsGoOfAnsweredGroups: once a group is answered and its
// caller is done with the answer, nothing of it stays alive with the
// batcher. A queue that kept its groups in its array held every
// response of a plan (each app's planned value) to the end of the
// apply that followed.
func TestBatcherLetsGoOfAnsweredGroups(t *testing.T) {
	type answer struct{ payload [1 << 16]byte }
	b := newBatcher(2, 1, func(_ context.Context, reqs []int) ([]*answer, error) {
		out := make([]*answer, len(reqs))
		for i := range out {
			out[i] = &answer{}
		}
		return out, nil
	})
	var answers []weak.Pointer[answer]
	for range 5 {
		resps, err := b.Do(context.Background(), []int{1})
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, weak.Make(resps[0]))
	}
	runtime.GC()
	runtime.GC()
	for i, w := range answers {
		if w.Value() != nil {
			t.Errorf("answer %d is still alive after its caller let go of it", i)
		}
	}
	runtime.KeepAlive(b)
}
