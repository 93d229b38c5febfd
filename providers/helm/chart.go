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
	"net/url"
	"os"
	"path/filepath"
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
	sdk "slipway.dev/slipway/plugin-sdk"
)

// chartInputs loads c's chart (version, when not empty, pins a
// repository chart's) and merges its values: what plan, offline plan and
// apply all render. Why either fails goes into diags, on the attribute at
// fault and saying what the directory was taken for.
func (cl *cluster) chartInputs(c releaseConfig, version string, diags *sdk.Diagnostics) (*chart.Chart, map[string]any, bool) {
	ch, err := cl.loadChart(c, version)
	if err != nil {
		diags.AddAttributeError(cty.GetAttrPath(attrOf(err, builtin.HelmChartDir)), "Cannot load the chart", takenFor(c)+": "+err.Error())
		return nil, nil, false
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
// Errors name the attribute to blame through chartError.
func (cl *cluster) loadChart(c releaseConfig, version string) (*chart.Chart, error) {
	if version == "" {
		version = c.Version
	}
	var (
		ch  *chart.Chart
		err error
	)
	switch {
	case c.ChartDir != "":
		if err := chartLinks(c.ChartDir); err != nil {
			return nil, chartError{builtin.HelmChartDir, fmt.Errorf("load chart from %s: %w", c.ChartDir, err)}
		}
		ch, err = loader.Load(c.ChartDir)
		if err != nil {
			return nil, chartError{builtin.HelmChartDir, fmt.Errorf("load chart from %s: %w", c.ChartDir, err)}
		}
	case strings.HasPrefix(c.Repository, "oci://"):
		ch, err = cl.pullOCI(c.Repository, c.Chart, version)
	default:
		ch, err = cl.pullHTTP(c.Repository, c.Chart, version)
	}
	if err != nil {
		return nil, err
	}
	if req := ch.Metadata.Dependencies; len(req) > 0 {
		if err := action.CheckDependencies(ch, req); err != nil {
			return nil, chartError{builtin.HelmChartDir, fmt.Errorf("chart %s: %w (run `helm dependency build` in the chart and commit charts/)", ch.Name(), err)}
		}
	}
	return ch, nil
}

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
// archive, downloaded into the cache once per repository, name and version.
func (cl *cluster) pullHTTP(repoURL, name, version string) (*chart.Chart, error) {
	entry := &repo.Entry{Name: "slipway-" + shortHash(repoURL), URL: strings.TrimSuffix(repoURL, "/")}
	if u, err := url.Parse(entry.URL); err == nil && u.User != nil {
		entry.Username = u.User.Username()
		entry.Password, _ = u.User.Password()
		u.User = nil
		entry.URL = u.String()
	}
	getters := getter.Getters()
	r, err := repo.NewChartRepository(entry, getters)
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("chart repository %s: %w", entry.URL, err)}
	}
	dir := filepath.Join(cl.cacheDir, "repository", shortHash(repoURL))
	r.CachePath = dir
	indexPath, err := r.DownloadIndexFile()
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("fetch the index of chart repository %s: %w", entry.URL, err)}
	}
	idx, err := repo.LoadIndexFile(indexPath)
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("read the index of chart repository %s: %w", entry.URL, err)}
	}
	idx.SortEntries()
	cv, err := idx.Get(name, version)
	if err != nil {
		attr := builtin.HelmVersion
		if _, ok := idx.Entries[name]; !ok {
			attr = builtin.HelmChart
		}
		return nil, chartError{attr, fmt.Errorf("chart repository %s has no chart %q matching version %q: %w", entry.URL, name, version, err)}
	}
	if len(cv.URLs) == 0 {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("chart repository %s lists %s-%s without a download URL", entry.URL, name, cv.Version)}
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.tgz", name, cv.Version))
	if _, err := os.Stat(path); err != nil {
		chartURL, err := repo.ResolveReferenceURL(entry.URL, cv.URLs[0])
		if err != nil {
			return nil, chartError{builtin.HelmRepository, err}
		}
		u, err := url.Parse(chartURL)
		if err != nil {
			return nil, chartError{builtin.HelmRepository, err}
		}
		g, err := getters.ByScheme(u.Scheme)
		if err != nil {
			return nil, chartError{builtin.HelmRepository, err}
		}
		buf, err := g.Get(chartURL, getter.WithURL(entry.URL), getter.WithBasicAuth(entry.Username, entry.Password))
		if err != nil {
			return nil, chartError{builtin.HelmRepository, fmt.Errorf("download %s: %w", chartURL, err)}
		}
		if cv.Digest != "" {
			sum := sha256.Sum256(buf.Bytes())
			if got := hex.EncodeToString(sum[:]); got != cv.Digest {
				return nil, chartError{builtin.HelmRepository, fmt.Errorf("download %s: digest %s, but the index says %s", chartURL, got, cv.Digest)}
			}
		}
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	ch, err := loader.Load(path)
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("load chart %s: %w", path, err)}
	}
	return ch, nil
}

// pullOCI resolves version among the tags of repository/name in an OCI
// registry and pulls that chart, into the cache once per reference and
// version. Plain HTTP is used for registries on the loopback interface
// only, as for a local test registry.
func (cl *cluster) pullOCI(repository, name, version string) (*chart.Chart, error) {
	ref := strings.TrimSuffix(strings.TrimPrefix(repository, "oci://"), "/") + "/" + name
	opts := []registry.ClientOption{
		registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(helmpath.ConfigPath(registry.CredentialsFileBasename)),
	}
	if isLoopback(ref) {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(opts...)
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("registry client: %w", err)}
	}
	tag := version
	if _, err := semver.StrictNewVersion(version); err != nil {
		tags, err := client.Tags(ref)
		if err != nil {
			return nil, chartError{builtin.HelmRepository, fmt.Errorf("list the versions of oci://%s: %w", ref, err)}
		}
		tag, err = newestMatching(tags, version)
		if err != nil {
			return nil, chartError{builtin.HelmVersion, fmt.Errorf("oci://%s: %w", ref, err)}
		}
	}
	path := filepath.Join(cl.cacheDir, "oci", filepath.FromSlash(strings.ReplaceAll(ref, ":", "_")), fmt.Sprintf("%s-%s.tgz", name, tag))
	data, err := os.ReadFile(path)
	if err != nil {
		res, err := client.Pull(ref+":"+tag, registry.PullOptWithChart(true))
		if err != nil {
			return nil, chartError{builtin.HelmVersion, fmt.Errorf("pull oci://%s:%s: %w", ref, tag, err)}
		}
		data = res.Chart.Data
		if err := writeFileAtomic(path, data); err != nil {
			return nil, err
		}
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, chartError{builtin.HelmRepository, fmt.Errorf("load chart oci://%s:%s: %w", ref, tag, err)}
	}
	return ch, nil
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

// isLoopback reports whether an OCI reference's host is on this machine.
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
