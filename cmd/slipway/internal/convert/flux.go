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
	"path"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Flux converts Flux's GitRepository (to sources), Kustomization and
// HelmRelease (to apps); HelmRepository objects are read for the charts
// of HelmReleases. Other Flux objects are listed as not converted.
func Flux(docs []Document) (*Result, error) {
	c := newConverter("flux")
	fx := &flux{c: c, gitRepos: map[string]Document{}, helmRepos: map[string]Document{}, sources: map[string]string{}, apps: map[string]string{}}
	for _, d := range docs {
		switch {
		case d.group() == "source.toolkit.fluxcd.io" && d.kind() == "GitRepository":
			fx.gitRepos[nsName(d)] = d
		case d.group() == "source.toolkit.fluxcd.io" && d.kind() == "HelmRepository":
			fx.helmRepos[nsName(d)] = d
		case d.group() == "kustomize.toolkit.fluxcd.io" && d.kind() == "Kustomization",
			d.group() == "helm.toolkit.fluxcd.io" && d.kind() == "HelmRelease":
			want := d.name()
			if d.kind() == "HelmRelease" {
				want = releaseName(d)
			}
			fx.apps[d.kind()+" "+nsName(d)] = c.appNames.take(ident(want, "app"))
		}
	}
	for _, d := range docs {
		switch {
		case d.group() == "source.toolkit.fluxcd.io" && d.kind() == "GitRepository":
			fx.gitRepository(d)
		case d.group() == "source.toolkit.fluxcd.io" && d.kind() == "HelmRepository":
			fx.helmRepository(d)
		case d.group() == "kustomize.toolkit.fluxcd.io" && d.kind() == "Kustomization":
			fx.kustomization(d)
		case d.group() == "helm.toolkit.fluxcd.io" && d.kind() == "HelmRelease":
			fx.helmRelease(d)
		case strings.HasSuffix(d.group(), ".toolkit.fluxcd.io"):
			c.unconverted(nil, d, "", "this kind of Flux object has no equivalent in slipway")
		default:
			c.note(nil, d, "", "skipped: not a Flux object")
		}
	}
	return c.result()
}

// flux holds what a Flux conversion looks objects up by.
type flux struct {
	c         *converter
	gitRepos  map[string]Document // "namespace/name"
	helmRepos map[string]Document
	sources   map[string]string // GitRepository "namespace/name" -> source name
	apps      map[string]string // "Kind namespace/name" -> app block name
}

func nsName(d Document) string { return namespaceOr(d.namespace()) + "/" + d.name() }

func namespaceOr(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// ref returns "namespace/name" of a sourceRef or dependsOn entry, whose
// namespace defaults to the referring object's.
func ref(d Document, r any) string {
	ns := str(r, "namespace")
	if ns == "" {
		ns = namespaceOr(d.namespace())
	}
	return ns + "/" + str(r, "name")
}

// releaseName is the Helm release a HelmRelease makes, as helm-controller
// names it.
func releaseName(d Document) string {
	if n := str(d.Obj, "spec", "releaseName"); n != "" {
		return n
	}
	if ns := str(d.Obj, "spec", "targetNamespace"); ns != "" {
		return ns + "-" + d.name()
	}
	return d.name()
}

// gitSource declares (once) the source of a GitRepository and returns its
// name, or "" when it is not among the input.
func (fx *flux) gitSource(key string) string {
	if n, ok := fx.sources[key]; ok {
		return n
	}
	d, ok := fx.gitRepos[key]
	if !ok {
		return ""
	}
	spec := mapOf(d.Obj, "spec")
	var r gitRef
	switch {
	case str(spec, "ref", "commit") != "":
		r = gitRef{"commit", str(spec, "ref", "commit")}
	case str(spec, "ref", "tag") != "":
		r = gitRef{"tag", str(spec, "ref", "tag")}
	case str(spec, "ref", "branch") != "":
		r = gitRef{"branch", str(spec, "ref", "branch")}
	}
	n := fx.c.sourceNamed(d.name(), str(spec, "url"), r, "")
	fx.sources[key] = n
	return n
}

func (fx *flux) gitRepository(d Document) {
	fx.gitSource(nsName(d))
	spec := mapOf(d.Obj, "spec")
	c := fx.c
	for _, k := range sortedKeys(spec) {
		switch k {
		case "url":
		case "ref":
			for _, rk := range sortedKeys(mapOf(spec, "ref")) {
				switch rk {
				case "branch", "tag", "commit":
				default:
					c.unconverted(nil, d, "spec.ref."+rk, "a git source follows a branch, a tag or a commit")
				}
			}
		case "interval":
			c.note(nil, d, "spec.interval", "every slipway plan reads the source afresh; `slipway reconcile -interval` sets how often")
		case "secretRef":
			c.note(nil, d, "spec.secretRef", "credentials go in the git provider's configuration (username and password, or ssh_key_file)")
		case "timeout", "suspend":
			c.note(nil, d, "spec."+k, "no equivalent in slipway")
		default:
			c.unconverted(nil, d, "spec."+k, "no equivalent in slipway")
		}
	}
}

func (fx *flux) helmRepository(d Document) {
	for _, k := range sortedKeys(mapOf(d.Obj, "spec")) {
		switch k {
		case "url", "type", "interval":
		default:
			fx.c.note(nil, d, "spec."+k, "no equivalent in a chart block; credentials come from the docker configuration (OCI) or are not supported")
		}
	}
}

// appFile returns the output file for an app of the given source.
func (fx *flux) appFile(d Document, srcKey string) *outFile {
	if g, ok := fx.gitRepos[srcKey]; ok {
		return fx.c.file(str(g.Obj, "spec", "url"), repoName(str(g.Obj, "spec", "url")))
	}
	return fx.c.file("flux:"+d.namespace(), "flux-"+namespaceOr(d.namespace()))
}

// dependsOn writes depends_on from Flux's dependsOn.
func (fx *flux) dependsOn(w body, d Document, field string, list []any) {
	var refs []string
	for _, dep := range list {
		key := ref(d, dep)
		if n, ok := fx.apps[d.kind()+" "+key]; ok {
			refs = append(refs, "app."+n)
		} else {
			fx.c.unconverted(&w, d, field, fmt.Sprintf("%s %s is not among the converted objects", d.kind(), key))
		}
	}
	if len(refs) > 0 {
		w.raw("depends_on", "["+strings.Join(refs, ", ")+"]")
	}
}

func (fx *flux) kustomization(d Document) {
	c := fx.c
	spec := mapOf(d.Obj, "spec")
	srcKey := ref(d, mapOf(spec, "sourceRef"))
	f := fx.appFile(d, srcKey)
	name := fx.apps["Kustomization "+nsName(d)]
	if k := str(spec, "sourceRef", "kind"); k != "GitRepository" {
		w := body{f.rest.Body()}
		c.unconverted(&w, d, "spec.sourceRef", fmt.Sprintf("a %s source has no equivalent: slipway's apps read git sources", k))
		w.newline()
		return
	}
	src := fx.gitSource(srcKey)
	if src == "" {
		w := body{f.rest.Body()}
		c.unconverted(&w, d, "spec.sourceRef", fmt.Sprintf("GitRepository %s is not among the converted files: convert it together with this Kustomization", srcKey))
		w.newline()
		return
	}
	w := body{f.rest.Body().AppendNewBlock("app", []string{name}).Body()}
	f.rest.Body().AppendNewline()
	fx.dependsOn(w, d, "spec.dependsOn", listOf(spec, "dependsOn"))
	sb := w.block("source")
	sb.raw("repo", "source.git."+src)
	if p := path.Clean(strings.TrimPrefix(str(spec, "path"), "./")); p != "." && p != "" && p != "/" {
		sb.set("path", cty.StringVal(strings.Trim(p, "/")))
	}
	kz := map[string]any{}
	for _, k := range []string{"images", "namePrefix", "nameSuffix", "patches", "components", "commonMetadata"} {
		if v, ok := spec[k]; ok {
			kz[k] = v
		}
	}
	if len(kz) > 0 {
		c.fluxKustomize(&sb, d, kz)
	}
	if ns := str(spec, "targetNamespace"); ns != "" {
		db := w.block("destination")
		db.set("namespace", cty.StringVal(ns))
		c.note(&db, d, "spec.targetNamespace", "Flux sets this namespace on every namespaced object; slipway only on those that name none")
	}
	syb := w.block("sync")
	if p, _ := boolOf(spec, "prune"); p {
		syb.set("prune", cty.True)
	}
	if wt, _ := boolOf(spec, "wait"); wt || len(listOf(spec, "healthChecks")) > 0 {
		timeout := str(spec, "timeout")
		if timeout == "" {
			timeout = str(spec, "interval")
		}
		if timeout == "" {
			timeout = "5m"
		}
		syb.block("wait").set("timeout", cty.StringVal(timeout))
	}
	ab := syb.block("adopt")
	ab.set("from", cty.StringVal("flux"))
	ab.set("name", cty.StringVal(nsName(d)))
	for _, k := range sortedKeys(spec) {
		switch k {
		case "sourceRef", "path", "prune", "targetNamespace", "dependsOn", "wait", "timeout",
			"images", "namePrefix", "nameSuffix", "patches", "components", "commonMetadata":
		case "interval", "retryInterval":
			c.note(&w, d, "spec."+k, "`slipway reconcile -interval` sets how often every app is synced")
		case "healthChecks":
			c.note(&w, d, "spec.healthChecks", "slipway waits for the health of every object it applies")
		case "suspend":
			c.note(&w, d, "spec.suspend", "a suspended Kustomization: leave the app out of `slipway reconcile` with -exclude")
		default:
			c.unconverted(&w, d, "spec."+k, "no equivalent in slipway")
		}
	}
}

// fluxKustomize lists a Kustomization's kustomize settings, with the
// kustomization.yaml lines that do the same in git.
func (c *converter) fluxKustomize(w *body, d Document, kz map[string]any) {
	for _, k := range sortedKeys(kz) {
		snippet := ""
		if b, err := yamlMarshal(map[string]any{k: kz[k]}); err == nil {
			snippet = "; add to the kustomization.yaml in git:\n  " + strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n  ")
		}
		c.unconverted(w, d, "spec."+k, "a slipway app has no kustomize settings"+snippet)
	}
}

func (fx *flux) helmRelease(d Document) {
	c := fx.c
	spec := mapOf(d.Obj, "spec")
	chart := mapOf(spec, "chart", "spec")
	srcKind := str(chart, "sourceRef", "kind")
	srcKey := ref(d, mapOf(chart, "sourceRef"))
	f := fx.appFile(d, srcKey)
	name := fx.apps["HelmRelease "+nsName(d)]
	fail := func(field, reason string) {
		w := body{f.rest.Body()}
		c.unconverted(&w, d, field, reason)
		w.newline()
	}
	switch {
	case spec["chartRef"] != nil:
		fail("spec.chartRef", "a chart from an OCIRepository or HelmChart object: write a chart block with the chart's repository and name")
		return
	case srcKind == "GitRepository" && fx.gitSource(srcKey) == "":
		fail("spec.chart.spec.sourceRef", fmt.Sprintf("GitRepository %s is not among the converted files", srcKey))
		return
	case srcKind == "HelmRepository" && fx.helmRepos[srcKey].Obj == nil:
		fail("spec.chart.spec.sourceRef", fmt.Sprintf("HelmRepository %s is not among the converted files", srcKey))
		return
	case srcKind != "GitRepository" && srcKind != "HelmRepository":
		fail("spec.chart.spec.sourceRef", fmt.Sprintf("a chart from a %s has no equivalent", srcKind))
		return
	}
	w := body{f.rest.Body().AppendNewBlock("app", []string{name}).Body()}
	f.rest.Body().AppendNewline()
	fx.dependsOn(w, d, "spec.dependsOn", listOf(spec, "dependsOn"))
	chartPath := strings.Trim(path.Clean(strings.TrimPrefix(str(chart, "chart"), "./")), "/")
	var vb body
	if srcKind == "GitRepository" {
		sb := w.block("source")
		sb.raw("repo", "source.git."+fx.gitSource(srcKey))
		if chartPath != "." {
			sb.set("path", cty.StringVal(chartPath))
		}
		vb = sb.block("helm")
		var files []cty.Value
		for _, vf := range strings_(listOf(chart, "valuesFiles")) {
			// Flux reads them from the repository's root; slipway from the
			// chart's directory.
			rel := relPath(chartPath, strings.TrimPrefix(vf, "./"))
			files = append(files, cty.StringVal(rel))
		}
		if len(files) > 0 {
			vb.set("values_files", cty.ListVal(files))
		}
	} else {
		hr := fx.helmRepos[srcKey]
		repo := str(hr.Obj, "spec", "url")
		if str(hr.Obj, "spec", "type") == "oci" && !strings.HasPrefix(repo, "oci://") {
			repo = "oci://" + repo
		}
		vb = w.block("chart")
		vb.set("repository", cty.StringVal(repo))
		vb.set("name", cty.StringVal(str(chart, "chart")))
		if v := str(chart, "version"); v != "" && v != "*" {
			vb.set("version", cty.StringVal(v))
		}
		if l := listOf(chart, "valuesFiles"); len(l) > 0 {
			c.unconverted(&vb, d, "spec.chart.spec.valuesFiles", "files inside the chart; a chart block's values_files are files beside the configuration: copy them there and list them")
		}
	}
	if vals := mapOf(spec, "values"); len(vals) > 0 {
		if v, err := valueOf(vals); err == nil {
			vb.set("values", v)
		} else {
			c.unconverted(&vb, d, "spec.values", err.Error())
		}
	}
	for _, k := range sortedKeys(chart) {
		switch k {
		case "chart", "version", "sourceRef", "valuesFiles":
		default:
			c.note(&vb, d, "spec.chart.spec."+k, "no equivalent in slipway")
		}
	}
	ns := str(spec, "targetNamespace")
	if ns == "" {
		ns = namespaceOr(d.namespace())
	}
	w.block("destination").set("namespace", cty.StringVal(ns))
	syb := w.block("sync")
	if cn, _ := boolOf(spec, "install", "createNamespace"); cn {
		syb.set("create_namespace", cty.True)
	}
	if dw, _ := boolOf(spec, "install", "disableWait"); !dw {
		timeout := str(spec, "timeout")
		if timeout == "" {
			timeout = "5m"
		}
		syb.block("wait").set("timeout", cty.StringVal(timeout))
	}
	// helm-controller keeps the release's record in storageNamespace (by
	// default the HelmRelease's own); slipway keeps it in the app's.
	storage := str(spec, "storageNamespace")
	if storage == "" {
		storage = namespaceOr(d.namespace())
	}
	if storage == ns {
		c.note(&w, d, "", fmt.Sprintf("the app is named after the release %s (namespace %s) that helm-controller installed, so its first apply upgrades that release in place; suspend the HelmRelease first (flux suspend helmrelease %s -n %s), or helm-controller undoes slipway's upgrades", releaseName(d), ns, d.name(), namespaceOr(d.namespace())))
	} else {
		c.unconverted(&w, d, "spec.targetNamespace", fmt.Sprintf("helm-controller keeps the release %s in namespace %s, and slipway keeps an app's release in the app's namespace %s: slipway would install a new release there, which Helm refuses over objects release %s owns. Before converting, move the record (set spec.storageNamespace to %s and let helm-controller reconcile once), then suspend the HelmRelease", releaseName(d), storage, ns, releaseName(d), ns))
	}
	if name != releaseName(d) {
		c.unconverted(&w, d, "spec.releaseName", fmt.Sprintf("the release %q is not a valid app name; the app %s installs a new release", releaseName(d), name))
	}
	for _, k := range sortedKeys(spec) {
		switch k {
		case "chart", "values", "targetNamespace", "releaseName", "dependsOn", "timeout", "storageNamespace":
		case "install":
			for _, ik := range sortedKeys(mapOf(spec, "install")) {
				if ik != "createNamespace" && ik != "disableWait" {
					c.unconverted(&w, d, "spec.install."+ik, "no equivalent in slipway")
				}
			}
		case "interval":
			c.note(&w, d, "spec.interval", "`slipway reconcile -interval` sets how often every app is synced")
		case "upgrade", "rollback":
			c.note(&w, d, "spec."+k, "slipway upgrades atomically: a failed upgrade is rolled back to the last good revision")
		case "suspend":
			c.note(&w, d, "spec.suspend", "a suspended HelmRelease: leave the app out of `slipway reconcile` with -exclude")
		default:
			c.unconverted(&w, d, "spec."+k, "no equivalent in slipway")
		}
	}
}

// relPath is the path of file (from the repository's root) relative to
// dir (also from the root).
func relPath(dir, file string) string {
	if dir == "." || dir == "" {
		return file
	}
	up := strings.Repeat("../", len(strings.Split(dir, "/")))
	return up + file
}
