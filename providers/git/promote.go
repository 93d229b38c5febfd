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
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/retry"
)

// promote is the resource type "git_promote": one commit that changes a
// GitOps repository (sets an image's new tag, say), pushed to a branch.
type promote struct{ p *provider }

var (
	_ sdk.ResourceWithPlan     = (*promote)(nil)
	_ sdk.ResourceWithValidate = (*promote)(nil)
)

const (
	defaultAuthorName  = "slipway"
	defaultAuthorEmail = "slipway@localhost"
)

var promoteSchema = sdk.Schema{
	Description: "A commit to a git repository that sets an image's tag or digest, a YAML value or a file's content, pushed to a branch (never forced). " +
		"The plan shows the change made on base_commit; apply makes the same change on the branch's head and pushes it, making it again on the new head when the branch moved meanwhile. " +
		"Once applied, a plan that finds the branch holding the values is no change: the commit, parent, changes and diff recorded stay.",
	Attributes: map[string]sdk.Attribute{
		builtin.PromoteURL: {Type: cty.String, Required: true,
			Description: "The repository: an http(s)://, ssh:// or file:// URL, or a local path."},
		builtin.PromoteBranch: {Type: cty.String, Required: true,
			Description: "The branch to commit to. It must exist on the remote."},
		builtin.PromoteBaseCommit: {Type: cty.String, Optional: true, Provenance: true,
			Description: "The full commit the plan reads the files at, usually the commit of the git source that read the repository. " +
				"The plan reads the branch's head instead when base_commit is unset or not in the branch's history (a source that follows another branch), and when the branch has moved since and either commit already holds the values. " +
				"A new base_commit alone is no change (the promote's own push moves the source it follows): apply records it."},
		builtin.PromotePath: {Type: cty.String, Required: true,
			Description: `The file or directory edited, relative to the repository root ("apps/myapp").`},
		builtin.PromoteImage: {Type: cty.String, Optional: true,
			Description: `Set this image (a name without tag, "registry.example.com/me/myapp") to new_tag and/or digest: in the kustomization's images when path is a kustomization or a directory holding one, else in every container and init container of the YAML files at path.`},
		builtin.PromoteNewTag: {Type: cty.String, Optional: true,
			Description: "The image's new tag; with image."},
		builtin.PromoteDigest: {Type: cty.String, Optional: true,
			Description: `The image's new digest ("sha256:..."); with image.`},
		builtin.PromoteYAMLPath: {Type: cty.String, Optional: true,
			Description: `Set the value at this path of the YAML file path ("image.tag", "spec.template.spec.containers.[name=app].image"), creating missing maps; with value.`},
		builtin.PromoteValue: {Type: cty.String, Optional: true,
			Description: "The value to set at yaml_path."},
		builtin.PromoteContent: {Type: cty.String, Optional: true,
			Description: "The whole new content of the file path, created when missing."},
		builtin.PromoteMessage: {Type: cty.String, Required: true,
			Description: "The commit message."},
		builtin.PromoteAuthorName: {Type: cty.String, Optional: true, Computed: true,
			Description: `The commit's author and committer name; "slipway" when unset.`},
		builtin.PromoteAuthorEmail: {Type: cty.String, Optional: true, Computed: true,
			Description: `The commit's author and committer email; "slipway@localhost" when unset.`},
		builtin.PromoteChanges: {Type: cty.List(builtin.PromoteChangeType), Computed: true,
			Description: "Each value the commit changes: file, field (empty for content), before and after. Empty when there is nothing to change."},
		builtin.PromoteDiff: {Type: cty.String, Computed: true,
			Description: "A unified diff of the files the commit changes; empty when there is nothing to change."},
		builtin.PromoteCommit: {Type: cty.String, Computed: true,
			Description: "The commit pushed; the branch's head, unchanged, when there was nothing to change."},
		builtin.PromoteParent: {Type: cty.String, Computed: true,
			Description: "The commit the pushed commit sits on: the branch's head when it was pushed; empty when nothing was pushed."},
	},
}

// editInputs are the attributes the edit and its base follow from: when
// one is unknown, so is what the plan would change.
var editInputs = []string{
	builtin.PromoteURL, builtin.PromoteBranch, builtin.PromoteBaseCommit, builtin.PromotePath,
	builtin.PromoteImage, builtin.PromoteNewTag, builtin.PromoteDigest,
	builtin.PromoteYAMLPath, builtin.PromoteValue, builtin.PromoteContent,
}

// whereInputs are the attributes that say where the edit goes: when they
// are known, the plan checks the branch and the path exist even if the
// edit itself is not known yet.
var whereInputs = []string{builtin.PromoteURL, builtin.PromoteBranch, builtin.PromoteBaseCommit, builtin.PromotePath}

// promoteComputed are the attributes only the provider sets.
var promoteComputed = []string{builtin.PromoteChanges, builtin.PromoteDiff, builtin.PromoteCommit, builtin.PromoteParent}

func (*promote) Schema() sdk.Schema { return promoteSchema }

// promoteConfig is a checked, wholly known configuration.
type promoteConfig struct {
	rawURL, url, protocol string
	shown                 string // the URL in messages: displayURL, no credentials
	branch                string
	base                  plumbing.Hash // zero: the branch's head
	edit                  edit
	message               string
	author                string
	email                 string
}

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
	sha256Pattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// checkPromote checks a configuration, whose attributes may be unknown:
// only the known ones are checked. The result is complete only when the
// configuration is wholly known and there are no errors.
func checkPromote(cfg cty.Value) (promoteConfig, sdk.Diagnostics) {
	diags := sdk.ValidateConfig(promoteSchema, cfg)
	var pc promoteConfig
	if cfg.IsNull() || !cfg.IsKnown() {
		return pc, diags
	}
	known := func(name string) bool { return sdk.IsSet(cfg, name) }
	set := func(name string) bool { v := cfg.GetAttr(name); return !v.IsKnown() || !v.IsNull() }
	bad := func(name, summary, detail string) { diags.AddAttributeError(cty.GetAttrPath(name), summary, detail) }

	if known(builtin.PromoteURL) {
		pc.rawURL = sdk.GetString(cfg, builtin.PromoteURL)
		pc.shown = displayURL(pc.rawURL)
		var err error
		if pc.url, pc.protocol, err = normalizeURL(pc.rawURL); err != nil {
			bad(builtin.PromoteURL, "Invalid repository URL",
				redactSecrets(fmt.Sprintf("The url %q is not a git URL slipway can push to: %v. Write an http(s)://, ssh:// or file:// URL, or a local path.", pc.shown, err), pc.rawURL))
		}
	}
	if known(builtin.PromoteBranch) {
		pc.branch = sdk.GetString(cfg, builtin.PromoteBranch)
		if strings.TrimSpace(pc.branch) == "" || plumbing.NewBranchReferenceName(pc.branch).Validate() != nil {
			bad(builtin.PromoteBranch, "Invalid branch name", fmt.Sprintf("The branch %q is not a valid git branch name. Write a name such as \"main\".", pc.branch))
		}
	}
	if known(builtin.PromoteBaseCommit) {
		c := sdk.GetString(cfg, builtin.PromoteBaseCommit)
		if lc := strings.ToLower(c); fullHash.MatchString(lc) {
			pc.base = plumbing.NewHash(lc)
		} else {
			bad(builtin.PromoteBaseCommit, "Invalid commit hash",
				fmt.Sprintf("The base_commit %q is not a full commit hash. Write all 40 hexadecimal digits, such as a git source's commit.", c))
		}
	}
	if known(builtin.PromotePath) {
		raw := sdk.GetString(cfg, builtin.PromotePath)
		clean, ok := cleanRepoPath(raw)
		if !ok {
			bad(builtin.PromotePath, "Invalid path",
				fmt.Sprintf("The path %q leaves the repository or names its metadata. Write a path relative to the repository root, such as \"apps/myapp\".", raw))
		}
		pc.edit.path = clean
	}

	var modes []string
	for _, m := range []string{builtin.PromoteImage, builtin.PromoteYAMLPath, builtin.PromoteContent} {
		if set(m) {
			modes = append(modes, m)
		}
	}
	switch len(modes) {
	case 0:
		diags.AddError("No edit", "A git_promote sets one of image (with new_tag or digest), yaml_path (with value) or content. Set one.")
	case 1:
	default:
		bad(modes[1], "Conflicting edits",
			fmt.Sprintf("A git_promote makes one kind of edit, but this one sets %s. Keep one.", strings.Join(modes, " and ")))
	}
	mode := ""
	if len(modes) == 1 {
		mode = modes[0]
	}
	for _, a := range [][2]string{
		{builtin.PromoteNewTag, builtin.PromoteImage},
		{builtin.PromoteDigest, builtin.PromoteImage},
		{builtin.PromoteValue, builtin.PromoteYAMLPath},
	} {
		if set(a[0]) && mode != "" && mode != a[1] {
			bad(a[0], "Argument belongs to another edit", fmt.Sprintf("%s goes with %s, which is not set.", a[0], a[1]))
		}
	}
	switch mode {
	case builtin.PromoteImage:
		pc.edit.mode = editImage
		if !set(builtin.PromoteNewTag) && !set(builtin.PromoteDigest) {
			bad(builtin.PromoteImage, "Missing new tag", "Setting an image needs new_tag, digest or both.")
		}
		if known(builtin.PromoteImage) {
			pc.edit.image = sdk.GetString(cfg, builtin.PromoteImage)
			img := pc.edit.image
			switch {
			case img == "" || strings.ContainsAny(img, " \t\n@"):
				bad(builtin.PromoteImage, "Invalid image", fmt.Sprintf("The image %q is not an image name. Write the name without tag or digest, such as \"registry.example.com/me/myapp\".", img))
			case imageRepository(img) != img:
				bad(builtin.PromoteImage, "Image has a tag", fmt.Sprintf("The image %q has a tag. Write the name without it (%q) and put the tag in new_tag.", img, imageRepository(img)))
			}
		}
		if known(builtin.PromoteNewTag) {
			pc.edit.newTag = sdk.GetString(cfg, builtin.PromoteNewTag)
			if !tagPattern.MatchString(pc.edit.newTag) {
				bad(builtin.PromoteNewTag, "Invalid tag", fmt.Sprintf("The tag %q is not a valid image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.", pc.edit.newTag))
			}
		}
		if known(builtin.PromoteDigest) {
			pc.edit.digest = sdk.GetString(cfg, builtin.PromoteDigest)
			d := pc.edit.digest
			if !digestPattern.MatchString(d) || (strings.HasPrefix(d, "sha256:") && !sha256Pattern.MatchString(d)) {
				bad(builtin.PromoteDigest, "Invalid digest", fmt.Sprintf("The digest %q is not an image digest. Write it as \"sha256:\" and 64 lowercase hexadecimal digits.", d))
			}
		}
	case builtin.PromoteYAMLPath:
		pc.edit.mode = editYAMLPath
		if !set(builtin.PromoteValue) {
			bad(builtin.PromoteYAMLPath, "Missing value", "Setting a yaml_path needs the value to set.")
		}
		if known(builtin.PromoteYAMLPath) {
			pc.edit.yamlPath = sdk.GetString(cfg, builtin.PromoteYAMLPath)
			if _, err := splitYAMLPath(pc.edit.yamlPath); err != nil {
				bad(builtin.PromoteYAMLPath, "Invalid yaml_path", fmt.Sprintf("The yaml_path %q is not a path: %v. Write keys separated by dots, such as \"image.tag\".", pc.edit.yamlPath, err))
			}
		}
		pc.edit.value = sdk.GetString(cfg, builtin.PromoteValue)
	case builtin.PromoteContent:
		pc.edit.mode = editContent
		pc.edit.content = sdk.GetString(cfg, builtin.PromoteContent)
		if known(builtin.PromotePath) && pc.edit.path == "" {
			bad(builtin.PromotePath, "Path is a directory", "content replaces a file's content, and the path names the repository root. Name a file.")
		}
	}
	if known(builtin.PromoteMessage) && strings.TrimSpace(sdk.GetString(cfg, builtin.PromoteMessage)) == "" {
		bad(builtin.PromoteMessage, "Empty commit message", "Write a commit message, such as \"Deploy myapp 1.2.3\".")
	}
	pc.message = sdk.GetString(cfg, builtin.PromoteMessage)
	pc.author, pc.email = defaultAuthorName, defaultAuthorEmail
	if known(builtin.PromoteAuthorName) {
		pc.author = sdk.GetString(cfg, builtin.PromoteAuthorName)
	}
	if known(builtin.PromoteAuthorEmail) {
		pc.email = sdk.GetString(cfg, builtin.PromoteAuthorEmail)
	}
	for _, name := range []string{builtin.PromoteAuthorName, builtin.PromoteAuthorEmail} {
		if v := sdk.GetString(cfg, name); known(name) && (strings.TrimSpace(v) == "" || strings.ContainsAny(v, "<>\n")) {
			bad(name, "Invalid commit author", fmt.Sprintf("The %s %q cannot go in a commit: it is empty or holds '<', '>' or a line break.", name, v))
		}
	}
	return pc, diags
}

// cleanRepoPath checks a path inside the repository and returns it clean
// and slash-separated, "" for the root.
func cleanRepoPath(raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	clean := path.Clean(strings.ReplaceAll(raw, "\\", "/"))
	if clean == "." {
		return "", true
	}
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	for _, part := range strings.Split(clean, "/") {
		if !safeName(part) {
			return "", false
		}
	}
	return clean, true
}

func (r *promote) Validate(_ context.Context, req sdk.ValidateRequest, resp *sdk.ValidateResponse) {
	_, resp.Diagnostics = checkPromote(req.Config)
}

// Plan computes the change from the files at base_commit, or at the
// branch's head: see promoteBase, and the head's edit below. Nothing is
// written to the remote.
func (r *promote) Plan(ctx context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	cfg := req.Config
	pc, diags := checkPromote(cfg)
	resp.Diagnostics = append(resp.Diagnostics, diags...)
	if diags.HasErrors() || !cfg.IsKnown() {
		return // an unknown configuration keeps the default plan: all unknown
	}
	resp.RequiresReplace = nil
	allKnown := func(names []string) bool {
		for _, name := range names {
			if !cfg.GetAttr(name).IsKnown() {
				return false
			}
		}
		return true
	}
	editKnown := allKnown(editInputs)
	if !editKnown {
		// What the edit changes is known after apply (a tag of an image
		// not built yet). Where it goes may be known already: check it.
		resp.PlannedState = promoteState(cfg, unknownComputed())
		if !allKnown(whereInputs) {
			return
		}
	}

	set, c, err := r.p.config()
	if err != nil {
		resp.Diagnostics.AddError("No cache directory",
			fmt.Sprintf("The git provider keeps repositories in a cache directory, and none could be found: %v. Set cache_dir in the provider \"git\" block.", err))
		return
	}
	rp, err := openForPromote(ctx, c, set, pc)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, promoteDiag(err, pc))
		return
	}
	defer rp.close()

	// The branch must exist even when the plan reads base_commit: apply
	// pushes to it.
	base, head, err := rp.promoteBase(ctx, pc.branch, pc.base)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, promoteDiag(err, pc))
		return
	}
	if !editKnown {
		if err := checkTarget(&pc.edit, base); err != nil {
			resp.Diagnostics = append(resp.Diagnostics, promoteDiag(err, pc))
		}
		return
	}
	res, err := runEdit(&pc.edit, base)
	if err == nil && base.Hash != head.Hash {
		// The branch has moved since base_commit, and apply edits its
		// head: when either commit holds the values already, the plan
		// is made on the head. Apply of a plan that changes nothing
		// changes nothing, so the head must not need the change; and
		// apply finds nothing to commit on a head that holds the
		// values, whatever base_commit holds.
		var at *editResult
		if at, err = runEdit(&pc.edit, head); err == nil && (len(at.files) == 0 || len(res.files) == 0) {
			base, res = head, at
		}
	}
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, promoteDiag(err, pc))
		return
	}
	out := promoteOut{changes: changesValue(res.values), diff: cty.StringVal(unifiedDiff(res.files))}
	switch {
	case len(res.files) > 0:
		out.commit, out.parent = cty.UnknownVal(cty.String), cty.UnknownVal(cty.String)
	case sameEdit(cfg, req.PriorState):
		// The branch holds the values this promote set (or found set):
		// what it recorded then stands, and the plan is no change.
		prior := req.PriorState
		out = promoteOut{
			changes: prior.GetAttr(builtin.PromoteChanges), diff: prior.GetAttr(builtin.PromoteDiff),
			commit: prior.GetAttr(builtin.PromoteCommit), parent: prior.GetAttr(builtin.PromoteParent),
		}
	default:
		out.commit, out.parent = cty.StringVal(base.Hash.String()), cty.StringVal("")
	}
	resp.PlannedState = promoteState(cfg, out)
}

// promoteBase returns the commit the plan makes the edit on, and the
// branch's head. That is the head when base is zero, or when base is not
// in the branch's history: it was read from another branch, whose files
// say nothing of this one's. Otherwise it is base, the commit the
// configuration read, even when the branch has moved since (apply makes
// the edit again on the head).
func (r *repo) promoteBase(ctx context.Context, branch string, base plumbing.Hash) (*object.Commit, *object.Commit, error) {
	headHash, refs, err := r.remoteBranch(ctx, branch)
	if err != nil {
		return nil, nil, err
	}
	head, err := r.ensureCommit(ctx, refs, branch, headHash)
	if err != nil {
		return nil, nil, err
	}
	if base.IsZero() || base == headHash {
		return head, head, nil
	}
	at, err := r.ensureCommit(ctx, refs, branch, base)
	if err != nil {
		return nil, nil, err
	}
	in, err := at.IsAncestor(head)
	if err != nil {
		return nil, nil, fmt.Errorf("read the history of branch %s: %w", branch, err)
	}
	if !in {
		return head, head, nil
	}
	return at, head, nil
}

// sameEdit reports whether prior, a state, records the edit cfg
// configures, of the same path of the same branch: base_commit aside,
// which moves with every commit read while the edit stays the same.
func sameEdit(cfg, prior cty.Value) bool {
	if prior == cty.NilVal || prior.IsNull() || !prior.IsWhollyKnown() {
		return false
	}
	for _, name := range editInputs {
		if name == builtin.PromoteBaseCommit {
			continue
		}
		if !cfg.GetAttr(name).RawEquals(prior.GetAttr(name)) {
			return false
		}
	}
	for _, name := range promoteComputed {
		if prior.GetAttr(name).IsNull() {
			return false
		}
	}
	return true
}

// maxAttempts is how many times apply makes its commit on the branch's
// head and pushes it, when the branch keeps moving in between.
const maxAttempts = 5

// pushRetry waits between those attempts: 200ms, doubling, at most 800ms.
// The jitter keeps two applies racing for one branch from racing again.
var pushRetry = retry.Policy{Limit: maxAttempts - 1, Backoff: 200 * time.Millisecond, Factor: 2, Max: 800 * time.Millisecond, Jitter: retry.Jitter}

// Apply makes the planned edit on the branch's head and pushes it.
func (r *promote) Apply(ctx context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() {
		// A commit pushed stays in the branch's history: there is
		// nothing to undo, and history is never rewritten.
		resp.NewState = cty.NullVal(promoteSchema.ImpliedType())
		return
	}
	planned := req.PlannedState
	if planned.IsWhollyKnown() {
		// The plan showed nothing to commit (a commit to push is known
		// only after apply): apply changes nothing.
		req.Progress(fmt.Sprintf("nothing to change at %s", short(sdk.GetString(planned, builtin.PromoteCommit))))
		resp.NewState = planned
		return
	}
	cfg := req.Config
	pc, diags := checkPromote(cfg)
	if diags.HasErrors() || !cfg.IsWhollyKnown() {
		resp.Diagnostics = append(resp.Diagnostics, diags...)
		if !diags.HasErrors() {
			resp.Diagnostics.AddError("Configuration not known", "The configuration of this git_promote still holds values not known at apply. This is a bug in slipway; please report it.")
		}
		return // NewState unset: the prior state stands
	}
	set, c, err := r.p.config()
	if err != nil {
		resp.Diagnostics.AddError("No cache directory",
			fmt.Sprintf("The git provider keeps repositories in a cache directory, and none could be found: %v. Set cache_dir in the provider \"git\" block.", err))
		return
	}
	out, err := pushEdit(ctx, c, set, pc, req.Progress)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, promoteDiag(err, pc))
		return // nothing was pushed: the prior state stands
	}
	resp.NewState = promoteState(cfg, out)
	if w := differsFromPlan(planned, resp.NewState); w != "" {
		resp.Diagnostics.AddWarning("Branch moved since the plan",
			fmt.Sprintf("The branch %q of %s moved after the plan was made, and the edit made on its new head %s: %s. The commit pushed holds the edit as configured; check its diff.", pc.branch, pc.shown, w, short(sdk.GetString(resp.NewState, builtin.PromoteCommit))))
	}
}

// pushEdit makes the edit on the branch's head, commits and pushes it,
// and makes it again on the new head when the branch moved meanwhile.
func pushEdit(ctx context.Context, c *cache, set settings, pc promoteConfig, progress func(string)) (promoteOut, error) {
	rp, err := openForPromote(ctx, c, set, pc)
	if err != nil {
		return promoteOut{}, err
	}
	defer rp.close()

	// refused maps the commits whose push seemed refused to the outcome
	// had it landed: a push can land and its answer still be lost.
	refused := map[plumbing.Hash]promoteOut{}
	var out promoteOut
	err = retry.Do(ctx, pushRetry, func(attempt int) (bool, error) {
		head, err := rp.branchHead(ctx, pc.branch)
		if err != nil {
			return false, err
		}
		if o, ok := refused[head.Hash]; ok {
			progress(fmt.Sprintf("pushed %s to %s %s", short(head.Hash.String()), pc.shown, pc.branch))
			out = o
			return false, nil
		}
		res, err := runEdit(&pc.edit, head)
		if err != nil {
			return false, err
		}
		o := promoteOut{changes: changesValue(res.values), diff: cty.StringVal(unifiedDiff(res.files))}
		if len(res.files) == 0 {
			progress(fmt.Sprintf("nothing to change at %s of %s", short(head.Hash.String()), pc.branch))
			o.commit, o.parent = cty.StringVal(head.Hash.String()), cty.StringVal("")
			out = o
			return false, nil
		}
		now := time.Now()
		sig := object.Signature{Name: pc.author, Email: pc.email, When: now}
		commit, err := rp.writeCommit(head, res.files, sig, pc.message)
		if err != nil {
			return false, fmt.Errorf("write the commit: %w", err)
		}
		progress(fmt.Sprintf("committing %s to %s", plural(len(res.files), "file"), pc.branch))
		err = rp.push(ctx, commit, head.Hash, pc.branch)
		o.commit, o.parent = cty.StringVal(commit.String()), cty.StringVal(head.Hash.String())
		if err == nil {
			progress(fmt.Sprintf("pushed %s to %s %s", short(commit.String()), pc.shown, pc.branch))
			out = o
			return false, nil
		}
		refused[commit] = o
		// Rejected: if the branch moved, make the edit again on its
		// new head; anything else is a failure.
		moved, lerr := rp.branchMoved(ctx, pc.branch, head.Hash)
		if lerr != nil || !moved {
			return false, &pushError{url: pc.shown, branch: pc.branch, err: err}
		}
		if attempt < maxAttempts {
			progress(fmt.Sprintf("%s moved while pushing; making the edit again on its new head (attempt %d of %d)", pc.branch, attempt+1, maxAttempts))
		}
		return true, &pushError{url: pc.shown, branch: pc.branch, err: err, gaveUp: true}
	})
	if err != nil && ctx.Err() != nil {
		// Cancelled while waiting for the next attempt, or during one.
		return promoteOut{}, context.Cause(ctx)
	}
	return out, err
}

// branchMoved reports whether the remote's branch is no longer at head.
func (r *repo) branchMoved(ctx context.Context, branch string, head plumbing.Hash) (bool, error) {
	list, err := r.listRemote(ctx)
	if err != nil {
		return false, err
	}
	h, ok := newAdvertised(list).hash[plumbing.NewBranchReferenceName(branch)]
	return !ok || h != head, nil
}

// pushError is a push the remote refused.
type pushError struct {
	url, branch string
	err         error
	gaveUp      bool // the branch kept moving
}

func (e *pushError) Error() string {
	return fmt.Sprintf("push to %s %s: %v", e.url, e.branch, e.err)
}
func (e *pushError) Unwrap() error { return e.err }

// openForPromote opens the cached repository of the configuration's URL,
// under its lock.
func openForPromote(ctx context.Context, c *cache, set settings, pc promoteConfig) (*repo, error) {
	remote, info := stripCredentials(pc.url)
	auth, err := set.creds.auth(remote, pc.protocol, info)
	if err != nil {
		return nil, &editError{"", "Cannot load SSH key", err.Error() + "."}
	}
	if pc.protocol == "file" {
		useLocalServer()
	}
	r, err := c.open(ctx, pc.url, auth)
	if err != nil {
		return nil, &editError{"", "Cannot open git cache", fmt.Sprintf("Opening the cached repository of %s failed: %v.", pc.shown, err)}
	}
	return r, nil
}

// checkTarget checks that the path an edit whose values are not known
// yet edits exists at commit (content may create its file), and that its
// links stay inside the repository.
func checkTarget(e *edit, commit *object.Commit) error {
	tree, err := commit.Tree()
	if err != nil {
		return fmt.Errorf("read the tree of commit %s: %w", commit.Hash, err)
	}
	resolved, err := resolveTreePath(tree, e.path)
	if err != nil {
		return err
	}
	k, err := treeSnapshot{tree: tree}.kind(resolved)
	if err != nil {
		return err
	}
	if k == kindMissing && e.mode != editContent {
		return &editError{builtin.PromotePath, "Path not found in repository", fmt.Sprintf("The path %q does not exist in commit %s.", e.path, short(commit.Hash.String()))}
	}
	return nil
}

// runEdit makes the edit on the files of commit.
func runEdit(e *edit, commit *object.Commit) (*editResult, error) {
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of commit %s: %w", commit.Hash, err)
	}
	// The edit is made where the path leads once its links are followed.
	resolved, err := resolveTreePath(tree, e.path)
	if err != nil {
		return nil, err
	}
	at := *e
	at.path = resolved
	return at.apply(treeSnapshot{tree: tree})
}

// promoteOut are the values of the attributes only the provider sets.
type promoteOut struct {
	changes, diff, commit, parent cty.Value
}

func unknownComputed() promoteOut {
	return promoteOut{
		changes: cty.UnknownVal(cty.List(builtin.PromoteChangeType)),
		diff:    cty.UnknownVal(cty.String),
		commit:  cty.UnknownVal(cty.String),
		parent:  cty.UnknownVal(cty.String),
	}
}

// promoteState is the configuration with the defaults and the computed
// attributes filled in.
func promoteState(cfg cty.Value, out promoteOut) cty.Value {
	attrs := cfg.AsValueMap()
	if v := attrs[builtin.PromoteAuthorName]; v.IsNull() {
		attrs[builtin.PromoteAuthorName] = cty.StringVal(defaultAuthorName)
	}
	if v := attrs[builtin.PromoteAuthorEmail]; v.IsNull() {
		attrs[builtin.PromoteAuthorEmail] = cty.StringVal(defaultAuthorEmail)
	}
	attrs[builtin.PromoteChanges] = out.changes
	attrs[builtin.PromoteDiff] = out.diff
	attrs[builtin.PromoteCommit] = out.commit
	attrs[builtin.PromoteParent] = out.parent
	return promoteSchema.Object(attrs)
}

func changesValue(values []valueChange) cty.Value {
	if len(values) == 0 {
		return cty.ListValEmpty(builtin.PromoteChangeType)
	}
	vals := make([]cty.Value, len(values))
	for i, v := range values {
		vals[i] = cty.ObjectVal(map[string]cty.Value{
			builtin.ChangeFile: cty.StringVal(v.file), builtin.ChangeField: cty.StringVal(v.field),
			builtin.ChangeBefore: cty.StringVal(v.before), builtin.ChangeAfter: cty.StringVal(v.after),
		})
	}
	return cty.ListVal(vals)
}

// differsFromPlan says how the applied changes or diff differ from the
// planned ones, "" when they do not (or the plan did not know them).
func differsFromPlan(planned, applied cty.Value) string {
	var what []string
	for _, name := range []string{builtin.PromoteChanges, builtin.PromoteDiff} {
		p, a := planned.GetAttr(name), applied.GetAttr(name)
		if p.IsWhollyKnown() && !p.RawEquals(a) {
			what = append(what, name)
		}
	}
	if len(what) == 0 {
		return ""
	}
	return "its " + strings.Join(what, " and ") + " differ from the plan's"
}

// Read returns the state unchanged: a pushed commit does not change.
func (*promote) Read(context.Context, sdk.ReadRequest, *sdk.ReadResponse) {}

// promoteDiag turns a failure of a promote into what the user reads: the
// URL in its display form, and no secret of it in the causes quoted
// either.
func promoteDiag(err error, pc promoteConfig) sdk.Diagnostic {
	d := describePromote(err, pc)
	d.Detail = redactSecrets(d.Detail, pc.rawURL, pc.url)
	return d
}

func describePromote(err error, pc promoteConfig) sdk.Diagnostic {
	var (
		ee *editError
		pe *pushError
	)
	switch {
	case errors.As(err, &ee):
		d := sdk.Diagnostic{Severity: sdk.Error, Summary: ee.summary, Detail: ee.detail}
		if ee.attr != "" {
			d.Attribute = cty.GetAttrPath(ee.attr)
		}
		return d
	case errors.As(err, &pe):
		d := sdk.Diagnostic{Severity: sdk.Error, Attribute: cty.GetAttrPath(builtin.PromoteBranch)}
		if pe.gaveUp {
			d.Summary = "Branch keeps moving"
			d.Detail = fmt.Sprintf("The branch %q of %s moved every time a commit was pushed to it, %d times; gave up (last refusal: %v). Nothing was forced. Run apply again.", pe.branch, pe.url, maxAttempts, pe.err)
			return d
		}
		d.Summary = "Git push refused"
		if isAuthError(pe.err) {
			d.Summary = "Git authentication failed"
		}
		d.Detail = fmt.Sprintf("Pushing to the branch %q of %s failed: %v. Check that the credentials in the provider \"git\" block may push to it (they go to the hosts its hosts names, when set, and never over plain http but to this machine), and that no branch protection refuses the commit.", pe.branch, pe.url, pe.err)
		return d
	}
	d := diagnose(err, pc.rawURL)
	if d.Summary == "Git commit not found" {
		d.Attribute = cty.GetAttrPath(builtin.PromoteBaseCommit)
	}
	return d
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
