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
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"slipway.dev/slipway/planner/plugins/oci"
)

// ProvidersPushArgs are the arguments of `slipway providers push DIR REF`.
type ProvidersPushArgs struct {
	// Dir holds the builds, slipway-provider-NAME_OS_ARCH.
	Dir string
	// Ref is REPOSITORY:VERSION.
	Ref string
}

// ProvidersPush runs `slipway providers push DIR REF`: it publishes the
// builds of one provider in DIR, one per platform, as one OCI image index
// tagged with the version, for `slipway init` to pull.
func (m *Meta) ProvidersPush(ctx context.Context, a ProvidersPushArgs) int {
	last := a.Ref[strings.LastIndex(a.Ref, "/")+1:]
	if strings.Contains(a.Ref, "@") || !strings.Contains(last, ":") || !strings.Contains(a.Ref, "/") {
		m.View.Error(fmt.Errorf("%q is not REPOSITORY:VERSION: name the repository and tag it with the provider's version, such as registry.example.com/acme/jira:1.2.0", a.Ref))
		return 1
	}
	tag, err := name.NewTag(a.Ref, name.StrictValidation)
	if err != nil {
		m.View.Error(fmt.Errorf("%q is not REPOSITORY:VERSION: %w", a.Ref, err))
		return 1
	}
	providerName, builds, err := oci.ScanBuilds(a.Dir)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	digest, err := oci.Push(ctx, tag, providerName, builds, oci.Options{UserAgent: "slipway/" + m.Version})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted: the index was not tagged, and the version is not published")
		}
		m.View.Error(err)
		return 1
	}
	platforms := make([]string, len(builds))
	for i, b := range builds {
		platforms[i] = b.Platform
	}
	version := strings.ReplaceAll(tag.TagStr(), "_", "+")
	m.View.Printf("Pushed provider %s %s for %s to %s\n  index %s\n", providerName, version, strings.Join(platforms, ", "), tag, digest)
	m.Hint("Use it with:\n  required_providers {\n    %s = { source = %q, version = %q }\n  }\n", providerName, tag.Context().String(), version)
	return 0
}
