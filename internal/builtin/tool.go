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

package builtin

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Tool is what renders an app's directory, found from the directory
// itself as Argo CD finds it: the core lowers an app by it, and a
// provider that fails to render a directory says which tool it was
// taken for and why.
type Tool int

const (
	// ToolPlain is a directory of YAML and JSON files read as they are.
	ToolPlain Tool = iota
	// ToolKustomize is a kustomization.
	ToolKustomize
	// ToolHelm is a helm chart.
	ToolHelm
)

// KustomizationFiles are the names kustomize looks for, in its order.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// ChartFile marks a directory as a helm chart.
const ChartFile = "Chart.yaml"

// DetectTool says which tool renders dir and why: a Chart.yaml makes a
// helm chart, a kustomization file a kustomization, and anything else is
// plain YAML. A chart wins over a kustomization, as in Argo CD.
func DetectTool(dir string) (Tool, string) {
	if isFile(filepath.Join(dir, ChartFile)) {
		return ToolHelm, ChartFile + " found"
	}
	for _, name := range KustomizationFiles {
		if isFile(filepath.Join(dir, name)) {
			return ToolKustomize, name + " found"
		}
	}
	return ToolPlain, "no " + ChartFile + " or kustomization file"
}

// String names the tool as a person would: "a helm chart".
func (t Tool) String() string {
	switch t {
	case ToolHelm:
		return "a helm chart"
	case ToolKustomize:
		return "a kustomization"
	default:
		return "plain YAML"
	}
}

// TakenFor is how a render error starts: which tool the directory was
// taken for and why, such as "taken for a helm chart (Chart.yaml found)".
func TakenFor(t Tool, why string) string {
	return "taken for " + t.String() + " (" + why + ")"
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// PointerPath is the cty path of JSON pointer ptr ("/data/password", as
// helm_release's random_fields holds them) inside a Kubernetes object as
// the providers convert it: attributes for keys, indexes for list
// elements.
func PointerPath(ptr string) cty.Path {
	var p cty.Path
	if ptr == "" {
		return p
	}
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if i, err := strconv.Atoi(part); err == nil && i >= 0 {
			p = p.Index(cty.NumberIntVal(int64(i)))
			continue
		}
		p = p.GetAttr(part)
	}
	return p
}
