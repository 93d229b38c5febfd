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
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/state"
)

// A pipeline's value carries what its run is made of, as evaluated: each
// stage's commands and settings, the pipeline's own settings, each
// image's build inputs and each promote's inputs. The inputs map keeps a
// hash of each of them, which is what decides whether the pipeline runs;
// the definitions beside it are what a reviewer reads, so that a plan
// shows the commands that changed as lines removed and added, never a
// hash alone. State written before the definitions existed has only the
// hashes: it plans as before, and the first run records the rest.

// The types of the definitions.
var (
	pipelineRetryType = cty.Object(map[string]cty.Type{
		"limit": cty.Number, "backoff": cty.String, "factor": cty.Number, "max_backoff": cty.String,
	})
	pipelineStageType = cty.Object(map[string]cty.Type{
		"commands": cty.String, "env": cty.Map(cty.String), "dir": cty.String,
		"timeout": cty.String, "retry": pipelineRetryType, "approval": cty.String,
	})
	pipelineConcurrencyType = cty.Object(map[string]cty.Type{"group": cty.String, "limit": cty.Number})
	pipelinePostType        = cty.Object(map[string]cty.Type{"success": cty.String, "failure": cty.String, "always": cty.String})
)

// imageInputs are an image block's build inputs, beside its repository
// and tags, with their types in the pipeline's value.
var imageInputs = map[string]cty.Type{
	builtin.ImageBase: cty.String, builtin.ImagePlatform: cty.String, builtin.ImageFiles: cty.Map(cty.String),
	builtin.ImageEntrypoint: cty.List(cty.String), builtin.ImageCmd: cty.List(cty.String),
	builtin.ImageEnv: cty.Map(cty.String), builtin.ImageLabels: cty.Map(cty.String),
	builtin.ImageUser: cty.String, builtin.ImageWorkdir: cty.String,
}

// promoteInputs are a promote's inputs beside its repository, branch and
// path: what it writes, and the commit message.
var promoteInputs = []string{
	builtin.PromoteImage, builtin.PromoteNewTag, builtin.PromoteYAMLPath,
	builtin.PromoteValue, builtin.PromoteContent, builtin.PromoteMessage,
}

// commandsText writes commands as the text of a script, one command to a
// line (a command of several lines keeps them), so that a change shows as
// the lines removed and added, with the unchanged ones around them.
func commandsText(cmds []string) cty.Value {
	if len(cmds) == 0 {
		return cty.NullVal(cty.String)
	}
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(c)
		if !strings.HasSuffix(c, "\n") {
			b.WriteByte('\n')
		}
	}
	return cty.StringVal(b.String())
}

// sensitiveIf marks v sensitive when sens holds.
func sensitiveIf(v cty.Value, sens bool) cty.Value {
	if !sens {
		return v
	}
	return v.Mark(kind.SensitiveMark)
}

func stringOrNull(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

// stringMapVal is m as a value; null when empty, as unset settings are,
// so that views leave it out.
func stringMapVal(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.NullVal(cty.Map(cty.String))
	}
	out := make(map[string]cty.Value, len(m))
	for k, v := range m {
		out[k] = cty.StringVal(v)
	}
	return cty.MapVal(out)
}

// stageValue is a stage's definition, with the settings that came from a
// sensitive value marked sensitive.
func stageValue(st *stageSpec) cty.Value {
	timeout := cty.NullVal(cty.String)
	if st.timeout > 0 {
		timeout = cty.StringVal(st.timeout.String())
	}
	retry := cty.NullVal(pipelineRetryType)
	if st.hasRetry {
		retry = cty.ObjectVal(map[string]cty.Value{
			"limit": cty.NumberIntVal(int64(st.retry.Limit)), "backoff": cty.StringVal(st.retry.Backoff.String()),
			"factor": cty.NumberFloatVal(st.retry.Factor), "max_backoff": stringOrNull(durationText(st.retry.MaxBackoff.String())),
		})
	}
	approval := cty.NullVal(cty.String)
	if st.approval {
		approval = cty.StringVal(st.message)
	}
	m := st.marks
	return cty.ObjectVal(map[string]cty.Value{
		"commands": sensitiveIf(commandsText(st.run), m["run"]),
		"env":      sensitiveIf(stringMapVal(st.env), m["env"]),
		"dir":      sensitiveIf(stringOrNull(st.dir), m["dir"]),
		"timeout":  sensitiveIf(timeout, m["timeout"]),
		"retry":    sensitiveIf(retry, m["retry"]),
		"approval": sensitiveIf(approval, m["approval"]),
	})
}

// durationText is "" for a zero duration.
func durationText(s string) string {
	if s == "0s" {
		return ""
	}
	return s
}

// stagesValue is every stage's definition by name.
func stagesValue(ps *pipelineSpec) cty.Value {
	if len(ps.stages) == 0 {
		return cty.NullVal(cty.Map(pipelineStageType))
	}
	out := make(map[string]cty.Value, len(ps.stages))
	for _, st := range ps.stages {
		out[st.name] = stageValue(st)
	}
	return cty.MapVal(out)
}

// settingsValues are the pipeline's own settings: env, concurrency and
// post, by attribute.
func settingsValues(ps *pipelineSpec) map[string]cty.Value {
	conc := cty.NullVal(pipelineConcurrencyType)
	if ps.group != "" {
		conc = cty.ObjectVal(map[string]cty.Value{"group": cty.StringVal(ps.group), "limit": cty.NumberIntVal(int64(ps.limit))})
	}
	post := cty.NullVal(pipelinePostType)
	if len(ps.post.success)+len(ps.post.failure)+len(ps.post.always) > 0 {
		post = cty.ObjectVal(map[string]cty.Value{
			"success": commandsText(ps.post.success), "failure": commandsText(ps.post.failure), "always": commandsText(ps.post.always),
		})
	}
	m := ps.settingMarks
	return map[string]cty.Value{
		"env":         sensitiveIf(stringMapVal(ps.env), m["env"]),
		"concurrency": sensitiveIf(conc, m["concurrency"]),
		"post":        sensitiveIf(post, m["post"]),
	}
}

// inputValue converts a configuration value to ty for the pipeline's
// value, keeping its sensitivity; a value that does not convert (which
// the provider reports) or is not there is null.
func inputValue(v cty.Value, ty cty.Type) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(ty)
	}
	plain, marks := v.UnmarkDeep()
	out, err := convert.Convert(plain, ty)
	if err != nil {
		out = cty.NullVal(ty)
	}
	_, sens := marks[kind.SensitiveMark]
	return sensitiveIf(out, sens)
}

// anySensitive reports whether any of a configuration's values is
// sensitive.
func anySensitive(cfg map[string]cty.Value) bool {
	for _, v := range cfg {
		if lang.IsSensitive(v) {
			return true
		}
	}
	return false
}

// unmarkSensitive strips v's marks and returns the paths of the
// sensitive ones: the plan and state hold values without marks and their
// sensitive paths beside them.
func unmarkSensitive(v cty.Value) (cty.Value, []cty.Path) {
	if v == cty.NilVal || !v.ContainsMarked() {
		return v, nil
	}
	plain, pvms := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, pvm := range pvms {
		if _, ok := pvm.Marks[kind.SensitiveMark]; ok {
			paths = append(paths, pvm.Path)
		}
	}
	return plain, paths
}

// within lists the paths of paths under prefix, relative to it; a path
// that covers the whole prefix covers the whole value.
func within(paths []cty.Path, prefix cty.Path) []cty.Path {
	var out []cty.Path
	for _, p := range paths {
		switch {
		case len(p) <= len(prefix) && prefix[:len(p)].Equals(p):
			return []cty.Path{{}}
		case len(p) > len(prefix) && p[:len(prefix)].Equals(prefix):
			out = append(out, p[len(prefix):].Copy())
		}
	}
	return out
}

// priorSensitive is the sensitive paths of a prior state entry, or none.
func priorSensitive(prior *state.ResourceInstance) []cty.Path {
	if prior == nil {
		return nil
	}
	return prior.Sensitive
}

// mergeMasks adds more to masks, longest first, without repeats.
func mergeMasks(masks, more []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), masks...), more...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// sensitiveSettings names the settings, each given by some values, that
// a sensitive value went into.
func sensitiveSettings(settings map[string][]cty.Value) map[string]bool {
	out := map[string]bool{}
	for name, vals := range settings {
		for _, v := range vals {
			if v != cty.NilVal && lang.IsSensitive(v) {
				out[name] = true
			}
		}
	}
	return out
}

// anyTrue reports whether any of m's values holds.
func anyTrue(m map[string]bool) bool {
	for _, b := range m {
		if b {
			return true
		}
	}
	return false
}
