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
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

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
	p.Stop()
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

func fileAddr(name string) addrs.ResourceInstance {
	return addrs.Resource{Kind: addrs.Managed, Type: "file", Name: name}.Instance(addrs.NoKey)
}

// TestProgressStartsWithPreApply checks that Progress prints an
// instance's first line when the engine calls PreApply (the change left
// the provider's queue), and nothing before.
func TestProgressStartsWithPreApply(t *testing.T) {
	t.Parallel()
	var stdout strings.Builder
	p := &Progress{View: &View{Stdout: &stdout, Stderr: io.Discard}}
	a := fileAddr("a")
	if stdout.Len() != 0 {
		t.Fatalf("printed before anything started: %q", stdout.String())
	}
	p.PreApply(a, plans.Update)
	p.Progress(a, "writing")
	p.PostApply(a, plans.Update, nil, 1500*time.Millisecond)
	p.Stop()
	want := "file.a: Modifying...\nfile.a: writing\nfile.a: Modifications complete after 1.5s [1 done, 0s]\n"
	if got := stdout.String(); got != want {
		t.Errorf("progress:\n%s\nwant:\n%s", got, want)
	}
}

// TestInterruptedApplyPrintsLittle checks that changes cut short by a
// cancelled context print at most one line each, none for those that
// never started, and one error between them all.
func TestInterruptedApplyPrintsLittle(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	v := &View{Stdout: &stdout, Stderr: &stderr}
	p := &Progress{View: v}
	var diags hcl.Diagnostics
	const n = 1000
	for i := range n {
		a := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "f"}.Instance(addrs.IntKey(i))
		err := fmt.Errorf("Apply failed: Applying %s through provider \"file\" failed: context canceled", a)
		if i < 10 {
			// In flight when the context was cancelled.
			p.PreApply(a, plans.Create)
			err = fmt.Errorf("Apply failed: Applying %s through provider \"file\" failed: rpc error: code = Canceled desc = context canceled", a)
		}
		p.PostApply(a, plans.Create, err, time.Second)
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply failed", Detail: strings.TrimPrefix(err.Error(), "Apply failed: ")})
	}
	other := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply failed", Detail: "Applying file.g through provider \"file\" failed: disk full"}
	diags = append(diags, other)
	p.PostApply(fileAddr("g"), plans.Create, errors.New("disk full"), time.Second)

	p.Stop()
	v.Diagnostics(CollapseCancelled(diags, p.Cancelled()))

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 21 {
		t.Errorf("%d progress lines, want 21 (10 started, 10 cancelled, 1 failed):\n%s", len(lines), stdout.String())
	}
	if !strings.Contains(stdout.String(), "file.f[3]: cancelled after 1s [4 done, 0s]\n") || strings.Contains(stdout.String(), "file.f[10]") {
		t.Errorf("progress:\n%s", stdout.String())
	}
	errs := strings.Count(stderr.String(), "Error: ")
	if errs != 2 {
		t.Errorf("%d errors, want 2 (the summary and disk full):\n%s", errs, stderr.String())
	}
	for _, want := range []string{"Error: Apply cancelled", "1000 changes were cancelled before they finished: file.f[0], file.f[1],", "and 990 more", "disk full"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("errors lack %q:\n%s", want, stderr.String())
		}
	}
}

func TestCollapseCancelledLeavesOtherErrors(t *testing.T) {
	t.Parallel()
	diags := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Apply failed", Detail: "disk full"}}
	if got := CollapseCancelled(diags, nil); len(got) != 1 || got[0] != diags[0] {
		t.Errorf("CollapseCancelled changed %v", got)
	}
	one := CollapseCancelled(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Pipeline failed", Detail: `pipeline.app run #2 failed at stage "test": cancelled running "go test".`}}, []string{"pipeline.app"})
	if len(one) != 1 || one[0].Detail != "1 change was cancelled before it finished: pipeline.app. What finished is recorded in state; run slipway plan to see what is left." {
		t.Errorf("CollapseCancelled = %v", one)
	}
}

// TestViewRecordsWhatItPrints: with Record set, the diagnostics and
// errors printed are kept, masked and in order, for plan -markdown.
func TestViewRecordsWhatItPrints(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	v := &View{Stdout: &stdout, Stderr: &stderr}
	v.SetSecrets([]string{"hunter2"})
	v.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "not kept"}})
	if got := v.Recorded(); len(got) != 0 {
		t.Fatalf("recorded %d diagnostics before Record was set", len(got))
	}
	v.Record = true
	v.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Deprecated hunter2", Detail: "use x"}})
	v.Error(errors.New("state is locked by hunter2\n\nwait for it"))
	got := v.Recorded()
	want := []hcl.Diagnostic{
		{Severity: hcl.DiagWarning, Summary: "Deprecated ***", Detail: "use x"},
		{Severity: hcl.DiagError, Summary: "state is locked by ***", Detail: "wait for it"},
	}
	if len(got) != len(want) {
		t.Fatalf("recorded %d diagnostics, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Severity != want[i].Severity || got[i].Summary != want[i].Summary || got[i].Detail != want[i].Detail {
			t.Errorf("recorded[%d] = %+v, want %+v", i, *got[i], want[i])
		}
	}
}
