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

package distribution

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// New returns the provider; tests start it the same way slipway does.
func New() sdk.Provider { return &provider{} }

// provider holds the registry client Configure makes; the resource and
// source types reach it through their pointer to it.
type provider struct {
	client *client
}

var (
	_ sdk.ProviderWithSources = (*provider)(nil)

	// repositoryPattern is a repository name as the distribution
	// specification defines it: path components of lower-case letters and
	// digits, separated by '.', '_', '__' or runs of '-', joined by '/'.
	repositoryPattern = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)
	// tagPattern is a tag as the distribution specification defines it.
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	// referencePattern is a tag or a digest (algorithm:hex).
	referencePattern = regexp.MustCompile(`^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})$`)
	urlPattern       = regexp.MustCompile(`^https?://[^/]+/?$`)
)

var (
	validRepository = sdk.Matches(repositoryPattern, `a repository name of lower-case letters, digits and separators (".", "_", "__", "-"), in path components joined by "/", like "team/app"`)
	validTag        = sdk.Matches(tagPattern, `a tag of up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`)
	validReference  = sdk.Matches(referencePattern, `a tag ("1.4.2") or a digest ("sha256:…")`)
)

var providerSchema = sdk.Schema{
	Description: "The repositories and tags of one OCI (Docker) distribution registry, through its HTTP API.",
	Attributes: map[string]sdk.Attribute{
		"url": {Type: cty.String, Required: true,
			Description: `The registry's base URL, scheme and host: "https://registry.example.com" or "http://127.0.0.1:5000".`,
			Validators:  []sdk.Validator{sdk.Matches(urlPattern, `a URL of scheme and host alone, like "https://registry.example.com"`)}},
		"username": {Type: cty.String, Optional: true,
			Description: "The user name for HTTP basic authentication; unset, requests are anonymous.",
			Validators:  []sdk.Validator{sdk.RequiredWith("password")}},
		"password": {Type: cty.String, Optional: true, Sensitive: true,
			Description: "The password (or token) for HTTP basic authentication.",
			Validators:  []sdk.Validator{sdk.RequiredWith("username")}},
	},
}

type providerConfig struct {
	URL      string `slipway:"url"`
	Username string `slipway:"username"`
	Password string `slipway:"password"`
}

func (*provider) Metadata() sdk.Metadata { return sdk.Metadata{Name: "distribution", Version: "0.1.0"} }
func (*provider) Schema() sdk.Schema     { return providerSchema }

func (p *provider) Configure(_ context.Context, req sdk.ConfigureRequest, resp *sdk.ConfigureResponse) {
	var cfg providerConfig
	if resp.Diagnostics = sdk.Decode(req.Config, &cfg); resp.Diagnostics.HasErrors() {
		return
	}
	base, err := url.Parse(cfg.URL)
	if err != nil || base.Host == "" {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("url"), "Invalid registry URL",
			fmt.Sprintf("%q is not a URL of scheme and host, like \"https://registry.example.com\".", cfg.URL))
		return
	}
	base.Path = ""
	p.client = &client{base: base, username: cfg.Username, password: cfg.Password, http: &http.Client{Timeout: 5 * time.Minute}}
}

func (p *provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"distribution_tag": &tag{p}}
}

func (p *provider) Sources() map[string]sdk.Source {
	return map[string]sdk.Source{"distribution_tags": &tags{p}}
}

// configured returns the client, or adds an error saying the provider
// was not configured.
func (p *provider) configured(diags *sdk.Diagnostics) *client {
	if p.client == nil {
		diags.AddError("Provider not configured", `The distribution provider needs its url: write a provider "distribution" block with url = "https://…".`)
	}
	return p.client
}
