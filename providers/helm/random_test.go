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
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"

	"slipway.dev/slipway/providers/internal/kube"
)

func objsOf(t *testing.T, manifest string) []*manifestObject {
	t.Helper()
	objs, err := splitManifest(kube.NewOfflineScopes(nil), manifest, "web")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestFindRandom(t *testing.T) {
	t.Parallel()
	render := func(token, id, name string) string {
		return `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations: {rendered-id: "` + id + `", fixed: "yes"}
data: {colour: blue, token: "` + token + `", "a/b~c": "` + token + `"}
---
apiVersion: v1
kind: Secret
metadata: {name: ` + name + `}
data: {password: eA==}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, env: [{name: SEED, value: "` + token + `"}]}]
`
	}
	got := findRandom(objsOf(t, render("abc", "1", "s1")), objsOf(t, render("xyz", "2", "s2")))
	want := randomFields{
		"v1 ConfigMap web/settings":  {"/data/a~1b~0c", "/data/token", "/metadata/annotations/rendered-id"},
		"apps/v1 Deployment web/web": {"/spec/template/spec/containers/0/env/0/value"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findRandom (-want +got):\n%s", diff)
	}
	if got := findRandom(objsOf(t, render("abc", "1", "s")), objsOf(t, render("abc", "1", "s"))); len(got) != 0 {
		t.Errorf("two equal renders have random fields %v", got)
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	obj := func(token, colour cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"data": cty.ObjectVal(map[string]cty.Value{"token": token, "colour": colour}),
			"list": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"value": token})}),
		})
	}
	ptrs := []string{"/data/token", "/list/0/value", "/not/there"}
	planned := obj(cty.StringVal("new"), cty.StringVal("green"))
	prior := obj(cty.StringVal("live"), cty.StringVal("blue"))
	tests := map[string]struct {
		prior   cty.Value
		upgrade bool
		want    cty.Value
	}{
		"the release stays: the live value": {
			prior: prior, want: obj(cty.StringVal("live"), cty.StringVal("green")),
		},
		"an upgrade renders them anew": {
			prior: prior, upgrade: true, want: obj(cty.UnknownVal(cty.String), cty.StringVal("green")),
		},
		"nothing live to keep": {
			prior: cty.NullVal(cty.DynamicPseudoType), want: obj(cty.UnknownVal(cty.String), cty.StringVal("green")),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := settle(planned, tc.prior, ptrs, tc.upgrade)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tc.want) {
				t.Errorf("settle = %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSameInputs(t *testing.T) {
	t.Parallel()
	mk := func(version, tpl string, defaults map[string]any) *chart.Chart {
		return &chart.Chart{
			Metadata:  &chart.Metadata{APIVersion: "v2", Name: "web", Version: version},
			Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte(tpl)}},
			Values:    defaults,
		}
	}
	base := mk("0.1.0", "x: {{ .Values.x }}", map[string]any{"x": 1})
	// Helm's storage holds numbers as JSON does.
	last := &release.Release{Chart: mk("0.1.0", "x: {{ .Values.x }}", map[string]any{"x": float64(1)}), Config: map[string]any{"replicas": float64(3)}}
	tests := map[string]struct {
		ch   *chart.Chart
		vals map[string]any
		want bool
	}{
		"the same chart and values":    {ch: base, vals: map[string]any{"replicas": int64(3)}, want: true},
		"another value":                {ch: base, vals: map[string]any{"replicas": int64(4)}},
		"no values where some were":    {ch: base, vals: nil},
		"another chart version":        {ch: mk("0.2.0", "x: {{ .Values.x }}", map[string]any{"x": 1}), vals: map[string]any{"replicas": 3}},
		"another template":             {ch: mk("0.1.0", "y: {{ .Values.x }}", map[string]any{"x": 1}), vals: map[string]any{"replicas": 3}},
		"another default in the chart": {ch: mk("0.1.0", "x: {{ .Values.x }}", map[string]any{"x": 2}), vals: map[string]any{"replicas": 3}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := sameInputs(last, tc.ch, tc.vals); got != tc.want {
				t.Errorf("sameInputs = %v, want %v", got, tc.want)
			}
		})
	}
	if sameInputs(nil, base, nil) {
		t.Error("no release is the same inputs")
	}

	// A subchart is not kept in a release: the digest with the state
	// finds its change.
	parent := func(sub string) *chart.Chart {
		p := mk("0.1.0", "x: 1", nil)
		p.AddDependency(mk("0.1.0", sub, nil))
		return p
	}
	if inputsDigest(parent("a"), nil) == inputsDigest(parent("b"), nil) {
		t.Error("a subchart's template change leaves the inputs digest as it was")
	}
	if inputsDigest(parent("a"), map[string]any{"x": 1}) != inputsDigest(parent("a"), map[string]any{"x": 1}) {
		t.Error("the inputs digest of the same chart and values differs")
	}
}

// TestRandomStringData: a Secret whose stringData is random (a generated
// password) has its random field where the plan shows it, in data, where
// the server folds stringData: the release staying as it is, the plan
// keeps the live password, and no random render counts as a change.
func TestRandomStringData(t *testing.T) {
	t.Parallel()
	render := func(password string) string {
		return `
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {user: admin, password: "` + password + `"}
`
	}
	a, b := objsOf(t, render("q8Xz")), objsOf(t, render("Lm3p"))
	random := findRandom(a, b)
	const key = "v1 Secret web/creds"
	if diff := cmp.Diff(randomFields{key: {"/data/password"}}, random); diff != "" {
		t.Fatalf("findRandom (-want +got):\n%s", diff)
	}
	// What the server stores of a Secret applied with stringData.
	stored := func(password string) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
			"metadata": map[string]any{"name": "creds", "namespace": "web", "uid": "u"},
			"data":     map[string]any{"user": "YWRtaW4=", "password": base64.StdEncoding.EncodeToString([]byte(password))}}
	}
	live, err := kube.ToCty(normalise(stored("live"), a[0].obj))
	if err != nil {
		t.Fatal(err)
	}
	// The dry-run of this plan's render, with a password of its own.
	planned, err := kube.ToCty(normalise(stored("q8Xz"), a[0].obj))
	if err != nil {
		t.Fatal(err)
	}
	got, err := settle(planned, live, random[key], false)
	if err != nil {
		t.Fatal(err)
	}
	if !kube.SameValue(got, live) {
		t.Errorf("settled %#v\nwant the live Secret %#v", got, live)
	}
	// Offline, the Secret is predicted: its password is unknown until
	// helm renders it, its user is known.
	pv, err := kube.ToCty(predicted(a[0]))
	if err != nil {
		t.Fatal(err)
	}
	got, err = settle(pv, cty.NullVal(cty.DynamicPseudoType), random[key], true)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Type().HasAttribute("data") {
		t.Fatalf("predicted and settled Secret = %#v; want its stringData in data", got)
	}
	data := got.GetAttr("data")
	if data.GetAttr("password").IsKnown() || !data.GetAttr("user").RawEquals(cty.StringVal("YWRtaW4=")) {
		t.Errorf("predicted and settled data = %#v; want the password unknown, the user known", data)
	}
}

// TestUnpackCRDsIsBounded: the subcharts' CRDs come back from private
// data, which state carries and others may write: a gzip bomb in it
// unpacks to nothing, not to gigabytes.
func TestUnpackCRDsIsBounded(t *testing.T) {
	t.Parallel()
	if got := unpackCRDs(packCRDs("kind: CustomResourceDefinition\n")); got != "kind: CustomResourceDefinition\n" {
		t.Fatalf("round trip: %q", got)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zeros := make([]byte, 1<<20)
	for range maxCRDManifest>>20 + 1 {
		zw.Write(zeros)
	}
	zw.Close()
	if got := unpackCRDs(b.Bytes()); got != "" {
		t.Errorf("a manifest past the bound unpacked to %d bytes; want none", len(got))
	}
}
