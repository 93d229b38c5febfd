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

package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/examples/provider-file/file"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// manyFiles declares n separate file resources; every tenth reads the one
// before it, so the graph has edges as real configurations do.
func manyFiles(n int) string {
	var b strings.Builder
	for i := range n {
		content := fmt.Sprintf("%q", fmt.Sprintf("content %d", i))
		if i%10 == 9 {
			content = fmt.Sprintf("file.f%d.content", i-1)
		}
		fmt.Fprintf(&b, "resource \"file\" \"f%d\" {\n  path    = \"${path.module}/out/f%d.txt\"\n  content = %s\n}\n", i, i, content)
	}
	return b.String()
}

// BenchmarkPlanCreate1000 plans 1,000 new resources through the real
// plugin process (configuration loaded once).
func BenchmarkPlanCreate1000(b *testing.B) {
	f := newFixture(b, manyFiles(1000))
	c := f.context(nil)
	for b.Loop() {
		if _, diags := c.Plan(context.Background(), PlanOpts{Refresh: true}); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/resource")
}

func benchNoop(b *testing.B, n int) {
	f := newFixture(b, manyFiles(n))
	f.apply(b, f.plan(b, PlanOpts{Refresh: true}))
	c := f.context(nil)
	for b.Loop() {
		p, diags := c.Plan(context.Background(), PlanOpts{Refresh: true})
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if p.HasChanges() {
			b.Fatal("no-op plan has changes")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/resource")
}

// BenchmarkPlanNoop1000 and BenchmarkPlanNoop5000 are the scale check:
// a no-op plan (refresh included) must grow linearly with resources.
func BenchmarkPlanNoop1000(b *testing.B) { benchNoop(b, 1000) }
func BenchmarkPlanNoop5000(b *testing.B) { benchNoop(b, 5000) }

// BenchmarkParseEvaluate1000 loads a configuration of 1,000 resource
// blocks from disk, checks its references, and evaluates every block
// against the file provider's schema: the language's whole share of a plan.
func BenchmarkParseEvaluate1000(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(manyFiles(1000)), 0o644); err != nil {
		b.Fatal(err)
	}
	schema := file.New().Resources()["file"].Schema()
	for b.Loop() {
		cfg, diags := lang.LoadDir(dir)
		diags = append(diags, cfg.CheckReferences()...)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		w := newWalker(&Context{Config: cfg, State: state.NewState()})
		for _, rc := range cfg.Resources {
			in := kind.Instance{Addr: rc.Addr.Instance(nil)}
			if _, _, d := w.evalResourceConfig(rc, schema, in, bodyConfig); d.HasErrors() {
				b.Fatal(d.Error())
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/block")
}
