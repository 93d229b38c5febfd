package helm

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"

	sdk "slipway.dev/slipway/plugin-sdk"
	"slipway.dev/slipway/providers/internal/kube"
)

// releaseSchema is the schema of resource "helm_release", the resource the
// core lowers each `app` block with a chart into.
var releaseSchema = sdk.Schema{
	Description: "A Helm release: a chart from a directory, an HTTP chart repository or an OCI registry, installed and upgraded with Helm's own actions.",
	Attributes: map[string]sdk.Attribute{
		"name":             {Type: cty.String, Required: true, ForceNew: true, Description: "The release name."},
		"namespace":        {Type: cty.String, Required: true, ForceNew: true, Description: "The release namespace: where namespaced objects without one go, and where Helm keeps the release's history."},
		"chart_dir":        {Type: cty.String, Optional: true, Description: "Absolute local directory of the chart (from a git source). Exclusive with repository and chart."},
		"repository":       {Type: cty.String, Optional: true, Description: "An http(s):// chart repository URL, or an oci://host/path registry location holding the chart as host/path/CHART."},
		"chart":            {Type: cty.String, Optional: true, Description: "The chart's name in repository."},
		"version":          {Type: cty.String, Optional: true, Description: "An exact chart version or a semver constraint (\"~1.2\"); the newest version when empty."},
		"values":           {Type: cty.String, Optional: true, Description: "One YAML document of values, merged over values_files."},
		"values_files":     {Type: cty.List(cty.String), Optional: true, Description: "Absolute paths of values files, merged in order before values."},
		"create_namespace": {Type: cty.Bool, Optional: true, Description: "Create the release namespace if it does not exist."},
		"wait_timeout":     {Type: cty.String, Optional: true, Description: "How long to wait for the release's resources to become ready (\"5m\"); empty: do not wait."},
		"atomic":           {Type: cty.Bool, Optional: true, Description: "Roll a failed upgrade back (and uninstall a failed install); true when unset."},
		"revision":         {Type: cty.String, Optional: true, Description: "The source commit the chart comes from, recorded in state."},
		"chart_version":    {Type: cty.String, Computed: true, Description: "The version of the chart deployed."},
		"app_version":      {Type: cty.String, Computed: true, Description: "The chart's appVersion."},
		"release_revision": {Type: cty.Number, Computed: true, Description: "Helm's revision of the release, as `helm history` shows it."},
		"objects":          {Type: cty.DynamicPseudoType, Computed: true, Description: "Every object of the release by ID (\"apps/v1 Deployment web/web\"), as the API server holds it, limited to the fields the chart renders."},
		"inventory":        {Type: cty.List(cty.String), Computed: true, Description: "The IDs of every object of the release."},
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
}

// source says where the chart comes from, for messages and cache keys.
func (c releaseConfig) source() string {
	if c.ChartDir != "" {
		return c.ChartDir
	}
	return c.Repository + " " + c.Chart
}

// chartInputs are the attributes that decide what is rendered; a plan can
// render only when all of them are known.
var chartInputs = []string{"name", "namespace", "chart_dir", "repository", "chart", "version", "values", "values_files", "create_namespace"}

// parseConfig reads a configuration; every check of an attribute that is
// known is made, so Validate can call it with unknowns. Problems are
// attribute diagnostics.
func parseConfig(conf cty.Value) (releaseConfig, sdk.Diagnostics) {
	var diags sdk.Diagnostics
	c := releaseConfig{
		Name:            sdk.GetString(conf, "name"),
		Namespace:       sdk.GetString(conf, "namespace"),
		ChartDir:        sdk.GetString(conf, "chart_dir"),
		Repository:      sdk.GetString(conf, "repository"),
		Chart:           sdk.GetString(conf, "chart"),
		Version:         sdk.GetString(conf, "version"),
		Values:          sdk.GetString(conf, "values"),
		CreateNamespace: sdk.GetBool(conf, "create_namespace"),
		Atomic:          true,
		Revision:        sdk.GetString(conf, "revision"),
	}
	known := func(name string) bool { return conf.GetAttr(name).IsWhollyKnown() }
	set := func(name string) bool { v := conf.GetAttr(name); return !v.IsKnown() || !v.IsNull() }

	if sdk.IsSet(conf, "atomic") {
		c.Atomic = sdk.GetBool(conf, "atomic")
	}
	if known("name") && c.Name != "" {
		if err := chartutil.ValidateReleaseName(c.Name); err != nil {
			diags.AddAttributeError(cty.GetAttrPath("name"), "Invalid release name",
				fmt.Sprintf("%q cannot name a Helm release: %v. Use at most 53 lower-case letters, digits and '-', starting and ending with a letter or digit.", c.Name, err))
		}
	}

	// Exactly one of chart_dir or repository + chart.
	switch {
	case set("chart_dir") && (set("repository") || set("chart")):
		p := "repository"
		if !set("repository") {
			p = "chart"
		}
		diags.AddAttributeError(cty.GetAttrPath(p), "Conflicting chart sources",
			"chart_dir names a local chart, so repository and chart must not be set; keep either chart_dir, or repository and chart.")
	case set("chart_dir"):
		if known("chart_dir") && !filepath.IsAbs(c.ChartDir) {
			diags.AddAttributeError(cty.GetAttrPath("chart_dir"), "Relative chart directory",
				fmt.Sprintf("chart_dir %q must be an absolute path (a git source's dir joined with the chart's path).", c.ChartDir))
		}
		if set("version") {
			diags.AddAttributeError(cty.GetAttrPath("version"), "Version of a local chart",
				"version picks a chart version from a repository; a chart_dir holds one version. Remove version, or use repository and chart.")
		}
	case set("repository") && !set("chart"):
		diags.AddAttributeError(cty.GetAttrPath("chart"), "Missing chart name",
			"repository is set, so chart must name the chart in it (\"web\").")
	case set("chart") && !set("repository"):
		diags.AddAttributeError(cty.GetAttrPath("repository"), "Missing chart repository",
			"chart is set, so repository must say where it is: an http(s):// chart repository or an oci://host/path registry location.")
	case !set("repository") && !set("chart"):
		diags.AddAttributeError(cty.GetAttrPath("chart_dir"), "No chart",
			"Set chart_dir to a local chart directory, or repository and chart to a chart in a repository.")
	}
	if known("repository") && c.Repository != "" {
		u, err := url.Parse(c.Repository)
		switch {
		case err != nil:
			diags.AddAttributeError(cty.GetAttrPath("repository"), "Invalid repository", fmt.Sprintf("%q is not a URL: %v.", c.Repository, err))
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "oci" || u.Host == "":
			diags.AddAttributeError(cty.GetAttrPath("repository"), "Invalid repository",
				fmt.Sprintf("%q is neither an http(s):// chart repository URL nor an oci://host/path registry location.", c.Repository))
		}
	}
	if known("chart") && c.Chart != "" && strings.ContainsAny(c.Chart, "/: ") {
		diags.AddAttributeError(cty.GetAttrPath("chart"), "Invalid chart name",
			fmt.Sprintf("%q is not a chart name; put the repository's location in repository and only the name (\"web\") in chart.", c.Chart))
	}
	if known("version") && c.Version != "" {
		if _, err := semver.NewConstraint(c.Version); err != nil {
			diags.AddAttributeError(cty.GetAttrPath("version"), "Invalid chart version",
				fmt.Sprintf("%q is neither a version nor a semver constraint (\"1.2.3\", \"~1.2\", \">=1.0 <2\"): %v.", c.Version, err))
		}
	}
	if known("values") && c.Values != "" {
		if _, err := parseValues([]byte(c.Values)); err != nil {
			diags.AddAttributeError(cty.GetAttrPath("values"), "Invalid values", fmt.Sprintf("values must be one YAML document of a map: %v.", err))
		}
	}
	if sdk.IsSet(conf, "values_files") && known("values_files") {
		for i, v := range conf.GetAttr("values_files").AsValueSlice() {
			if v.IsNull() {
				continue
			}
			s := v.AsString()
			if !filepath.IsAbs(s) {
				diags.AddAttributeError(cty.GetAttrPath("values_files").IndexInt(i), "Relative values file",
					fmt.Sprintf("%q must be an absolute path.", s))
			}
			c.ValuesFiles = append(c.ValuesFiles, s)
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
