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

package views

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

func TestViewMasksSecrets(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	v := &View{Stdout: &stdout, Stderr: &stderr}
	v.SetSecrets([]string{"hunter2"})
	diags := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot write hunter2", Detail: "open out/hunter2.txt: denied"}}

	v.Diagnostics(diags)
	v.DiagnosticsJSON(diags)
	v.Error(errors.New("reading hunter2 failed"))
	p := &Progress{View: v}
	addr := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}.Instance(addrs.NoKey)
	p.Progress(addr, "writing out/hunter2.txt")
	p.PostApply(addr, plans.Create, errors.New("hunter2"), 0)
	io.WriteString(v.LogWriter(), "[WARN] provider.file: token hunter2 expires\n")

	out := stdout.String() + stderr.String()
	if strings.Contains(out, "hunter2") {
		t.Errorf("the secret is printed:\n%s", out)
	}
	for _, want := range []string{"Cannot write ***", "out/***.txt: denied", `"detail": "open out/***.txt: denied"`, "reading *** failed", "file.a: writing out/***.txt", "token *** expires"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
