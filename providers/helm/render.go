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
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
)

// maxHistory is how many revisions of a release Helm keeps.
const maxHistory = 10

// debugLog passes helm's own log lines to slipway's provider log when
// SLIPWAY_LOG asks for debug output, and drops them otherwise.
func debugLog(format string, v ...any) {
	switch strings.ToLower(os.Getenv("SLIPWAY_LOG")) {
	case "debug", "trace":
		fmt.Fprintf(os.Stderr, "helm: "+format+"\n", v...)
	}
}

// actionConfig is helm's configuration for the releases of one namespace,
// stored as helm itself stores them (Secrets in that namespace), so the
// helm CLI sees the same releases and history.
func (cl *cluster) actionConfig(namespace string) (*action.Configuration, error) {
	cfg := new(action.Configuration)
	if err := cfg.Init(cl.getter(namespace), namespace, "secret", debugLog); err != nil {
		return nil, fmt.Errorf("helm configuration: %w", err)
	}
	return cfg, nil
}

// lastRelease returns the newest revision of release name, or nil when
// there is none (never installed, or uninstalled).
func lastRelease(cfg *action.Configuration, name string) (*release.Release, error) {
	rel, err := cfg.Releases.Last(name)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read release %s: %w", name, err)
	}
	if rel.Info != nil && rel.Info.Status == release.StatusUninstalled {
		return nil, nil
	}
	return rel, nil
}

// uninstalledWithHistory reports whether the newest revision of release
// name is uninstalled, its history kept (helm uninstall --keep-history):
// lastRelease takes it as absent, and Helm installs it again only with
// Replace (helm install --replace).
func uninstalledWithHistory(cfg *action.Configuration, name string) bool {
	rel, err := cfg.Releases.Last(name)
	return err == nil && rel.Info != nil && rel.Info.Status == release.StatusUninstalled
}

// rendered is a release as a dry-run makes it.
type rendered struct {
	manifest string
	digest   string // of everything an upgrade would change: chart, values, manifest, hooks
}

// render makes the release's manifest without changing anything: for a
// release that exists, helm's upgrade in client dry-run (so templates see
// .Release.IsUpgrade and the next revision, and values are exactly these,
// never reused from the last revision); otherwise helm's install in
// client-only mode with the cluster's version and API versions as
// Capabilities.
func (cl *cluster) render(ctx context.Context, c releaseConfig, ch *chart.Chart, vals map[string]any, exists bool) (*rendered, error) {
	var (
		rel *release.Release
		err error
	)
	if exists {
		cfg, cerr := cl.actionConfig(c.Namespace)
		if cerr != nil {
			return nil, cerr
		}
		up := action.NewUpgrade(cfg)
		up.Namespace = c.Namespace
		up.DryRun = true
		// A server dry-run lets templates lookup live objects, as the
		// upgrade itself will: a chart that keeps a generated password
		// in a Secret it looks up renders the same value again.
		up.DryRunOption = "server"
		up.ResetValues = true
		up.MaxHistory = maxHistory
		rel, err = up.RunWithContext(ctx, c.Name, ch, vals)
	} else {
		kv, vs, cerr := cl.capabilities()
		if cerr != nil {
			return nil, cerr
		}
		cfg := &action.Configuration{Log: debugLog}
		in := action.NewInstall(cfg)
		in.ClientOnly = true
		in.DryRun = true
		in.ReleaseName = c.Name
		in.Namespace = c.Namespace
		in.KubeVersion = kv
		in.APIVersions = vs
		rel, err = in.RunWithContext(ctx, ch, vals)
	}
	if err != nil {
		return nil, err
	}
	return &rendered{manifest: rel.Manifest, digest: releaseDigest(ch, vals, rel)}, nil
}

// capabilities are the cluster's version and API versions, for a
// client-only render whose templates test .Capabilities.
func (cl *cluster) capabilities() (*chartutil.KubeVersion, chartutil.VersionSet, error) {
	v, err := cl.Discovery.ServerVersion()
	if err != nil {
		return nil, nil, fmt.Errorf("read the cluster's version: %w", err)
	}
	vs, err := action.GetVersionSet(cl.Discovery)
	if err != nil {
		return nil, nil, fmt.Errorf("read the cluster's API versions: %w", err)
	}
	return &chartutil.KubeVersion{Version: v.GitVersion, Major: v.Major, Minor: v.Minor}, vs, nil
}

// releaseDigest sums what an upgrade would change, so a plan can tell an
// upgrade that only moves hooks or values from one that changes nothing.
func releaseDigest(ch *chart.Chart, vals map[string]any, rel *release.Release) string {
	type hook struct{ Path, Manifest string }
	var hooks []hook
	for _, h := range rel.Hooks {
		hooks = append(hooks, hook{h.Path, h.Manifest})
	}
	b, _ := json.Marshal(struct {
		Chart, Version string
		Values         map[string]any
		Manifest       string
		Hooks          []hook
	}{ch.Name(), ch.Metadata.Version, vals, rel.Manifest, hooks})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// crdManifest joins the chart's crds/ files (its subcharts' too) into one
// manifest. Helm creates these at install when missing and never changes
// them afterwards.
func crdManifest(ch *chart.Chart) string {
	if ch == nil {
		return ""
	}
	return joinCRDs(ch.CRDObjects())
}

// subchartCRDManifest joins the crds/ files of the chart's subcharts: of
// those the chart has as loaded, once rendering has dropped the disabled
// ones. Helm installs them with the chart's own, but its record of a
// release keeps the chart without its subcharts, so the provider keeps
// them in its private data (privateData.CRDs) to read them back.
func subchartCRDManifest(ch *chart.Chart) string {
	if ch == nil {
		return ""
	}
	var crds []chart.CRD
	for _, dep := range ch.Dependencies() {
		crds = append(crds, dep.CRDObjects()...)
	}
	return joinCRDs(crds)
}

func joinCRDs(crds []chart.CRD) string {
	var b strings.Builder
	for _, crd := range crds {
		b.WriteString("\n---\n")
		b.Write(crd.File.Data)
	}
	return b.String()
}

// packCRDs is a CRD manifest as privateData.CRDs holds it, gzipped (CRDs
// are large and compress well); nil for none.
func packCRDs(manifest string) []byte {
	if manifest == "" {
		return nil
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(manifest)) // a bytes.Buffer takes every write
	_ = zw.Close()
	return b.Bytes()
}

// maxCRDManifest bounds what unpackCRDs reads: private data comes with
// state, which others may write, and a few kilobytes of gzip can expand
// to gigabytes.
const maxCRDManifest = 64 << 20

// unpackCRDs is the manifest packCRDs packed; empty when b is empty,
// unreadable, or expands past maxCRDManifest.
func unpackCRDs(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxCRDManifest+1))
	if err != nil || len(out) > maxCRDManifest {
		return ""
	}
	return string(out)
}

// privateData is the provider's own record, kept with the state (Private)
// and handed from plan to apply (PlannedPrivate).
type privateData struct {
	// Inputs is inputsDigest of what the last plan (and apply) sent: the
	// chart with its subcharts, and the values.
	Inputs string `json:"inputs,omitempty"`
	// Digest is releaseDigest of the render last planned offline.
	Digest string `json:"digest,omitempty"`
	// Upgrade, in a plan, says the release must be upgraded; a plan that
	// changes only recorded attributes (revision, wait_timeout) does not.
	Upgrade bool `json:"upgrade,omitempty"`
	// Loaded, in a plan, is inputsDigest of the chart and values as
	// loaded, before rendering (which changes both in place): apply loads
	// them again and refuses to go on when they differ.
	Loaded string `json:"loaded,omitempty"`
	// Failed, recorded by an apply that failed (or refused), says the
	// release may be anything but what the plan showed: an offline plan,
	// which cannot look, upgrades it. It replaces the plan's record,
	// whose inputs were never installed.
	Failed bool `json:"failed,omitempty"`
	// CRDs is the crds/ manifest of the chart's subcharts (packCRDs),
	// which Helm's record of the release does not keep: the release's
	// objects are those of its manifest, of its chart's crds/ and of
	// these.
	CRDs []byte `json:"crds,omitempty"`
}

func decodePrivate(b []byte) privateData {
	var p privateData
	if len(b) > 0 {
		_ = json.Unmarshal(b, &p) // an unreadable record only costs an upgrade
	}
	return p
}

func (p privateData) encode() []byte {
	b, _ := json.Marshal(p)
	return b
}
