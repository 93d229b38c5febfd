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

package command

import (
	"fmt"
	"os"
	"path/filepath"

	"slipway.dev/slipway/cmd/slipway/internal/convert"
)

// ConvertUnconverted is convert's exit code when the configuration was
// written but some of the input could not be converted (each thing is
// listed on standard error and as a comment in the output).
const ConvertUnconverted = 2

// ConvertArgs are convert's arguments.
type ConvertArgs struct {
	Tool  string   // "argocd" or "flux"
	Paths []string // files or directories of manifests
	Out   string   // write one file per repository or app set here; "" for stdout
}

// Convert runs `slipway convert argocd|flux FILE|DIR...`: it writes the
// slipway configuration equivalent to the Argo CD or Flux objects, and
// lists on standard error what it could not convert. It exits 0 when
// everything was converted, 2 when something was not, 1 on an error.
func (m *Meta) Convert(a ConvertArgs) int {
	docs, err := convert.Read(a.Paths)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	var res *convert.Result
	switch a.Tool {
	case "argocd":
		res, err = convert.ArgoCD(docs)
	case "flux":
		res, err = convert.Flux(docs)
	default:
		err = fmt.Errorf("slipway convert reads argocd or flux manifests, not %q", a.Tool)
	}
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if len(res.Files) == 0 {
		m.View.Error(fmt.Errorf("no %s objects to convert in %v", a.Tool, a.Paths))
		return 1
	}
	if a.Out == "" {
		m.View.Printf("%s", res.Combined())
	} else {
		if err := os.MkdirAll(a.Out, 0o755); err != nil {
			m.View.Error(err)
			return 1
		}
		for _, f := range res.Files {
			p := filepath.Join(a.Out, f.Name)
			if err := os.WriteFile(p, f.Src, 0o644); err != nil {
				m.View.Error(err)
				return 1
			}
			m.View.Eprintf("wrote %s\n", p)
		}
	}
	for _, i := range res.Issues {
		m.View.Eprintf("%s\n", i)
	}
	n := res.Unconverted()
	if n > 0 {
		m.View.Eprintf("%d %s not converted; each is listed above and as a comment in the output.\n", n, map[bool]string{true: "thing was", false: "things were"}[n == 1])
		return ConvertUnconverted
	}
	return 0
}
