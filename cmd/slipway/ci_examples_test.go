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

package main

// The CI examples in examples/ci are run by the tests as the services
// would run them, so that they cannot rot: `ci github JOB` and
// `ci gitlab JOB` read the workflow file, take the job's steps in order,
// check out the configuration repository from the test git server, and run
// every shell step with bash as the runners do (GitHub: bash -eo pipefail
// per step; GitLab: one bash script with set -eo pipefail). What belongs to
// the services themselves (comments, workflow runs, artifacts, merge
// requests) is answered by a small HTTP server speaking the few REST calls
// the examples make. Two kinds of step are not run, each for a reason:
// installing slipway (the binary under test is already on PATH) and a
// job's container image (the job runs on this machine).

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	"sigs.k8s.io/yaml"
)

// ciExamplesDir is where the CI examples are, from this package; scripts
// see it as $CI_EXAMPLES.
const ciExamplesDir = "../../examples/ci"

var ciExamples, _ = filepath.Abs(ciExamplesDir)

// forges are the fake service APIs, one per script's work directory.
var (
	forgesMu sync.Mutex
	forges   = map[string]*forge{}
)

// forge answers the REST calls the CI examples make to GitHub and GitLab,
// and keeps what a service keeps between jobs: comments, successful
// workflow runs with their artifacts, and merge requests' artifacts.
type forge struct {
	srv *httptest.Server

	mu       sync.Mutex
	nextID   int
	comments map[string][]*forgeComment // "github/PR" or "gitlab/MR"
	runs     []*forgeRun
	// glArtifacts are the last slipway-plan job's artifacts per branch, zipped.
	glArtifacts map[string][]byte
	// mergeHeads maps a branch's head commit to its branch, for "which
	// merge request did this commit merge".
	mergeHeads map[string]string
	jobDir     string // the running job's checkout
	// calls records what the examples asked, for the scripts to check.
	calls []string
}

type forgeComment struct {
	ID   int    `json:"id"`
	Body string `json:"body"`
}

type forgeRun struct {
	ID        int
	HeadSHA   string
	Event     string
	OK        bool
	Artifacts map[string]string // name -> directory holding the files
}

func forgeFor(ts *testscript.TestScript) *forge {
	forgesMu.Lock()
	defer forgesMu.Unlock()
	key := ts.Getenv("WORK")
	if f := forges[key]; f != nil {
		return f
	}
	f := &forge{nextID: 100, comments: map[string][]*forgeComment{}, glArtifacts: map[string][]byte{}, mergeHeads: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	forges[key] = f
	ts.Defer(func() {
		f.srv.Close()
		forgesMu.Lock()
		delete(forges, key)
		forgesMu.Unlock()
	})
	return f
}

var (
	ghComments      = regexp.MustCompile(`^/github/repos/[^/]+/[^/]+/issues/(\d+)/comments$`)
	ghComment       = regexp.MustCompile(`^/github/repos/[^/]+/[^/]+/issues/comments/(\d+)$`)
	ghRuns          = regexp.MustCompile(`^/github/repos/[^/]+/[^/]+/actions/runs$`)
	glNotes         = regexp.MustCompile(`^/gitlab/api/v4/projects/[^/]+/merge_requests/(\d+)/notes$`)
	glNote          = regexp.MustCompile(`^/gitlab/api/v4/projects/[^/]+/merge_requests/(\d+)/notes/(\d+)$`)
	glCommitMRs     = regexp.MustCompile(`^/gitlab/api/v4/projects/[^/]+/repository/commits/([0-9a-f]+)/merge_requests$`)
	glJobsArtifacts = regexp.MustCompile(`^/gitlab/api/v4/projects/[^/]+/jobs/artifacts/([^/]+)/download$`)
)

func (f *forge) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	github := strings.HasPrefix(r.URL.Path, "/github/")
	if github && r.Header.Get("Authorization") != "Bearer ci-token" || !github && r.Header.Get("PRIVATE-TOKEN") != "ci-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	body := func() string {
		var in struct {
			Body *string `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == nil {
			return ""
		}
		return *in.Body
	}
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	comments := func(key string) {
		switch r.Method {
		case http.MethodGet:
			list := f.comments[key]
			if list == nil {
				list = []*forgeComment{}
			}
			reply(http.StatusOK, list)
		case http.MethodPost:
			b := body()
			if b == "" {
				http.Error(w, "no body", http.StatusBadRequest)
				return
			}
			f.nextID++
			c := &forgeComment{ID: f.nextID, Body: b}
			f.comments[key] = append(f.comments[key], c)
			reply(http.StatusCreated, c)
		default:
			http.Error(w, "method", http.StatusMethodNotAllowed)
		}
	}
	update := func(key string, id int) {
		for _, c := range f.comments[key] {
			if c.ID == id {
				if c.Body = body(); c.Body == "" {
					http.Error(w, "no body", http.StatusBadRequest)
					return
				}
				reply(http.StatusOK, c)
				return
			}
		}
		http.NotFound(w, r)
	}
	p := r.URL.Path
	switch {
	case ghComments.MatchString(p):
		comments("github/" + ghComments.FindStringSubmatch(p)[1])
	case ghComment.MatchString(p) && r.Method == http.MethodPatch:
		id, _ := strconv.Atoi(ghComment.FindStringSubmatch(p)[1])
		for key := range f.comments {
			if strings.HasPrefix(key, "github/") {
				for _, c := range f.comments[key] {
					if c.ID == id {
						update(key, id)
						return
					}
				}
			}
		}
		http.NotFound(w, r)
	case ghRuns.MatchString(p):
		q := r.URL.Query()
		type run struct {
			ID int `json:"id"`
		}
		out := []run{}
		for i := len(f.runs) - 1; i >= 0; i-- {
			x := f.runs[i]
			if x.HeadSHA == q.Get("head_sha") && (q.Get("event") == "" || x.Event == q.Get("event")) && (q.Get("status") != "success" || x.OK) {
				out = append(out, run{x.ID})
			}
		}
		reply(http.StatusOK, map[string]any{"total_count": len(out), "workflow_runs": out})
	case glNotes.MatchString(p):
		comments("gitlab/" + glNotes.FindStringSubmatch(p)[1])
	case glNote.MatchString(p) && r.Method == http.MethodPut:
		m := glNote.FindStringSubmatch(p)
		id, _ := strconv.Atoi(m[2])
		update("gitlab/"+m[1], id)
	case glCommitMRs.MatchString(p):
		sha := glCommitMRs.FindStringSubmatch(p)[1]
		out := []map[string]any{}
		if head, err := gitOut(f.jobDir, "rev-parse", sha+"^2"); err == nil {
			if branch, ok := f.mergeHeads[head]; ok {
				out = append(out, map[string]any{"state": "merged", "source_branch": branch, "merge_commit_sha": sha})
			}
		}
		reply(http.StatusOK, out)
	case glJobsArtifacts.MatchString(p):
		branch := glJobsArtifacts.FindStringSubmatch(p)[1]
		z, ok := f.glArtifacts[branch]
		if !ok || r.URL.Query().Get("job") != "slipway-plan" {
			http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Write(z)
	default:
		http.Error(w, "not a call the examples make: "+r.Method+" "+p, http.StatusNotFound)
	}
}

// gitOut runs git in dir and returns its trimmed output.
func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// ciJob is what the runner needs of one job, from either service.
type ciJob struct {
	dir  string // the checkout, the job's working directory
	home string
	log  *os.File
	env  map[string]string
}

// scriptCI is the script command
//
//	ci github|gitlab JOB KEY=VALUE...
//
// that runs one job of examples/ci's GitHub workflow or GitLab CI file for
// an event the KEY=VALUEs describe: event (pull_request, push,
// merge_request_event), pr (the pull or merge request's number), head
// (its branch) and base (its target branch). The job's output goes to
// $WORK/ci-SERVICE-JOB.log and what the service holds afterwards to
// $WORK/ci-comments/SERVICE-N.md (the one comment of request N). The
// command fails when the job fails, as the check would.
func scriptCI(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: ci github|gitlab JOB KEY=VALUE...")
	}
	service, job := args[0], args[1]
	ev := map[string]string{}
	for _, a := range args[2:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("ci: %q is not KEY=VALUE", a)
		}
		ev[k] = v
	}
	f := forgeFor(ts)
	logPath := ts.MkAbs(fmt.Sprintf("ci-%s-%s.log", service, job))
	logf, err := os.Create(logPath)
	ts.Check(err)
	defer logf.Close()
	f.mu.Lock()
	f.nextID++
	n := f.nextID
	f.mu.Unlock()
	j := &ciJob{dir: ts.MkAbs(fmt.Sprintf("ci/%d-%s", n, job)), log: logf}
	j.home = filepath.Join(j.dir + ".home")
	ts.Check(os.MkdirAll(j.dir, 0o755))
	ts.Check(os.MkdirAll(j.home, 0o755))
	// A runner's environment: what the script's commands need to be found
	// (slipway and its providers are on PATH), and nothing of the test's
	// own cluster settings: the job brings its credentials itself.
	j.env = map[string]string{
		"PATH":                    ts.Getenv("PATH"),
		"SLIPWAY_PROVIDER_PATH":   ts.Getenv("SLIPWAY_PROVIDER_PATH"),
		"HOME":                    j.home,
		"TMPDIR":                  ts.Getenv("TMPDIR"),
		"GIT_TERMINAL_PROMPT":     "0",
		"GIT_CONFIG_GLOBAL":       ts.Getenv("GIT_CONFIG_GLOBAL"),
		"SLIPWAY_CONCURRENCY_DIR": ts.Getenv("SLIPWAY_CONCURRENCY_DIR"),
	}
	var jobErr error
	switch service {
	case "github":
		jobErr = runGitHubJob(ts, f, j, job, n, ev)
	case "gitlab":
		jobErr = runGitLabJob(ts, f, j, job, ev)
	default:
		ts.Fatalf("ci: unknown service %q", service)
	}
	if jobErr != nil {
		fmt.Fprintf(logf, "\njob failed: %v\n", jobErr)
	} else {
		fmt.Fprintf(logf, "\njob succeeded\n")
	}
	// What the service shows afterwards: each request's comments.
	f.mu.Lock()
	for key, list := range f.comments {
		svc, num, _ := strings.Cut(key, "/")
		var b strings.Builder
		for i, c := range list {
			if i > 0 {
				b.WriteString("\n---- next comment ----\n")
			}
			b.WriteString(c.Body)
		}
		ts.Check(os.MkdirAll(ts.MkAbs("ci-comments"), 0o755))
		ts.Check(os.WriteFile(ts.MkAbs(fmt.Sprintf("ci-comments/%s-%s.md", svc, num)), []byte(b.String()), 0o644))
		ts.Check(os.WriteFile(ts.MkAbs(fmt.Sprintf("ci-comments/%s-%s.count", svc, num)), []byte(strconv.Itoa(len(list))+"\n"), 0o644))
	}
	f.mu.Unlock()
	if (jobErr != nil) != neg {
		out, _ := os.ReadFile(logPath)
		ts.Logf("%s", out)
		if neg {
			ts.Fatalf("ci %s %s succeeded, want failure", service, job)
		}
		ts.Fatalf("ci %s %s: %v", service, job, jobErr)
	}
}

// checkout clones the configuration repository ($CI_REPO_URL) at ref into
// dir, with origin pointing at it, as both services' checkouts do.
func (j *ciJob) checkout(ts *testscript.TestScript, dir, ref string) error {
	url := ts.Getenv("CI_REPO_URL")
	if url == "" {
		return fmt.Errorf("CI_REPO_URL is not set")
	}
	fmt.Fprintf(j.log, "== checkout %s at %s into %s\n", url, ref, dir)
	cmd := exec.Command("git", "clone", "-q", "--branch", ref, url, dir)
	cmd.Dir = j.dir
	cmd.Env = j.environ(nil)
	cmd.Stdout, cmd.Stderr = j.log, j.log
	return cmd.Run()
}

func (j *ciJob) environ(extra map[string]string) []string {
	m := map[string]string{}
	for k, v := range j.env {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	var out []string
	for k, v := range m {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	return out
}

// shell runs a script with bash and the given options, in the checkout.
func (j *ciJob) shell(name, script string, env map[string]string, opts ...string) error {
	fmt.Fprintf(j.log, "== %s\n", name)
	f, err := os.CreateTemp(j.home, "step-*.sh")
	if err != nil {
		return err
	}
	f.WriteString(script)
	f.Close()
	cmd := exec.Command("bash", append(append([]string{"--noprofile", "--norc"}, opts...), f.Name())...)
	cmd.Dir = j.dir
	cmd.Env = j.environ(env)
	cmd.Stdout, cmd.Stderr = j.log, j.log
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return fmt.Errorf("step %q exited %d", name, ee.ExitCode())
		}
		return fmt.Errorf("step %q: %w", name, err)
	}
	return nil
}

// installsSlipway reports whether a step or line installs slipway: the
// runner skips it, since the slipway under test is already on PATH.
func installsSlipway(s string) bool {
	return strings.Contains(s, "go install slipway.dev/slipway/cmd/slipway@")
}

// ghWorkflow is the part of a GitHub Actions workflow the runner reads.
type ghWorkflow struct {
	Env  map[string]string `json:"env"`
	Jobs map[string]struct {
		If    string            `json:"if"`
		Env   map[string]string `json:"env"`
		Steps []struct {
			ID   string            `json:"id"`
			Name string            `json:"name"`
			Uses string            `json:"uses"`
			With map[string]string `json:"with"`
			Env  map[string]string `json:"env"`
			Run  string            `json:"run"`
		} `json:"steps"`
	} `json:"jobs"`
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func runGitHubJob(ts *testscript.TestScript, f *forge, j *ciJob, job string, runID int, ev map[string]string) error {
	data, err := os.ReadFile(filepath.Join(ciExamplesDir, "github-actions.yml"))
	if err != nil {
		return err
	}
	var wf ghWorkflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		return fmt.Errorf("github-actions.yml: %w", err)
	}
	spec, ok := wf.Jobs[job]
	if !ok {
		return fmt.Errorf("github-actions.yml has no job %q", job)
	}
	kubeconfig, err := os.ReadFile(ts.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	outputs := map[string]map[string]string{}
	ctx := map[string]string{
		"github.event_name":                ev["event"],
		"github.event.pull_request.number": ev["pr"],
		"github.base_ref":                  ev["base"],
		"github.head_ref":                  ev["head"],
		"github.token":                     "ci-token",
		"secrets.KUBECONFIG_DATA":          string(kubeconfig),
	}
	var evalErr error
	eval := func(s string) string {
		return ghExpr.ReplaceAllStringFunc(s, func(m string) string {
			e := ghExpr.FindStringSubmatch(m)[1]
			if v, ok := ctx[e]; ok {
				return v
			}
			if parts := strings.Split(e, "."); len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs" {
				return outputs[parts[1]][parts[3]]
			}
			evalErr = fmt.Errorf("the runner does not know the expression %q", e)
			return ""
		})
	}
	if spec.If != "" {
		// An if is an expression, with or without ${{ }}.
		cond := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(spec.If), "${{"), "}}")
		run, err := ciCondition(cond, func(name string) (string, bool) { v, ok := ctx[name]; return v, ok })
		if err != nil || evalErr != nil {
			return fmt.Errorf("job if: %v%v", err, evalErr)
		}
		if !run {
			return fmt.Errorf("job %q does not run on event %q", job, ev["event"])
		}
	}
	ref := ev["head"]
	if ev["event"] == "push" {
		ref = ev["base"]
	}
	headSHA := ""
	run := &forgeRun{ID: runID, Event: ev["event"], Artifacts: map[string]string{}}
	f.mu.Lock()
	f.runs = append(f.runs, run)
	f.jobDir = j.dir
	f.mu.Unlock()
	for i, st := range spec.Steps {
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("step %d (%s)", i+1, st.Uses)
		}
		with := map[string]string{}
		for k, v := range st.With {
			with[k] = eval(v)
		}
		if evalErr != nil {
			return evalErr
		}
		switch {
		case strings.HasPrefix(st.Uses, "actions/checkout@"):
			r := ref
			if with["ref"] != "" {
				r = with["ref"]
			}
			dir := "."
			if with["path"] != "" {
				dir = with["path"]
			}
			if err := j.checkout(ts, dir, r); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if dir == "." {
				if headSHA, err = gitOut(j.dir, "rev-parse", "HEAD"); err != nil {
					return err
				}
				f.mu.Lock()
				run.HeadSHA = headSHA
				f.mu.Unlock()
			}
		case strings.HasPrefix(st.Uses, "actions/upload-artifact@"):
			store := filepath.Join(j.home, "artifacts", with["name"])
			found := 0
			for _, p := range strings.Fields(with["path"]) {
				b, err := os.ReadFile(filepath.Join(j.dir, p))
				if os.IsNotExist(err) {
					continue
				} else if err != nil {
					return err
				}
				found++
				os.MkdirAll(store, 0o755)
				if err := os.WriteFile(filepath.Join(store, filepath.Base(p)), b, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(j.log, "== %s: %d files uploaded as %s\n", name, found, with["name"])
			if found == 0 && with["if-no-files-found"] != "ignore" {
				return fmt.Errorf("%s: no files found", name)
			}
			f.mu.Lock()
			run.Artifacts[with["name"]] = store
			f.mu.Unlock()
		case strings.HasPrefix(st.Uses, "actions/download-artifact@"):
			id, _ := strconv.Atoi(with["run-id"])
			var store string
			f.mu.Lock()
			for _, x := range f.runs {
				if x.ID == id {
					store = x.Artifacts[with["name"]]
				}
			}
			f.mu.Unlock()
			if store == "" {
				return fmt.Errorf("%s: run %q has no artifact %q", name, with["run-id"], with["name"])
			}
			entries, err := os.ReadDir(store)
			if err != nil {
				return err
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(store, e.Name()))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(j.dir, e.Name()), b, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(j.log, "== %s: %d files from run %d\n", name, len(entries), id)
		case st.Uses != "":
			return fmt.Errorf("%s: the runner does not know the action %q", name, st.Uses)
		case installsSlipway(st.Run):
			fmt.Fprintf(j.log, "== %s: skipped, the slipway under test is on PATH\n", name)
		default:
			env := map[string]string{
				"GITHUB_ACTIONS":    "true",
				"CI":                "true",
				"GITHUB_API_URL":    f.srv.URL + "/github",
				"GITHUB_REPOSITORY": "acme/config",
				"GITHUB_EVENT_NAME": ev["event"],
				"GITHUB_SHA":        headSHA,
				"GITHUB_OUTPUT":     filepath.Join(j.home, fmt.Sprintf("output-%d", i)),
			}
			for _, m := range []map[string]string{wf.Env, spec.Env, st.Env} {
				for k, v := range m {
					env[k] = eval(v)
				}
			}
			script := eval(st.Run)
			if evalErr != nil {
				return evalErr
			}
			if err := j.shell(name, script, env, "-eo", "pipefail"); err != nil {
				return err
			}
			if st.ID != "" {
				outputs[st.ID] = readGitHubOutput(env["GITHUB_OUTPUT"])
			}
		}
	}
	f.mu.Lock()
	run.OK = true
	f.mu.Unlock()
	return nil
}

// readGitHubOutput reads a step's NAME=VALUE outputs.
func readGitHubOutput(path string) map[string]string {
	out := map[string]string{}
	b, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// ciCondition evaluates the conditions the examples use: A == B, where A
// and B are 'quoted', "quoted", $VARIABLES (GitLab's rules) or context
// names (GitHub's github.event_name), looked up with lookup.
func ciCondition(s string, lookup func(string) (string, bool)) (bool, error) {
	l, r, ok := strings.Cut(s, "==")
	if !ok {
		return false, fmt.Errorf("the runner does not know the condition %q", s)
	}
	val := func(x string) (string, error) {
		x = strings.TrimSpace(x)
		switch {
		case len(x) >= 2 && (x[0] == '\'' || x[0] == '"') && x[len(x)-1] == x[0]:
			return x[1 : len(x)-1], nil
		case strings.HasPrefix(x, "$"):
			v, _ := lookup(x[1:])
			return v, nil
		}
		if v, ok := lookup(x); ok {
			return v, nil
		}
		return "", fmt.Errorf("the runner does not know the operand %q in %q", x, s)
	}
	a, err := val(l)
	if err != nil {
		return false, err
	}
	b, err := val(r)
	return a == b, err
}

// glFile is a GitLab CI file: jobs and hidden templates by name.
type glJob struct {
	Extends      any               `json:"extends"`
	Stage        string            `json:"stage"`
	Image        string            `json:"image"`
	Rules        []map[string]any  `json:"rules"`
	Variables    map[string]string `json:"variables"`
	BeforeScript []string          `json:"before_script"`
	Script       []string          `json:"script"`
	Artifacts    *struct {
		When  string   `json:"when"`
		Paths []string `json:"paths"`
	} `json:"artifacts"`
}

func runGitLabJob(ts *testscript.TestScript, f *forge, j *ciJob, job string, ev map[string]string) error {
	data, err := os.ReadFile(filepath.Join(ciExamplesDir, "gitlab-ci.yml"))
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("gitlab-ci.yml: %w", err)
	}
	var globals map[string]string
	if v, ok := raw["variables"]; ok {
		if err := json.Unmarshal(v, &globals); err != nil {
			return err
		}
	}
	get := func(name string) (glJob, error) {
		var out glJob
		v, ok := raw[name]
		if !ok {
			return out, fmt.Errorf("gitlab-ci.yml has no job %q", name)
		}
		return out, json.Unmarshal(v, &out)
	}
	spec, err := get(job)
	if err != nil {
		return err
	}
	// extends: a template's keys, overridden by the job's own.
	if name, ok := spec.Extends.(string); ok {
		base, err := get(name)
		if err != nil {
			return err
		}
		if spec.BeforeScript == nil {
			spec.BeforeScript = base.BeforeScript
		}
		if spec.Script == nil {
			spec.Script = base.Script
		}
		if spec.Artifacts == nil {
			spec.Artifacts = base.Artifacts
		}
		if spec.Rules == nil {
			spec.Rules = base.Rules
		}
	} else if spec.Extends != nil {
		return fmt.Errorf("the runner knows extends of one template only")
	}
	kubeconfig := ts.Getenv("KUBECONFIG")
	mr := ev["event"] == "merge_request_event"
	ref := ev["base"]
	if mr {
		ref = ev["head"]
	}
	if err := j.checkout(ts, ".", ref); err != nil {
		return err
	}
	sha, err := gitOut(j.dir, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	vars := map[string]string{
		"CI":                 "true",
		"GITLAB_CI":          "true",
		"CI_PIPELINE_SOURCE": ev["event"],
		"CI_DEFAULT_BRANCH":  "main",
		"CI_COMMIT_SHA":      sha,
		"CI_API_V4_URL":      f.srv.URL + "/gitlab/api/v4",
		"CI_PROJECT_ID":      "42",
		"SLIPWAY_API_TOKEN":  "ci-token",
		// A file variable: the variable holds the path of a file.
		"KUBECONFIG": kubeconfig,
	}
	if mr {
		vars["CI_MERGE_REQUEST_IID"] = ev["pr"]
		vars["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = ev["base"]
		vars["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] = ev["head"]
	} else {
		vars["CI_COMMIT_BRANCH"] = ev["base"]
	}
	for k, v := range globals {
		vars[k] = v
	}
	for k, v := range spec.Variables {
		vars[k] = v
	}
	run := false
	for _, rule := range spec.Rules {
		cond, _ := rule["if"].(string)
		ok, err := ciCondition(cond, func(name string) (string, bool) { v, ok := vars[name]; return v, ok })
		if err != nil {
			return err
		}
		if ok {
			run = true
			break
		}
	}
	if len(spec.Rules) > 0 && !run {
		return fmt.Errorf("job %q does not run for this pipeline", job)
	}
	f.mu.Lock()
	f.jobDir = j.dir
	f.mu.Unlock()
	var script strings.Builder
	for _, line := range append(append([]string{}, spec.BeforeScript...), spec.Script...) {
		if installsSlipway(line) {
			fmt.Fprintf(j.log, "== skipped %q: the slipway under test is on PATH\n", line)
			continue
		}
		script.WriteString(line)
		script.WriteString("\n")
	}
	jobErr := j.shell(job, script.String(), vars, "-eo", "pipefail")
	if spec.Artifacts != nil && (jobErr == nil || spec.Artifacts.When == "always") && mr {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		n := 0
		for _, p := range spec.Artifacts.Paths {
			src, err := os.Open(filepath.Join(j.dir, p))
			if os.IsNotExist(err) {
				continue
			} else if err != nil {
				return err
			}
			w, err := zw.Create(p)
			if err == nil {
				_, err = io.Copy(w, src)
			}
			src.Close()
			if err != nil {
				return err
			}
			n++
		}
		if err := zw.Close(); err != nil {
			return err
		}
		fmt.Fprintf(j.log, "== artifacts: %d files kept\n", n)
		f.mu.Lock()
		f.glArtifacts[ev["head"]] = buf.Bytes()
		f.mergeHeads[sha] = ev["head"]
		f.mu.Unlock()
	}
	return jobErr
}
