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

package command

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"slipway.dev/slipway/cmd/slipway/internal/views"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

func stateOf(t *testing.T, list ...string) *state.State {
	t.Helper()
	st := &state.State{Resources: map[string]*state.ResourceInstance{}}
	for _, s := range list {
		a, diags := addrs.ParseResourceInstance(s)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		st.Resources[a.String()] = &state.ResourceInstance{Addr: a}
	}
	return st
}

func TestReportDestroyIncomplete(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := &Meta{View: &views.View{Stdout: &out, Stderr: &out}}
	before := stateOf(t, "file.a", "file.ab", "file.b", "file.c", "source.git.app")
	after := stateOf(t, "file.ab", "file.b", "source.git.app")
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Apply failed", Detail: "Applying file.b through provider \"file\" failed: permission denied."},
		{Severity: hcl.DiagWarning, Summary: "Something about file.ab"},
	}
	m.reportDestroyIncomplete(before, after, nil, diags, false)
	want := `
Destroy incomplete: 2 destroyed, and state still holds 2 objects:
  file.ab: not deleted: the destroy stopped at the errors above before it got to it
  file.b: Apply failed: Applying file.b through provider "file" failed: permission denied
Run slipway destroy again once the cause is fixed.
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}

	// Everything gone, nothing to report.
	out.Reset()
	m.reportDestroyIncomplete(before, stateOf(t, "source.git.app"), nil, diags, false)
	if out.Len() != 0 {
		t.Errorf("reported %q with nothing left", out.String())
	}
}

func TestReportDestroyPlanFailed(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := &Meta{View: &views.View{Stdout: &out, Stderr: &out}}
	var list []string
	for i := range 25 {
		list = append(list, "file.f[\""+string(rune('a'+i))+"\"]")
	}
	st := stateOf(t, append(list, "source.git.app")...)
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "Provider failed to start", Detail: "provider \"file\" is gone."},
		{Severity: hcl.DiagError, Summary: "Provider failed to start", Detail: "provider \"file\" is gone."},
	}
	m.reportDestroyPlanFailed(st, nil, diags)
	got := out.String()
	for _, s := range []string{
		"Destroy failed: nothing was destroyed, and state still holds 25 objects:\n",
		"  file.f[\"a\"]\n", "  file.f[\"t\"]\n", "  … and 5 more (slipway state list shows them all)\n",
		"Planning the destroy failed: Provider failed to start (provider \"file\" is gone). Fix that and run slipway destroy again.\n",
	} {
		if !bytes.Contains([]byte(got), []byte(s)) {
			t.Errorf("report does not say %q:\n%s", s, got)
		}
	}
	if bytes.Contains([]byte(got), []byte("file.f[\"u\"]")) || bytes.Contains([]byte(got), []byte("source.git.app")) {
		t.Errorf("report lists more than 20, or a source:\n%s", got)
	}
}
