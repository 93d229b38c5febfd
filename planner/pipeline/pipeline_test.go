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

package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/pipeline/runner"
)

const workspace = "/repo/.slipway/pipelines/app/workspace"

// pipe is a pipeline block reading source.git.app, with body inside it.
func pipe(body string) string {
	return "pipeline \"app\" {\n  source = source.git.app\n" + body + "\n}\n"
}

// baseScope has the app's source on main at commitA and a GitOps
// repository on main at commitG.
func baseScope() scope {
	return scope{Sources: map[string]cty.Value{
		"git.app":    gitSource("app", "main", commitA),
		"git.gitops": gitSource("gitops", "main", commitG),
	}}
}

// decode decodes the only block of src as pipeline.app.
func decode(t *testing.T, src string, sc scope, images map[string]cty.Value) (*pipelineSpec, []string) {
	t.Helper()
	rc := loadBlock(t, src)
	ps, diags := decodePipeline(rc, rc.Addr.Instance(addrs.NoKey), sc.EvalContext(), workspace, images)
	if diags.HasErrors() && ps != nil {
		t.Errorf("decodePipeline returned a spec with errors: %s", diags.Error())
	}
	return ps, summaries(diags)
}

var specOpts = cmp.Options{
	ctyCmp,
	cmp.AllowUnexported(stageSpec{}, imageSpec{}, promoteSpec{}, runner.Retry{}),
	cmpopts.IgnoreFields(stageSpec{}, "decl"),
	cmpopts.IgnoreFields(imageSpec{}, "decl"),
	cmpopts.IgnoreFields(promoteSpec{}, "decl", "body"),
	cmpopts.EquateEmpty(),
}

// pick returns some entries of a configuration.
func pick(cfg map[string]cty.Value, names ...string) map[string]cty.Value {
	out := map[string]cty.Value{}
	for _, n := range names {
		if v, ok := cfg[n]; ok {
			out[n] = v
		}
	}
	return out
}

// pushed is an image's value once pushed.
func pushed(repo, tag, digest string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"repository": cty.StringVal(repo), "tag": cty.StringVal(tag), "tags": cty.ListVal([]cty.Value{cty.StringVal(tag)}),
		"digest": cty.StringVal(digest), "ref": cty.StringVal(repo + "@" + digest), "image": cty.StringVal(repo + ":" + tag),
	})
}

const gitopsURL = "https://git.example.com/gitops.git"

func TestDecodePipeline(t *testing.T) {
	t.Parallel()
	gitops := addrs.Resource{Kind: addrs.Source, Type: "git", Name: "gitops"}
	// promoteCfg is what every promote to source.git.gitops sets.
	promoteCfg := func(extra map[string]cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{
			builtin.PromoteURL: cty.StringVal(gitopsURL), builtin.PromoteBranch: cty.StringVal("main"),
			builtin.PromoteBaseCommit: cty.StringVal(commitG), builtin.PromotePath: cty.StringVal("apps/app"),
			builtin.PromoteMessage: cty.StringVal("promote"),
		}
		maps.Copy(m, extra)
		return m
	}
	const image = `
  image "app" {
    repository = "registry.example.com/me/app"
    tags       = ["v1", "latest"]
  }
`
	tests := map[string]struct {
		src    string
		sc     scope // baseScope when zero
		images map[string]cty.Value
		get    func(ps *pipelineSpec) any
		want   any
	}{
		"a stage's commands, env, dir and timeout": {
			src: pipe(`
  stage "test" {
    run     = ["go vet ./...", "go test ./..."]
    env     = { CGO_ENABLED = "0" }
    dir     = "cmd/server"
    timeout = "5m"
  }`),
			get: func(ps *pipelineSpec) any { return ps.stages },
			want: []*stageSpec{{
				name: "test", run: []string{"go vet ./...", "go test ./..."}, env: map[string]string{"CGO_ENABLED": "0"},
				dir: "cmd/server", timeout: 5 * time.Minute, when: true,
			}},
		},
		"one string is one command": {
			src:  pipe(`stage "test" { run = "go test ./..." }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].run },
			want: []string{"go test ./..."},
		},
		"a stage's dir is cleaned": {
			src: pipe(`stage "test" {
    run = ["true"]
    dir = "./cmd/../cmd/server/"
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].dir },
			want: "cmd/server",
		},
		"a stage's retry": {
			src: pipe(`stage "test" {
    run = ["true"]
    retry { limit = 2 }
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].retry },
			want: runner.Retry{Limit: 2, Factor: 1},
		},
		"an approval asks its message": {
			src: pipe(`
  stage "ship" {
    approval { message = "Ship ${source.git.app.short_commit}?" }
  }`),
			get: func(ps *pipelineSpec) any {
				return []any{ps.stages[0].approval, ps.stages[0].message, ps.stages[0].run}
			},
			want: []any{true, "Ship 1a2b3c4?", []string(nil)},
		},
		"an approval without a message asks for the stage": {
			src: pipe(`
  stage "ship" {
    approval {}
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].message },
			want: "Approve stage ship?",
		},
		"stages keep the order they are written in": {
			src: pipe(`
  stage "b" { run = ["true"] }
  stage "a" { run = ["true"] }
  stage "c" { run = ["true"] }`),
			get: func(ps *pipelineSpec) any {
				var names []string
				for _, st := range ps.stages {
					names = append(names, st.name)
				}
				return names
			},
			want: []string{"b", "a", "c"},
		},
		"a stage's when that does not hold skips only the stage": {
			src: pipe(`
  stage "test" { run = ["true"] }
  stage "deploy" {
    run = ["true"]
    when { branch = "release/*" }
  }`),
			get: func(ps *pipelineSpec) any {
				return []any{ps.run, ps.stages[0].when, ps.stages[1].when, ps.stages[1].whenWhy}
			},
			want: []any{true, true, false, `branch "main" does not match when.branch "release/*"`},
		},
		"a pipeline's when that does not hold skips the pipeline": {
			src: pipe(`
  when { branch = "release/*" }
  stage "test" { run = ["true"] }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.run, ps.skipWhy} },
			want: []any{false, `branch "main" does not match when.branch "release/*"`},
		},
		"the pipeline's env": {
			src: pipe(`
  env = { GOFLAGS = "-mod=mod", COMMIT = source.git.app.commit }
  stage "test" { run = ["true"] }`),
			get:  func(ps *pipelineSpec) any { return ps.env },
			want: map[string]string{"GOFLAGS": "-mod=mod", "COMMIT": commitA},
		},
		"a concurrency group runs one at a time by default": {
			src: pipe(`
  concurrency { group = "deploy-prod" }
  stage "test" { run = ["true"] }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.group, ps.limit} },
			want: []any{"deploy-prod", 1},
		},
		"a concurrency limit": {
			src: pipe(`
  concurrency {
    group = "deploy-prod"
    limit = 3
  }
  stage "test" { run = ["true"] }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.group, ps.limit} },
			want: []any{"deploy-prod", 3},
		},
		"no concurrency block, no group": {
			src:  pipe(`stage "test" { run = ["true"] }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.group, ps.limit} },
			want: []any{"", 0},
		},
		"an image with one tag": {
			src: pipe(`
  image "app" {
    repository = "registry.example.com/me/app"
    tag        = source.git.app.short_commit
  }`),
			get: func(ps *pipelineSpec) any {
				im := ps.images[0]
				return []any{im.name, im.repo, im.tags, pick(im.config, builtin.ImageRepository, builtin.ImageTags)}
			},
			want: []any{"app", "registry.example.com/me/app", []string{"1a2b3c4"}, map[string]cty.Value{
				builtin.ImageRepository: cty.StringVal("registry.example.com/me/app"),
				builtin.ImageTags:       cty.ListVal([]cty.Value{cty.StringVal("1a2b3c4")}),
			}},
		},
		"an image with several tags": {
			src: pipe(image),
			get: func(ps *pipelineSpec) any {
				return []any{ps.images[0].tags, ps.images[0].config[builtin.ImageTags]}
			},
			want: []any{[]string{"v1", "latest"}, cty.ListVal([]cty.Value{cty.StringVal("v1"), cty.StringVal("latest")})},
		},
		"an image's base is scratch by default": {
			src:  pipe(image),
			get:  func(ps *pipelineSpec) any { return ps.images[0].config[builtin.ImageBase] },
			want: cty.StringVal("scratch"),
		},
		"an image's settings are lowered to the registry's attributes": {
			src: pipe(`
  image "app" {
    repository = "registry.example.com/me/app"
    tag        = "v1"
    base       = "alpine:3"
    platform   = "linux/arm64"
    files      = { "/app" = "out/app" }
    entrypoint = ["/app"]
    cmd        = ["serve"]
    env        = { PORT = "8080" }
    labels     = { team = "me" }
    user       = "1000"
    workdir    = "/srv"
  }`),
			get: func(ps *pipelineSpec) any {
				c := ps.images[0].config
				return pick(c, builtin.ImageBase, builtin.ImagePlatform, builtin.ImageFiles, builtin.ImageEntrypoint,
					builtin.ImageCmd, builtin.ImageEnv, builtin.ImageLabels, builtin.ImageUser, builtin.ImageWorkdir)
			},
			want: map[string]cty.Value{
				builtin.ImageBase: cty.StringVal("alpine:3"), builtin.ImagePlatform: cty.StringVal("linux/arm64"),
				builtin.ImageFiles:      cty.ObjectVal(map[string]cty.Value{"/app": cty.StringVal("out/app")}),
				builtin.ImageEntrypoint: cty.TupleVal([]cty.Value{cty.StringVal("/app")}),
				builtin.ImageCmd:        cty.TupleVal([]cty.Value{cty.StringVal("serve")}),
				builtin.ImageEnv:        cty.ObjectVal(map[string]cty.Value{"PORT": cty.StringVal("8080")}),
				builtin.ImageLabels:     cty.ObjectVal(map[string]cty.Value{"team": cty.StringVal("me")}),
				builtin.ImageUser:       cty.StringVal("1000"), builtin.ImageWorkdir: cty.StringVal("/srv"),
			},
		},
		"a promote of an image writes its first tag": {
			src: pipe(image + `
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
  }`),
			get: func(ps *pipelineSpec) any { return ps.promotes },
			want: []*promoteSpec{{
				index: 0, source: gitops, movesSource: true, repo: gitopsURL,
				config: promoteCfg(map[string]cty.Value{
					builtin.PromoteImage: cty.StringVal("registry.example.com/me/app"), builtin.PromoteNewTag: cty.StringVal("v1"),
				}),
			}},
		},
		"a promote pinned by digest writes the pushed digest too": {
			src: pipe(image + `
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
    pin   = "digest"
  }`),
			images: map[string]cty.Value{"app": pushed("registry.example.com/me/app", "v1", "sha256:0123")},
			get:    func(ps *pipelineSpec) any { return ps.promotes[0].config },
			want: promoteCfg(map[string]cty.Value{
				builtin.PromoteImage: cty.StringVal("registry.example.com/me/app"), builtin.PromoteNewTag: cty.StringVal("v1"),
				builtin.PromoteDigest: cty.StringVal("sha256:0123"),
			}),
		},
		"a digest is not known before the image is pushed": {
			src: pipe(image + `
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
    pin   = "digest"
  }`),
			get:  func(ps *pipelineSpec) any { return ps.promotes[0].config[builtin.PromoteDigest] },
			want: cty.UnknownVal(cty.String),
		},
		"a promote of a YAML value": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo      = source.git.gitops
    path      = "apps/app/values.yaml"
    yaml_path = "image.tag"
    value     = source.git.app.short_commit
  }`),
			get: func(ps *pipelineSpec) any { return ps.promotes[0].config },
			want: promoteCfg(map[string]cty.Value{
				builtin.PromotePath:     cty.StringVal("apps/app/values.yaml"),
				builtin.PromoteYAMLPath: cty.StringVal("image.tag"), builtin.PromoteValue: cty.StringVal("1a2b3c4"),
			}),
		},
		"a promote of a whole file": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "apps/app/VERSION"
    content = "v2\n"
  }`),
			get: func(ps *pipelineSpec) any { return ps.promotes[0].config },
			want: promoteCfg(map[string]cty.Value{
				builtin.PromotePath: cty.StringVal("apps/app/VERSION"), builtin.PromoteContent: cty.StringVal("v2\n"),
			}),
		},
		"a promote's own branch and message win": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "apps/app"
    branch  = "staging"
    message = "bump ${self.name}"
    content = "x"
  }`),
			get: func(ps *pipelineSpec) any {
				return pick(ps.promotes[0].config, builtin.PromoteBranch, builtin.PromoteMessage)
			},
			want: map[string]cty.Value{builtin.PromoteBranch: cty.StringVal("staging"), builtin.PromoteMessage: cty.StringVal("bump app")},
		},
		"a promote takes the branch of a source that only resolved to it": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "apps/app"
    content = "x"
  }`),
			sc: scope{Sources: map[string]cty.Value{
				"git.app":    gitSource("app", "main", commitA),
				"git.gitops": withAttr(withAttr(gitSource("gitops", "", commitG), builtin.SourceRef, cty.StringVal("refs/heads/trunk")), builtin.SourceBranch, cty.NullVal(cty.String)),
			}},
			get:  func(ps *pipelineSpec) any { return ps.promotes[0].config[builtin.PromoteBranch] },
			want: cty.StringVal("trunk"),
		},
		"a promote to a repository that is no source reference writes no source": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = { url = "https://git.example.com/other.git", branch = "main" }
    path    = "apps/app"
    content = "x"
  }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.promotes[0].source, ps.promotes[0].repo} },
			want: []any{addrs.Resource{}, "https://git.example.com/other.git"},
		},
		"promotes are numbered in order": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "a"
    content = "x"
  }
  promote {
    repo    = source.git.gitops
    path    = "b"
    content = "x"
  }`),
			get: func(ps *pipelineSpec) any {
				var out []string
				for _, pr := range ps.promotes {
					out = append(out, fmt.Sprintf("%d %s", pr.index, pr.config[builtin.PromotePath].AsString()))
				}
				return out
			},
			want: []string{"0 a", "1 b"},
		},
		"post commands": {
			src: pipe(`
  stage "test" { run = ["true"] }
  post {
    success = "echo ok"
    failure = ["echo failed", "notify"]
    always  = ["rm -rf tmp"]
  }`),
			get:  func(ps *pipelineSpec) any { return [][]string{ps.post.success, ps.post.failure, ps.post.always} },
			want: [][]string{{"echo ok"}, {"echo failed", "notify"}, {"rm -rf tmp"}},
		},
		"sensitive variables' values are masked, longest first": {
			src: pipe(`stage "test" { run = ["deploy --token ${var.token}"] }`),
			sc: scope{
				Sources: baseScope().Sources,
				Vars: map[string]cty.Value{
					"token":  cty.StringVal("tok-123").Mark(kind.SensitiveMark),
					"creds":  cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal("deployer"), "pin": cty.StringVal("42")}).Mark(kind.SensitiveMark),
					"region": cty.StringVal("eu-west-1"),
				},
			},
			get:  func(ps *pipelineSpec) any { return ps.masks },
			want: []string{"deployer", "tok-123"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := tc.sc
			if sc.Sources == nil {
				sc = baseScope()
			}
			ps, errs := decode(t, tc.src, sc, tc.images)
			if ps == nil {
				t.Fatalf("decodePipeline failed: %v", errs)
			}
			if diff := cmp.Diff(tc.want, tc.get(ps), specOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodePipelineErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		sc   scope // baseScope when zero
		want []string
	}{
		"an image with both tag and tags": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tag        = "v1"
    tags       = ["v1", "latest"]
  }`),
			want: []string{"Conflicting image tags"},
		},
		"an image without a tag": {
			src:  pipe(`image "app" { repository = "r/app" }`),
			want: []string{"Image without a tag"},
		},
		"an image with an empty list of tags": {
			src: pipe(`image "app" {
    repository = "r/app"
    tags = []
  }`),
			want: []string{"Image without a tag"},
		},
		"an image declared twice": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tag = "v1"
  }
  image "app" {
    repository = "r/app"
    tag = "v2"
  }`),
			want: []string{"Duplicate image"},
		},
		"a promote of an image and a whole file": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tag = "v1"
  }
  promote {
    repo    = source.git.gitops
    path    = "apps/app"
    image   = image.app
    content = "x"
  }`),
			want: []string{"Invalid promote"},
		},
		"a promote of a YAML value and a whole file": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo      = source.git.gitops
    path      = "apps/app"
    yaml_path = "image.tag"
    value     = "v1"
    content   = "x"
  }`),
			want: []string{"Invalid promote"},
		},
		"a promote that sets nothing": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo = source.git.gitops
    path = "apps/app"
  }`),
			want: []string{"Invalid promote"},
		},
		"a promote pinned to neither tag nor digest": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tag = "v1"
  }
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
    pin   = "sha"
  }`),
			want: []string{"Invalid promote pin"},
		},
		"a promote of something that is no image": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = 3
  }`),
			want: []string{"Invalid promote image"},
		},
		"a promote to a repository not known at plan time": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "apps/app"
    content = "x"
  }`),
			sc: scope{Sources: map[string]cty.Value{
				"git.app": gitSource("app", "main", commitA), "git.gitops": cty.DynamicVal,
			}},
			want: []string{"Promote repository not known"},
		},
		"a promote to a plain string": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = "https://git.example.com/gitops.git"
    path    = "apps/app"
    content = "x"
  }`),
			want: []string{"Invalid promote repository"},
		},
		"a promote to a source that follows no branch": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = source.git.gitops
    path    = "apps/app"
    content = "x"
  }`),
			sc: scope{Sources: map[string]cty.Value{
				"git.app":    gitSource("app", "main", commitA),
				"git.gitops": withAttr(gitSource("gitops", "", commitG), builtin.SourceTag, cty.StringVal("v1")),
			}},
			want: []string{"Promote branch unknown"},
		},
		"a stage declared twice": {
			src: pipe(`
  stage "test" { run = ["true"] }
  stage "test" { run = ["false"] }`),
			want: []string{"Duplicate stage"},
		},
		"a stage with nothing to do": {
			src:  pipe(`stage "test" {}`),
			want: []string{"Empty stage"},
		},
		"a stage dir outside the workspace": {
			src: pipe(`stage "test" {
    run = ["true"]
    dir = "cmd/../../etc"
  }`),
			want: []string{"Invalid stage dir"},
		},
		"an absolute stage dir": {
			src: pipe(`stage "test" {
    run = ["true"]
    dir = "/etc"
  }`),
			want: []string{"Invalid stage dir"},
		},
		"a timeout that is no duration": {
			src: pipe(`stage "test" {
    run = ["true"]
    timeout = "soon"
  }`),
			want: []string{"Invalid timeout"},
		},
		"an env that is no map of strings": {
			src: pipe(`stage "test" {
    run = ["true"]
    env = ["A=1"]
  }`),
			want: []string{"Invalid env"},
		},
		"a pipeline with nothing to do": {
			src:  pipe(``),
			want: []string{"Empty pipeline"},
		},
		"an empty concurrency group": {
			src: pipe(`
  concurrency { group = "" }
  stage "test" { run = ["true"] }`),
			want: []string{"Invalid concurrency group"},
		},
		"a concurrency limit of zero": {
			src: pipe(`
  concurrency {
    group = "deploy"
    limit = 0
  }
  stage "test" { run = ["true"] }`),
			want: []string{"Invalid concurrency limit"},
		},
		"a misspelt argument": {
			src: `pipeline "app" {
  sorce = source.git.app
  stage "test" { run = ["true"] }
}`,
			want: []string{"Unsupported argument"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := tc.sc
			if sc.Sources == nil {
				sc = baseScope()
			}
			ps, got := decode(t, tc.src, sc, nil)
			if ps != nil {
				t.Errorf("decodePipeline returned a spec for a pipeline with errors")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalWhen(t *testing.T) {
	t.Parallel()
	onMain := gitSource("app", "main", commitA)
	type result struct {
		Run    bool
		Why    string
		Errors []string
	}
	tests := map[string]struct {
		when   string // the when condition of the pipeline
		source cty.Value
		vars   map[string]cty.Value
		want   result
	}{
		"no condition": {
			when: ``, source: onMain,
			want: result{Run: true},
		},
		"a branch glob that matches": {
			when: `when { branch = "release/*" }`, source: gitSource("app", "release/1.2", commitA),
			want: result{Run: true},
		},
		"a branch glob that does not match": {
			when: `when { branch = "release/*" }`, source: onMain,
			want: result{Why: `branch "main" does not match when.branch "release/*"`},
		},
		"the branch a source resolved its ref to": {
			when:   `when { branch = "trunk" }`,
			source: withAttr(withAttr(onMain, "branch", cty.NullVal(cty.String)), "ref", cty.StringVal("refs/heads/trunk")),
			want:   result{Run: true},
		},
		"a tag glob that matches": {
			when: `when { tag = "v*" }`, source: withAttr(gitSource("app", "", commitA), "tag", cty.StringVal("v1.4.0")),
			want: result{Run: true},
		},
		"the tag a source resolved its ref to": {
			when: `when { tag = "v1.*" }`, source: withAttr(gitSource("app", "", commitA), "ref", cty.StringVal("refs/tags/v1.4.0")),
			want: result{Run: true},
		},
		"a tag glob on a source that follows a branch": {
			when: `when { tag = "v*" }`, source: onMain,
			want: result{Why: `its source has no tag, and when.tag is "v*"`},
		},
		"an expression that holds": {
			when: `when { expression = var.deploy }`, source: onMain, vars: map[string]cty.Value{"deploy": cty.True},
			want: result{Run: true},
		},
		"an expression that does not hold": {
			when: `when { expression = var.deploy }`, source: onMain, vars: map[string]cty.Value{"deploy": cty.False},
			want: result{Why: "its when.expression is false"},
		},
		"every setting must hold": {
			when: `when {
    branch     = "main"
    expression = var.deploy
  }`,
			source: onMain, vars: map[string]cty.Value{"deploy": cty.False},
			want: result{Why: "its when.expression is false"},
		},
		"an expression known only at apply runs": {
			when: `when { expression = var.deploy }`, source: onMain, vars: map[string]cty.Value{"deploy": cty.UnknownVal(cty.Bool)},
			want: result{Run: true},
		},
		"when as an attribute that holds": {
			when: `when = source.git.app.branch == "main"`, source: onMain,
			want: result{Run: true},
		},
		"when as an attribute that does not hold": {
			when: `when = var.deploy`, source: onMain, vars: map[string]cty.Value{"deploy": cty.False},
			want: result{Why: "its when condition is false"},
		},
		"when as an attribute known only at apply": {
			when: `when = var.deploy`, source: onMain, vars: map[string]cty.Value{"deploy": cty.UnknownVal(cty.Bool)},
			want: result{Run: true},
		},
		"when as an attribute that is no bool": {
			when: `when = "yes"`, source: onMain,
			want: result{Errors: []string{"Invalid when"}},
		},
		"two when blocks": {
			when: `when { branch = "main" }
  when { tag = "v*" }`,
			source: onMain,
			want:   result{Errors: []string{"Duplicate when block"}},
		},
		"a glob that does not parse": {
			when: `when { branch = "release/[" }`, source: onMain,
			want: result{Errors: []string{"Invalid when condition"}},
		},
		"a misspelt setting": {
			when: `when { brnch = "main" }`, source: onMain,
			want: result{Errors: []string{"Unsupported argument"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, pipe(tc.when+"\n  stage \"test\" { run = [\"true\"] }"))
			ctx := scope{Sources: map[string]cty.Value{"git.app": tc.source}, Vars: tc.vars}.EvalContext()
			var pb pipelineBlock
			if diags := gohcl.DecodeBody(rc.Config, ctx, &pb); diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ok, why, diags := evalWhen(pb.Rest, ctx, tc.source, rc.DeclRange, pipelineSiblings)
			got := result{Run: ok, Why: why, Errors: summaries(diags)}
			if len(got.Errors) > 0 {
				got.Why = "" // no reason to skip with errors to fix
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("evalWhen (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRetry(t *testing.T) {
	t.Parallel()
	str, num := cty.StringVal, cty.NumberFloatVal
	null := cty.NullVal(cty.DynamicPseudoType)
	type result struct {
		Retry  runner.Retry
		Errors []string
	}
	tests := map[string]struct {
		in   pipeRetry
		want result
	}{
		"an empty block retries once, at once": {
			in:   pipeRetry{Limit: null, Backoff: null, Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}},
		},
		"every setting": {
			in:   pipeRetry{Limit: num(3), Backoff: str("2s"), Factor: num(1.5), MaxBackoff: str("1m")},
			want: result{Retry: runner.Retry{Limit: 3, Backoff: 2 * time.Second, Factor: 1.5, MaxBackoff: time.Minute}},
		},
		"a limit of zero does not retry": {
			in:   pipeRetry{Limit: num(0), Backoff: null, Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 0, Factor: 1}},
		},
		"numbers written as strings": {
			in:   pipeRetry{Limit: str("2"), Backoff: null, Factor: str("2"), MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 2, Factor: 2}},
		},
		"a fractional limit": {
			in:   pipeRetry{Limit: num(2.5), Backoff: null, Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Factor: 1}, Errors: []string{"Invalid retry.limit"}},
		},
		"a negative limit": {
			in:   pipeRetry{Limit: num(-1), Backoff: null, Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Factor: 1}, Errors: []string{"Invalid retry.limit"}},
		},
		"a backoff that is no duration": {
			in:   pipeRetry{Limit: null, Backoff: str("soon"), Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}, Errors: []string{"Invalid retry.backoff"}},
		},
		"a negative backoff": {
			in:   pipeRetry{Limit: null, Backoff: str("-5s"), Factor: null, MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}, Errors: []string{"Invalid retry.backoff"}},
		},
		"a factor that is no number": {
			in:   pipeRetry{Limit: null, Backoff: null, Factor: str("double"), MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}, Errors: []string{"Invalid retry factor"}},
		},
		"a factor known only at apply": {
			in:   pipeRetry{Limit: null, Backoff: null, Factor: cty.UnknownVal(cty.Number), MaxBackoff: null},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}, Errors: []string{"Invalid retry factor"}},
		},
		"a max_backoff that is no duration": {
			in:   pipeRetry{Limit: null, Backoff: null, Factor: null, MaxBackoff: str("1 minute")},
			want: result{Retry: runner.Retry{Limit: 1, Factor: 1}, Errors: []string{"Invalid retry.max_backoff"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			r, diags := decodeRetry(&in)
			got := result{Retry: r, Errors: summaries(diags)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decodeRetry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHashOf(t *testing.T) {
	t.Parallel()
	// wide has enough keys that two iterations in the same order by
	// chance are unlikely.
	wide := func(order []int) (map[string]string, map[string]cty.Value) {
		ms, mv := map[string]string{}, map[string]cty.Value{}
		for _, i := range order {
			k := fmt.Sprintf("k%02d", i)
			ms[k] = fmt.Sprintf("v%d", i)
			mv[k] = cty.StringVal(fmt.Sprintf("v%d", i))
		}
		return ms, mv
	}
	up := make([]int, 24)
	down := make([]int, 24)
	for i := range up {
		up[i], down[i] = i, 23-i
	}
	msUp, mvUp := wide(up)
	msDown, mvDown := wide(down)
	obj := func(s string) cty.Value { return cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal(s)}) }

	type result struct {
		Same           bool
		KnownA, KnownB bool
	}
	tests := map[string]struct {
		a, b any
		want result
	}{
		"maps of strings in any order":   {a: msUp, b: msDown, want: result{true, true, true}},
		"maps of values in any order":    {a: mvUp, b: mvDown, want: result{true, true, true}},
		"equal values":                   {a: obj("x"), b: obj("x"), want: result{true, true, true}},
		"a value differs":                {a: obj("x"), b: obj("y"), want: result{false, true, true}},
		"a value in a map differs":       {a: map[string]string{"a": "1"}, b: map[string]string{"a": "2"}, want: result{false, true, true}},
		"a key in a map differs":         {a: map[string]string{"a": "1"}, b: map[string]string{"b": "1"}, want: result{false, true, true}},
		"keys and values do not run on":  {a: map[string]string{"a": "b=c"}, b: map[string]string{"a=b": "c"}, want: result{false, true, true}},
		"list elements do not run on":    {a: []any{"ab", ""}, b: []any{"a", "b"}, want: result{false, true, true}},
		"the order of a list counts":     {a: []any{"a", "b"}, b: []any{"b", "a"}, want: result{false, true, true}},
		"null is not the empty string":   {a: cty.NullVal(cty.String), b: cty.StringVal(""), want: result{false, true, true}},
		"a number and its string differ": {a: cty.NumberIntVal(1), b: cty.StringVal("1"), want: result{false, true, true}},
		"marks do not count": {
			a: obj("s3cret"), b: cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("s3cret").Mark(kind.SensitiveMark)}),
			want: result{true, true, true},
		},
		"an unknown value is not known": {
			a: cty.StringVal("x"), b: cty.UnknownVal(cty.String), want: result{false, true, false},
		},
		"an unknown deep inside is not known": {
			a:    []any{"run", map[string]cty.Value{"tag": cty.StringVal("v1")}},
			b:    []any{"run", map[string]cty.Value{"tag": cty.ObjectVal(map[string]cty.Value{"d": cty.UnknownVal(cty.String)})}},
			want: result{false, true, false},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ha, ka := hashOf(tc.a)
			hb, kb := hashOf(tc.b)
			for _, h := range []string{ha, hb} {
				if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+16 {
					t.Errorf("hash %q is not sha256: and 16 hex digits", h)
				}
			}
			got := result{Same: ha == hb, KnownA: ka, KnownB: kb}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("hashOf (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPipelineInputs checks which inputs of a run move when something it
// reads changes, against a pipeline that reads its source and a base
// image, builds an image and promotes its digest to a GitOps repository.
func TestPipelineInputs(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  env    = { REGION = var.region }
  stage "build" {
    run = ["go build -o out/app ./cmd/app"]
  }
  image "app" {
    repository = "registry.example.com/me/app"
    tags       = [source.git.app.short_commit]
    base       = source.image.base.ref
  }
  promote {
    repo  = source.git.gitops
    path  = "apps/app"
    image = image.app
    pin   = "digest"
  }
}
`
	base := func() scope {
		return scope{
			Sources: map[string]cty.Value{
				"git.app":    gitSource("app", "main", commitA),
				"git.gitops": gitSource("gitops", "main", commitG),
				"image.base": cty.ObjectVal(map[string]cty.Value{
					"digest": cty.StringVal("sha256:1111"), "ref": cty.StringVal("alpine@sha256:1111"),
				}),
			},
			Vars: map[string]cty.Value{"region": cty.StringVal("eu")},
		}
	}
	baseImages := map[string]cty.Value{"app": pushed("registry.example.com/me/app", "1a2b3c4", "sha256:aaaa")}

	t.Run("the inputs are the sources read, each block and the settings", func(t *testing.T) {
		t.Parallel()
		ps, errs := decode(t, src, base(), baseImages)
		if ps == nil {
			t.Fatal(errs)
		}
		want := []string{"image.app", "pipeline", "promote.0", "source.git.app", "source.image.base", "stage.build"}
		if diff := cmp.Diff(want, slices.Sorted(maps.Keys(ps.inputs))); diff != "" {
			t.Errorf("input keys (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{commitA, "sha256:1111", false}, []any{ps.inputs["source.git.app"], ps.inputs["source.image.base"], ps.unknownIn}); diff != "" {
			t.Errorf("source identities (-want +got):\n%s", diff)
		}
	})

	tests := map[string]struct {
		src    string               // the fixture on both sides; src when empty
		edit   func(string) string  // an edit of the fixture after
		change func(sc *scope)      // a change of what it reads after
		images map[string]cty.Value // the pushed images after
		want   []string             // the inputs that moved
		unkn   bool                 // some input is unknown after
	}{
		"nothing changed": {
			want: nil,
		},
		"a source commit moves the source alone": {
			// Not the image's tag, which is the source's short commit
			// in the fixture.
			src:    strings.Replace(src, "[source.git.app.short_commit]", `["v1"]`, 1),
			change: func(sc *scope) { sc.Sources["git.app"] = gitSource("app", "main", commitB) },
			want:   []string{"source.git.app"},
		},
		"a tag of the source's commit moves the image and its promote too": {
			change: func(sc *scope) { sc.Sources["git.app"] = gitSource("app", "main", commitB) },
			images: map[string]cty.Value{"app": pushed("registry.example.com/me/app", "9f8e7d6", "sha256:aaaa")},
			want:   []string{"image.app", "promote.0", "source.git.app"},
		},
		"a digest moves an image source": {
			change: func(sc *scope) {
				sc.Sources["image.base"] = cty.ObjectVal(map[string]cty.Value{
					"digest": cty.StringVal("sha256:2222"), "ref": cty.StringVal("alpine@sha256:1111"),
				})
			},
			want: []string{"source.image.base"},
		},
		"the promoted repository's commit (the promote's base_commit) does not count": {
			change: func(sc *scope) { sc.Sources["git.gitops"] = gitSource("gitops", "main", commitH) },
			want:   nil,
		},
		"a promote onto another branch leaves its source an input": {
			// The promote commits to branch deploy of the gitops
			// repository: the source, which follows main, does not move
			// with it, and a commit to main is a commit like any other.
			src:    strings.Replace(src, `path  = "apps/app"`, "path  = \"apps/app\"\n    branch = \"deploy\"", 1),
			change: func(sc *scope) { sc.Sources["git.gitops"] = gitSource("gitops", "main", commitH) },
			want:   []string{"source.git.gitops"},
		},
		"the pushed digest does not count": {
			images: map[string]cty.Value{"app": pushed("registry.example.com/me/app", "1a2b3c4", "sha256:bbbb")},
			want:   nil,
		},
		"a stage's commands": {
			edit: func(s string) string { return strings.Replace(s, "go build", "go build -trimpath", 1) },
			want: []string{"stage.build"},
		},
		"an image's settings": {
			edit: func(s string) string { return strings.Replace(s, "me/app\"", "me/app\"\n    user = \"1000\"", 1) },
			want: []string{"image.app"},
		},
		"a promote's path": {
			edit: func(s string) string { return strings.Replace(s, "apps/app", "apps/app2", 1) },
			want: []string{"promote.0"},
		},
		"the pipeline's env": {
			change: func(sc *scope) { sc.Vars["region"] = cty.StringVal("us") },
			want:   []string{"pipeline"},
		},
		"a source known only after apply": {
			change: func(sc *scope) {
				sc.Sources["image.base"] = cty.ObjectVal(map[string]cty.Value{
					"digest": cty.UnknownVal(cty.String), "ref": cty.StringVal("alpine@sha256:1111"),
				})
			},
			want: []string{"source.image.base"},
			unkn: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := src
			if tc.src != "" {
				s = tc.src
			}
			before, errs := decode(t, s, base(), baseImages)
			if before == nil {
				t.Fatal(errs)
			}
			sc, images := base(), baseImages
			if tc.edit != nil {
				s = tc.edit(s)
			}
			if tc.change != nil {
				tc.change(&sc)
			}
			if tc.images != nil {
				images = tc.images
			}
			after, errs := decode(t, s, sc, images)
			if after == nil {
				t.Fatal(errs)
			}
			var moved []string
			for _, k := range slices.Sorted(maps.Keys(after.inputs)) {
				if before.inputs[k] != after.inputs[k] {
					moved = append(moved, k)
				}
			}
			if diff := cmp.Diff(tc.want, moved); diff != "" {
				t.Errorf("moved inputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.unkn, after.unknownIn); diff != "" {
				t.Errorf("unknownIn (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProvidersAndWrites(t *testing.T) {
	t.Parallel()
	registry, git := addrs.Provider{Name: "registry"}, addrs.Provider{Name: "git"}
	src := func(name string) addrs.Resource { return addrs.Resource{Kind: addrs.Source, Type: "git", Name: name} }
	type result struct {
		Providers []addrs.Provider
		Writes    []addrs.Resource
	}
	tests := map[string]struct {
		src  string
		want result
	}{
		"stages alone need no provider": {
			src:  pipe(`stage "test" { run = ["true"] }`),
			want: result{},
		},
		"images need the registry, once": {
			src: pipe(`
  image "a" {
    repository = "r/a"
    tag = "v1"
  }
  image "b" {
    repository = "r/b"
    tag = "v1"
  }`),
			want: result{Providers: []addrs.Provider{registry}},
		},
		"promotes need git and write their sources": {
			src: pipe(`
  image "a" {
    repository = "r/a"
    tag = "v1"
  }
  promote {
    repo  = source.git.gitops
    path  = "a"
    image = image.a
  }
  promote {
    repo    = source.git.staging
    path    = "b"
    content = "x"
  }`),
			want: result{Providers: []addrs.Provider{registry, git}, Writes: []addrs.Resource{src("gitops"), src("staging")}},
		},
		"a promote to a repository that is no source writes none": {
			src: pipe(`
  stage "test" { run = ["true"] }
  promote {
    repo    = { url = "https://git.example.com/x.git" }
    path    = "a"
    content = "x"
  }`),
			want: result{Providers: []addrs.Provider{git}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := loadBlock(t, tc.src)
			got := result{Providers: Kind{}.Providers(rc), Writes: Kind{}.Writes(rc)}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Providers, Writes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodePipelineSensitive decodes arguments that read sensitive
// variables: their values are used as they are (what runs print is
// masked separately).
func TestDecodePipelineSensitive(t *testing.T) {
	t.Parallel()
	sc := baseScope()
	sc.Vars = map[string]cty.Value{
		"registry": cty.StringVal("registry.example.com").Mark(kind.SensitiveMark),
		"word":     cty.StringVal("main").Mark(kind.SensitiveMark),
		"wait":     cty.StringVal("5m").Mark(kind.SensitiveMark),
		"two":      cty.NumberIntVal(2).Mark(kind.SensitiveMark),
	}
	tests := map[string]struct {
		src  string
		get  func(ps *pipelineSpec) any
		want any
	}{
		"an image's repository": {
			src: pipe(`
  image "app" {
    repository = "${var.registry}/me/app"
    tag        = "v1"
  }`),
			get:  func(ps *pipelineSpec) any { return ps.images[0].repo },
			want: "registry.example.com/me/app",
		},
		"an image's tag": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tag        = var.word
  }`),
			get:  func(ps *pipelineSpec) any { return ps.images[0].tags },
			want: []string{"main"},
		},
		"an image's tags": {
			src: pipe(`
  image "app" {
    repository = "r/app"
    tags       = [var.word, "latest"]
  }`),
			get:  func(ps *pipelineSpec) any { return ps.images[0].tags },
			want: []string{"main", "latest"},
		},
		"a stage's dir": {
			src: pipe(`
  stage "test" {
    run = ["true"]
    dir = var.word
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].dir },
			want: "main",
		},
		"a stage's timeout": {
			src: pipe(`
  stage "test" {
    run     = ["true"]
    timeout = var.wait
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].timeout },
			want: 5 * time.Minute,
		},
		"an approval's message": {
			src: pipe(`
  stage "ship" {
    approval { message = "Ship to ${var.word}?" }
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].message },
			want: "Ship to main?",
		},
		"a stage's retry": {
			src: pipe(`
  stage "test" {
    run = ["true"]
    retry {
      limit   = var.two
      backoff = var.wait
      factor  = var.two
    }
  }`),
			get:  func(ps *pipelineSpec) any { return ps.stages[0].retry },
			want: runner.Retry{Limit: 2, Backoff: 5 * time.Minute, Factor: 2},
		},
		"a concurrency group and limit": {
			src: pipe(`
  stage "test" { run = ["true"] }
  concurrency {
    group = var.word
    limit = var.two
  }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.group, ps.limit} },
			want: []any{"main", 2},
		},
		"a when branch": {
			src: pipe(`
  stage "test" { run = ["true"] }
  when { branch = var.word }`),
			get:  func(ps *pipelineSpec) any { return []any{ps.run, ps.skipWhy} },
			want: []any{true, ""},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ps, errs := decode(t, tc.src, sc, nil)
			if ps == nil {
				t.Fatalf("decodePipeline failed: %v", errs)
			}
			if diff := cmp.Diff(tc.want, tc.get(ps), specOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPromoteIntoOwnSource: a pipeline that promotes onto the branch its
// own source follows would move what it builds with each promote: the
// next plan would run it again, without end (or, the source not an
// input, never for a commit of its code). It is refused where the
// promote is declared, with the ways out; onto another branch of the
// same repository it is a pipeline like any other.
func TestPromoteIntoOwnSource(t *testing.T) {
	t.Parallel()
	const src = `pipeline "app" {
  source = source.git.app
  image "app" {
    repository = "registry.example.com/me/app"
    tags       = [source.git.app.short_commit]
  }
  promote {
    repo  = source.git.app
    path  = "deploy"
    image = image.app
    BRANCH
  }
}
`
	sc := scope{Sources: map[string]cty.Value{"git.app": gitSource("app", "main", commitA)}}
	images := map[string]cty.Value{"app": pushed("registry.example.com/me/app", "1a2b3c4", "sha256:aaaa")}
	for _, tc := range []struct {
		branch string
		refuse bool
	}{
		{"", true},
		{`branch = "main"`, true},
		{`branch = "deploy"`, false},
	} {
		rc := loadBlock(t, strings.Replace(src, "BRANCH", tc.branch, 1))
		ps, diags := decodePipeline(rc, rc.Addr.Instance(addrs.NoKey), sc.EvalContext(), workspace, images)
		var refused *hcl.Diagnostic
		for _, d := range diags {
			if d.Summary == "Promote into the pipeline's own source" {
				refused = d
			}
		}
		switch {
		case tc.refuse && (refused == nil || ps != nil):
			t.Errorf("%q: decoded %v with %v; want the promote refused", tc.branch, ps != nil, summaries(diags))
		case tc.refuse && (refused.Subject == nil || refused.Subject.Start.Line != 7 || !strings.Contains(refused.Detail, "repo = source.git.gitops")):
			t.Errorf("%q: the error is at %v, saying %q; want the promote block's line 7 and the ways out", tc.branch, refused.Subject, refused.Detail)
		case !tc.refuse && (ps == nil || diags.HasErrors()):
			t.Errorf("%q: %v; want a pipeline like any other", tc.branch, summaries(diags))
		case !tc.refuse && ps.inputs["source.git.app"] != commitA:
			t.Errorf("%q: the source's input is %q; want its commit", tc.branch, ps.inputs["source.git.app"])
		}
	}
}
