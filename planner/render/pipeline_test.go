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

package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// TestPipelineCommandsDiff: a pipeline whose stage commands changed
// shows them as lines removed and added in the human and Markdown plans,
// with the unchanged lines around, and holds them whole in JSON; a
// sensitive stage and its hash show in none of them.
func TestPipelineCommandsDiff(t *testing.T) {
	t.Parallel()
	value := func(hash, cmds string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"inputs": cty.MapVal(map[string]cty.Value{
				"stage.test": cty.StringVal(hash), "stage.deploy": cty.StringVal("sha256:5ec2e7" + hash[7:]),
			}),
			"stage": cty.MapVal(map[string]cty.Value{
				"test":   cty.ObjectVal(map[string]cty.Value{"commands": cty.StringVal(cmds)}),
				"deploy": cty.ObjectVal(map[string]cty.Value{"commands": cty.StringVal("deploy --token hunter2-" + hash[7:] + "\n")}),
			}),
		})
	}
	sens := []cty.Path{
		cty.GetAttrPath("inputs").Index(cty.StringVal("stage.deploy")),
		cty.GetAttrPath("stage").Index(cty.StringVal("deploy")).GetAttr("commands"),
	}
	p := &plans.Plan{Changes: []*plans.ResourceChange{{
		Addr:   addrs.Resource{Kind: addrs.Pipeline, Name: "ci"}.Instance(addrs.NoKey),
		Action: plans.Run, Reason: plans.ReasonInputsChanged, ReasonDetail: `stage "test" changed`,
		Before:          value("sha256:76fd57c057711224", "echo start\necho done\necho end\n"),
		After:           value("sha256:3b724e8977335244", "echo start\necho finished\necho end\n"),
		BeforeSensitive: sens, AfterSensitive: sens,
	}}}
	var human, md bytes.Buffer
	Human(&human, p, Options{})
	Markdown(&md, p)
	js, err := JSON(p)
	if err != nil {
		t.Fatal(err)
	}
	for view, want := range map[string][]string{
		human.String(): {"~ commands = <<-EOT\n", "\n                    echo start\n                  - echo done\n                  + echo finished\n                    echo end\n"},
		md.String():    {"\n-                   echo done\n", "\n+                   echo finished\n"},
		string(js):     {`"commands": "echo start\necho finished\necho end\n"`},
	} {
		for _, w := range want {
			if !strings.Contains(view, w) {
				t.Errorf("no %q in:\n%s", w, view)
			}
		}
		for _, secret := range []string{"hunter2", "5ec2e7"} {
			if strings.Contains(view, secret) {
				t.Errorf("the sensitive stage (%s) shows:\n%s", secret, view)
			}
		}
	}
}
