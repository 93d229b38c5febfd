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

package planfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// cmpOpts compares plans the way a round trip must keep them: cty values
// and paths exactly (unknowns and refinements included), times as instants,
// and empty lists and maps equal to nil ones.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b cty.Value) bool {
		if a == cty.NilVal || b == cty.NilVal {
			return a == b
		}
		return a.RawEquals(b)
	}),
	cmp.Comparer(func(a, b cty.Path) bool { return a.Equals(b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	// cty.Path has its own comparer, under which an empty (root) path is
	// not the same as no path at all.
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().Type() != reflect.TypeFor[cty.Path]() }, cmpopts.EquateEmpty()),
}

func fullPlan(mode plans.Mode) *plans.Plan {
	fileA := addrs.Resource{Kind: addrs.Managed, Type: "file", Name: "a"}
	obj := cty.ObjectVal(map[string]cty.Value{
		"content": cty.StringVal("hello\nworld"),
		"mode":    cty.NumberIntVal(420),
		"ratio":   cty.NumberFloatVal(1.1),
		"big":     cty.MustParseNumberVal("123456789012345678901234567890.5"),
		"exec":    cty.False,
		"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("web"), "attrs": cty.StringVal(`{"unknown":{}}`)}),
		"ports":   cty.SetVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
		"args":    cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"none":    cty.NullVal(cty.String),
		"empty":   cty.ListValEmpty(cty.String),
		"nomap":   cty.MapValEmpty(cty.Number),
		"noset":   cty.SetValEmpty(cty.Bool),
		"pair":    cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1)}),
		"unit":    cty.EmptyObjectVal,
		"dyn":     cty.NullVal(cty.DynamicPseudoType),
		"inf":     cty.PositiveInfinity,
		// A map whose only key is the marker for unknowns must stay a map.
		"tricky": cty.MapVal(map[string]cty.Value{"unknown": cty.MapValEmpty(cty.String)}),
	})
	planned := cty.ObjectVal(map[string]cty.Value{
		"content": cty.StringVal("hello"),
		"id":      cty.UnknownVal(cty.String),
		"digest":  cty.UnknownVal(cty.String).Refine().NotNull().StringPrefix("sha256:").NewValue(),
		"size":    cty.UnknownVal(cty.Number).Refine().NumberRangeLowerBound(cty.Zero, true).NumberRangeUpperBound(cty.NumberIntVal(10), false).NewValue(),
		"names":   cty.UnknownVal(cty.List(cty.String)).Refine().CollectionLengthLowerBound(1).CollectionLengthUpperBound(3).NewValue(),
		"any":     cty.DynamicVal,
		"set":     cty.SetVal([]cty.Value{cty.StringVal("k"), cty.UnknownVal(cty.String)}),
		"nulls":   cty.ListVal([]cty.Value{cty.NullVal(cty.String), cty.StringVal("v")}),
	})
	return &plans.Plan{
		Mode:           mode,
		SlipwayVersion: "0.4.0",
		Timestamp:      time.Date(2026, 3, 1, 12, 30, 45, 123456789, time.FixedZone("CET", 3600)),
		Changes: []*plans.ResourceChange{
			{
				Addr:            fileA.Instance(addrs.IntKey(0)),
				Provider:        addrs.Provider{Name: "file"},
				Type:            "file",
				Action:          plans.DeleteThenCreate,
				Reason:          plans.ReasonReplaceAttrs,
				Before:          obj,
				After:           planned,
				BeforeSensitive: []cty.Path{cty.GetAttrPath("tags").IndexString("team"), cty.GetAttrPath("ports").Index(cty.NumberIntVal(80))},
				AfterSensitive:  []cty.Path{{}},
				RequiresReplace: []cty.Path{cty.GetAttrPath("content"), cty.GetAttrPath("args").IndexInt(1)},
				Private:         []byte{0, 1, 2, 0xff},
			},
			{Addr: fileA.Instance(addrs.StringKey(`eu "west"`)), Provider: addrs.Provider{Name: "file", Alias: "alt"}, Type: "file", Action: plans.CreateThenDelete, Before: cty.StringVal("x"), After: cty.StringVal("y")},
			{Addr: fileA.Instance(addrs.StringKey("")), Provider: addrs.Provider{Name: "file"}, Type: "file", Action: plans.Create, Reason: plans.ReasonNew, Before: cty.NullVal(cty.String), After: cty.StringVal("z")},
			{Addr: addrs.Resource{Kind: addrs.Source, Type: "git", Name: "app"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "git"}, Type: "git", Action: plans.Read, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.DynamicVal},
			{Addr: addrs.Resource{Kind: addrs.Pipeline, Name: "myapp"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "slipway"}, Action: plans.Run, Reason: plans.ReasonInputsChanged, ReasonDetail: "source.git.app moved 1a2b3c4 -> 9f8e7d6"},
			{Addr: addrs.Resource{Kind: addrs.Rollout, Name: "canary"}.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "kubernetes"}, Action: plans.NoOp, Before: cty.True, After: cty.True, RefreshedPrivate: []byte(`{"v":1}`)},
			{Addr: fileA.Instance(addrs.IntKey(7)), Provider: addrs.Provider{Name: "file"}, Type: "file", Action: plans.Delete, Reason: plans.ReasonCountIndex, Before: cty.StringVal("gone"), After: cty.NullVal(cty.String)},
			{
				Addr:     addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.StringKey("eu")),
				Provider: addrs.Provider{Name: "kubernetes", Alias: "prod"},
				Action:   plans.Update,
				Reason:   plans.ReasonConfigChanged,
				Rollout:  "rollout.canary",
				RolloutStatus: &rolloutspec.Status{
					Rollout: "canary", Strategy: rolloutspec.Canary, Workload: "Deployment/web",
					Phase: rolloutspec.PhaseProgressing, Action: rolloutspec.ActionContinue,
					Revision: "7c9d2e1f0a5b", Stable: "1a2b3c4d5e6f",
					Steps: []string{"set_weight 20", "pause 30s", "analysis errors (3 x 10s)", "100%"},
					Step:  2, Weight: 20, StableReplicas: 2, CanaryReplicas: 1,
					Analyses: []rolloutspec.AnalysisRun{{Name: "errors", Step: 2, Phase: rolloutspec.Running,
						Measurements: []rolloutspec.Measurement{{At: "2026-03-01T12:30:00Z", Phase: rolloutspec.Successful, Value: "0.01"}}}},
					Started: "2026-03-01T12:29:00Z", Updated: "2026-03-01T12:30:00Z",
				},
				Before: cty.ObjectVal(map[string]cty.Value{"revision": cty.StringVal("abc")}),
				After:  cty.ObjectVal(map[string]cty.Value{"revision": cty.UnknownVal(cty.String)}),
				Nested: []*plans.NestedChange{
					{Address: "apps/v1 Deployment web/web", Action: plans.Update, Reason: plans.ReasonConfigChanged,
						Before:          cty.ObjectVal(map[string]cty.Value{"image": cty.StringVal("web:1")}),
						After:           cty.ObjectVal(map[string]cty.Value{"image": cty.UnknownVal(cty.String)}),
						BeforeSensitive: []cty.Path{cty.GetAttrPath("image")},
						AfterSensitive:  []cty.Path{cty.GetAttrPath("image")}},
					{Address: "v1 Secret web/auth", Action: plans.Update, Reason: plans.ReasonConfigChanged,
						Before: cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal("eA==")})}),
						After:  cty.ObjectVal(map[string]cty.Value{"data": cty.ObjectVal(map[string]cty.Value{"password": cty.UnknownVal(cty.String)})}),
						Random: []cty.Path{cty.GetAttrPath("data").GetAttr("password")}},
					{Address: "v1 Service web/web", Action: plans.NoOp},
				},
			},
		},
		Drift: []*plans.ResourceChange{
			{Addr: fileA.Instance(addrs.NoKey), Provider: addrs.Provider{Name: "file"}, Type: "file", Action: plans.Update, Reason: plans.ReasonDrift, Before: cty.StringVal("a"), After: cty.StringVal("b")},
		},
		Outputs: []*plans.OutputChange{
			{Name: "url", Action: plans.Update, Before: cty.StringVal("http://old"), After: cty.UnknownVal(cty.String)},
			{Name: "token", Action: plans.Create, Before: cty.NullVal(cty.String), After: cty.StringVal("s3cret"), Sensitive: true},
			{Name: "gone", Action: plans.Delete, Before: cty.StringVal("x")},
		},
		Workspace:    "prod-eu-1",
		PriorLineage: "6b1c1f0e-lineage",
		PriorSerial:  42,
		PriorJournal: "sha256:journal",
		ConfigHash:   "sha256:abcd",
		Variables: map[string]cty.Value{
			"region":  cty.StringVal("eu-west-1"),
			"replica": cty.NumberIntVal(3),
			"unset":   cty.NullVal(cty.String),
			"later":   cty.UnknownVal(cty.Map(cty.String)),
		},
		Targets:  []string{"app.web"},
		Excludes: []string{"file.b"},
		Replace:  []string{`file.a[0]`},
		Refresh:  true,
		Errored:  mode == plans.DestroyMode,
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := map[string]*plans.Plan{
		"normal":       fullPlan(plans.NormalMode),
		"destroy":      fullPlan(plans.DestroyMode),
		"refresh-only": fullPlan(plans.RefreshOnlyMode),
		"empty":        {Timestamp: time.Unix(0, 0).UTC()},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "plan.out")
			if err := Write(path, want); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got, err := Read(path)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTripKeepsDistinctions checks what cmp with RawEquals would
// accept too loosely or too strictly on its own.
func TestRoundTripKeepsDistinctions(t *testing.T) {
	t.Parallel()
	want := fullPlan(plans.NormalMode)
	path := filepath.Join(t.TempDir(), "plan.out")
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	run := got.Changes[4]
	if run.Before != cty.NilVal || run.After != cty.NilVal {
		t.Errorf("missing values came back as %#v, %#v; want cty.NilVal", run.Before, run.After)
	}
	if v := got.Changes[2].Before; v == cty.NilVal || !v.IsNull() || v.Type() != cty.String {
		t.Errorf("null string came back as %#v", v)
	}
	digest := got.Changes[0].After.GetAttr("digest")
	if digest.IsKnown() || digest.Range().StringPrefix() != "sha256:" || !digest.Range().DefinitelyNotNull() {
		t.Errorf("refined unknown came back as %#v", digest)
	}
	if k, ok := got.Changes[1].Addr.Key.(addrs.StringKey); !ok || k != `eu "west"` {
		t.Errorf("string key came back as %#v", got.Changes[1].Addr.Key)
	}
	if k, ok := got.Changes[0].Addr.Key.(addrs.IntKey); !ok || k != 0 {
		t.Errorf("int key came back as %#v", got.Changes[0].Addr.Key)
	}
	if k, ok := got.Changes[2].Addr.Key.(addrs.StringKey); !ok || k != "" {
		t.Errorf("empty string key came back as %#v", got.Changes[2].Addr.Key)
	}
	big := got.Changes[0].Before.GetAttr("big").AsBigFloat()
	if want := want.Changes[0].Before.GetAttr("big").AsBigFloat(); big.Cmp(want) != 0 {
		t.Errorf("big number came back as %s, want %s", big.Text('f', -1), want.Text('f', -1))
	}
}

func TestWriteIsPrivateAndLeavesNoTemporaryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.out")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, fullPlan(plans.NormalMode)); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("plan file mode = %v, want 0600", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only plan.out", names)
	}
}

func TestWriteRefusesUnstorableValues(t *testing.T) {
	t.Parallel()
	p := &plans.Plan{Variables: map[string]cty.Value{"x": cty.StringVal("v").Mark("sensitive")}}
	path := filepath.Join(t.TempDir(), "plan.out")
	if err := Write(path, p); err == nil {
		t.Fatal("Write of a marked value succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("failed Write left a file: %v", err)
	}
}

func gz(t *testing.T, comment string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Comment = comment
	zw.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	good := filepath.Join(t.TempDir(), "good.out")
	if err := Write(good, fullPlan(plans.NormalMode)); err != nil {
		t.Fatal(err)
	}
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(goodBytes)
	flipped[len(flipped)-12] ^= 0xff // inside the deflate stream or its checksum

	tests := map[string]struct {
		content []byte
		kind    error
		msg     string
	}{
		"text file":       {[]byte("resource \"file\" \"a\" {}\n"), ErrNotPlanFile, "is not a slipway plan file"},
		"empty file":      {nil, ErrNotPlanFile, "is not a slipway plan file"},
		"other gzip":      {gz(t, "", []byte("hello")), ErrNotPlanFile, "is not a slipway plan file"},
		"other json":      {gz(t, "", []byte(`{"format_version":"1.0"}`)), ErrNotPlanFile, "is not a slipway plan file"},
		"json array":      {gz(t, gzipComment, []byte(`[1,2]`)), ErrNotPlanFile, "is not a slipway plan file"},
		"newer major":     {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"2.0","slipway_version":"3.1.0","changes":"a new shape"}`)), ErrUnsupportedFormat, "written by a newer slipway (3.1.0) in plan format 2.0"},
		"older major":     {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"0.9"}`)), ErrUnsupportedFormat, "written by an older slipway in plan format 0.9"},
		"bad version":     {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"one"}`)), ErrCorrupt, `bad format_version "one"`},
		"truncated gzip":  {goodBytes[:len(goodBytes)/2], ErrCorrupt, "is a corrupted slipway plan file"},
		"flipped bytes":   {flipped, ErrCorrupt, "is a corrupted slipway plan file"},
		"broken json":     {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"1.0",`)), ErrCorrupt, "is a corrupted slipway plan file"},
		"bad action":      {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"1.0","mode":"normal","changes":[{"addr":{"kind":"managed","type":"file","name":"a"},"action":"explode"}]}`)), ErrCorrupt, `unknown action "explode"`},
		"bad value":       {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"1.0","mode":"normal","variables":{"x":{"type":"string","value":12}}}`)), ErrCorrupt, "expected a string"},
		"bad refinements": {gz(t, gzipComment, []byte(`{"format":"slipway-plan","format_version":"1.0","mode":"normal","variables":{"x":{"type":"number","value":{"unknown":{"min":[5,true],"max":[1,true]}}}}}`)), ErrCorrupt, "contradictory refinements"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "plan.out")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := Read(path)
			if err == nil {
				t.Fatalf("Read succeeded with %#v", p)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", err, tc.kind)
			}
			var re *ReadError
			if !errors.As(err, &re) || re.Path != path {
				t.Errorf("error %#v is not a *ReadError for %s", err, path)
			}
			if !strings.HasPrefix(err.Error(), path+" ") || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error = %q, want it to start with the path and contain %q", err, tc.msg)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Read(filepath.Join(t.TempDir(), "nope.out"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestReadAcceptsNewerMinor(t *testing.T) {
	t.Parallel()
	body := `{"format":"slipway-plan","format_version":"1.7","mode":"destroy","future_field":{"x":1},"prior_serial":3}`
	path := filepath.Join(t.TempDir(), "plan.out")
	if err := os.WriteFile(path, gz(t, gzipComment, []byte(body)), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != plans.DestroyMode || p.PriorSerial != 3 {
		t.Errorf("read %+v", p)
	}
}

func TestNumbersKeepTheirValue(t *testing.T) {
	t.Parallel()
	tests := map[string]cty.Value{
		"int":       cty.NumberIntVal(-42),
		"float64":   cty.NumberFloatVal(0.1),
		"decimal":   cty.MustParseNumberVal("0.1"),
		"huge":      cty.NumberVal(new(big.Float).SetPrec(512).SetMantExp(big.NewFloat(1), 1000)),
		"neg inf":   cty.NegativeInfinity,
		"neg zero":  cty.NumberFloatVal(-0.0),
		"unknown":   cty.UnknownVal(cty.Number),
		"null":      cty.NullVal(cty.Number),
		"exclusive": cty.UnknownVal(cty.Number).Refine().NumberRangeLowerBound(cty.NumberFloatVal(0.5), false).NewValue(),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := encodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeValue(d)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(v) {
				t.Errorf("got %#v, want %#v (encoded %s)", got, v, d.Value)
			}
		})
	}
}

// TestReadRefusesWhatCtyPanicsOn checks that a value type cty panics on
// makes a corrupted plan file, not a crash.
func TestReadRefusesWhatCtyPanicsOn(t *testing.T) {
	t.Parallel()
	body := `{"format":"slipway-plan","format_version":"1.0","mode":"normal","timestamp":"2026-01-01T00:00:00Z",` +
		`"variables":{"v":{"type":["object",{},["0"]],"value":{"attrs":{}}}}}`
	path := filepath.Join(t.TempDir(), "plan")
	if err := os.WriteFile(path, gz(t, gzipComment, []byte(body)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `variable "v": bad value type: optional attribute "0" is not an attribute of the object`) {
		t.Fatalf("Read: %v", err)
	}
}

// TestNumbersTooLargeToWrite checks that a number whose decimal text
// would take hours to write is refused both ways.
func TestNumbersTooLargeToWrite(t *testing.T) {
	t.Parallel()
	tiny := cty.MustParseNumberVal("1e-999999")
	err := Write(filepath.Join(t.TempDir(), "plan"), &plans.Plan{Variables: map[string]cty.Value{"v": tiny}})
	if err == nil || !strings.Contains(err.Error(), "a number is too large or too small to save") {
		t.Errorf("Write: %v", err)
	}
	body := `{"format":"slipway-plan","format_version":"1.0","mode":"normal","timestamp":"2026-01-01T00:00:00Z",` +
		`"variables":{"v":{"type":"number","value":1e-999999}}}`
	path := filepath.Join(t.TempDir(), "plan")
	if err := os.WriteFile(path, gz(t, gzipComment, []byte(body)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "a number is too large or too small") {
		t.Errorf("Read: %v", err)
	}
}
