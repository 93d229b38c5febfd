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

package helm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/helmpath"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
	"slipway.dev/slipway/internal/regauth"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// chartInputs loads c's chart (version, when not empty, pins a
// repository chart's) and merges its values: what plan, offline plan and
// apply all render. Why either fails goes into diags, on the attribute at
// fault and saying what the directory was taken for; a version that an
// offline plan resolved from the cache alone is a warning.
func (cl *cluster) chartInputs(c releaseConfig, version string, diags *sdk.Diagnostics) (*chart.Chart, map[string]any, bool) {
	ch, note, err := cl.loadChart(c, version)
	if err != nil {
		diags.AddAttributeError(cty.GetAttrPath(attrOf(err, builtin.HelmChartDir)), "Cannot load the chart", takenFor(c)+": "+err.Error())
		return nil, nil, false
	}
	if note != "" {
		*diags = append(*diags, sdk.Diagnostic{Severity: sdk.Warning, Summary: "Chart version from the cache", Detail: note, Attribute: cty.GetAttrPath(builtin.HelmVersion)})
	}
	// Helm's validation of values would load what the chart's schemas
	// refer to outside the chart, from the network and the machine's
	// files: those references are taken out first.
	removed, err := confineSchemas(ch)
	if err != nil {
		diags.AddAttributeError(cty.GetAttrPath(attrOf(err, builtin.HelmChartDir)), "Cannot load the chart", takenFor(c)+": "+err.Error())
		return nil, nil, false
	}
	if len(removed) > 0 {
		*diags = append(*diags, sdk.Diagnostic{Severity: sdk.Warning, Summary: "Values schema refers outside the chart",
			Detail: fmt.Sprintf("The values.schema.json of chart %s refers to documents outside the chart, which slipway does not load (Helm would fetch them from the network, or read them from this machine's files, while it plans): %s. The schema's other rules still check the values; what those documents say is not checked.", ch.Name(), strings.Join(removed, "; "))})
	}
	vals, err := mergeValues(c)
	if err != nil {
		attr := builtin.HelmValues
		if strings.Contains(err.Error(), "values file") {
			attr = builtin.HelmValuesFiles
		}
		diags.AddAttributeError(cty.GetAttrPath(attr), "Cannot read values", err.Error())
		return nil, nil, false
	}
	return ch, vals, true
}

// loadChart finds and loads the chart of c. version, when not empty,
// overrides c.Version with the exact version a plan resolved, so apply
// installs what the plan showed even if the repository has moved on.
// Errors name the attribute to blame through chartError. note, when not
// empty, says that an offline plan resolved the version from the cache
// alone (cachedChart).
func (cl *cluster) loadChart(c releaseConfig, version string) (ch *chart.Chart, note string, err error) {
	if version == "" {
		version = c.Version
	}
	switch {
	case c.ChartDir != "":
		if err := chartLinks(c.ChartDir); err != nil {
			return nil, "", chartError{builtin.HelmChartDir, fmt.Errorf("load chart from %s: %w", c.ChartDir, err)}
		}
		ch, err = loader.Load(c.ChartDir)
		if err != nil {
			return nil, "", chartError{builtin.HelmChartDir, fmt.Errorf("load chart from %s: %w", c.ChartDir, err)}
		}
	case strings.HasPrefix(c.Repository, "oci://"):
		ch, note, err = cl.pullOCI(c.Repository, c.Chart, version)
	default:
		ch, note, err = cl.pullHTTP(c.Repository, c.Chart, version)
	}
	if err != nil {
		return nil, "", err
	}
	if req := ch.Metadata.Dependencies; len(req) > 0 {
		if err := action.CheckDependencies(ch, req); err != nil {
			return nil, "", chartError{builtin.HelmChartDir, fmt.Errorf("chart %s: %w (run `helm dependency build` in the chart and commit charts/)", ch.Name(), err)}
		}
	}
	return ch, note, nil
}

// cacheOnly reports whether cl is the one Configure makes for an offline
// plan (provider.offline): it has no cluster connection, and takes
// repositories' charts from its cache alone, connecting to no repository
// or registry (cachedChart).
func (cl *cluster) cacheOnly() bool { return cl.Cluster == nil }

// chartError is a failure to get the chart, blamed on one attribute.
type chartError struct {
	attr string
	err  error
}

func (e chartError) Error() string { return e.err.Error() }
func (e chartError) Unwrap() error { return e.err }

// attrOf returns the attribute an error is about: chart_dir for a local
// chart, otherwise the one the error names.
func attrOf(err error, fallback string) string {
	var ce chartError
	if errors.As(err, &ce) {
		return ce.attr
	}
	return fallback
}

// pullHTTP resolves version in an HTTP chart repository's index (fetched
// afresh each time, so a new version is seen) and loads the chart's
// archive, downloaded into the cache once per repository, name and
// version. The repository URL's credentials go to repoGetter only; the
// cache is named by the URL without them, and messages show its display
// form. Offline (cacheOnly), the chart comes from the cache alone.
func (cl *cluster) pullHTTP(repoURL, name, version string) (*chart.Chart, string, error) {
	plain, user := repositoryCredentials(repoURL)
	dir := filepath.Join(cl.cacheDir, "repository", shortHash(plain))
	shown := displayRepository(strings.TrimSuffix(repoURL, "/"))
	if cl.cacheOnly() {
		return cachedChart(dir, shown, name, version)
	}
	base := strings.TrimSuffix(plain, "/")
	g, err := newRepoGetter(base, user)
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("chart repository %s: %w", shown, err)}
	}
	// Every http(s) request goes through g: the index, and the charts
	// wherever the index puts them.
	getters := append(getter.Providers{{Schemes: []string{"http", "https"}, New: func(...getter.Option) (getter.Getter, error) { return g, nil }}}, getter.Getters()...)
	entry := &repo.Entry{Name: "slipway-" + shortHash(plain), URL: base}
	r, err := repo.NewChartRepository(entry, getters)
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("chart repository %s: %w", shown, err)}
	}
	r.CachePath = dir
	indexPath, err := r.DownloadIndexFile()
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("fetch the index of chart repository %s: %w%s", shown, err, plainHTTPHint(err))}
	}
	idx, err := repo.LoadIndexFile(indexPath)
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("read the index of chart repository %s: %w", shown, err)}
	}
	idx.SortEntries()
	cv, err := idx.Get(name, version)
	if err != nil {
		attr := builtin.HelmVersion
		if _, ok := idx.Entries[name]; !ok {
			attr = builtin.HelmChart
		}
		return nil, "", chartError{attr, fmt.Errorf("chart repository %s has no chart %q matching version %q: %w", shown, name, version, err)}
	}
	if len(cv.URLs) == 0 {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("chart repository %s lists %s-%s without a download URL", shown, name, cv.Version)}
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.tgz", name, cv.Version))
	if _, err := os.Stat(path); err != nil {
		chartURL, err := repo.ResolveReferenceURL(entry.URL, cv.URLs[0])
		if err != nil {
			return nil, "", chartError{builtin.HelmRepository, errors.New(hideUserinfo(err.Error()))}
		}
		u, err := url.Parse(chartURL)
		if err != nil {
			return nil, "", chartError{builtin.HelmRepository, errors.New(hideUserinfo(err.Error()))}
		}
		gc, err := getters.ByScheme(u.Scheme)
		if err != nil {
			return nil, "", chartError{builtin.HelmRepository, err}
		}
		buf, err := gc.Get(chartURL, getter.WithURL(entry.URL))
		if err != nil {
			return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("download %s: %w%s", displayRepository(chartURL), err, plainHTTPHint(err))}
		}
		if cv.Digest != "" {
			sum := sha256.Sum256(buf.Bytes())
			if got := hex.EncodeToString(sum[:]); got != cv.Digest {
				return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("download %s: digest %s, but the index says %s", displayRepository(chartURL), got, cv.Digest)}
			}
		}
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return nil, "", err
		}
	}
	ch, err := loader.Load(path)
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("load chart %s: %w", path, err)}
	}
	return ch, "", nil
}

// repoGetter fetches from an HTTP chart repository in the stead of Helm's
// getter, which would send the repository's basic auth over plain HTTP to
// any host, and after a redirect from https:// to http:// on the same
// host. The credentials are repoGetter's own (Helm is given none): they
// go to the repository's scheme and host only, as Helm sends them, and
// with credentials every request goes through regauth.RefusePlainHTTP,
// as the registry provider's do, so that nothing of the repository,
// redirects included, goes over plain HTTP but to a loopback host.
// Errors show URLs in their display form.
type repoGetter struct {
	client *http.Client
	base   *url.URL
	user   *url.Userinfo
}

func newRepoGetter(base string, user *url.Userinfo) (*repoGetter, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, errors.New(hideUserinfo(err.Error()))
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableCompression = true // as Helm's getter: an archive is stored as served
	var rt http.RoundTripper = t
	if user != nil {
		rt = regauth.RefusePlainHTTP(t, false)
	}
	return &repoGetter{client: &http.Client{Transport: rt}, base: u, user: user}, nil
}

// Get fetches href; the options Helm passes (its own credentials, TLS
// files) are not used.
func (g *repoGetter) Get(href string, _ ...getter.Option) (*bytes.Buffer, error) {
	req, err := http.NewRequest(http.MethodGet, href, nil)
	if err != nil {
		return nil, errors.New(hideUserinfo(err.Error()))
	}
	req.Header.Set("User-Agent", "slipway-helm/"+Version)
	if g.user != nil && req.URL.Scheme == g.base.Scheme && req.URL.Host == g.base.Host {
		if pass, ok := g.user.Password(); ok && g.user.Username() != "" && pass != "" {
			req.SetBasicAuth(g.user.Username(), pass)
		}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = displayRepository(ue.URL)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", displayRepository(href), resp.Status)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", displayRepository(href), err)
	}
	return &buf, nil
}

// plainHTTPHint says what to do about a request repoGetter refused.
func plainHTTPHint(err error) string {
	var ph *regauth.PlainHTTPError
	if !errors.As(err, &ph) {
		return ""
	}
	return ". The repository URL holds credentials, which slipway sends over HTTPS only (or plain HTTP to a loopback host); use the repository's https:// URL, and one for its charts in its index"
}

// cachedChart is, for an offline plan (cacheOnly), chart name of the
// repository shown as the cache directory dir holds it: the archives
// NAME-VERSION.tgz that online plans and applies downloaded. No
// repository or registry is asked anything. An exact version is its
// archive; a constraint, or no version, is the newest cached version that
// satisfies it (a stable one, as online), and note says so, since the
// repository may hold a newer one. A version not cached is an error that
// says how to fill the cache.
func cachedChart(dir, shown, name, version string) (*chart.Chart, string, error) {
	load := func(path string) (*chart.Chart, error) {
		ch, err := loader.Load(path)
		if err != nil {
			return nil, chartError{builtin.HelmRepository, fmt.Errorf("load chart %s: %w", path, err)}
		}
		return ch, nil
	}
	if version != "" {
		if path := filepath.Join(dir, name+"-"+version+".tgz"); fileExists(path) {
			ch, err := load(path)
			return ch, "", err
		}
	}
	type cached struct {
		v    *semver.Version
		file string
	}
	var all []cached
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), name+"-")
		if rest, ok2 := strings.CutSuffix(rest, ".tgz"); ok && ok2 && !e.IsDir() {
			// An OCI tag writes a version's "+" as "_".
			if v, err := semver.NewVersion(strings.ReplaceAll(rest, "_", "+")); err == nil {
				all = append(all, cached{v, e.Name()})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v.GreaterThan(all[j].v) })
	constraint, wanted, newest := version, fmt.Sprintf("version %q of chart %s from %s", version, name, shown), "the newest version in the chart cache (%s) that satisfies it"
	if version == "" {
		constraint, wanted, newest = "*", fmt.Sprintf("chart %s from %s, without a version,", name, shown), "the newest stable version in the chart cache (%s)"
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return nil, "", chartError{builtin.HelmVersion, err}
	}
	var have []string
	for _, x := range all {
		have = append(have, x.v.Original())
		if !c.Check(x.v) {
			continue
		}
		ch, err := load(filepath.Join(dir, x.file))
		if err != nil {
			return nil, "", err
		}
		return ch, fmt.Sprintf("Offline, slipway asks no chart repository which versions it holds: %s is taken as %s, "+newest+". The repository may hold a newer one, which a plan online would pick.",
			wanted, x.v.Original(), dir), nil
	}
	attr, cachedList := builtin.HelmChart, "it holds no version of the chart"
	if len(have) > 0 {
		attr, cachedList = builtin.HelmVersion, "it holds "+strings.Join(have, ", ")
	}
	return nil, "", chartError{attr, fmt.Errorf("%s is not in the chart cache %s (%s): an offline plan takes charts from the cache only and connects to no repository. Run slipway plan or apply online once, with the same cache_dir, to download it, then plan offline again.",
		wanted, dir, cachedList)}
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// pullOCI resolves version among the tags of repository/name in an OCI
// registry and pulls that chart, into the cache once per reference and
// version. Plain HTTP is used for registries on the loopback interface
// only, as for a local test registry. Offline (cacheOnly), the chart comes
// from the cache alone.
func (cl *cluster) pullOCI(repository, name, version string) (*chart.Chart, string, error) {
	ref := strings.TrimSuffix(strings.TrimPrefix(repository, "oci://"), "/") + "/" + name
	dir := filepath.Join(cl.cacheDir, "oci", filepath.FromSlash(strings.ReplaceAll(ref, ":", "_")))
	if cl.cacheOnly() {
		return cachedChart(dir, displayRepository(repository), name, version)
	}
	opts := []registry.ClientOption{
		registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(helmpath.ConfigPath(registry.CredentialsFileBasename)),
	}
	if isLoopback(ref) {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(opts...)
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("registry client: %w", err)}
	}
	tag := version
	if _, err := semver.StrictNewVersion(version); err != nil {
		tags, err := client.Tags(ref)
		if err != nil {
			return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("list the versions of oci://%s: %w", ref, err)}
		}
		tag, err = newestMatching(tags, version)
		if err != nil {
			return nil, "", chartError{builtin.HelmVersion, fmt.Errorf("oci://%s: %w", ref, err)}
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.tgz", name, tag))
	data, err := os.ReadFile(path)
	if err != nil {
		res, err := client.Pull(ref+":"+tag, registry.PullOptWithChart(true))
		if err != nil {
			return nil, "", chartError{builtin.HelmVersion, fmt.Errorf("pull oci://%s:%s: %w", ref, tag, err)}
		}
		data = res.Chart.Data
		if err := writeFileAtomic(path, data); err != nil {
			return nil, "", err
		}
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, "", chartError{builtin.HelmRepository, fmt.Errorf("load chart oci://%s:%s: %w", ref, tag, err)}
	}
	return ch, "", nil
}

// newestMatching picks the newest of tags (sorted newest first, as the
// registry client returns them) that satisfies constraint; any stable
// version when constraint is empty.
func newestMatching(tags []string, constraint string) (string, error) {
	if constraint == "" {
		constraint = "*"
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return "", err
	}
	for _, t := range tags {
		v, err := semver.NewVersion(t)
		if err == nil && c.Check(v) {
			return t, nil
		}
	}
	return "", fmt.Errorf("no chart version matches %q among %v", constraint, tags)
}

// isLoopback reports whether the host of an OCI reference, or a host
// name, is on this machine: localhost, 127.0.0.0/8 or ::1.
func isLoopback(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// writeFileAtomic writes through a temporary file and a rename, so
// concurrent plans never read a half-written archive.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("chart cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("chart cache: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("chart cache: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("chart cache: %w", err)
	}
	return nil
}

// mergeValues reads the values files in order and then values, each
// merged deeply over what came before (maps by key; anything else is
// replaced), as `helm install -f a.yaml -f b.yaml` does.
func mergeValues(c releaseConfig) (map[string]any, error) {
	out := map[string]any{}
	for _, path := range c.ValuesFiles {
		if c.ChartDir != "" {
			if err := valuesLink(c.ChartDir, path); err != nil {
				return nil, fmt.Errorf("read values file: %w", err)
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read values file: %w", err)
		}
		m, err := parseValues(b)
		if err != nil {
			return nil, fmt.Errorf("values file %s: %w", path, err)
		}
		out = mergeMaps(out, m)
	}
	if c.Values != "" {
		m, err := parseValues([]byte(c.Values))
		if err != nil {
			return nil, fmt.Errorf("values: %w", err)
		}
		out = mergeMaps(out, m)
	}
	return out, nil
}

// chartLinks refuses a chart directory that holds a symbolic link
// leading outside it. Helm's loader follows links, and a template reads
// any file of the chart (.Files.Get): a link to a file of the machine
// slipway runs on (its environment, a kubeconfig) would put that file in
// the rendered objects, in the cluster and in the plan a reviewer reads.
// Links that stay inside the chart are followed, as by the kubernetes
// provider among an app's files.
func chartLinks(dir string) error {
	err := confine.LinksWithin(dir, nil)
	var escape *confine.EscapeError
	if errors.As(err, &escape) {
		return fmt.Errorf("%w; slipway follows no link out of a chart's directory", err)
	}
	return nil // a tree the loader cannot read is the loader's to report
}

// valuesLink refuses a values file of a chart from a directory that is,
// or lies below, a symbolic link leading outside the chart's directory,
// for the reason chartLinks gives. A values file outside the chart (as
// ../values.yaml) is read as long as no link is followed below where its
// path leaves the chart's directory, as kustomize bases are.
func valuesLink(chartDir, path string) error {
	dir, err := filepath.Abs(chartDir)
	if err != nil {
		return nil
	}
	real, err := confine.Root(dir)
	if err != nil {
		return nil // the loader says what is wrong with the chart
	}
	if !confine.Within(dir, path) {
		if link, target, ok := confine.LinkBeside(dir, path); ok {
			return fmt.Errorf("%s is a symbolic link to %s, outside the chart's directory %s; slipway follows no link there", link, target, chartDir)
		}
		return nil
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return err
	}
	var escape *confine.EscapeError
	if _, err := confine.ResolveIn(dir, real, rel); errors.As(err, &escape) {
		return fmt.Errorf("%s: %w; slipway follows no link out of a chart's directory", path, err)
	}
	return nil
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}
