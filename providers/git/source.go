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
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// source is the source type "git": `source "git" "NAME" { url = ... }`.
type source struct{ p *provider }

var _ sdk.Source = (*source)(nil)

var sourceSchema = sdk.Schema{
	Description: "A git repository at a branch, tag or commit, resolved to a commit at every plan and checked out read-only on local disk.",
	Attributes: map[string]sdk.Attribute{
		builtin.SourceURL: {Type: cty.String, Required: true,
			Description: "The repository: an http(s)://, ssh:// or file:// URL, or a local path."},
		builtin.SourceBranch: {Type: cty.String, Optional: true,
			Description: "The branch to follow. At most one of branch, tag and commit; the remote's default branch when none is set."},
		"tag": {Type: cty.String, Optional: true,
			Description: "The tag to read."},
		builtin.SourceCommit: {Type: cty.String, Optional: true, Computed: true,
			Description: "The full commit hash to read; when branch or tag is used instead, the commit it resolved to."},
		"path": {Type: cty.String, Optional: true,
			Description: "A directory inside the repository; dir and directories are of that directory. The repository root when unset."},
		builtin.SourceShortCommit: {Type: cty.String, Computed: true,
			Description: "The first 7 characters of commit."},
		builtin.SourceRef: {Type: cty.String, Computed: true,
			Description: `The full reference resolved ("refs/heads/main"); empty for a pinned commit.`},
		builtin.SourceDir: {Type: cty.String, Computed: true, Local: true,
			Description: "The absolute path of a read-only checkout of the commit, with path joined in."},
		"directories": {Type: cty.List(cty.String), Computed: true,
			Description: "The names of dir's immediate subdirectories, sorted, hidden ones (a leading dot) left out: for for_each."},
		"message": {Type: cty.String, Computed: true,
			Description: "The subject line of the commit message."},
		"author": {Type: cty.String, Computed: true,
			Description: `The commit's author, as "Name <email>".`},
		"time": {Type: cty.String, Computed: true,
			Description: "The commit time, RFC 3339."},
	},
}

// computed lists the attributes only the provider sets.
var computed = []string{builtin.SourceShortCommit, builtin.SourceRef, builtin.SourceDir, "directories", "message", "author", "time"}

func (*source) Schema() sdk.Schema { return sourceSchema }

var fullHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Read resolves the source to a commit and checks it out.
func (s *source) Read(ctx context.Context, req sdk.SourceReadRequest, resp *sdk.SourceReadResponse) {
	cfg := req.Config
	if !cfg.IsWhollyKnown() {
		// Not known until apply (a URL made by a resource, say): so is
		// everything it resolves to.
		resp.State = unknownState(cfg)
		return
	}
	if req.LocalDir != "" {
		s.readLocal(cfg, req.LocalDir, resp)
		return
	}
	w, rawURL, subdir, diags := parseConfig(cfg)
	if diags.HasErrors() {
		resp.Diagnostics = diags
		return
	}
	url, protocol, err := normalizeURL(rawURL)
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath(builtin.SourceURL), "Invalid repository URL",
			redactSecrets(fmt.Sprintf("The url %q is not a git URL slipway can read: %v. Write an http(s)://, ssh:// or file:// URL, or a local path.", displayURL(rawURL), err), rawURL))
		return
	}
	// shown is the URL in every message: never its credentials.
	shown := displayURL(url)
	remote, info := stripCredentials(url)
	set, c, err := s.p.config()
	if err != nil {
		resp.Diagnostics.AddError("No cache directory",
			fmt.Sprintf("The git provider keeps repositories in a cache directory, and none could be found: %v. Set cache_dir in the provider \"git\" block.", err))
		return
	}
	auth, err := set.creds.auth(remote, protocol, info)
	if err != nil {
		resp.Diagnostics.AddError("Cannot load SSH key", err.Error()+".")
		return
	}
	if protocol == "file" {
		useLocalServer()
	}

	r, err := c.open(ctx, url, auth)
	if err != nil {
		resp.Diagnostics.AddError("Cannot open git cache", redactSecrets(fmt.Sprintf("Opening the cached repository of %s failed: %v.", shown, err), rawURL, url))
		return
	}
	defer r.close()
	if req.Hard {
		if err := r.reset(); err != nil {
			resp.Diagnostics.AddError("Cannot drop git cache", redactSecrets(fmt.Sprintf("Dropping the cached repository of %s for a hard refresh failed: %v.", shown, err), rawURL, url))
			return
		}
	}
	res, err := r.resolve(ctx, w)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, diagnose(err, rawURL))
		return
	}

	tree, err := res.commit.Tree()
	if err != nil {
		resp.Diagnostics.AddError("Cannot read commit", redactSecrets(fmt.Sprintf("Reading the tree of commit %s of %s failed: %v.", res.commit.Hash, shown, err), rawURL, url))
		return
	}
	dirs, err := subdirectories(tree, subdir)
	if err != nil {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("path"), "Path not found in repository",
			fmt.Sprintf("The path %q is not a directory in commit %s of %s: %v.", subdir, res.commit.Hash.String()[:7], displayURL(rawURL), err))
		return
	}
	root, err := c.checkout(r, res.commit, req.Hard)
	if err != nil {
		resp.Diagnostics.AddError("Cannot check out commit", redactSecrets(fmt.Sprintf("Writing the files of commit %s of %s failed: %v.", res.commit.Hash, shown, err), rawURL, url))
		return
	}
	dir := root
	if subdir != "" {
		dir = filepath.Join(root, filepath.FromSlash(subdir))
	}
	resp.State = resolvedState(cfg, res, dir, dirs)
}

// parseConfig reads and checks a wholly known configuration.
func parseConfig(cfg cty.Value) (w want, url, subdir string, diags sdk.Diagnostics) {
	url = sdk.GetString(cfg, builtin.SourceURL)
	if url == "" {
		diags.AddAttributeError(cty.GetAttrPath(builtin.SourceURL), "Missing repository URL",
			`A git source needs the url of its repository, such as "https://github.com/org/repo.git".`)
	}
	var set []string
	for _, name := range []string{builtin.SourceBranch, "tag", builtin.SourceCommit} {
		if sdk.IsSet(cfg, name) {
			set = append(set, name)
		}
	}
	if len(set) > 1 {
		diags.AddAttributeError(cty.GetAttrPath(set[1]), "Conflicting git refs",
			fmt.Sprintf("A git source reads one of branch, tag or commit, but this one sets %s. Keep one.", strings.Join(set, " and ")))
	}
	w.branch = sdk.GetString(cfg, builtin.SourceBranch)
	w.tag = sdk.GetString(cfg, "tag")
	for _, name := range []string{builtin.SourceBranch, "tag"} {
		if sdk.IsSet(cfg, name) && strings.TrimSpace(sdk.GetString(cfg, name)) == "" {
			diags.AddAttributeError(cty.GetAttrPath(name), "Empty git ref",
				fmt.Sprintf("The %s is empty. Name one, or leave it out to read the remote's default branch.", name))
		}
	}
	if c := sdk.GetString(cfg, builtin.SourceCommit); sdk.IsSet(cfg, builtin.SourceCommit) {
		if lc := strings.ToLower(c); fullHash.MatchString(lc) {
			w.commit = plumbing.NewHash(lc)
		} else {
			diags.AddAttributeError(cty.GetAttrPath(builtin.SourceCommit), "Invalid commit hash",
				fmt.Sprintf("The commit %q is not a full commit hash. Write all 40 hexadecimal digits (git rev-parse gives them).", c))
		}
	}
	subdir = sdk.GetString(cfg, "path")
	if subdir != "" {
		clean := path.Clean(strings.ReplaceAll(subdir, "\\", "/"))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			diags.AddAttributeError(cty.GetAttrPath("path"), "Invalid path",
				fmt.Sprintf("The path %q leaves the repository. Write a path relative to the repository root, such as \"apps/myapp\".", subdir))
		}
		if clean == "." {
			clean = ""
		}
		subdir = clean
	}
	return w, url, subdir, diags
}

// subdirectories checks that p is a directory of tree (not through a link)
// and lists its immediate subdirectories, sorted, hidden ones left out, as
// Argo CD's git directory generator does.
func subdirectories(tree *object.Tree, p string) ([]string, error) {
	if p != "" {
		sub, err := tree.Tree(p)
		if err != nil {
			return nil, err
		}
		tree = sub
	}
	var out []string
	for _, e := range tree.Entries {
		if e.Mode == filemode.Dir && !strings.HasPrefix(e.Name, ".") {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func resolvedState(cfg cty.Value, res resolved, dir string, dirs []string) cty.Value {
	c := res.commit
	list := cty.ListValEmpty(cty.String)
	if len(dirs) > 0 {
		vals := make([]cty.Value, len(dirs))
		for i, d := range dirs {
			vals[i] = cty.StringVal(d)
		}
		list = cty.ListVal(vals)
	}
	attrs := cfg.AsValueMap()
	hash := c.Hash.String()
	attrs[builtin.SourceCommit] = cty.StringVal(hash)
	attrs[builtin.SourceShortCommit] = cty.StringVal(hash[:7])
	attrs[builtin.SourceRef] = cty.StringVal(string(res.ref))
	attrs[builtin.SourceDir] = cty.StringVal(dir)
	attrs["directories"] = list
	attrs["message"] = cty.StringVal(subject(c.Message))
	attrs["author"] = cty.StringVal(fmt.Sprintf("%s <%s>", c.Author.Name, c.Author.Email))
	attrs["time"] = cty.StringVal(c.Committer.When.Format(time.RFC3339))
	return sourceSchema.Object(attrs)
}

func unknownState(cfg cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	if cfg.IsKnown() && !cfg.IsNull() {
		attrs = cfg.AsValueMap()
	}
	for _, name := range computed {
		attrs[name] = cty.UnknownVal(sourceSchema.Attributes[name].Type)
	}
	if c, ok := attrs[builtin.SourceCommit]; !ok || c.IsNull() {
		attrs[builtin.SourceCommit] = cty.UnknownVal(cty.String)
	}
	return sourceSchema.Object(attrs)
}

// subject is the first line of a commit message.
func subject(msg string) string {
	line, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n")
	return strings.TrimRight(line, " \r")
}

// diagnose turns a failure to resolve a source of rawURL into what the user
// reads: the URL in its display form, and no secret of it in the causes
// quoted either.
func diagnose(err error, rawURL string) sdk.Diagnostic {
	d := describe(err, displayURL(rawURL))
	d.Detail = redactSecrets(d.Detail, rawURL)
	return d
}

// describe is diagnose with the URL shown as url.
func describe(err error, url string) sdk.Diagnostic {
	d := sdk.Diagnostic{Severity: sdk.Error}
	var (
		refErr    *refNotFoundError
		commitErr *commitNotFoundError
		headErr   *noDefaultBranchError
		remErr    *remoteError
	)
	switch {
	case errors.As(err, &refErr):
		d.Summary = "Git " + refErr.kind + " not found"
		d.Attribute = cty.GetAttrPath(refErr.kind)
		d.Detail = fmt.Sprintf("The %s %q does not exist in %s.", refErr.kind, refErr.name, url)
		if s, ok := closest(refErr.name, refErr.available); ok {
			d.Detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		d.Detail += " " + listing(refErr.kind, refErr.available)
	case errors.As(err, &commitErr):
		d.Summary = "Git commit not found"
		d.Attribute = cty.GetAttrPath(builtin.SourceCommit)
		d.Detail = fmt.Sprintf("The commit %s is not in any branch or tag of %s. Check the hash, and that the commit was pushed.", commitErr.commit, url)
	case errors.As(err, &headErr):
		d.Summary = "No default branch"
		d.Attribute = cty.GetAttrPath(builtin.SourceURL)
		d.Detail = fmt.Sprintf("The remote %s does not say which branch is its default (its HEAD names no branch). Set branch, tag or commit. %s", url, listing("branch", headErr.available))
	case errors.As(err, &remErr):
		d.Attribute = cty.GetAttrPath(builtin.SourceURL)
		cause := remErr.err
		switch {
		case isAuthError(cause):
			d.Summary = "Git authentication failed"
			d.Detail = fmt.Sprintf("Could not %s %s: the server refused the credentials, or asked for some (%v). Set username and password (https; when hosts is set, it must name this host; they never go over plain http but to this machine, so a plain http remote elsewhere takes them in its URL) or ssh_key_file (ssh) in the provider \"git\" block.", remErr.op, url, cause)
		case errors.Is(cause, transport.ErrEmptyRemoteRepository):
			d.Summary = "Git repository is empty"
			d.Detail = fmt.Sprintf("The repository %s has no commits yet. Push a commit first.", url)
		case errors.Is(cause, transport.ErrRepositoryNotFound):
			d.Summary = "Git repository not found"
			d.Detail = fmt.Sprintf("Could not %s %s: %v. Check the url (it may also be private: then set credentials in the provider \"git\" block).", remErr.op, url, cause)
		default:
			d.Summary = "Cannot reach git repository"
			d.Detail = fmt.Sprintf("Could not %s %s: %v. This was not an authentication failure: check the url and that the server is up.", remErr.op, url, cause)
		}
	default:
		d.Summary = "Cannot read git source"
		d.Detail = fmt.Sprintf("Reading %s failed: %v.", url, err)
	}
	return d
}

// listing says which refs of a kind exist, a bounded number of them.
func listing(kind string, names []string) string {
	const most = 20
	plural := kind + "s"
	if kind == "branch" {
		plural = "branches"
	}
	if len(names) == 0 {
		return fmt.Sprintf("The repository has no %s.", plural)
	}
	shown := names[:min(len(names), most)]
	quoted := make([]string, len(shown))
	for i, n := range shown {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	s := fmt.Sprintf("Its %s are: %s", plural, strings.Join(quoted, ", "))
	if n := len(names) - len(shown); n > 0 {
		s += fmt.Sprintf(", and %d more", n)
	}
	return s + "."
}
