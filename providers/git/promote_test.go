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

package git

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/plugin-sdk/host"
	"slipway.dev/slipway/plugin-sdk/sdktest"
	"slipway.dev/slipway/providers/testbed"
)

const (
	testImage = "127.0.0.1:5000/me/myapp"
	kustPath  = "apps/myapp/kustomization.yaml"
)

// kustomization is the overlay the promote tests edit.
const kustomization = `# myapp's overlay: CI sets the tag below.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
  - deployment.yaml

images:
  - name: 127.0.0.1:5000/me/myapp
    newTag: old   # set by the pipeline
`

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
spec:
  template:
    spec:
      containers:
        - name: app
          image: 127.0.0.1:5000/me/myapp
`

// startGitServer starts testbed's git server for one test.
func startGitServer(t *testing.T) *testbed.GitServer {
	t.Helper()
	g, err := testbed.StartGitServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Error(err)
		}
	})
	return g
}

// createGitops makes the repository "gitops" with the overlay, and
// returns its first commit.
func createGitops(t *testing.T, g *testbed.GitServer, extra map[string]string) string {
	t.Helper()
	files := map[string]string{
		kustPath:                        kustomization,
		"apps/myapp/deployment.yaml":    deployment,
		"README.md":                     "gitops\n",
		"apps/other/kustomization.yaml": "resources: []\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	first, err := g.CreateRepo("gitops", files)
	if err != nil {
		t.Fatal(err)
	}
	return first
}

// promoteCfg is a git_promote configuration; the attributes left out are
// null.
func promoteCfg(attrs map[string]cty.Value) cty.Value {
	return promoteSchema.Object(attrs)
}

// tagEdit is the configuration that sets the overlay's image tag.
func tagEdit(repoURL, tag string) map[string]cty.Value {
	return map[string]cty.Value{
		"url": str(repoURL), "branch": str("main"), "path": str("apps/myapp"),
		"image": str(testImage), "new_tag": str(tag), "message": str("Deploy myapp " + tag),
	}
}

// planPromote plans a new git_promote and returns its response, errors
// included.
func planPromote(t *testing.T, c *host.Client, cfg cty.Value) sdk.PlanResponse {
	t.Helper()
	resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{
		Address: "git_promote.test", TypeName: "git_promote", Config: cfg,
		PriorState: cty.NullVal(promoteSchema.ImpliedType()),
	}})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return resps[0]
}

// mustPlan plans and fails the test on an error.
func mustPlan(t *testing.T, c *host.Client, cfg cty.Value) sdk.PlanResponse {
	t.Helper()
	resp := planPromote(t, c, cfg)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("plan: %v", resp.Diagnostics.Err())
	}
	return resp
}

// applyPromote applies a plan and returns the response and the progress
// reported.
func applyPromote(t *testing.T, c *host.Client, cfg cty.Value, plan sdk.PlanResponse) (*sdk.ApplyResponse, []string) {
	t.Helper()
	var (
		resp     *sdk.ApplyResponse
		progress []string
	)
	err := c.Apply(t.Context(), []sdk.ApplyRequest{{
		Address: "git_promote.test", TypeName: "git_promote", Config: cfg,
		PriorState: cty.NullVal(promoteSchema.ImpliedType()), PlannedState: plan.PlannedState, PlannedPrivate: plan.PlannedPrivate,
	}}, func(ev host.ApplyEvent) {
		if ev.Done {
			resp = ev.Response
		} else {
			progress = append(progress, ev.Message)
		}
	})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return resp, progress
}

// mustApply applies a plan, fails the test on an error, and checks that
// the result conforms to the plan as slipway's core does.
func mustApply(t *testing.T, c *host.Client, cfg cty.Value, plan sdk.PlanResponse) (cty.Value, []string) {
	t.Helper()
	resp, progress := applyPromote(t, c, cfg, plan)
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("apply: %v", resp.Diagnostics.Err())
	}
	for _, d := range resp.Diagnostics {
		t.Logf("apply: warning: %s: %s", d.Summary, d.Detail)
	}
	checkPlanned(t, plan.PlannedState, resp.NewState)
	return resp.NewState, progress
}

// checkPlanned checks that every value the plan knew is the applied one.
func checkPlanned(t *testing.T, planned, applied cty.Value) {
	t.Helper()
	for name, v := range planned.AsValueMap() {
		if v.IsWhollyKnown() && !v.RawEquals(applied.GetAttr(name)) {
			t.Errorf("%s was planned as %#v but applied as %#v", name, v, applied.GetAttr(name))
		}
	}
}

// changeList reads the changes attribute.
func changeList(t *testing.T, st cty.Value) []valueChange {
	t.Helper()
	v := st.GetAttr("changes")
	if !v.IsWhollyKnown() {
		t.Fatalf("changes is unknown")
	}
	out := []valueChange{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, valueChange{
			file: e.GetAttr("file").AsString(), field: e.GetAttr("field").AsString(),
			before: e.GetAttr("before").AsString(), after: e.GetAttr("after").AsString(),
		})
	}
	return out
}

// remoteRepo is a fresh clone of the server's repository, in memory, with
// go-git over HTTP.
type remoteRepo struct {
	t    *testing.T
	repo *gogit.Repository
	head *object.Commit
}

func cloneRemote(t *testing.T, repoURL string) *remoteRepo {
	t.Helper()
	r, err := gogit.CloneContext(t.Context(), memory.NewStorage(), nil, &gogit.CloneOptions{URL: repoURL, ReferenceName: plumbing.NewBranchReferenceName("main"), SingleBranch: true})
	if err != nil {
		t.Fatalf("clone %s: %v", repoURL, err)
	}
	ref, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return &remoteRepo{t: t, repo: r, head: c}
}

func (r *remoteRepo) file(c *object.Commit, p string) string {
	r.t.Helper()
	f, err := c.File(p)
	if err != nil {
		r.t.Fatalf("%s at %s: %v", p, c.Hash, err)
	}
	s, err := f.Contents()
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// changedFiles lists the paths whose content differs between two commits.
func (r *remoteRepo) changedFiles(from, to *object.Commit) []string {
	r.t.Helper()
	a, err := from.Tree()
	if err != nil {
		r.t.Fatal(err)
	}
	b, err := to.Tree()
	if err != nil {
		r.t.Fatal(err)
	}
	changes, err := object.DiffTree(a, b)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, ch := range changes {
		name := ch.To.Name
		if name == "" {
			name = ch.From.Name
		}
		out = append(out, name)
	}
	return out
}

// serverHead is the commit main points at on the server.
func serverHead(t *testing.T, g *testbed.GitServer, name string) string {
	t.Helper()
	r, err := gogit.PlainOpen(filepath.Join(g.Root, name+".git"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash().String()
}

func TestPromoteKustomizeImage(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	first := createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	// The plan reads the commit the git source read.
	src := mustRead(t, c, map[string]cty.Value{"url": str(repoURL), "branch": str("main")})
	cfgAttrs := tagEdit(repoURL, "9f8e7d6")
	cfgAttrs["base_commit"] = str(sdk.GetString(src, "commit"))
	cfg := promoteCfg(cfgAttrs)

	plan := mustPlan(t, c, cfg)
	ps := plan.PlannedState
	wantChanges := []valueChange{{file: kustPath, field: "images[" + testImage + "].newTag", before: "old", after: "9f8e7d6"}}
	if diff := cmp.Diff(wantChanges, changeList(t, ps), vcCmp); diff != "" {
		t.Errorf("planned changes (-want +got):\n%s", diff)
	}
	wantDiff := `diff --git a/apps/myapp/kustomization.yaml b/apps/myapp/kustomization.yaml
--- a/apps/myapp/kustomization.yaml
+++ b/apps/myapp/kustomization.yaml
@@ -7,4 +7,4 @@
 
 images:
   - name: 127.0.0.1:5000/me/myapp
-    newTag: old   # set by the pipeline
+    newTag: 9f8e7d6   # set by the pipeline
`
	if diff := cmp.Diff(wantDiff, sdk.GetString(ps, "diff")); diff != "" {
		t.Errorf("planned diff (-want +got):\n%s", diff)
	}
	for _, name := range []string{"commit", "parent"} {
		if ps.GetAttr(name).IsKnown() {
			t.Errorf("%s is known at plan: %#v", name, ps.GetAttr(name))
		}
	}
	checkState(t, ps, map[string]string{"author_name": "slipway", "author_email": "slipway@localhost"})
	if got := serverHead(t, g, "gitops"); got != first {
		t.Fatalf("the plan moved the branch to %s", got)
	}

	st, progress := mustApply(t, c, cfg, plan)
	commit := sdk.GetString(st, "commit")
	checkState(t, st, map[string]string{"parent": first})
	if got := serverHead(t, g, "gitops"); got != commit {
		t.Fatalf("server main = %s, want the pushed commit %s", got, commit)
	}
	wantProgress := []string{"committing 1 file to main", "pushed " + commit[:7] + " to " + repoURL + " main"}
	if diff := cmp.Diff(wantProgress, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}

	remote := cloneRemote(t, repoURL)
	head := remote.head
	if head.Hash.String() != commit {
		t.Fatalf("clone's head %s, want %s", head.Hash, commit)
	}
	if len(head.ParentHashes) != 1 || head.ParentHashes[0].String() != first {
		t.Errorf("parents %v, want [%s]", head.ParentHashes, first)
	}
	if head.Author.Name != "slipway" || head.Author.Email != "slipway@localhost" || head.Committer.Name != "slipway" {
		t.Errorf("author %v, committer %v, want slipway <slipway@localhost>", head.Author, head.Committer)
	}
	if head.Message != "Deploy myapp 9f8e7d6\n" {
		t.Errorf("message %q", head.Message)
	}
	want := strings.Replace(kustomization, "newTag: old ", "newTag: 9f8e7d6 ", 1)
	if got := remote.file(head, kustPath); got != want {
		t.Errorf("pushed kustomization:\n%s\nwant:\n%s", got, want)
	}
	parent, err := head.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{kustPath}, remote.changedFiles(parent, head)); diff != "" {
		t.Errorf("files changed (-want +got):\n%s", diff)
	}

	// The source sees the pushed commit at its next read, from the
	// same cache.
	again := mustRead(t, c, map[string]cty.Value{"url": str(repoURL), "branch": str("main")})
	checkState(t, again, map[string]string{"commit": commit, "message": "Deploy myapp 9f8e7d6", "author": "slipway <slipway@localhost>"})
	checkFile(t, filepath.Join(sdk.GetString(again, "dir"), filepath.FromSlash(kustPath)), want, 0o444)

	// Refresh keeps the state.
	if got := sdktest.Refresh(t, c, "git_promote", st); !got.RawEquals(st) {
		t.Errorf("refresh changed the state:\n got %#v\nwant %#v", got, st)
	}
	// Destroy forgets it and leaves the branch alone.
	gone, _ := applyPromote(t, c, cty.NullVal(promoteSchema.ImpliedType()), sdk.PlanResponse{PlannedState: cty.NullVal(promoteSchema.ImpliedType())})
	if gone.Diagnostics.HasErrors() || !gone.NewState.IsNull() {
		t.Errorf("destroy: %#v %v", gone.NewState, gone.Diagnostics.Err())
	}
	if got := serverHead(t, g, "gitops"); got != commit {
		t.Errorf("destroy moved the branch to %s", got)
	}

	// The same edit again changes nothing and pushes nothing, planned
	// on the head (no base_commit) or on the pushed commit.
	for _, base := range []cty.Value{cty.NullVal(cty.String), str(commit)} {
		cfgAttrs["base_commit"] = base
		cfg := promoteCfg(cfgAttrs)
		plan := mustPlan(t, c, cfg)
		if got := changeList(t, plan.PlannedState); len(got) != 0 {
			t.Errorf("planned changes %v, want none", got)
		}
		checkState(t, plan.PlannedState, map[string]string{"commit": commit, "parent": "", "diff": ""})
		st, _ := mustApply(t, c, cfg, plan)
		checkState(t, st, map[string]string{"commit": commit, "parent": ""})
		if got := serverHead(t, g, "gitops"); got != commit {
			t.Errorf("a no-op apply moved the branch to %s", got)
		}
	}
}

func TestPromoteOntoMovedBranch(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	a := createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	attrs := tagEdit(repoURL, "new")
	attrs["base_commit"] = str(a)
	cfg := promoteCfg(attrs)
	plan := mustPlan(t, c, cfg)

	b, err := g.Commit("gitops", map[string]string{"apps/other/config.yaml": "x: 1\n"}, nil, "Another change")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := mustApply(t, c, cfg, plan)
	checkState(t, st, map[string]string{"parent": b})

	remote := cloneRemote(t, repoURL)
	if remote.head.Hash.String() != sdk.GetString(st, "commit") {
		t.Fatalf("server head %s, want %s", remote.head.Hash, sdk.GetString(st, "commit"))
	}
	if got := remote.file(remote.head, "apps/other/config.yaml"); got != "x: 1\n" {
		t.Errorf("the other change is lost: %q", got)
	}
	if got := remote.file(remote.head, kustPath); !strings.Contains(got, "newTag: new   # set by the pipeline") {
		t.Errorf("the tag is not set:\n%s", got)
	}
	if len(remote.head.ParentHashes) != 1 || remote.head.ParentHashes[0].String() != b {
		t.Errorf("parents %v, want [%s]", remote.head.ParentHashes, b)
	}
}

// A standalone git_promote, once applied, plans no change while the
// branch holds its values, keeping the commit it recorded; and plans the
// change again once the branch lost them.
func TestPromoteReplanKeepsRecordedCommit(t *testing.T) {
	t.Parallel()
	for _, withBase := range []bool{false, true} {
		name := "head"
		if withBase {
			name = "base_commit"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := startGitServer(t)
			first := createGitops(t, g, nil)
			repoURL := g.RepoURL("gitops")
			c := startProvider(t, "", nil)

			attrs := tagEdit(repoURL, "v2")
			if withBase {
				// The commit read before the push, as a git source
				// pinned to it would give.
				attrs["base_commit"] = str(first)
			}
			cfg := promoteCfg(attrs)
			s := sdktest.NewSession(t, c, "git_promote")
			s.CheckApply = func(_ testing.TB, planned, applied cty.Value) { checkPlanned(t, planned, applied) }
			s.Sync(cfg)
			applied := s.State
			commit := sdk.GetString(applied, "commit")
			checkState(t, applied, map[string]string{"parent": first})
			if got := serverHead(t, g, "gitops"); got != commit {
				t.Fatalf("main = %s, want the pushed %s", got, commit)
			}

			// The branch holds the tag: no change, the record kept.
			plan := s.Plan(cfg)
			if !plan.Unchanged || !plan.PlannedState.RawEquals(applied) {
				t.Errorf("plan after apply is a change:\n got %#v\nwant %#v", plan.PlannedState, applied)
			}

			// A new message alone commits nothing: apply records it and
			// keeps the commit.
			attrs["message"] = str("Deploy myapp v2 again")
			cfg = promoteCfg(attrs)
			s.Sync(cfg)
			checkState(t, s.State, map[string]string{"commit": commit, "parent": first, "message": "Deploy myapp v2 again"})
			if got := serverHead(t, g, "gitops"); got != commit {
				t.Errorf("apply of a new message moved main to %s", got)
			}

			// The branch loses the tag: the change is planned again,
			// and made on the new head.
			back, err := g.Commit("gitops", map[string]string{kustPath: kustomization}, nil, "Roll back myapp")
			if err != nil {
				t.Fatal(err)
			}
			plan = s.Plan(cfg)
			wantChanges := []valueChange{{file: kustPath, field: "images[" + testImage + "].newTag", before: "old", after: "v2"}}
			if diff := cmp.Diff(wantChanges, changeList(t, plan.PlannedState), vcCmp); diff != "" {
				t.Errorf("planned changes after the roll back (-want +got):\n%s", diff)
			}
			if plan.PlannedState.GetAttr("commit").IsKnown() {
				t.Errorf("commit is known with a change to push: %#v", plan.PlannedState.GetAttr("commit"))
			}
			s.Sync(cfg)
			checkState(t, s.State, map[string]string{"parent": back})
			if got := serverHead(t, g, "gitops"); got != sdk.GetString(s.State, "commit") {
				t.Errorf("main = %s, want the pushed %s", got, sdk.GetString(s.State, "commit"))
			}
			if plan := s.Plan(cfg); !plan.Unchanged {
				t.Errorf("plan after the second apply is a change: %#v", plan.PlannedState)
			}
		})
	}
}

// setServerBranch points the branch of the server's repository at commit.
func setServerBranch(t *testing.T, g *testbed.GitServer, name, branch, commit string) {
	t.Helper()
	r, err := gogit.PlainOpen(filepath.Join(g.Root, name+".git"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), plumbing.NewHash(commit))); err != nil {
		t.Fatal(err)
	}
}

// serverBranch returns the commit the branch of the server's repository
// points at.
func serverBranch(t *testing.T, g *testbed.GitServer, name, branch string) *object.Commit {
	t.Helper()
	r, err := gogit.PlainOpen(filepath.Join(g.Root, name+".git"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A promote to prod whose base_commit is what a source of main read: the
// plan reads prod's head, where the tag is still to set, even though main
// has it already.
func TestPromoteOntoOtherBranch(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	first := createGitops(t, g, nil)
	setServerBranch(t, g, "gitops", "prod", first)
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	// main has the tag already.
	onMain, err := g.Commit("gitops", map[string]string{kustPath: strings.Replace(kustomization, "newTag: old ", "newTag: new ", 1)}, nil, "Deploy myapp new to main")
	if err != nil {
		t.Fatal(err)
	}
	src := mustRead(t, c, map[string]cty.Value{"url": str(repoURL), "branch": str("main")})
	checkState(t, src, map[string]string{"commit": onMain})

	attrs := tagEdit(repoURL, "new")
	attrs["branch"], attrs["base_commit"] = str("prod"), str(onMain)
	cfg := promoteCfg(attrs)
	plan := mustPlan(t, c, cfg)
	wantChanges := []valueChange{{file: kustPath, field: "images[" + testImage + "].newTag", before: "old", after: "new"}}
	if diff := cmp.Diff(wantChanges, changeList(t, plan.PlannedState), vcCmp); diff != "" {
		t.Errorf("planned changes (-want +got):\n%s", diff)
	}
	st, _ := mustApply(t, c, cfg, plan)
	checkState(t, st, map[string]string{"parent": first})
	prod := serverBranch(t, g, "gitops", "prod")
	if prod.Hash.String() != sdk.GetString(st, "commit") {
		t.Fatalf("prod = %s, want the pushed %s", prod.Hash, sdk.GetString(st, "commit"))
	}
	f, err := prod.File(kustPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Contents(); !strings.Contains(got, "newTag: new   # set by the pipeline") {
		t.Errorf("prod's tag is not set:\n%s", got)
	}
	if got := serverHead(t, g, "gitops"); got != onMain {
		t.Errorf("main moved to %s", got)
	}

	// main and prod differ: the plan shows prod's value before, and
	// apply commits what the plan showed.
	onMain, err = g.Commit("gitops", map[string]string{kustPath: strings.Replace(kustomization, "newTag: old ", "newTag: mid ", 1)}, nil, "Deploy myapp mid to main")
	if err != nil {
		t.Fatal(err)
	}
	attrs = tagEdit(repoURL, "v3")
	attrs["branch"], attrs["base_commit"] = str("prod"), str(onMain)
	cfg = promoteCfg(attrs)
	plan = mustPlan(t, c, cfg)
	wantChanges = []valueChange{{file: kustPath, field: "images[" + testImage + "].newTag", before: "new", after: "v3"}}
	if diff := cmp.Diff(wantChanges, changeList(t, plan.PlannedState), vcCmp); diff != "" {
		t.Errorf("planned changes onto a prod that differs (-want +got):\n%s", diff)
	}
	resp, _ := applyPromote(t, c, cfg, plan)
	if len(resp.Diagnostics) > 0 {
		t.Errorf("apply: %v", resp.Diagnostics)
	}
	checkPlanned(t, plan.PlannedState, resp.NewState)
	checkState(t, resp.NewState, map[string]string{"parent": prod.Hash.String()})
}

// A promote whose base_commit holds the values while the branch lost them
// since (a roll back): the plan reads the head, and apply pushes.
func TestPromoteOntoRolledBackBranch(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	withTag, err := g.Commit("gitops", map[string]string{kustPath: strings.Replace(kustomization, "newTag: old ", "newTag: new ", 1)}, nil, "Deploy myapp new")
	if err != nil {
		t.Fatal(err)
	}
	back, err := g.Commit("gitops", map[string]string{kustPath: kustomization}, nil, "Roll back myapp")
	if err != nil {
		t.Fatal(err)
	}
	attrs := tagEdit(repoURL, "new")
	attrs["base_commit"] = str(withTag)
	cfg := promoteCfg(attrs)
	plan := mustPlan(t, c, cfg)
	wantChanges := []valueChange{{file: kustPath, field: "images[" + testImage + "].newTag", before: "old", after: "new"}}
	if diff := cmp.Diff(wantChanges, changeList(t, plan.PlannedState), vcCmp); diff != "" {
		t.Errorf("planned changes (-want +got):\n%s", diff)
	}
	st, _ := mustApply(t, c, cfg, plan)
	checkState(t, st, map[string]string{"parent": back})
	if got := serverHead(t, g, "gitops"); got != sdk.GetString(st, "commit") {
		t.Errorf("main = %s, want the pushed %s", got, sdk.GetString(st, "commit"))
	}
}

// racingProxy forwards to a git server and, before the pushes it is told
// to race, pushes another commit first, as a colleague's pipeline would.
type racingProxy struct {
	srv    *httptest.Server
	races  atomic.Int32 // pushes still to race
	pushes atomic.Int32
}

func newRacingProxy(t *testing.T, g *testbed.GitServer, races int32) *racingProxy {
	t.Helper()
	target, err := url.Parse(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &racingProxy{}
	p.races.Store(races)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var n atomic.Int32
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			p.pushes.Add(1)
			if p.races.Add(-1) >= 0 {
				i := n.Add(1)
				if _, err := g.Commit("gitops", map[string]string{"race.txt": strings.Repeat("x", int(i)) + "\n"}, nil, "Racing commit"); err != nil {
					t.Errorf("racing commit: %v", err)
				}
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func TestPromoteRetriesWhenBranchMovesDuringPush(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	proxy := newRacingProxy(t, g, 2)
	repoURL := proxy.srv.URL + "/gitops.git"
	c := startProvider(t, "", nil)

	cfg := promoteCfg(tagEdit(repoURL, "new"))
	plan := mustPlan(t, c, cfg)
	st, progress := mustApply(t, c, cfg, plan)
	if got := proxy.pushes.Load(); got != 3 {
		t.Errorf("%d pushes, want 3 (two refused as the branch moved)", got)
	}
	retries := 0
	for _, p := range progress {
		if strings.Contains(p, "moved while pushing") {
			retries++
		}
	}
	if retries != 2 {
		t.Errorf("progress %q, want two retries reported", progress)
	}
	remote := cloneRemote(t, g.RepoURL("gitops"))
	if remote.head.Hash.String() != sdk.GetString(st, "commit") {
		t.Fatalf("server head %s, want %s", remote.head.Hash, sdk.GetString(st, "commit"))
	}
	if got := remote.file(remote.head, "race.txt"); got != "xx\n" {
		t.Errorf("race.txt = %q: the racing commits are lost", got)
	}
	parent, err := remote.head.Parent(0)
	if err != nil {
		t.Fatal(err)
	}
	if parent.Message != "Racing commit\n" || sdk.GetString(st, "parent") != parent.Hash.String() {
		t.Errorf("parent %s %q, state parent %s", parent.Hash, parent.Message, sdk.GetString(st, "parent"))
	}
	if diff := cmp.Diff([]string{kustPath}, remote.changedFiles(parent, remote.head)); diff != "" {
		t.Errorf("files changed (-want +got):\n%s", diff)
	}
}

func TestPromoteGivesUpWhenBranchKeepsMoving(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	proxy := newRacingProxy(t, g, 100)
	repoURL := proxy.srv.URL + "/gitops.git"
	c := startProvider(t, "", nil)

	cfg := promoteCfg(tagEdit(repoURL, "new"))
	plan := mustPlan(t, c, cfg)
	resp, _ := applyPromote(t, c, cfg, plan)
	checkDiag(t, resp.Diagnostics, "Branch keeps moving", "branch", repoURL, `"main"`, "5 times", "Nothing was forced")
	if got := proxy.pushes.Load(); got != maxAttempts {
		t.Errorf("%d pushes, want %d", got, maxAttempts)
	}
	if !resp.NewState.IsNull() {
		t.Errorf("state %#v after a failed create, want null", resp.NewState)
	}
	remote := cloneRemote(t, g.RepoURL("gitops"))
	if got := remote.file(remote.head, kustPath); got != kustomization {
		t.Errorf("the kustomization changed:\n%s", got)
	}
}

func TestPromoteModes(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	values := `# Values of the myapp chart.
replicaCount: 2

image:
  repository: 127.0.0.1:5000/me/myapp  # where CI pushes
  # the tag CI sets
  tag: "old"
`
	pods := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: 127.0.0.1:5000/me/myapp:old   # the app
        - name: proxy
          image: 127.0.0.1:5000/me/proxy:old
`
	createGitops(t, g, map[string]string{"charts/values.yaml": values, "manifests/web/deploy.yaml": pods, "manifests/README.md": "not yaml: [\n"})
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	for _, tc := range []struct {
		name    string
		attrs   map[string]cty.Value
		changes []valueChange
		file    string
		want    string
	}{
		{
			name:    "yaml_path changes a nested key",
			attrs:   map[string]cty.Value{"path": str("charts/values.yaml"), "yaml_path": str("image.tag"), "value": str("1.10")},
			changes: []valueChange{{file: "charts/values.yaml", field: "image.tag", before: "old", after: "1.10"}},
			file:    "charts/values.yaml",
			want:    strings.Replace(values, `tag: "old"`, `tag: "1.10"`, 1),
		},
		{
			name:    "yaml_path creates a nested key",
			attrs:   map[string]cty.Value{"path": str("charts/values.yaml"), "yaml_path": str("image.pullPolicy"), "value": str("Always")},
			changes: []valueChange{{file: "charts/values.yaml", field: "image.pullPolicy", before: "", after: "Always"}},
			file:    "charts/values.yaml",
			want: `# Values of the myapp chart.
replicaCount: 2
image:
  repository: 127.0.0.1:5000/me/myapp # where CI pushes
  # the tag CI sets
  tag: "1.10"
  pullPolicy: Always
`,
		},
		{
			name:    "content",
			attrs:   map[string]cty.Value{"path": str("deploy/VERSION"), "content": str("1.2.3\n")},
			changes: []valueChange{{file: "deploy/VERSION", before: "", after: "1.2.3\n"}},
			file:    "deploy/VERSION",
			want:    "1.2.3\n",
		},
		{
			name:  "plain manifests: only the matching repository",
			attrs: map[string]cty.Value{"path": str("manifests/web"), "image": str(testImage), "new_tag": str("new")},
			changes: []valueChange{{file: "manifests/web/deploy.yaml", field: "Deployment/web: spec.template.spec.containers.[name=web].image",
				before: testImage + ":old", after: testImage + ":new"}},
			file: "manifests/web/deploy.yaml",
			want: strings.Replace(pods, "myapp:old", "myapp:new", 1),
		},
		{
			name:  "a kustomization without the image gets an entry",
			attrs: map[string]cty.Value{"path": str("apps/other"), "image": str(testImage), "new_tag": str("v1")},
			changes: []valueChange{{file: "apps/other/kustomization.yaml", field: "images[" + testImage + "].newTag",
				before: "", after: "v1"}},
			file: "apps/other/kustomization.yaml",
			want: "resources: []\nimages:\n- name: 127.0.0.1:5000/me/myapp\n  newTag: v1\n",
		},
	} {
		attrs := map[string]cty.Value{"url": str(repoURL), "branch": str("main"), "message": str(tc.name),
			"author_name": str("CI Bot"), "author_email": str("ci@example.com")}
		for k, v := range tc.attrs {
			attrs[k] = v
		}
		cfg := promoteCfg(attrs)
		before := serverHead(t, g, "gitops")
		plan := mustPlan(t, c, cfg)
		if diff := cmp.Diff(tc.changes, changeList(t, plan.PlannedState), vcCmp); diff != "" {
			t.Errorf("%s: planned changes (-want +got):\n%s", tc.name, diff)
		}
		st, _ := mustApply(t, c, cfg, plan)
		remote := cloneRemote(t, repoURL)
		if got := remote.file(remote.head, tc.file); got != tc.want {
			t.Errorf("%s: %s is\n%s\nwant\n%s", tc.name, tc.file, got, tc.want)
		}
		parent, err := remote.head.Parent(0)
		if err != nil {
			t.Fatal(err)
		}
		if parent.Hash.String() != before || sdk.GetString(st, "parent") != before {
			t.Errorf("%s: parent %s (state %s), want %s", tc.name, parent.Hash, sdk.GetString(st, "parent"), before)
		}
		if diff := cmp.Diff([]string{tc.file}, remote.changedFiles(parent, remote.head)); diff != "" {
			t.Errorf("%s: files changed (-want +got):\n%s", tc.name, diff)
		}
		if remote.head.Author.Name != "CI Bot" || remote.head.Author.Email != "ci@example.com" {
			t.Errorf("%s: author %v", tc.name, remote.head.Author)
		}
	}
}

func TestPromoteErrors(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")
	c := startProvider(t, "", nil)

	for _, tc := range []struct {
		name    string
		attrs   map[string]cty.Value
		summary string
		attr    string
		detail  []string
	}{
		{"path escaping the repository", map[string]cty.Value{"path": str("../outside")},
			"Invalid path", "path", []string{`"../outside"`, "leaves the repository"}},
		{"absolute path", map[string]cty.Value{"path": str("/etc")},
			"Invalid path", "path", []string{"leaves the repository"}},
		{"two edits", map[string]cty.Value{"yaml_path": str("a.b"), "value": str("x")},
			"Conflicting edits", "yaml_path", []string{"image and yaml_path"}},
		{"no edit", map[string]cty.Value{"image": cty.NullVal(cty.String), "new_tag": cty.NullVal(cty.String)},
			"No edit", "", []string{"image", "yaml_path", "content"}},
		{"image with a tag", map[string]cty.Value{"image": str(testImage + ":v1")},
			"Image has a tag", "image", []string{testImage}},
		{"missing branch", map[string]cty.Value{"branch": str("mian")},
			"Git branch not found", "branch", []string{`"mian"`, `Did you mean "main"?`}},
		{"missing path", map[string]cty.Value{"path": str("apps/nope")},
			"Path not found in repository", "path", []string{`"apps/nope"`}},
		{"missing base commit", map[string]cty.Value{"base_commit": str(strings.Repeat("ab", 20))},
			"Git commit not found", "base_commit", []string{strings.Repeat("ab", 20)}},
		{"image nowhere", map[string]cty.Value{"path": str("apps/myapp/deployment.yaml"), "image": str("127.0.0.1:5000/me/nope")},
			"Image not found", "image", []string{"127.0.0.1:5000/me/nope"}},
		{"bad digest", map[string]cty.Value{"digest": str("sha256:abc")},
			"Invalid digest", "digest", []string{"64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs := tagEdit(repoURL, "new")
			for k, v := range tc.attrs {
				attrs[k] = v
			}
			resp := planPromote(t, c, promoteCfg(attrs))
			checkDiagAt(t, resp.Diagnostics, tc.summary, tc.attr, tc.detail...)
		})
	}
}

// checkDiagAt is checkDiag, allowing a diagnostic about no attribute.
func checkDiagAt(t *testing.T, diags sdk.Diagnostics, summary, attr string, details ...string) {
	t.Helper()
	if attr != "" {
		checkDiag(t, diags, summary, attr, details...)
		return
	}
	if len(diags) != 1 || diags[0].Summary != summary || len(diags[0].Attribute) != 0 {
		t.Fatalf("diagnostics %#v, want one %q about no attribute", diags, summary)
	}
	for _, s := range details {
		if !strings.Contains(diags[0].Detail, s) {
			t.Errorf("detail %q does not say %q", diags[0].Detail, s)
		}
	}
}

func TestPromoteUnknownInputs(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	c := startProvider(t, "", nil)
	attrs := tagEdit(g.RepoURL("gitops"), "new")
	attrs["new_tag"] = cty.UnknownVal(cty.String) // the image is not built yet
	plan := mustPlan(t, c, promoteCfg(attrs))
	for _, name := range promoteComputed {
		if plan.PlannedState.GetAttr(name).IsKnown() {
			t.Errorf("%s is known with an unknown new_tag: %#v", name, plan.PlannedState.GetAttr(name))
		}
	}
	checkState(t, plan.PlannedState, map[string]string{"author_name": "slipway", "message": "Deploy myapp new"})

	// Where the edit goes is checked all the same.
	attrs["branch"] = str("mian")
	checkDiag(t, planPromote(t, c, promoteCfg(attrs)).Diagnostics, "Git branch not found", "branch", `Did you mean "main"?`)
	attrs["branch"], attrs["path"] = str("main"), str("apps/nope")
	checkDiag(t, planPromote(t, c, promoteCfg(attrs)).Diagnostics, "Path not found in repository", "path", `"apps/nope"`)

	// An unknown url: nothing to check.
	attrs["url"] = cty.UnknownVal(cty.String)
	plan = mustPlan(t, c, promoteCfg(attrs))
	if plan.PlannedState.GetAttr("commit").IsKnown() {
		t.Errorf("commit is known with an unknown url")
	}
}

func TestPromoteLocalRepository(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	first := createGitops(t, g, nil)
	bare := filepath.Join(g.Root, "gitops.git")
	c := startProvider(t, "", nil)

	cfg := promoteCfg(tagEdit(bare, "local"))
	st, _ := mustApply(t, c, cfg, mustPlan(t, c, cfg))
	checkState(t, st, map[string]string{"parent": first})
	if got := serverHead(t, g, "gitops"); got != sdk.GetString(st, "commit") {
		t.Errorf("main = %s, want the pushed %s", got, sdk.GetString(st, "commit"))
	}
}

// Two pipelines with caches of their own promote two images of one
// kustomization at once: both commits land, one on the other.
func TestConcurrentPromotes(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")

	var wg sync.WaitGroup
	for i, img := range []string{"127.0.0.1:5000/me/a", "127.0.0.1:5000/me/b", "127.0.0.1:5000/me/c"} {
		c := startProvider(t, "", nil)
		wg.Go(func() {
			attrs := tagEdit(repoURL, "t"+string(rune('0'+i)))
			attrs["image"] = str(img)
			cfg := promoteCfg(attrs)
			resps, err := c.Plan(t.Context(), []sdk.PlanRequest{{Address: "git_promote.x", TypeName: "git_promote", Config: cfg, PriorState: cty.NullVal(promoteSchema.ImpliedType())}})
			if err != nil || resps[0].Diagnostics.HasErrors() {
				t.Errorf("plan: %v %v", err, resps[0].Diagnostics.Err())
				return
			}
			var resp *sdk.ApplyResponse
			err = c.Apply(t.Context(), []sdk.ApplyRequest{{Address: "git_promote.x", TypeName: "git_promote", Config: cfg,
				PriorState: cty.NullVal(promoteSchema.ImpliedType()), PlannedState: resps[0].PlannedState}}, func(ev host.ApplyEvent) {
				if ev.Done {
					resp = ev.Response
				}
			})
			if err != nil || resp.Diagnostics.HasErrors() {
				t.Errorf("apply: %v %v", err, resp.Diagnostics.Err())
			}
		})
	}
	wg.Wait()

	remote := cloneRemote(t, repoURL)
	got := remote.file(remote.head, kustPath)
	for i, img := range []string{"a", "b", "c"} {
		want := "- name: 127.0.0.1:5000/me/" + img + "\n    newTag: t" + string(rune('0'+i))
		if !strings.Contains(got, want) {
			t.Errorf("kustomization lacks %q:\n%s", want, got)
		}
	}
	n := 0
	iter, err := remote.repo.Log(&gogit.LogOptions{From: remote.head.Hash})
	if err != nil {
		t.Fatal(err)
	}
	_ = iter.ForEach(func(c *object.Commit) error {
		n++
		return nil
	})
	if n != 4 {
		t.Errorf("%d commits in history, want the first and three promotes", n)
	}
}

// The cache is shared with the source: a cached bare repository holding
// a pushed commit serves the next read without fetching.
func TestPromoteLeavesCacheReadable(t *testing.T) {
	t.Parallel()
	g := startGitServer(t)
	createGitops(t, g, nil)
	repoURL := g.RepoURL("gitops")
	cacheDir := newCacheDir(t)
	c := startProvider(t, cacheDir, nil)
	cfg := promoteCfg(tagEdit(repoURL, "cached"))
	st, _ := mustApply(t, c, cfg, mustPlan(t, c, cfg))

	// Another process, the same cache.
	other := startProvider(t, cacheDir, nil)
	read := mustRead(t, other, map[string]cty.Value{"url": str(repoURL), "branch": str("main")})
	checkState(t, read, map[string]string{"commit": sdk.GetString(st, "commit")})
	data, err := os.ReadFile(filepath.Join(sdk.GetString(read, "dir"), filepath.FromSlash(kustPath)))
	if err != nil || !strings.Contains(string(data), "newTag: cached") {
		t.Errorf("read after promote: %q %v", data, err)
	}
	gr, err := gogit.PlainOpen(filepath.Join(cacheDir, "repos", repoKey(repoURL)))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := gr.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil || ref.Hash().String() != sdk.GetString(st, "commit") {
		t.Errorf("cached main = %v (%v), want the pushed commit", ref, err)
	}
}
