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
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/kubernetes"
)

// kubernetesBackendSchema is the arguments of backend "kubernetes", named
// as Terraform's kubernetes backend names those it has too.
var kubernetesBackendSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "secret_suffix", Required: true},
	{Name: "namespace"},
	{Name: "config_path"},
	{Name: "config_context"},
	{Name: "in_cluster_config"},
	{Name: "lease_duration"},
}}

// kubernetesStore decodes the body of a backend "kubernetes" block (rng is
// the block's range) and opens the Store it describes; sealer, when set,
// encrypts what it stores. Its arguments must be literal values. What is
// wrong is a diagnostic on the line of the argument at fault.
func kubernetesStore(body hcl.Body, rng hcl.Range, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	content, diags := body.Content(kubernetesBackendSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	cfg := kubernetes.Config{Sealer: sealer}
	value := func(name string, ty cty.Type) (cty.Value, *hcl.Attribute) {
		attr := content.Attributes[name]
		if attr == nil {
			return cty.NilVal, nil
		}
		v, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.NilVal, nil
		}
		if v.IsNull() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail: fmt.Sprintf("The kubernetes backend's %s must not be null; leave it out for its default.", name), Subject: attr.Expr.Range().Ptr()})
			return cty.NilVal, nil
		}
		v, err := convert.Convert(v, ty)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail: fmt.Sprintf("The kubernetes backend's %s must be a %s: %s.", name, ty.FriendlyName(), err), Subject: attr.Expr.Range().Ptr()})
			return cty.NilVal, nil
		}
		return v, attr
	}
	for name, dst := range map[string]*string{
		"secret_suffix":  &cfg.SecretSuffix,
		"namespace":      &cfg.Namespace,
		"config_path":    &cfg.ConfigPath,
		"config_context": &cfg.ConfigContext,
	} {
		if v, attr := value(name, cty.String); attr != nil {
			*dst = v.AsString()
		}
	}
	if v, attr := value("in_cluster_config", cty.Bool); attr != nil {
		cfg.InClusterConfig = v.True()
	}
	if v, attr := value("lease_duration", cty.String); attr != nil {
		d, err := time.ParseDuration(v.AsString())
		if err != nil || d <= 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail: fmt.Sprintf("The kubernetes backend's lease_duration %q is not a positive duration; write it as \"30s\" or \"2m\".", v.AsString()), Subject: attr.Expr.Range().Ptr()})
		}
		cfg.LeaseDuration = d
	}
	if diags.HasErrors() {
		return nil, diags
	}
	store, err := kubernetes.NewStore(cfg)
	if err != nil {
		subject := rng
		var ce *kubernetes.ConfigError
		if errors.As(err, &ce) {
			if attr := content.Attributes[ce.Arg]; attr != nil {
				subject = attr.Expr.Range()
			}
		}
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid kubernetes backend", Detail: err.Error() + ".", Subject: &subject})
	}
	return store, diags
}
