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
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
	"slipway.dev/slipway/providers/internal/urlmask"
)

// releaseSchema is the schema of resource "helm_release", the resource the
// core lowers each `app` block with a chart into.
var releaseSchema = sdk.Schema{
	Description: "A Helm release: a chart from a directory, an HTTP chart repository or an OCI registry, installed and upgraded with Helm's own actions.",
	Attributes: map[string]sdk.Attribute{
		builtin.AppName:             {Type: cty.String, Required: true, ForceNew: true, Description: "The release name."},
		builtin.AppNamespace:        {Type: cty.String, Required: true, ForceNew: true, Description: "The release namespace: where namespaced objects without one go, and where Helm keeps the release's history."},
		builtin.HelmChartDir:        {Type: cty.String, Optional: true, Local: true, Description: "Absolute local directory of the chart (from a git source). Exclusive with repository and chart."},
		builtin.HelmRepository:      {Type: cty.String, Optional: true, Description: "An http(s):// chart repository URL, or an oci://host/path registry location holding the chart as host/path/CHART."},
		builtin.HelmChart:           {Type: cty.String, Optional: true, Description: "The chart's name in repository."},
		builtin.HelmVersion:         {Type: cty.String, Optional: true, Description: "An exact chart version or a semver constraint (\"~1.2\"); the newest version when empty."},
		builtin.HelmValues:          {Type: cty.String, Optional: true, Description: "One YAML document of values, merged over values_files."},
		builtin.HelmValuesFiles:     {Type: cty.List(cty.String), Optional: true, Local: true, Description: "Absolute paths of values files, merged in order before values."},
		builtin.AppCreateNamespace:  {Type: cty.Bool, Optional: true, Description: "Create the release namespace if it does not exist."},
		builtin.AppWaitTimeout:      {Type: cty.String, Optional: true, Description: "How long to wait for the release's resources to become ready (\"5m\"); empty: do not wait."},
		builtin.HelmAtomic:          {Type: cty.Bool, Optional: true, Description: "Roll a failed upgrade back (and uninstall a failed install); true when unset."},
		builtin.AppRevision:         {Type: cty.String, Optional: true, Provenance: true, Description: "The source commit the chart comes from, recorded in state. A new commit that leaves the release as it is is no change: apply records it without an upgrade."},
		builtin.AppAdopt:            {Type: builtin.AdoptType, Optional: true, Description: "Take over in place, at install, the objects Argo CD (from = \"argocd\", name = the Application) or Flux (from = \"flux\", name = the Kustomization's namespace/name) synced from this chart, by their tracking label or annotation: Helm takes ownership of them, and the apply removes the tracking marks the chart does not set itself."},
		builtin.AppAdopted:          {Type: cty.DynamicPseudoType, Computed: true, Description: "The objects the install takes over from Argo CD or Flux, by ID, as they are live, limited to the fields the chart renders."},
		builtin.HelmChartVersion:    {Type: cty.String, Computed: true, Description: "The version of the chart deployed."},
		builtin.HelmAppVersion:      {Type: cty.String, Computed: true, Description: "The chart's appVersion."},
		builtin.HelmReleaseRevision: {Type: cty.Number, Computed: true, Description: "Helm's revision of the release, as `helm history` shows it."},
		builtin.HelmRandomFields:    {Type: cty.Map(cty.List(cty.String)), Computed: true, Description: "The fields, by object ID and as JSON pointers, that the chart renders differently each time (randAlphaNum, now, uuidv4): found by rendering twice, they change only when the release upgrades."},
		builtin.AppObjects:          {Type: cty.DynamicPseudoType, Computed: true, Description: "Every object of the release by ID (\"apps/v1 Deployment web/web\"), as the API server holds it, limited to the fields the chart renders."},
		builtin.AppInventory:        {Type: cty.List(cty.String), Computed: true, Description: "The IDs of every object of the release."},
	},
}

// releaseConfig is a release's configuration, read from its cty value.
type releaseConfig struct {
	Name, Namespace   string
	ChartDir          string
	Repository, Chart string
	Version           string
	Values            string
	ValuesFiles       []string
	CreateNamespace   bool
	WaitTimeout       time.Duration // zero: do not wait
	Atomic            bool
	Revision          string
	Adopt             kube.Adoption // zero: adopt nothing
}

// source says where the chart comes from, for messages: the repository
// in its display form (displayRepository), never with its credentials.
func (c releaseConfig) source() string {
	if c.ChartDir != "" {
		return c.ChartDir
	}
	return displayRepository(c.Repository) + " " + c.Chart
}

// A repository URL may carry credentials: "https://user:token@host/charts"
// is how an HTTP chart repository that asks for basic auth is reached.
// As in the git provider (providers/git/urls.go), they reach nothing a
// user or a CI log reads, nor the cache's paths:
//
//   - displayRepository is the one form of a repository in every
//     diagnostic, error and progress line: no userinfo, query values
//     masked.
//   - repositoryCredentials takes them out of the URL that is fetched
//     from and names the cache; repoGetter sends them, over HTTPS only
//     but to a loopback host (parseConfig refuses plain http:// with
//     credentials to any other).
//   - hideUserinfo removes userinfo from text made elsewhere that may
//     quote a URL (an error of url.Parse).

// displayRepository is how repository s is shown: without userinfo (all
// of it: a token is often the user name) and with the values of its
// query masked.
func displayRepository(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return hideUserinfo(s)
	}
	u.User = nil
	urlmask.MaskQuery(u)
	return u.String()
}

// repositoryCredentials returns s without its userinfo, and that
// userinfo (nil when it has none). A URL without any is returned as it
// is, byte for byte, so the cache keys of such URLs do not change.
func repositoryCredentials(s string) (string, *url.Userinfo) {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s, nil
	}
	info := u.User
	u.User = nil
	return u.String(), info
}

// userinfoText is the userinfo of a URL in text.
var userinfoText = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"'<>]*@`)

// hideUserinfo removes from text every URL's userinfo.
func hideUserinfo(text string) string { return userinfoText.ReplaceAllString(text, "$1") }

// chartInputs are the attributes that decide what is rendered; a plan can
// render only when all of them are known.
var chartInputs = []string{
	builtin.AppName, builtin.AppNamespace, builtin.HelmChartDir, builtin.HelmRepository, builtin.HelmChart,
	builtin.HelmVersion, builtin.HelmValues, builtin.HelmValuesFiles, builtin.AppCreateNamespace,
}

// parseConfig reads a configuration; every check of an attribute that is
// known is made, so Validate can call it with unknowns. Problems are
// attribute diagnostics.
func parseConfig(conf cty.Value) (releaseConfig, sdk.Diagnostics) {
	var diags sdk.Diagnostics
	c := releaseConfig{
		Name:            sdk.GetString(conf, builtin.AppName),
		Namespace:       sdk.GetString(conf, builtin.AppNamespace),
		ChartDir:        sdk.GetString(conf, builtin.HelmChartDir),
		Repository:      sdk.GetString(conf, builtin.HelmRepository),
		Chart:           sdk.GetString(conf, builtin.HelmChart),
		Version:         sdk.GetString(conf, builtin.HelmVersion),
		Values:          sdk.GetString(conf, builtin.HelmValues),
		CreateNamespace: sdk.GetBool(conf, builtin.AppCreateNamespace),
		Atomic:          true,
		Revision:        sdk.GetString(conf, builtin.AppRevision),
	}
	known := func(name string) bool { return conf.GetAttr(name).IsWhollyKnown() }
	set := func(name string) bool { v := conf.GetAttr(name); return !v.IsKnown() || !v.IsNull() }

	if sdk.IsSet(conf, builtin.HelmAtomic) {
		c.Atomic = sdk.GetBool(conf, builtin.HelmAtomic)
	}
	if known(builtin.AppName) && c.Name != "" {
		if err := chartutil.ValidateReleaseName(c.Name); err != nil {
			diags.AddAttributeError(cty.GetAttrPath(builtin.AppName), "Invalid release name",
				fmt.Sprintf("%q cannot name a Helm release: %v. Use at most 53 lower-case letters, digits and '-', starting and ending with a letter or digit.", c.Name, err))
		}
	}

	// Exactly one of chart_dir or repository + chart.
	switch {
	case set(builtin.HelmChartDir) && (set(builtin.HelmRepository) || set(builtin.HelmChart)):
		p := builtin.HelmRepository
		if !set(builtin.HelmRepository) {
			p = builtin.HelmChart
		}
		diags.AddAttributeError(cty.GetAttrPath(p), "Conflicting chart sources",
			"chart_dir names a local chart, so repository and chart must not be set; keep either chart_dir, or repository and chart.")
	case set(builtin.HelmChartDir):
		if known(builtin.HelmChartDir) && !filepath.IsAbs(c.ChartDir) {
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmChartDir), "Relative chart directory",
				fmt.Sprintf("chart_dir %q must be an absolute path (a git source's dir joined with the chart's path).", c.ChartDir))
		}
		if set(builtin.HelmVersion) {
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmVersion), "Version of a local chart",
				"version picks a chart version from a repository; a chart_dir holds one version. Remove version, or use repository and chart.")
		}
	case set(builtin.HelmRepository) && !set(builtin.HelmChart):
		diags.AddAttributeError(cty.GetAttrPath(builtin.HelmChart), "Missing chart name",
			"repository is set, so chart must name the chart in it (\"web\").")
	case set(builtin.HelmChart) && !set(builtin.HelmRepository):
		diags.AddAttributeError(cty.GetAttrPath(builtin.HelmRepository), "Missing chart repository",
			"chart is set, so repository must say where it is: an http(s):// chart repository or an oci://host/path registry location.")
	case !set(builtin.HelmRepository) && !set(builtin.HelmChart):
		diags.AddAttributeError(cty.GetAttrPath(builtin.HelmChartDir), "No chart",
			"Set chart_dir to a local chart directory, or repository and chart to a chart in a repository.")
	}
	if known(builtin.HelmRepository) && c.Repository != "" {
		shown := displayRepository(c.Repository)
		u, err := url.Parse(c.Repository)
		switch {
		case err != nil:
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmRepository), "Invalid repository", fmt.Sprintf("%q is not a URL: %v.", shown, hideUserinfo(err.Error())))
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "oci" || u.Host == "":
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmRepository), "Invalid repository",
				fmt.Sprintf("%q is neither an http(s):// chart repository URL nor an oci://host/path registry location.", shown))
		case u.User != nil && u.Scheme == "oci":
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmRepository), "Credentials in an OCI location",
				fmt.Sprintf("%q holds credentials before its host; an OCI registry's are read from Helm's registry configuration (helm registry login %s), not from the URL. Remove them from repository.", shown, u.Host))
		case u.User != nil && u.Scheme == "http" && !isLoopback(u.Hostname()):
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmRepository), "Credentials over plain HTTP",
				fmt.Sprintf("%q holds credentials, which slipway sends over HTTPS only, or over plain HTTP to localhost, 127.0.0.0/8 and ::1: on plain http:// to %s they would cross the network in clear. Use the repository's https:// URL.", shown, u.Hostname()))
		}
	}
	if known(builtin.HelmChart) && c.Chart != "" && strings.ContainsAny(c.Chart, "/: ") {
		diags.AddAttributeError(cty.GetAttrPath(builtin.HelmChart), "Invalid chart name",
			fmt.Sprintf("%q is not a chart name; put the repository's location in repository and only the name (\"web\") in chart.", c.Chart))
	}
	if known(builtin.HelmVersion) && c.Version != "" {
		if _, err := semver.NewConstraint(c.Version); err != nil {
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmVersion), "Invalid chart version",
				fmt.Sprintf("%q is neither a version nor a semver constraint (\"1.2.3\", \"~1.2\", \">=1.0 <2\"): %v.", c.Version, err))
		}
	}
	if known(builtin.HelmValues) && c.Values != "" {
		if _, err := parseValues([]byte(c.Values)); err != nil {
			diags.AddAttributeError(cty.GetAttrPath(builtin.HelmValues), "Invalid values", fmt.Sprintf("values must be one YAML document of a map: %v.", err))
		}
	}
	if sdk.IsSet(conf, builtin.HelmValuesFiles) && known(builtin.HelmValuesFiles) {
		for i, v := range conf.GetAttr(builtin.HelmValuesFiles).AsValueSlice() {
			if v.IsNull() {
				continue
			}
			s := v.AsString()
			if !filepath.IsAbs(s) {
				diags.AddAttributeError(cty.GetAttrPath(builtin.HelmValuesFiles).IndexInt(i), "Relative values file",
					fmt.Sprintf("%q must be an absolute path.", s))
			}
			c.ValuesFiles = append(c.ValuesFiles, s)
		}
	}
	if sdk.IsSet(conf, builtin.AppAdopt) && known(builtin.AppAdopt) {
		a := conf.GetAttr(builtin.AppAdopt)
		c.Adopt = kube.Adoption{Tool: sdk.GetString(a, builtin.AdoptFrom), Name: sdk.GetString(a, builtin.AdoptName)}
		if err := c.Adopt.Check(); err != nil {
			diags.AddAttributeError(cty.GetAttrPath(builtin.AppAdopt), "Invalid adopt", err.Error())
		}
	}
	wait, waitDiags := kube.ParseWaitTimeout(conf)
	c.WaitTimeout = wait
	diags = append(diags, waitDiags...)
	return c, diags
}

// parseValues reads one YAML document of values.
func parseValues(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}
