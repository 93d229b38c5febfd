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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/pipeline/runner"
	"slipway.dev/slipway/state"
)

// A pipeline block is not lowered to one provider resource: slipway runs
// its stages itself, builds and pushes its images through the registry
// provider (resource type builtin.RegistryImage) and commits its promotes
// through the git provider (builtin.GitPromote). Its state entry, of type
// pipelineType, records the inputs of its last successful run, the images
// that run pushed and the commits it made, and its last run of any outcome.
const pipelineType = "pipeline"

// The value types of a pipeline's state entry and plan.
var (
	pipelineImageType = withTypes(map[string]cty.Type{
		"repository": cty.String, "tag": cty.String, "tags": cty.List(cty.String),
		"digest": cty.String, "ref": cty.String, "image": cty.String,
	}, imageInputs)
	pipelineChangeType  = builtin.PromoteChangeType
	pipelinePromoteType = withTypes(map[string]cty.Type{
		"repo": cty.String, "branch": cty.String, "path": cty.String, "commit": cty.String,
		"changes": cty.List(pipelineChangeType),
	}, promoteInputTypes())
	pipelineStageRunType = cty.Object(map[string]cty.Type{
		"name": cty.String, "status": cty.String, "attempts": cty.Number, "duration": cty.String, "log": cty.String,
	})
	pipelineRunType = cty.Object(map[string]cty.Type{
		"number": cty.Number, "status": cty.String, "commit": cty.String,
		"started": cty.String, "finished": cty.String, "failed_stage": cty.String,
		"log_dir": cty.String, "stages": cty.List(pipelineStageRunType),
	})
	pipelineValueType = cty.Object(map[string]cty.Type{
		"name":      cty.String,
		"inputs":    cty.Map(cty.String),
		"commit":    cty.String,
		"stages":    cty.List(cty.String),
		"approvals": cty.List(cty.String),
		"run":       pipelineRunType,
		"image":     cty.Map(pipelineImageType),
		"promote":   cty.List(pipelinePromoteType),
		// The definitions (definition.go): what the inputs' hashes stand for.
		"stage":       cty.Map(pipelineStageType),
		"env":         cty.Map(cty.String),
		"concurrency": pipelineConcurrencyType,
		"post":        pipelinePostType,
	})
)

// withTypes is attrs with more added.
func withTypes(attrs, more map[string]cty.Type) cty.Type {
	out := make(map[string]cty.Type, len(attrs)+len(more))
	for k, t := range attrs {
		out[k] = t
	}
	for k, t := range more {
		out[k] = t
	}
	return cty.Object(out)
}

// promoteInputTypes are the types of promoteInputs: all strings.
func promoteInputTypes() map[string]cty.Type {
	out := map[string]cty.Type{}
	for _, n := range promoteInputs {
		out[n] = cty.String
	}
	return out
}

// pipelineNestedFrom are the attributes whose content the nested changes
// (images and promotes) show.
var pipelineNestedFrom = []string{"image", "promote", "run"}

// pipelineBlock is the language of a pipeline block (a Jenkinsfile).
type pipelineBlock struct {
	Source      cty.Value          `hcl:"source,optional"`
	Env         cty.Value          `hcl:"env,optional"`
	Concurrency *pipeConcurrency   `hcl:"concurrency,block"`
	Stages      []*pipeStage       `hcl:"stage,block"`
	Images      []*pipeImage       `hcl:"image,block"`
	Promotes    []*pipePromoteBody `hcl:"promote,block"`
	Post        *pipePost          `hcl:"post,block"`
	Rest        hcl.Body           `hcl:",remain"`
}

type pipeConcurrency struct {
	Group cty.Value `hcl:"group"`
	Limit cty.Value `hcl:"limit,optional"`
	Def   hcl.Range `hcl:",def_range"`
}

type pipeStage struct {
	Name     string        `hcl:"name,label"`
	Run      cty.Value     `hcl:"run,optional"`
	Env      cty.Value     `hcl:"env,optional"`
	Dir      cty.Value     `hcl:"dir,optional"`
	Timeout  cty.Value     `hcl:"timeout,optional"`
	Retry    *pipeRetry    `hcl:"retry,block"`
	Approval *pipeApproval `hcl:"approval,block"`
	Rest     hcl.Body      `hcl:",remain"`
	Def      hcl.Range     `hcl:",def_range"`
}

type pipeRetry struct {
	Limit      cty.Value `hcl:"limit,optional"`
	Backoff    cty.Value `hcl:"backoff,optional"`
	Factor     cty.Value `hcl:"factor,optional"`
	MaxBackoff cty.Value `hcl:"max_backoff,optional"`
	Def        hcl.Range `hcl:",def_range"`
}

type pipeApproval struct {
	Message cty.Value `hcl:"message,optional"`
}

type pipeImage struct {
	Name       string    `hcl:"name,label"`
	Repository cty.Value `hcl:"repository"`
	Tag        cty.Value `hcl:"tag,optional"`
	Tags       cty.Value `hcl:"tags,optional"`
	Base       cty.Value `hcl:"base,optional"`
	Platform   cty.Value `hcl:"platform,optional"`
	Files      cty.Value `hcl:"files,optional"`
	Entrypoint cty.Value `hcl:"entrypoint,optional"`
	Cmd        cty.Value `hcl:"cmd,optional"`
	Env        cty.Value `hcl:"env,optional"`
	Labels     cty.Value `hcl:"labels,optional"`
	User       cty.Value `hcl:"user,optional"`
	Workdir    cty.Value `hcl:"workdir,optional"`
	Def        hcl.Range `hcl:",def_range"`
}

// pipePromoteBody is decoded in a second pass, once the images it may
// refer to (image.NAME) have values.
type pipePromoteBody struct {
	Body hcl.Body  `hcl:",remain"`
	Def  hcl.Range `hcl:",def_range"`
}

type pipePromote struct {
	Repo     cty.Value `hcl:"repo"`
	Path     cty.Value `hcl:"path"`
	Branch   cty.Value `hcl:"branch,optional"`
	Image    cty.Value `hcl:"image,optional"`
	Pin      cty.Value `hcl:"pin,optional"`
	YAMLPath cty.Value `hcl:"yaml_path,optional"`
	Value    cty.Value `hcl:"value,optional"`
	Content  cty.Value `hcl:"content,optional"`
	Message  cty.Value `hcl:"message,optional"`
}

type pipePost struct {
	Success cty.Value `hcl:"success,optional"`
	Failure cty.Value `hcl:"failure,optional"`
	Always  cty.Value `hcl:"always,optional"`
}

// pipelineSpec is one pipeline instance, evaluated.
type pipelineSpec struct {
	addr   addrs.ResourceInstance
	name   string // file-system safe instance name
	decl   hcl.Range
	source cty.Value // the source value, or null
	env    map[string]string

	group string // concurrency group, "" for none
	limit int

	run       bool   // when conditions hold
	skipWhy   string // why not, when !run
	stages    []*stageSpec
	images    []*imageSpec
	promotes  []*promoteSpec
	post      postSpec
	masks     []string          // values of sensitive variables, and values computed from them, hidden in output
	inputs    map[string]string // fingerprint of each input
	sensIn    map[string]bool   // the inputs some sensitive value went into
	unknownIn bool              // some input is known only after apply

	settingMarks map[string]bool // the settings (env, concurrency, post) from sensitive values
}

type stageSpec struct {
	name     string
	run      []string
	env      map[string]string
	dir      string
	timeout  time.Duration
	retry    runner.Retry
	approval bool
	message  string
	when     bool
	whenWhy  string
	decl     hcl.Range
	hasRetry bool
	marks    map[string]bool // the settings (run, env, ...) from sensitive values
}

type imageSpec struct {
	name      string
	config    map[string]cty.Value // registry_image configuration, without context_dir
	tags      []string
	repo      string
	decl      hcl.Range
	sensitive bool // some input came from a sensitive value
	named     bool // its repository or tags came from one
}

type promoteSpec struct {
	index  int
	source addrs.Resource // the source it writes, when repo names one
	// movesSource: the promote commits to the branch that source
	// follows, so its commit moves with every push. A promote onto
	// another branch of the repository leaves the source where it is.
	movesSource bool
	repo        string // URL
	// repoSensitive: the URL came from a sensitive value (a token in it,
	// https://x-access-token:${var.token}@host/...), and stays sensitive in
	// the pipeline's plan and state.
	repoSensitive bool
	config        map[string]cty.Value
	decl          hcl.Range
	body          hcl.Body
}

type postSpec struct{ success, failure, always []string }

// pipelinesDir is the directory, relative to the configuration's, of the
// pipelines of slipway workspace ws: .slipway/pipelines for the default
// workspace, .slipway/workspaces/WS/pipelines for any other, so that runs
// of one workspace never share a directory or a log with another's.
func pipelinesDir(ws string) string {
	if ws == "" || ws == state.DefaultWorkspace {
		return filepath.Join(".slipway", "pipelines")
	}
	return filepath.Join(".slipway", "workspaces", ws, "pipelines")
}

// RunDir is the directory, relative to the configuration's, of run
// number of pipeline instance addr in slipway workspace ws: where its
// stages' logs are (slipway logs reads them there, never where a state
// says they are).
func RunDir(ws string, addr addrs.ResourceInstance, number int) string {
	return filepath.Join(pipelinesDir(ws), pipelineName(addr), "runs", strconv.Itoa(number))
}

// pipelineDir is where a pipeline keeps its workspace and run logs, in
// the configuration directory cfgDir and slipway workspace ws.
func pipelineDir(cfgDir, ws, name string) string {
	return filepath.Join(cfgDir, pipelinesDir(ws), name)
}

// maxNameLen bounds a pipeline directory's name, well inside the 255
// bytes file systems allow; a longer escaped address is cut and ends in a
// hash of the whole address.
const maxNameLen = 128

// pipelineName is the name of a pipeline instance's directory: its
// address without "pipeline.", with every byte other than a letter, a
// digit, '-', '_' or '.' written as %XX, so that two addresses never share
// a directory: pipeline.web is "web", pipeline.web["x"] is
// "web%5B%22x%22%5D", pipeline.web-x is "web-x". Decoding the escapes
// gives the address back. A name that would be longer than maxNameLen is
// cut, and ends in '~' (which escaping never leaves) and a hash of the
// address.
func pipelineName(addr addrs.ResourceInstance) string {
	s := addr.Resource.Name
	if addr.Key != addrs.NoKey {
		s += addr.Key.String()
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	n := b.String()
	if len(n) <= maxNameLen {
		return n
	}
	sum := sha256.Sum256([]byte(addr.String()))
	cut := maxNameLen - 1 - 16
	// Never cut an escape in two.
	if i := strings.LastIndexByte(n[:cut], '%'); i >= cut-2 {
		cut = i
	}
	return n[:cut] + "~" + hex.EncodeToString(sum[:])[:16]
}

// ownerFile names the address that owns a pipeline directory. It is
// written when the directory is first used, and checked at every run.
const ownerFile = "address"

// ownDirs checks that each of rels, paths under the pipelines' directory
// of workspace ws in the configuration directory cfgDir that a run makes
// or cleans (the pipeline's directory, its workspace, its runs'
// directories), passes through no symbolic link: a repository that holds
// .slipway/pipelines/NAME as a link to, say, a CI server's home would have
// the run clean its workspace there (all of it is removed at every run)
// and write its logs there. The pipelines' directory itself may be
// reached through a link (.slipway kept on another disk).
func ownDirs(cfgDir, ws string, rels ...string) error {
	base := filepath.Join(cfgDir, pipelinesDir(ws))
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	root, err := confine.Root(base)
	if err != nil {
		return err
	}
	for _, rel := range rels {
		p, err := confine.ResolveIn(base, root, rel)
		if err == nil && p != filepath.Join(root, rel) {
			err = errors.New("it passes through a symbolic link")
		}
		if err != nil {
			return fmt.Errorf("%s: %v. A pipeline's workspace and logs are kept in directories of slipway's own, which a run cleans and writes: remove the link (or what holds it) and apply again", filepath.ToSlash(filepath.Join(pipelinesDir(ws), rel)), err)
		}
	}
	return nil
}

// claimDir makes sure the directory of a pipeline instance is its own,
// creating it when missing. Under the old naming, which replaced unsafe
// characters by '_' and joined the key with '-', several instances could
// share one directory; such a directory has no owner file. It is adopted
// unless state shows it was made for another instance (the name recorded
// in that instance's state entry is this directory's), which is then an
// error naming both. prior lists the state entries of pipeline instances
// whose old name may be this directory's (see oldOwners).
func claimDir(cfgDir, ws string, addr addrs.ResourceInstance, name string, prior func(addrs.Resource) []*state.ResourceInstance) error {
	dir := pipelineDir(cfgDir, ws, name)
	rel := filepath.ToSlash(filepath.Join(pipelinesDir(ws), name))
	owner := filepath.Join(dir, ownerFile)
	if b, err := os.ReadFile(owner); err == nil {
		got := strings.TrimSpace(string(b))
		if got == addr.String() {
			return nil
		}
		return fmt.Errorf("the directory %s belongs to %s (its file %s says so), not to %s. Two pipelines cannot share a directory: this happens on a file system that ignores case (pipeline \"Web\" and pipeline \"web\"), or when a directory was copied. Rename one of the pipelines, or move %s aside if %s no longer exists", rel, got, ownerFile, addr, rel, got)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read the owner of %s: %w", rel, err)
	}
	if _, err := os.Stat(dir); err == nil {
		for _, other := range oldOwners(name, prior) {
			if other != addr.String() {
				return fmt.Errorf("the directory %s was made for %s by an earlier slipway, which gave both it and %s that directory; it now belongs to %s alone, and %s has one of its own. Move %s aside (or remove it: its workspace is made again at every run, and its runs/ hold only old logs), then apply again", rel, other, addr, addr, other, rel)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(owner, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// Another run wrote it first: it must name this instance.
		return claimDir(cfgDir, ws, addr, name, nil)
	}
	if err != nil {
		return fmt.Errorf("write the owner of %s: %w", rel, err)
	}
	_, err = f.WriteString(addr.String() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// oldOwners lists the addresses whose state entries record name as their
// directory. The old naming made "web-x" of pipeline.web-x and of
// pipeline.web["x"] (and pipeline.web[...] of any key that became "x"),
// so the blocks to look at are those named by name's prefixes up to a
// '-'.
func oldOwners(name string, prior func(addrs.Resource) []*state.ResourceInstance) []string {
	if prior == nil {
		return nil
	}
	var out []string
	for i := len(name); i > 0; i-- {
		if i < len(name) && name[i] != '-' {
			continue
		}
		for _, ri := range prior(addrs.Resource{Kind: addrs.Pipeline, Name: name[:i]}) {
			if ri == nil || !ri.Value.IsKnown() || ri.Value.IsNull() || !ri.Value.Type().IsObjectType() || !ri.Value.Type().HasAttribute("name") {
				continue
			}
			if n := ri.Value.GetAttr("name"); n.IsKnown() && !n.IsNull() && n.Type() == cty.String && n.AsString() == name {
				out = append(out, ri.Addr.String())
			}
		}
	}
	sort.Strings(out)
	return out
}

// decodePipeline evaluates a pipeline instance. images holds the values
// image.NAME has in promotes and in later evaluations (planned values at
// plan time, pushed ones during apply); nil evaluates them from the image
// blocks with digests unknown.
func decodePipeline(rc *lang.Resource, addr addrs.ResourceInstance, ctx *hcl.EvalContext, workspace string, images map[string]cty.Value) (*pipelineSpec, hcl.Diagnostics) {
	var pb pipelineBlock
	diags := gohcl.DecodeBody(rc.Config, ctx, &pb)
	if diags.HasErrors() {
		return nil, diags
	}
	ps := &pipelineSpec{addr: addr, name: pipelineName(addr), decl: rc.DeclRange, source: pb.Source, run: true, masks: sensitiveStrings(ctx)}
	if ps.source == cty.NilVal {
		ps.source = cty.NullVal(cty.DynamicPseudoType)
	}
	ps.masks = mergeMasks(ps.masks, lang.DerivedSecrets(rc.Config, ctx))
	ps.settingMarks = sensitiveSettings(map[string][]cty.Value{"env": {pb.Env}})
	var d hcl.Diagnostics
	ps.env, d = stringMap(pb.Env, "env", rc.DeclRange)
	diags = append(diags, d...)

	// when { branch = "main" } or when = EXPR.
	ok, why, d := evalWhen(pb.Rest, ctx, ps.source, rc.DeclRange, pipelineSiblings)
	diags = append(diags, d...)
	ps.run, ps.skipWhy = ok, why

	if c := pb.Concurrency; c != nil {
		maps.Copy(ps.settingMarks, sensitiveSettings(map[string][]cty.Value{"concurrency": {c.Group, c.Limit}}))
		g, err := convert.Convert(unmarked(c.Group), cty.String)
		if err != nil || g.IsNull() || !g.IsKnown() || g.AsString() == "" {
			r := c.Def
			diags = append(diags, kind.ErrorDiag("Invalid concurrency group", "group must be a non-empty string known at plan time, like group = \"deploy-prod\".", &r))
		} else {
			ps.group, ps.limit = g.AsString(), 1
			if !c.Limit.IsNull() {
				n, d := wholeNumber(c.Limit, "limit", c.Def)
				diags = append(diags, d...)
				if n < 1 && !d.HasErrors() {
					r := c.Def
					diags = append(diags, kind.ErrorDiag("Invalid concurrency limit", "limit must be 1 or more: it is how many runs of the group may run at once.", &r))
				}
				ps.limit = n
			}
		}
	}

	seen := map[string]bool{}
	for _, sb := range pb.Stages {
		r := sb.Def
		if seen[sb.Name] {
			diags = append(diags, kind.Errorf("Duplicate stage", &r, "%s declares stage %q twice; stage names must be unique within a pipeline.", addr, sb.Name))
			continue
		}
		seen[sb.Name] = true
		st, d := decodeStage(sb, ctx, ps.source)
		diags = append(diags, d...)
		if st != nil {
			ps.stages = append(ps.stages, st)
		}
	}

	imgVals := map[string]cty.Value{}
	for _, ib := range pb.Images {
		r := ib.Def
		if _, dup := imgVals[ib.Name]; dup {
			diags = append(diags, kind.Errorf("Duplicate image", &r, "%s declares image %q twice.", addr, ib.Name))
			continue
		}
		im, d := decodeImage(ib, workspace)
		diags = append(diags, d...)
		if im == nil {
			imgVals[ib.Name] = cty.UnknownVal(pipelineImageType)
			continue
		}
		ps.images = append(ps.images, im)
		if v, ok := images[ib.Name]; ok {
			imgVals[ib.Name] = v
		} else {
			imgVals[ib.Name] = plannedImageValue(im)
		}
	}

	// Promotes see image.NAME and self.
	pctx := ctx.NewChild()
	pctx.Variables = map[string]cty.Value{
		"image": cty.ObjectVal(imgVals),
		"self":  cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(ps.name), "workspace": cty.StringVal(workspace)}),
	}
	own := pipelineSource(rc.Config)
	for i, pp := range pb.Promotes {
		pr, d := decodePromote(pp, i, pctx)
		diags = append(diags, d...)
		if pr == nil {
			continue
		}
		if own != nil && pr.source == *own && pr.movesSource {
			r := pr.decl
			diags = append(diags, kind.Errorf("Promote into the pipeline's own source", &r,
				"%s builds %s and promotes onto the branch that source follows: each promote's commit would move the source it builds, so that the next plan ran the pipeline again (a new commit, a new tag, another promote) without end, or, were the source not one of its inputs, no commit of the source would ever run it. Promote into another repository, like a GitOps repository (repo = source.git.gitops), or onto another branch of this one (branch = \"deploy\"), which an app's source then follows.", addr, own))
			continue
		}
		ps.promotes = append(ps.promotes, pr)
	}

	if p := pb.Post; p != nil {
		maps.Copy(ps.settingMarks, sensitiveSettings(map[string][]cty.Value{"post": {p.Success, p.Failure, p.Always}}))
		var d hcl.Diagnostics
		ps.post.success, d = commandList(p.Success, "post.success", rc.DeclRange)
		diags = append(diags, d...)
		ps.post.failure, d = commandList(p.Failure, "post.failure", rc.DeclRange)
		diags = append(diags, d...)
		ps.post.always, d = commandList(p.Always, "post.always", rc.DeclRange)
		diags = append(diags, d...)
	}
	if len(ps.stages) == 0 && len(ps.images) == 0 && len(ps.promotes) == 0 && !diags.HasErrors() {
		r := rc.DeclRange
		diags = append(diags, kind.Errorf("Empty pipeline", &r, "%s has no stage, image or promote block, so a run would do nothing. Add a stage \"NAME\" { run = [\"...\"] } block.", addr))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	ps.fingerprint(pb, ctx)
	return ps, diags
}

// validatePipeline checks a pipeline block's structure with every value
// unknown: arguments and blocks that do not exist, missing ones, and when
// conditions written neither as a block nor as an expression.
func validatePipeline(rc *lang.Resource, ctx *hcl.EvalContext) hcl.Diagnostics {
	var pb pipelineBlock
	diags := gohcl.DecodeBody(rc.Config, ctx, &pb)
	if diags.HasErrors() {
		return diags
	}
	unknown := cty.DynamicVal
	_, _, d := evalWhen(pb.Rest, ctx, unknown, rc.DeclRange, pipelineSiblings)
	diags = append(diags, d...)
	for _, st := range pb.Stages {
		_, _, d := evalWhen(st.Rest, ctx, unknown, st.Def, stageSiblings)
		diags = append(diags, d...)
	}
	pctx := ctx.NewChild()
	pctx.Variables = map[string]cty.Value{"image": cty.DynamicVal, "self": cty.DynamicVal}
	for _, pp := range pb.Promotes {
		var pr pipePromote
		diags = append(diags, gohcl.DecodeBody(pp.Body, pctx, &pr)...)
	}
	return diags
}

// sensitiveStrings lists the values of the sensitive variables an
// evaluation context holds, longest first, for hiding them in what
// commands print (as CI systems mask credentials).
func sensitiveStrings(ctx *hcl.EvalContext) []string {
	vars, ok := ctx.Variables["var"]
	if !ok || !vars.IsKnown() || vars.IsNull() || !vars.Type().IsObjectType() {
		return nil
	}
	var out []string
	for _, v := range vars.AsValueMap() {
		if !v.HasMark(kind.SensitiveMark) {
			continue
		}
		v, _ = v.UnmarkDeep()
		cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
			if e.IsKnown() && !e.IsNull() && e.Type() == cty.String && len(e.AsString()) >= 3 {
				out = append(out, e.AsString())
			}
			return true, nil
		})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// evalWhen evaluates a when condition found in body (the remainder of a
// pipeline or stage block): an attribute (when = EXPR, a bool) or a block
// (when { branch = "glob", tag = "glob", expression = EXPR }), all of whose
// settings must hold. It also reports anything else left in body.
func evalWhen(body hcl.Body, ctx *hcl.EvalContext, source cty.Value, decl hcl.Range, sib siblings) (bool, string, hcl.Diagnostics) {
	isAttr := false
	if sb, ok := body.(*hclsyntax.Body); ok {
		_, isAttr = sb.Attributes["when"]
	}
	// The block's other arguments were decoded already (and are hidden
	// from body); naming them here gives a typo its "Did you mean".
	schema := &hcl.BodySchema{}
	for _, a := range sib.attrs {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a})
	}
	for _, b := range sib.blocks {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: b, LabelNames: sib.labels[b]})
	}
	if isAttr {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: "when"})
	} else {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: "when"})
	}
	content, diags := body.Content(schema)
	if diags.HasErrors() {
		return false, "", diags
	}
	if isAttr {
		a := content.Attributes["when"]
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			return false, "", diags
		}
		b, ok, d := boolValue(v, "when", a.Expr.Range())
		diags = append(diags, d...)
		if !ok {
			return true, "", diags // unknown: decided at apply
		}
		if !b {
			return false, "its when condition is false", diags
		}
		return true, "", diags
	}
	if len(content.Blocks) == 0 {
		return true, "", diags
	}
	if len(content.Blocks) > 1 {
		r := content.Blocks[1].DefRange
		return false, "", append(diags, kind.ErrorDiag("Duplicate when block", "Only one when block is allowed; put every condition in it (they must all hold).", &r))
	}
	var wb struct {
		Branch     cty.Value `hcl:"branch,optional"`
		Tag        cty.Value `hcl:"tag,optional"`
		Expression cty.Value `hcl:"expression,optional"`
	}
	blk := content.Blocks[0]
	diags = append(diags, gohcl.DecodeBody(blk.Body, ctx, &wb)...)
	if diags.HasErrors() {
		return false, "", diags
	}
	r := blk.DefRange
	for _, c := range []struct {
		name string
		glob cty.Value
		have func() (string, bool)
	}{
		{"branch", wb.Branch, func() (string, bool) { return sourceRefName(source, builtin.SourceBranch, "refs/heads/") }},
		{"tag", wb.Tag, func() (string, bool) { return sourceRefName(source, builtin.SourceTag, "refs/tags/") }},
	} {
		if c.glob.IsNull() {
			continue
		}
		if !c.glob.IsKnown() {
			continue
		}
		g, err := convert.Convert(unmarked(c.glob), cty.String)
		if err != nil {
			return false, "", append(diags, kind.Errorf("Invalid when condition", &r, "when.%s must be a glob string: %v.", c.name, err))
		}
		have, known := c.have()
		if !known {
			continue
		}
		if _, err := path.Match(g.AsString(), ""); err != nil {
			return false, "", append(diags, kind.Errorf("Invalid when condition", &r, "when.%s %q is not a valid glob: %v.", c.name, g.AsString(), err))
		}
		if ok, _ := path.Match(g.AsString(), have); !ok {
			if have == "" {
				return false, fmt.Sprintf("its source has no %s, and when.%s is %q", c.name, c.name, g.AsString()), diags
			}
			return false, fmt.Sprintf("%s %q does not match when.%s %q", c.name, have, c.name, g.AsString()), diags
		}
	}
	if !wb.Expression.IsNull() {
		b, ok, d := boolValue(wb.Expression, "when.expression", r)
		diags = append(diags, d...)
		if ok && !b {
			return false, "its when.expression is false", diags
		}
	}
	return true, "", diags
}

// siblings are the other arguments and blocks of a block with a when.
type siblings struct {
	attrs, blocks []string
	labels        map[string][]string
}

var (
	pipelineSiblings = siblings{
		attrs: []string{"source", "env", "count", "for_each", "depends_on"}, blocks: []string{"concurrency", "stage", "image", "promote", "post", "lifecycle"},
		labels: map[string][]string{"stage": {"name"}, "image": {"name"}},
	}
	stageSiblings = siblings{attrs: []string{"run", "env", "dir", "timeout"}, blocks: []string{"retry", "approval"}}
)

// sourceRefName is the branch (or tag) a source follows: its setting, or
// the name of the ref it resolved to.
func sourceRefName(source cty.Value, attr, prefix string) (string, bool) {
	if source.IsNull() || !source.IsKnown() || !source.Type().IsObjectType() {
		return "", true
	}
	if source.Type().HasAttribute(attr) {
		v := source.GetAttr(attr)
		if !v.IsKnown() {
			return "", false
		}
		if !v.IsNull() && v.Type() == cty.String && v.AsString() != "" {
			return v.AsString(), true
		}
	}
	if source.Type().HasAttribute(builtin.SourceRef) {
		v := source.GetAttr(builtin.SourceRef)
		if !v.IsKnown() {
			return "", false
		}
		if !v.IsNull() && v.Type() == cty.String && strings.HasPrefix(v.AsString(), prefix) {
			return strings.TrimPrefix(v.AsString(), prefix), true
		}
	}
	return "", true
}

func decodeStage(sb *pipeStage, ctx *hcl.EvalContext, source cty.Value) (*stageSpec, hcl.Diagnostics) {
	r := sb.Def
	st := &stageSpec{name: sb.Name, decl: r, marks: sensitiveSettings(map[string][]cty.Value{
		"run": {sb.Run}, "env": {sb.Env}, "dir": {sb.Dir}, "timeout": {sb.Timeout},
	})}
	var diags, d hcl.Diagnostics
	st.run, d = commandList(sb.Run, "run", r)
	diags = append(diags, d...)
	st.env, d = stringMap(sb.Env, "env", r)
	diags = append(diags, d...)
	if !sb.Dir.IsNull() {
		s, d := knownString(sb.Dir, "dir", r)
		diags = append(diags, d...)
		clean := filepath.Clean(s)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			diags = append(diags, kind.Errorf("Invalid stage dir", &r, "dir %q must be relative to the workspace and stay inside it, like \"cmd/server\".", s))
		}
		st.dir = clean
	}
	if !sb.Timeout.IsNull() {
		st.timeout, d = durationValue(sb.Timeout, "timeout", r)
		diags = append(diags, d...)
	}
	if rb := sb.Retry; rb != nil {
		st.retry, d = decodeRetry(rb)
		diags = append(diags, d...)
		st.hasRetry = true
		maps.Copy(st.marks, sensitiveSettings(map[string][]cty.Value{"retry": {rb.Limit, rb.Backoff, rb.Factor, rb.MaxBackoff}}))
	}
	if ab := sb.Approval; ab != nil {
		st.approval = true
		maps.Copy(st.marks, sensitiveSettings(map[string][]cty.Value{"approval": {ab.Message}}))
		st.message = "Approve stage " + sb.Name + "?"
		if !ab.Message.IsNull() {
			st.message, d = knownString(ab.Message, "approval.message", r)
			diags = append(diags, d...)
		}
	}
	if !st.approval && len(st.run) == 0 && !diags.HasErrors() {
		diags = append(diags, kind.Errorf("Empty stage", &r, "stage %q has neither run commands nor an approval block. Add run = [\"...\"], or approval { message = \"...\" } for a gate.", sb.Name))
	}
	ok, why, d := evalWhen(sb.Rest, ctx, source, r, stageSiblings)
	diags = append(diags, d...)
	st.when, st.whenWhy = ok, why
	return st, diags
}

func decodeRetry(rb *pipeRetry) (runner.Retry, hcl.Diagnostics) {
	var out runner.Retry
	var diags, d hcl.Diagnostics
	r := rb.Def
	out.Limit = 1
	if !rb.Limit.IsNull() {
		out.Limit, d = wholeNumber(rb.Limit, "retry.limit", r)
		diags = append(diags, d...)
	}
	out.Backoff = 0
	if !rb.Backoff.IsNull() {
		out.Backoff, d = durationValue(rb.Backoff, "retry.backoff", r)
		diags = append(diags, d...)
	}
	out.Factor = 1
	if !rb.Factor.IsNull() {
		f, err := convert.Convert(unmarked(rb.Factor), cty.Number)
		if err != nil || !f.IsKnown() || f.IsNull() {
			diags = append(diags, kind.ErrorDiag("Invalid retry factor", "retry.factor must be a number known at plan time, like 2.", &r))
		} else {
			out.Factor, _ = f.AsBigFloat().Float64()
		}
	}
	if !rb.MaxBackoff.IsNull() {
		out.MaxBackoff, d = durationValue(rb.MaxBackoff, "retry.max_backoff", r)
		diags = append(diags, d...)
	}
	return out, diags
}

func decodeImage(ib *pipeImage, workspace string) (*imageSpec, hcl.Diagnostics) {
	r := ib.Def
	var diags hcl.Diagnostics
	repo, d := knownString(ib.Repository, "repository", r)
	diags = append(diags, d...)
	var tags []string
	switch {
	case !ib.Tags.IsNull() && !ib.Tag.IsNull():
		diags = append(diags, kind.Errorf("Conflicting image tags", &r, "image %q sets both tag and tags; use tags = [...] for several.", ib.Name))
	case !ib.Tags.IsNull():
		tags, d = stringList(ib.Tags, "tags", r)
		diags = append(diags, d...)
	case !ib.Tag.IsNull():
		t, d := knownString(ib.Tag, "tag", r)
		diags = append(diags, d...)
		tags = []string{t}
	}
	if len(tags) == 0 && !diags.HasErrors() {
		diags = append(diags, kind.Errorf("Image without a tag", &r, "image %q needs tag = \"...\" or tags = [...], like tags = [source.git.app.short_commit, \"latest\"].", ib.Name))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	base := ib.Base
	if base.IsNull() {
		base = cty.StringVal("scratch")
	}
	tagVals := make([]cty.Value, len(tags))
	for i, t := range tags {
		tagVals[i] = cty.StringVal(t)
	}
	cfg := map[string]cty.Value{
		builtin.ImageRepository: cty.StringVal(repo), builtin.ImageTags: cty.ListVal(tagVals), builtin.ImageBase: base,
		builtin.ImagePlatform: ib.Platform, builtin.ImageFiles: ib.Files, builtin.ImageEntrypoint: ib.Entrypoint, builtin.ImageCmd: ib.Cmd,
		builtin.ImageEnv: ib.Env, builtin.ImageLabels: ib.Labels, builtin.ImageUser: ib.User, builtin.ImageWorkdir: ib.Workdir,
	}
	named := lang.IsSensitive(ib.Repository) || lang.IsSensitive(ib.Tag) || lang.IsSensitive(ib.Tags)
	return &imageSpec{name: ib.Name, config: cfg, tags: tags, repo: repo, decl: r, sensitive: named || anySensitive(cfg), named: named}, diags
}

// plannedImageValue is what image.NAME is before the image is pushed.
func plannedImageValue(im *imageSpec) cty.Value {
	tags := make([]cty.Value, len(im.tags))
	for i, t := range im.tags {
		tags[i] = cty.StringVal(t)
	}
	// What the registry computes from a sensitive input is sensitive too.
	v := map[string]cty.Value{
		"repository": sensitiveIf(cty.StringVal(im.repo), im.named), "tag": sensitiveIf(cty.StringVal(im.tags[0]), im.named),
		"tags":   sensitiveIf(cty.ListVal(tags), im.named),
		"digest": sensitiveIf(cty.UnknownVal(cty.String), im.sensitive), "ref": sensitiveIf(cty.UnknownVal(cty.String), im.sensitive),
		"image": sensitiveIf(cty.StringVal(im.repo+":"+im.tags[0]), im.named),
	}
	for name, ty := range imageInputs {
		v[name] = inputValue(im.config[name], ty)
	}
	return cty.ObjectVal(v)
}

func decodePromote(pp *pipePromoteBody, index int, ctx *hcl.EvalContext) (*promoteSpec, hcl.Diagnostics) {
	var pb pipePromote
	diags := gohcl.DecodeBody(pp.Body, ctx, &pb)
	if diags.HasErrors() {
		return nil, diags
	}
	r := pp.Def
	ps := &promoteSpec{index: index, decl: r, body: pp.Body}
	repo := pb.Repo
	switch {
	case !repo.IsKnown():
		return nil, append(diags, kind.ErrorDiag("Promote repository not known", "repo must be a git source known at plan time, like repo = source.git.gitops.", &r))
	case repo.IsNull() || !repo.Type().IsObjectType() || !repo.Type().HasAttribute(builtin.SourceURL):
		return nil, append(diags, kind.ErrorDiag("Invalid promote repository", "repo must be a git source, like repo = source.git.gitops: slipway commits to that source's repository and branch.", &r))
	}
	urlVal := repo.GetAttr(builtin.SourceURL)
	url, d := knownString(urlVal, "repo.url", r)
	diags = append(diags, d...)
	ps.repo, ps.repoSensitive = url, urlVal.ContainsMarked() || repo.HasMark(kind.SensitiveMark)
	if src := promoteSource(pp.Body); src != nil {
		ps.source = *src
	}
	branch := pb.Branch
	follows, _ := sourceRefName(repo, builtin.SourceBranch, "refs/heads/")
	if branch.IsNull() {
		if follows == "" {
			return nil, append(diags, kind.ErrorDiag("Promote branch unknown", "The promote's repo follows no branch (a tag or a commit), so slipway cannot tell where to commit. Set branch = \"main\" in the promote block, or branch in the source.", &r))
		}
		branch = cty.StringVal(follows)
	}
	// Unknown either way, it may: taken as moving it, as before.
	ub, _ := branch.Unmark()
	ps.movesSource = follows == "" || !ub.IsKnown() || ub.Type() != cty.String || ub.AsString() == follows
	base := cty.NullVal(cty.String)
	if repo.Type().HasAttribute(builtin.SourceCommit) {
		base = repo.GetAttr(builtin.SourceCommit)
	}
	msg := pb.Message
	if msg.IsNull() {
		msg = cty.StringVal("promote")
	}
	cfg := map[string]cty.Value{
		builtin.PromoteURL: cty.StringVal(url), builtin.PromoteBranch: branch, builtin.PromoteBaseCommit: base,
		builtin.PromotePath: pb.Path, builtin.PromoteMessage: msg,
	}
	modes := 0
	if !pb.Image.IsNull() {
		modes++
		img := pb.Image
		if !img.IsKnown() || !img.Type().IsObjectType() || !img.Type().HasAttribute("repository") {
			if img.IsKnown() && img.Type() == cty.String {
				cfg[builtin.PromoteImage] = img
			} else if img.IsKnown() {
				return nil, append(diags, kind.ErrorDiag("Invalid promote image", "image must be one of the pipeline's images, like image = image.myapp.", &r))
			} else {
				cfg[builtin.PromoteImage] = cty.UnknownVal(cty.String)
			}
		} else {
			cfg[builtin.PromoteImage] = img.GetAttr("repository")
			pin := "tag"
			if !pb.Pin.IsNull() {
				p, d := knownString(pb.Pin, "pin", r)
				diags = append(diags, d...)
				pin = p
			}
			switch pin {
			case "tag":
				cfg[builtin.PromoteNewTag] = img.GetAttr("tag")
			case "digest":
				cfg[builtin.PromoteNewTag] = img.GetAttr("tag")
				cfg[builtin.PromoteDigest] = img.GetAttr("digest")
			default:
				diags = append(diags, kind.Errorf("Invalid promote pin", &r, "pin must be \"tag\" (the default: write the image's first tag) or \"digest\" (write its digest too), not %q.", pin))
			}
		}
	}
	if !pb.YAMLPath.IsNull() || !pb.Value.IsNull() {
		modes++
		cfg[builtin.PromoteYAMLPath], cfg[builtin.PromoteValue] = pb.YAMLPath, pb.Value
	}
	if !pb.Content.IsNull() {
		modes++
		cfg[builtin.PromoteContent] = pb.Content
	}
	if modes != 1 {
		diags = append(diags, kind.ErrorDiag("Invalid promote", "A promote sets exactly one of: image = image.NAME (a kustomization's images, or the image of plain manifests), yaml_path with value (one value in a YAML file), or content (a whole file).", &r))
	}
	ps.config = cfg
	if diags.HasErrors() {
		return nil, diags
	}
	return ps, diags
}

// pipelineSource finds the source a pipeline's source argument names
// (source = source.git.app), from its syntax alone.
func pipelineSource(body hcl.Body) *addrs.Resource {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	a := sb.Attributes["source"]
	if a == nil {
		return nil
	}
	return sourceOf(a.Expr.Variables())
}

// sourceOf is the first source the traversals name.
func sourceOf(ts []hcl.Traversal) *addrs.Resource {
	for _, t := range ts {
		ref, diags := addrs.ParseRef(t)
		if diags.HasErrors() || ref == nil {
			continue
		}
		if r, ok := ref.Resource(); ok && r.Kind == addrs.Source {
			return &r
		}
	}
	return nil
}

// promoteSource finds the source a promote's repo argument names
// (repo = source.git.gitops), from its syntax alone.
func promoteSource(body hcl.Body) *addrs.Resource {
	attrs, _ := body.JustAttributes()
	a := attrs["repo"]
	if a == nil {
		return nil
	}
	return sourceOf(a.Expr.Variables())
}

// promoteTargets lists the sources a pipeline block's promotes write, by
// syntax, for the graph: whatever reads those sources comes after it.
func promoteTargets(rc *lang.Resource) []addrs.Resource {
	sb, ok := rc.Config.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var out []addrs.Resource
	for _, b := range sb.Blocks {
		if b.Type != "promote" {
			continue
		}
		if s := promoteSource(b.Body); s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// fingerprint records a hash of every input of the run: the sources it
// reads (by commit or digest), each stage, image and promote as
// evaluated, and the pipeline's own settings.
func (ps *pipelineSpec) fingerprint(pb pipelineBlock, ctx *hcl.EvalContext) {
	// The sources its promotes write move with every run: they are
	// outputs of the pipeline, not inputs. A source whose repository it
	// promotes onto another branch does not move: it stays an input.
	written := map[string]bool{}
	for _, pr := range ps.promotes {
		if pr.source.Name != "" && pr.movesSource {
			written[pr.source.String()] = true
		}
	}
	in := map[string]string{}
	ps.sensIn = map[string]bool{}
	put := func(key string, sens bool, v any) {
		s, known := hashOf(v)
		if !known {
			ps.unknownIn = true
		}
		in[key] = s
		// A hash of a secret is computed from it: sensitive too.
		ps.sensIn[key] = sens
	}
	if src, ok := ctx.Variables["source"]; ok && src.IsKnown() && !src.IsNull() {
		for it := src.ElementIterator(); it.Next(); {
			t, byName := it.Element()
			if !byName.IsKnown() || byName.IsNull() {
				continue
			}
			for it2 := byName.ElementIterator(); it2.Next(); {
				n, v := it2.Element()
				key := "source." + t.AsString() + "." + n.AsString()
				if written[key] {
					continue
				}
				in[key] = sourceIdentity(v)
				if in[key] == "" {
					ps.unknownIn = true
				}
			}
		}
	}
	for _, st := range ps.stages {
		put("stage."+st.name, anyTrue(st.marks), []any{st.run, st.env, st.dir, st.timeout.String(), st.retry, st.approval, st.message, st.when})
	}
	for _, im := range ps.images {
		put("image."+im.name, im.sensitive, im.config)
	}
	for _, pr := range ps.promotes {
		// Without the commit it starts from (that moves with every
		// promote) and the digest (known only once the image is pushed,
		// and decided by the image's own inputs).
		cfg := map[string]cty.Value{}
		for k, v := range pr.config {
			if k != builtin.PromoteBaseCommit && k != builtin.PromoteDigest {
				cfg[k] = v
			}
		}
		put(fmt.Sprintf("promote.%d", pr.index), anySensitive(cfg), cfg)
	}
	put("pipeline", anyTrue(ps.settingMarks), []any{ps.env, ps.group, ps.limit, ps.post.success, ps.post.failure, ps.post.always})
	ps.inputs = in
}

// sourceIdentity is what identifies a source's content: its commit or
// digest, else a hash of its value; "" when not known.
func sourceIdentity(v cty.Value) string {
	if !v.IsKnown() || v.IsNull() {
		return ""
	}
	if v.Type().IsObjectType() {
		for _, name := range []string{"commit", "digest"} {
			if v.Type().HasAttribute(name) {
				a := v.GetAttr(name)
				if !a.IsKnown() {
					return ""
				}
				if !a.IsNull() && a.Type() == cty.String {
					return a.AsString()
				}
			}
		}
	}
	s, known := hashOf(v)
	if !known {
		return ""
	}
	return s
}

// hashOf hashes a Go value holding strings, numbers and cty values; the
// second result is false when some cty value is not wholly known.
func hashOf(v any) (string, bool) {
	h := sha256.New()
	known := true
	var write func(v any)
	write = func(v any) {
		switch x := v.(type) {
		case cty.Value:
			x, _ = x.UnmarkDeep()
			if !x.IsWhollyKnown() {
				known = false
				h.Write([]byte("?"))
				return
			}
			if x == cty.NilVal || x.IsNull() {
				h.Write([]byte("null"))
				return
			}
			b, err := ctyjson.Marshal(x, x.Type())
			if err != nil {
				fmt.Fprintf(h, "%#v", x)
				return
			}
			h.Write(b)
		case map[string]cty.Value:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(h, "%q:", k)
				write(x[k])
				h.Write([]byte(","))
			}
		case map[string]string:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(h, "%q=%q,", k, x[k])
			}
		case []any:
			for _, e := range x {
				write(e)
				h.Write([]byte{0})
			}
		default:
			fmt.Fprintf(h, "%#v", x)
		}
	}
	write(v)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16], known
}

// Small value helpers, each with a diagnostic that names the argument.
// They read values plain: a value from a sensitive variable is used as it
// is, and masked where a run prints it (pipelineSpec.masks).

// unmarked is v without marks, which a value must shed to be read.
func unmarked(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return v
	}
	v, _ = v.UnmarkDeep()
	return v
}

func knownString(v cty.Value, name string, r hcl.Range) (string, hcl.Diagnostics) {
	s, err := convert.Convert(unmarked(v), cty.String)
	if err != nil || s.IsNull() {
		return "", hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be a string.", name)}
	}
	if !s.IsKnown() {
		return "", hcl.Diagnostics{kind.Errorf("Value not known", &r, "%s must be known at plan time; it depends on a value known only after apply.", name)}
	}
	return s.AsString(), nil
}

func stringList(v cty.Value, name string, r hcl.Range) ([]string, hcl.Diagnostics) {
	if v.IsNull() {
		return nil, nil
	}
	v = unmarked(v)
	if v.Type() == cty.String {
		s, d := knownString(v, name, r)
		return []string{s}, d
	}
	l, err := convert.Convert(v, cty.List(cty.String))
	if err != nil {
		return nil, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be a list of strings: %v.", name, err)}
	}
	if !l.IsWhollyKnown() {
		return nil, hcl.Diagnostics{kind.Errorf("Value not known", &r, "%s must be known at plan time; it depends on a value known only after apply.", name)}
	}
	var out []string
	for _, e := range l.AsValueSlice() {
		if e.IsNull() {
			return nil, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s may not hold null.", name)}
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

// commandList is a list of shell commands; a single string is one command.
func commandList(v cty.Value, name string, r hcl.Range) ([]string, hcl.Diagnostics) {
	if v == cty.NilVal {
		return nil, nil
	}
	v, _ = v.UnmarkDeep()
	return stringList(v, name, r)
}

func stringMap(v cty.Value, name string, r hcl.Range) (map[string]string, hcl.Diagnostics) {
	if v == cty.NilVal || v.IsNull() {
		return nil, nil
	}
	v, _ = v.UnmarkDeep()
	m, err := convert.Convert(v, cty.Map(cty.String))
	if err != nil {
		return nil, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be a map of strings, like { CGO_ENABLED = \"0\" }: %v.", name, err)}
	}
	if !m.IsWhollyKnown() {
		return nil, hcl.Diagnostics{kind.Errorf("Value not known", &r, "%s must be known at plan time; it depends on a value known only after apply.", name)}
	}
	out := map[string]string{}
	for k, e := range m.AsValueMap() {
		if !e.IsNull() {
			out[k] = e.AsString()
		}
	}
	return out, nil
}

func wholeNumber(v cty.Value, name string, r hcl.Range) (int, hcl.Diagnostics) {
	n, err := convert.Convert(unmarked(v), cty.Number)
	if err != nil || n.IsNull() || !n.IsKnown() {
		return 0, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be a whole number known at plan time.", name)}
	}
	i, acc := n.AsBigFloat().Int64()
	if acc != 0 || i < 0 {
		return 0, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be a whole number zero or greater.", name)}
	}
	return int(i), nil
}

func durationValue(v cty.Value, name string, r hcl.Range) (time.Duration, hcl.Diagnostics) {
	s, diags := knownString(v, name, r)
	if diags.HasErrors() {
		return 0, diags
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s %q is not a duration; write it like \"30s\", \"5m\" or \"1h30m\".", name, s)}
	}
	return d, nil
}

func boolValue(v cty.Value, name string, r hcl.Range) (value, known bool, diags hcl.Diagnostics) {
	v, _ = v.UnmarkDeep()
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || b.IsNull() {
		return false, true, hcl.Diagnostics{kind.Errorf("Invalid "+name, &r, "%s must be true or false.", name)}
	}
	if !b.IsKnown() {
		return false, false, nil
	}
	return b.True(), true, nil
}
