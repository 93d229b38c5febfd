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

package pipeline

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/state"
)

func pipelineAddr(name string, key addrs.InstanceKey) addrs.ResourceInstance {
	return addrs.Resource{Kind: addrs.Pipeline, Name: name}.Instance(key)
}

func TestPipelineName(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		addr addrs.ResourceInstance
		want string
	}{
		"a single instance":             {addr: pipelineAddr("app", addrs.NoKey), want: "app"},
		"a name with a dash":            {addr: pipelineAddr("web-x", addrs.NoKey), want: "web-x"},
		"a count index":                 {addr: pipelineAddr("app", addrs.IntKey(3)), want: "app%5B3%5D"},
		"a for_each key":                {addr: pipelineAddr("app", addrs.StringKey("eu-west_1.b")), want: "app%5B%22eu-west_1.b%22%5D"},
		"a key of digits":               {addr: pipelineAddr("app", addrs.StringKey("3")), want: "app%5B%223%22%5D"},
		"a key with unsafe characters":  {addr: pipelineAddr("app", addrs.StringKey("a/b c:d")), want: "app%5B%22a%2Fb%20c%3Ad%22%5D"},
		"a key that climbs directories": {addr: pipelineAddr("app", addrs.StringKey("../x")), want: "app%5B%22..%2Fx%22%5D"},
		"a key with a percent sign":     {addr: pipelineAddr("app", addrs.StringKey("%41")), want: "app%5B%22%2541%22%5D"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, pipelineName(tc.addr)); diff != "" {
				t.Errorf("pipelineName(%s) (-want +got):\n%s", tc.addr, diff)
			}
		})
	}
}

// TestPipelineNameInjective checks that addresses the old naming gave one
// directory get one each, and that each name decodes to its address.
func TestPipelineNameInjective(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 300)
	addrsList := []addrs.ResourceInstance{
		pipelineAddr("web", addrs.StringKey("x")), pipelineAddr("web-x", addrs.NoKey), pipelineAddr("web", addrs.NoKey),
		pipelineAddr("a", addrs.StringKey("a/b")), pipelineAddr("a", addrs.StringKey("a_b")), pipelineAddr("a", addrs.StringKey("a b")),
		pipelineAddr("a", addrs.IntKey(1)), pipelineAddr("a", addrs.StringKey("1")), pipelineAddr("a-1", addrs.NoKey),
		pipelineAddr("a", addrs.StringKey("x\"]")), pipelineAddr("a", addrs.StringKey("%5B")), pipelineAddr("a", addrs.StringKey("[")),
		pipelineAddr("a", addrs.StringKey(long)), pipelineAddr("a", addrs.StringKey(long+"2")), pipelineAddr("a", addrs.StringKey(long[:200]+"%%%%")),
	}
	seen := map[string]string{}
	for _, a := range addrsList {
		n := pipelineName(a)
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s share the directory %q", other, a, n)
		}
		seen[n] = a.String()
		if len(n) > maxNameLen {
			t.Errorf("pipelineName(%s) is %d bytes long, more than %d", a, len(n), maxNameLen)
		}
		if strings.ContainsAny(n, `/\"`) || n == "." || n == ".." {
			t.Errorf("pipelineName(%s) = %q is not a safe file name", a, n)
		}
		if strings.Contains(n, "~") {
			continue // cut: ends in a hash
		}
		got, err := url.PathUnescape(n)
		if err != nil || "pipeline."+got != a.String() {
			t.Errorf("pipelineName(%s) = %q decodes to %q (%v)", a, n, got, err)
		}
	}
}

// priorNames is a state with the given pipeline entries, each recording
// name as its directory, as the old naming did.
func priorNames(names map[string]string) func(addrs.Resource) []*state.ResourceInstance {
	return func(r addrs.Resource) []*state.ResourceInstance {
		var out []*state.ResourceInstance
		for a, n := range names {
			ai, diags := addrs.ParseResourceInstance(a)
			if diags.HasErrors() {
				panic(diags.Error())
			}
			if ai.Resource == r {
				out = append(out, &state.ResourceInstance{Addr: ai, Type: pipelineType,
					Value: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(n)})})
			}
		}
		return out
	}
}

func TestClaimDir(t *testing.T) {
	t.Parallel()
	webX := pipelineAddr("web-x", addrs.NoKey)
	webKeyX := pipelineAddr("web", addrs.StringKey("x"))

	t.Run("a new directory gets an owner file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := claimDir(dir, state.DefaultWorkspace, webX, pipelineName(webX), priorNames(nil)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), ownerFile))
		if err != nil || string(b) != "pipeline.web-x\n" {
			t.Fatalf("owner file = %q, %v", b, err)
		}
		// Claimed again by the same instance: fine.
		if err := claimDir(dir, state.DefaultWorkspace, webX, pipelineName(webX), priorNames(nil)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("keys the old naming mixed up get a directory each", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for _, a := range []addrs.ResourceInstance{webX, webKeyX, pipelineAddr("a", addrs.StringKey("a/b")), pipelineAddr("a", addrs.StringKey("a_b"))} {
			if err := claimDir(dir, state.DefaultWorkspace, a, pipelineName(a), priorNames(nil)); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		entries, _ := os.ReadDir(filepath.Join(dir, ".slipway", "pipelines"))
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		want := []string{"a%5B%22a%2Fb%22%5D", "a%5B%22a_b%22%5D", "web%5B%22x%22%5D", "web-x"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pipeline directories (-want +got):\n%s", diff)
		}
	})

	t.Run("a directory owned by another address", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// As on a file system that ignores case: pipeline.Web-X wrote the
		// owner file of the directory pipeline.web-x now finds.
		os.MkdirAll(pipelineDir(dir, state.DefaultWorkspace, "web-x"), 0o755)
		os.WriteFile(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), ownerFile), []byte("pipeline.Web-X\n"), 0o644)
		err := claimDir(dir, state.DefaultWorkspace, webX, "web-x", priorNames(nil))
		if err == nil || !strings.Contains(err.Error(), "belongs to pipeline.Web-X") || !strings.Contains(err.Error(), "not to pipeline.web-x") {
			t.Fatalf("claimDir = %v, want an error naming both addresses", err)
		}
	})

	t.Run("an old directory that state gives to another address", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		// The old naming put pipeline.web["x"] in web-x; state says so.
		os.MkdirAll(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), "runs", "1"), 0o755)
		err := claimDir(dir, state.DefaultWorkspace, webX, "web-x", priorNames(map[string]string{`pipeline.web["x"]`: "web-x"}))
		want := `the directory .slipway/pipelines/web-x was made for pipeline.web["x"] by an earlier slipway, which gave both it and pipeline.web-x that directory`
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Move .slipway/pipelines/web-x aside") {
			t.Fatalf("claimDir = %v, want %q and how to fix it", err, want)
		}
		if _, err := os.Stat(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), ownerFile)); err == nil {
			t.Error("the refused directory got an owner file")
		}
		// pipeline.web["x"] moves to its own directory meanwhile.
		if err := claimDir(dir, state.DefaultWorkspace, webKeyX, pipelineName(webKeyX), priorNames(map[string]string{`pipeline.web["x"]`: "web-x"})); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("an old directory of its own is adopted", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), "runs", "1"), 0o755)
		if err := claimDir(dir, state.DefaultWorkspace, webX, "web-x", priorNames(map[string]string{"pipeline.web-x": "web-x", `pipeline.web["y"]`: "web-y"})); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(pipelineDir(dir, state.DefaultWorkspace, "web-x"), ownerFile)); err != nil {
			t.Error(err)
		}
	})
}
