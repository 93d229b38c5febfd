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

package convert

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// ArgoCD converts Argo CD Applications and ApplicationSets. Other objects
// of the input are listed as not converted (AppProjects among them).
func ArgoCD(docs []Document) (*Result, error) {
	c := newConverter("argocd")
	for _, d := range docs {
		switch {
		case d.group() == "argoproj.io" && d.kind() == "Application":
			c.application(d)
		case d.group() == "argoproj.io" && d.kind() == "ApplicationSet":
			c.applicationSet(d)
		case d.group() == "argoproj.io" && d.kind() == "AppProject":
			c.unconverted(nil, d, "", "an AppProject (allowed sources and destinations, roles, sync windows) has no equivalent in slipway; policy blocks can check a plan's apps instead")
		default:
			c.note(nil, d, "", "skipped: not an Argo CD Application or ApplicationSet")
		}
	}
	return c.result()
}

// inCluster reports whether an Argo CD destination is the cluster Argo CD
// runs in, which slipway's default kubernetes provider stands for.
func inCluster(dest map[string]any) bool {
	server, name := str(dest, "server"), str(dest, "name")
	return (server == "" || server == "https://kubernetes.default.svc") && (name == "" || name == "in-cluster")
}

// application converts one Application.
func (c *converter) application(d Document) {
	spec := mapOf(d.Obj, "spec")
	c.appBlock(d, d.name(), spec, nil, nil, quote(d.name()))
}

// appBlock writes the app block of an Application's spec (or of an
// ApplicationSet's template, whose strings t translates). lead writes the
// block's first arguments (for_each); adopt is the expression of the Argo
// CD Application's name.
func (c *converter) appBlock(d Document, want string, spec map[string]any, t *tmpl, lead func(body), adopt string) {
	field := "spec."
	if t != nil {
		field = "spec.template.spec."
	}
	// Argo CD reads sources when it lists any, and then ignores source.
	src, srcField := mapOf(spec, "source"), "source"
	sources := listOf(spec, "sources")
	if src == nil || len(sources) > 0 {
		if len(sources) == 1 {
			src, _ = sources[0].(map[string]any)
			srcField = "sources[0]"
		} else {
			f := c.file("", "unconverted")
			w := body{f.rest.Body()}
			c.unconverted(&w, d, field+"sources", fmt.Sprintf("an app with %d sources: a slipway app reads one source; split it into one Application per source first", len(sources)))
			w.newline()
			return
		}
	}
	repoURL := str(src, "repoURL")
	if t != nil && strings.Contains(repoURL, "{{") {
		f := c.file("", "unconverted")
		w := body{f.rest.Body()}
		c.unconverted(&w, d, field+srcField+".repoURL", "a repository URL made from generator parameters: a source's URL must be known before for_each")
		w.newline()
		return
	}
	fileKey := repoURL
	if t != nil {
		fileKey = "appset:" + d.name()
	}
	f := c.file(fileKey, map[bool]string{true: repoName(repoURL), false: d.name()}[t == nil])
	name := c.appNames.take(ident(want, "app"))
	// A chart named by releaseName renders with that release name: the
	// app is named after it, since slipway names the release after the app.
	if rn := str(src, "helm", "releaseName"); rn != "" && t == nil && rn != want && identRe.MatchString(rn) && !c.appNames[rn] {
		delete(c.appNames, name)
		name = c.appNames.take(rn)
	}
	w := body{f.rest.Body().AppendNewBlock("app", []string{name}).Body()}
	f.rest.Body().AppendNewline()
	if lead != nil {
		lead(w)
	}
	if srcField != "source" && mapOf(spec, "source") != nil {
		c.note(&w, d, field+"source", "ignored, as Argo CD ignores it when sources is set: only sources is converted")
	}
	c.appSource(w, d, field+srcField, src, t, name)

	if p := str(spec, "project"); p != "" && p != "default" {
		c.note(&w, d, field+"project", fmt.Sprintf("project %q: its restrictions and roles have no equivalent in slipway (policy blocks can check a plan's apps)", p))
	}
	if dest := mapOf(spec, "destination"); dest != nil {
		c.destination(w, d, field+"destination", dest, t)
	}
	c.syncPolicy(w, d, field+"syncPolicy", mapOf(spec, "syncPolicy"), t, adopt)
	for i, ig := range listOf(spec, "ignoreDifferences") {
		c.ignoreDifference(w, d, fmt.Sprintf("%signoreDifferences[%d]", field, i), ig, t)
	}
	for _, k := range sortedKeys(spec) {
		switch k {
		case "source", "sources", "project", "destination", "syncPolicy", "ignoreDifferences":
		case "revisionHistoryLimit":
			c.note(&w, d, field+k, "slipway keeps the last 10 syncs of each app for status and rollback")
		case "info":
			c.note(&w, d, field+k, "informational links are not kept")
		default:
			c.unconverted(&w, d, field+k, "no equivalent in slipway")
		}
	}
}

// appSource writes an app's source or chart block.
func (c *converter) appSource(w body, d Document, field string, src map[string]any, t *tmpl, appName string) {
	repoURL, rev := str(src, "repoURL"), str(src, "targetRevision")
	helm := mapOf(src, "helm")
	if chart := str(src, "chart"); chart != "" {
		// A chart from a Helm repository (https) or an OCI registry
		// (Argo CD writes those without a scheme).
		repo := repoURL
		if !strings.Contains(repo, "://") {
			repo = "oci://" + repo
		}
		cb := w.block("chart")
		cb.set("repository", cty.StringVal(repo))
		c.setString(cb, d, field+".chart", "name", chart, t)
		if rev != "" && rev != "*" {
			c.setString(cb, d, field+".targetRevision", "version", rev, t)
		}
		c.helmSettings(cb, d, field+".helm", helm, t, true, appName)
		c.leftovers(cb, d, field, src, "repoURL", "chart", "targetRevision", "helm")
		return
	}
	sb := w.block("source")
	var ref gitRef
	if t != nil && strings.Contains(rev, "{{") {
		c.unconverted(&sb, d, field+".targetRevision", fmt.Sprintf("%q is made from generator parameters: a git source's revision must be known before for_each; the remote's default branch is read instead", rev))
	} else {
		ref = c.gitRef(&sb, d, field+".targetRevision", rev)
	}
	sb.raw("repo", "source.git."+c.source(repoURL, ref, ""))
	if p := strings.Trim(str(src, "path"), "/"); p != "" && p != "." {
		c.setString(sb, d, field+".path", "path", strings.TrimPrefix(p, "./"), t)
	}
	if helm != nil {
		hb := sb.block("helm")
		c.helmSettings(hb, d, field+".helm", helm, t, false, appName)
	}
	if k := mapOf(src, "kustomize"); k != nil {
		c.kustomize(&sb, d, field+".kustomize", k)
	}
	if dir := mapOf(src, "directory"); dir != nil {
		c.directory(&sb, d, field+".directory", dir)
	}
	if p := mapOf(src, "plugin"); p != nil {
		c.unconverted(&sb, d, field+".plugin", "config management plugins have no equivalent in slipway: render the manifests in a pipeline and commit them, then sync that path")
	}
	c.leftovers(sb, d, field, src, "repoURL", "targetRevision", "path", "helm", "kustomize", "directory", "plugin", "chart")
}

// gitRef maps an Argo CD targetRevision to a git source's branch, tag or
// commit.
func (c *converter) gitRef(w *body, d Document, field, rev string) gitRef {
	switch {
	case rev == "" || rev == "HEAD":
		return gitRef{}
	case commitRe.MatchString(rev):
		return gitRef{"commit", rev}
	case tagRe.MatchString(rev):
		c.note(w, d, field, fmt.Sprintf("%q is taken as a tag", rev))
		return gitRef{"tag", rev}
	case strings.ContainsAny(rev, "*^~<>= "):
		c.unconverted(w, d, field, fmt.Sprintf("%q is a version range; a git source follows a branch, a tag or a commit: the remote's default branch is read instead", rev))
		return gitRef{}
	}
	return gitRef{"branch", rev}
}

// setString writes name = s, translating generator parameters.
func (c *converter) setString(w body, d Document, field, name, s string, t *tmpl) {
	e, err := t.expr(s)
	if err != nil {
		c.unconverted(&w, d, field, err.Error())
		return
	}
	w.raw(name, e)
}

// helmSettings writes a helm or chart block's values and values_files.
func (c *converter) helmSettings(w body, d Document, field string, helm map[string]any, t *tmpl, repoChart bool, appName string) {
	if helm == nil {
		return
	}
	if files := strings_(listOf(helm, "valueFiles")); len(files) > 0 {
		var keep []cty.Value
		for _, f := range files {
			switch {
			case strings.HasPrefix(f, "$"):
				c.unconverted(&w, d, field+".valueFiles", fmt.Sprintf("%q is a file of another source (multiple sources)", f))
			case strings.Contains(f, "://"):
				c.unconverted(&w, d, field+".valueFiles", fmt.Sprintf("%q is a URL; values_files are local files", f))
			case strings.Contains(f, "{{"):
				c.unconverted(&w, d, field+".valueFiles", fmt.Sprintf("%q is made from generator parameters", f))
			case repoChart:
				c.unconverted(&w, d, field+".valueFiles", fmt.Sprintf("%q is a file inside the chart; a chart block's values_files are files beside the configuration: copy it there and list it", f))
			default:
				keep = append(keep, cty.StringVal(f))
			}
		}
		if len(keep) > 0 {
			w.set("values_files", cty.ListVal(keep))
		}
	}
	values := map[string]any{}
	if o := mapOf(helm, "valuesObject"); o != nil {
		// Argo CD passes valuesObject in place of values: when both are
		// set, values is ignored, not merged.
		merge(values, o)
		if str(helm, "values") != "" {
			c.note(&w, d, field+".values", "ignored, as Argo CD ignores it when valuesObject is set: only valuesObject is converted, so keys that only values sets are not applied (nor were they by Argo CD)")
		}
	} else if s := str(helm, "values"); s != "" {
		if strings.Contains(s, "{{") && t != nil {
			c.unconverted(&w, d, field+".values", "values made from generator parameters")
		} else if err := yaml.Unmarshal([]byte(s), &values); err != nil {
			c.unconverted(&w, d, field+".values", fmt.Sprintf("the values are not YAML: %v", err))
		}
	}
	for _, p := range listOf(helm, "parameters") {
		name, value := str(p, "name"), str(p, "value")
		if strings.Contains(name+value, "{{") && t != nil {
			// Helm reads the type of a --set value from its text, known
			// only once Argo CD has rendered it.
			c.unconverted(&w, d, field+".parameters", fmt.Sprintf("parameter %q is made from generator parameters: set it in valuesObject instead", name))
			continue
		}
		// Parsed into a copy, so that a parameter Helm would refuse sets
		// nothing.
		set, next := name+"="+helmSetValue(value), copyValue(values).(map[string]any)
		var err error
		if force, _ := boolOf(p, "forceString"); force {
			err = strvals.ParseIntoString(set, next)
		} else {
			err = strvals.ParseInto(set, next)
		}
		if err != nil {
			c.unconverted(&w, d, field+".parameters", fmt.Sprintf("parameter %q cannot be converted to a value", name))
			continue
		}
		values = next
	}
	// The strings of valuesObject made from generator parameters are
	// written as expressions; Argo CD renders each into a string.
	var leaf func(string) (string, bool)
	if t != nil {
		c.dropUntranslatable(&w, d, field+".valuesObject", values, t)
		leaf = func(s string) (string, bool) {
			if !strings.Contains(s, "{{") {
				return "", false
			}
			e, err := t.expr(s)
			if err != nil {
				return "", false // left out by dropUntranslatable
			}
			if !strings.HasPrefix(e, `"`) {
				e = "tostring(" + e + ")"
			}
			return e, true
		}
	}
	if len(values) > 0 {
		v, err := valueOf(values)
		if err != nil {
			c.unconverted(&w, d, field+".values", err.Error())
		} else {
			w.b.SetAttributeRaw("values", valueTokens(v, leaf))
		}
	}
	if rn := str(helm, "releaseName"); rn != "" && rn != appName {
		c.unconverted(&w, d, field+".releaseName", fmt.Sprintf("slipway names the release after the app (%s); the chart renders with that name instead of %q", appName, rn))
	}
	c.leftovers(w, d, field, helm, "valueFiles", "values", "valuesObject", "parameters", "releaseName")
}

// dropUntranslatable reports the values (of an ApplicationSet's template)
// made from generator parameters that t cannot translate, and leaves them
// out of m: a string, or a whole list that holds one.
func (c *converter) dropUntranslatable(w *body, d Document, field string, m map[string]any, t *tmpl) {
	for _, k := range sortedKeys(m) {
		if sub, ok := m[k].(map[string]any); ok {
			c.dropUntranslatable(w, d, field+"."+k, sub, t)
			continue
		}
		if err := templateErr(m[k], t); err != nil {
			c.unconverted(w, d, field+"."+k, err.Error()+"; left out of the values")
			delete(m, k)
		}
	}
}

// templateErr is the first error of t's translation of the strings of v.
func templateErr(v any, t *tmpl) error {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, "{{") {
			_, err := t.expr(v)
			return err
		}
	case []any:
		for _, e := range v {
			if err := templateErr(e, t); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if err := templateErr(v[k], t); err != nil {
				return err
			}
		}
	}
	return nil
}

// helmSetValue escapes a parameter's value as Argo CD does before it
// passes it as --set name=value: every comma not already escaped, so that
// the value is one value, unless the value is a list ({a,b}).
func helmSetValue(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range v {
		if r == ',' && prev != '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// copyValue copies decoded YAML: maps and lists are copied, the rest is
// shared.
func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// merge merges src into dst, maps key by key.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// kustomize lists an app's kustomize settings, which slipway's source
// block has no arguments for, with the kustomization.yaml lines that do
// the same in git.
func (c *converter) kustomize(w *body, d Document, field string, k map[string]any) {
	equiv := map[string]string{
		"namePrefix": "namePrefix", "nameSuffix": "nameSuffix", "images": "images",
		"commonLabels": "labels", "commonAnnotations": "commonAnnotations", "namespace": "namespace",
		"replicas": "replicas", "patches": "patches", "components": "components",
	}
	for _, key := range sortedKeys(k) {
		snippet := ""
		if e, ok := equiv[key]; ok {
			v := k[key]
			if key == "images" {
				v = kustomizeImages(strings_(listOf(k, key)))
			}
			if key == "commonLabels" {
				v = []any{map[string]any{"pairs": v, "includeSelectors": true}}
			}
			if b, err := yaml.Marshal(map[string]any{e: v}); err == nil {
				snippet = "; add to the kustomization.yaml in git:\n  " + strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n  ")
			}
		}
		c.unconverted(w, d, field+"."+key, "a slipway app has no kustomize settings"+snippet)
	}
}

// kustomizeImages turns Argo CD's image overrides ("name=new:tag",
// "name:tag", "name@digest") into kustomization images entries.
func kustomizeImages(list []string) []any {
	var out []any
	for _, s := range list {
		e := map[string]any{}
		name, target, renamed := strings.Cut(s, "=")
		if !renamed {
			target = s
		}
		ref := target
		if i := strings.Index(ref, "@"); i >= 0 {
			e["digest"] = ref[i+1:]
			ref = ref[:i]
		} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
			e["newTag"] = ref[i+1:]
			ref = ref[:i]
		}
		if renamed {
			e["name"] = name
			if ref != name {
				e["newName"] = ref
			}
		} else {
			e["name"] = ref
		}
		out = append(out, e)
	}
	return out
}

// directory maps the directory source settings.
func (c *converter) directory(w *body, d Document, field string, dir map[string]any) {
	for _, key := range sortedKeys(dir) {
		switch key {
		case "recurse":
			if r, _ := boolOf(dir, key); !r {
				c.note(w, d, field+".recurse", "slipway reads a directory's manifests recursively")
			}
		case "jsonnet":
			if len(mapOf(dir, key)) > 0 {
				c.unconverted(w, d, field+".jsonnet", "slipway does not render jsonnet")
			}
		default:
			c.unconverted(w, d, field+"."+key, "slipway reads every *.yaml, *.yml and *.json file of the directory; move the files to leave out")
		}
	}
}

// destination writes the destination block.
func (c *converter) destination(w body, d Document, field string, dest map[string]any, t *tmpl) {
	db := w.block("destination")
	if ns := str(dest, "namespace"); ns != "" {
		c.setString(db, d, field+".namespace", "namespace", ns, t)
	}
	target := str(dest, "name")
	if target == "" {
		target = str(dest, "server")
	}
	switch {
	case t != nil && strings.Contains(str(dest, "server")+str(dest, "name"), "{{"):
		c.templatedCluster(db, d, field, dest, target, t)
	case !inCluster(dest):
		c.unconverted(&db, d, field, fmt.Sprintf("cluster %q: declare provider \"kubernetes\" { alias = \"NAME\" } for it and set provider = kubernetes.NAME here; the app goes to the default provider's cluster until then", target))
	}
	c.leftovers(db, d, field, dest, "namespace", "server", "name")
}

// templatedCluster reports a destination made from generator parameters
// (target, its name or server) unless every app of the set goes to the
// default provider's cluster.
func (c *converter) templatedCluster(db body, d Document, field string, dest map[string]any, target string, t *tmpl) {
	if t.clusters {
		return // the clusters generator reports it
	}
	which := "every app of the set goes to the default provider's cluster"
	if t.elements != nil {
		// The list generator's elements are known: name the apps that
		// go elsewhere.
		var other []string
		for _, key := range sortedKeys(t.elements) {
			rd := map[string]any{}
			for _, k := range []string{"server", "name"} {
				if s := str(dest, k); s != "" {
					r, ok := render(s, t.goTemplate, t.elements[key])
					if !ok {
						r = s
					}
					rd[k] = r
				}
			}
			if !inCluster(rd) {
				r := str(rd, "name")
				if r == "" {
					r = str(rd, "server")
				}
				other = append(other, fmt.Sprintf("%s (%q)", key, r))
			}
		}
		if len(other) == 0 {
			return
		}
		which = "these apps go to the default provider's cluster instead: " + strings.Join(other, ", ")
	}
	c.unconverted(&db, d, field, fmt.Sprintf("cluster %q, made from generator parameters: declare provider \"kubernetes\" { alias = \"NAME\" } for each cluster and write an app block per cluster with provider = kubernetes.NAME; until then, %s", target, which))
}

var syncOptionRe = regexp.MustCompile(`^([A-Za-z]+)=(.*)$`)

// syncPolicy writes the sync block (of an ApplicationSet's template, when
// t is set).
func (c *converter) syncPolicy(w body, d Document, field string, sp map[string]any, t *tmpl, adopt string) {
	sb := w.block("sync")
	auto := mapOf(sp, "automated")
	if e, set := boolOf(auto, "enabled"); set && !e {
		// Argo CD keeps the block but syncs only by hand; prune, selfHeal
		// and allowEmpty are settings of automated sync, so the app is
		// written as one without automated sync.
		c.note(&sb, d, field+".automated.enabled", "automated sync is disabled: converted as an app without automated sync (prune, selfHeal and allowEmpty, which only automated sync uses, are not carried over); apply by hand")
	} else if auto != nil || get(sp, "automated") != nil {
		p, _ := boolOf(auto, "prune")
		if p {
			sb.set("prune", cty.True)
		}
		if h, _ := boolOf(auto, "selfHeal"); h {
			sb.set("self_heal", cty.True)
		}
		c.note(&sb, d, field+".automated", "automated sync: run `slipway reconcile` (or `slipway apply` in CI) to sync on every change")
		if a, _ := boolOf(auto, "allowEmpty"); a {
			c.note(&sb, d, field+".automated.allowEmpty", "slipway syncs an app whose manifests are empty, pruning what it owned when prune is on")
		} else if p {
			// Argo CD's automated sync with prune refuses a sync that
			// would prune every object of the app, unless allowEmpty.
			c.note(&sb, d, field+".automated.allowEmpty", "Argo CD's automated sync refuses a sync that would prune every object of the app (allowEmpty false, the default); slipway has no such guard: a plan lists each object it deletes, and a policy block in the configuration, which apply and reconcile check too, can deny a plan that deletes every object of an app (see the Policies page of slipway's documentation)")
		}
	}
	for _, o := range strings_(listOf(sp, "syncOptions")) {
		if t != nil && strings.Contains(o, "{{") {
			c.unconverted(&sb, d, field+".syncOptions", fmt.Sprintf("%q is made from generator parameters", o))
			continue
		}
		m := syncOptionRe.FindStringSubmatch(o)
		if m == nil {
			c.unconverted(&sb, d, field+".syncOptions", fmt.Sprintf("%q is not a sync option", o))
			continue
		}
		k, v := m[1], strings.EqualFold(m[2], "true")
		switch k {
		case "CreateNamespace":
			if v {
				sb.set("create_namespace", cty.True)
			}
		case "PruneLast":
			if v {
				sb.set("prune_last", cty.True)
			}
		case "ApplyOutOfSyncOnly":
			// slipway applies only the objects that changed, always.
		case "ServerSideApply":
			if !v {
				c.note(&sb, d, field+".syncOptions", "slipway always applies server-side")
			}
		case "RespectIgnoreDifferences":
			if !v {
				c.note(&sb, d, field+".syncOptions", "slipway never applies the fields of ignore_differences, as RespectIgnoreDifferences=true")
			}
		case "PrunePropagationPolicy":
			if m[2] != "foreground" {
				c.unconverted(&sb, d, field+".syncOptions", fmt.Sprintf("%s: slipway deletes in the foreground", o))
			}
		default:
			c.unconverted(&sb, d, field+".syncOptions", fmt.Sprintf("%s has no equivalent in an app's sync block", o))
		}
	}
	if r := mapOf(sp, "retry"); r != nil {
		rb := sb.block("retry")
		if l, ok := get(r, "limit").(float64); ok && l >= 0 {
			rb.set("limit", cty.NumberIntVal(int64(l)))
		} else if ok {
			c.note(&rb, d, field+".retry.limit", "a negative limit (retry forever) has no equivalent: slipway retries 5 times")
		}
		duration := func(key, attr string) {
			s := str(r, "backoff", key)
			switch {
			case s == "":
			case t != nil && strings.Contains(s, "{{"):
				c.unconverted(&rb, d, field+".retry.backoff."+key, fmt.Sprintf("%q is made from generator parameters", s))
			default:
				if isDigits(s) {
					s += "s" // Argo CD reads a bare number as seconds
				}
				rb.set(attr, cty.StringVal(s))
			}
		}
		duration("duration", "backoff")
		if f, ok := get(r, "backoff", "factor").(float64); ok {
			rb.set("factor", cty.NumberFloatVal(f))
		}
		duration("maxDuration", "max_backoff")
		c.note(&rb, d, field+".retry", "Argo CD retries a failed sync as a whole; slipway retries each API call of a sync")
	}
	if adopt != "" {
		// A chart's objects too: Argo CD renders charts and applies the
		// objects itself, and the release's install takes them over.
		ab := sb.block("adopt")
		ab.set("from", cty.StringVal(c.tool))
		ab.raw("name", adopt)
	}
	for _, k := range sortedKeys(sp) {
		switch k {
		case "automated", "syncOptions", "retry":
		default:
			c.unconverted(&sb, d, field+"."+k, "no equivalent in slipway")
		}
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

var jqSimpleRe = regexp.MustCompile(`^(\.[A-Za-z_][A-Za-z0-9_-]*|\.?\["[^"]+"\]|\[[0-9]+\])+$`)
var jqStepRe = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"]+)"\]|\[([0-9]+)\]`)

// jqPointer converts a jq path made of plain steps (.spec.replicas,
// .metadata.annotations["a/b"], .spec.containers[0].image) to a JSON
// pointer.
func jqPointer(q string) (string, bool) {
	q = strings.TrimSpace(q)
	if !jqSimpleRe.MatchString(q) {
		return "", false
	}
	var b strings.Builder
	for _, m := range jqStepRe.FindAllStringSubmatch(q, -1) {
		step := m[1] + m[2] + m[3]
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(step, "~", "~0"), "/", "~1"))
	}
	return b.String(), true
}

// ignoreDifference writes one ignore_differences block.
func (c *converter) ignoreDifference(w body, d Document, field string, ig any, t *tmpl) {
	pointers := strings_(listOf(ig, "jsonPointers"))
	for _, q := range strings_(listOf(ig, "jqPathExpressions")) {
		if t != nil && strings.Contains(q, "{{") {
			// A rendered parameter may hold a "/" or a "~", which a JSON
			// pointer escapes.
			c.unconverted(&w, d, field+".jqPathExpressions", fmt.Sprintf("%q is made from generator parameters; ignore_differences takes JSON pointers", q))
		} else if p, ok := jqPointer(q); ok {
			pointers = append(pointers, p)
		} else {
			c.unconverted(&w, d, field+".jqPathExpressions", fmt.Sprintf("%q is not a plain path; ignore_differences takes JSON pointers", q))
		}
	}
	if m := strings_(listOf(ig, "managedFieldsManagers")); len(m) > 0 {
		c.unconverted(&w, d, field+".managedFieldsManagers", fmt.Sprintf("ignoring the fields of managers %s has no equivalent; name the fields as JSON pointers", strings.Join(m, ", ")))
	}
	var list []string
	for _, p := range pointers {
		e, err := t.expr(p)
		if err != nil {
			c.unconverted(&w, d, field+".jsonPointers", fmt.Sprintf("%q: %v", p, err))
			continue
		}
		list = append(list, e)
	}
	if len(list) == 0 {
		return
	}
	// The objects it applies to, each attribute named as Argo CD's field.
	// Without one the block would apply to more objects: it is left out.
	sel := map[string]string{"group": str(ig, "group"), "kind": str(ig, "kind"), "name": str(ig, "name"), "namespace": str(ig, "namespace")}
	if sel["kind"] == "" {
		sel["kind"] = "*"
	}
	exprs := map[string]string{}
	for _, k := range []string{"group", "kind", "name", "namespace"} {
		if sel[k] == "" {
			continue
		}
		e, err := t.expr(sel[k])
		if err != nil {
			c.unconverted(&w, d, field+"."+k, err.Error()+"; the ignore_differences block is left out")
			return
		}
		exprs[k] = e
	}
	b := w.block("ignore_differences")
	for _, k := range []string{"group", "kind", "name", "namespace"} {
		if e, ok := exprs[k]; ok {
			b.raw(k, e)
		}
	}
	b.raw("json_pointers", "["+strings.Join(list, ", ")+"]")
	c.leftovers(b, d, field, mapOf(ig), "group", "kind", "name", "namespace", "jsonPointers", "jqPathExpressions", "managedFieldsManagers")
}

// leftovers reports the keys of m that the converter does not know.
func (c *converter) leftovers(w body, d Document, field string, m map[string]any, known ...string) {
	sort.Strings(known)
	for _, k := range sortedKeys(m) {
		if i := sort.SearchStrings(known, k); i < len(known) && known[i] == k {
			continue
		}
		c.unconverted(&w, d, field+"."+k, "no equivalent in slipway")
	}
}
