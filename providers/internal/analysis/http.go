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

package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"slipway.dev/slipway/internal/rolloutspec"
)

// maxBody is how much of a response an http measurement reads to match
// body_match.
const maxBody = 1 << 20

// httpCheck GETs a URL and checks its status and, optionally, its body.
type httpCheck struct {
	metric *rolloutspec.HTTPMetric
	url    endpoint
	want   int
	body   *regexp.Regexp
	client *http.Client
}

func newHTTPCheck(m *rolloutspec.HTTPMetric, client *http.Client) (*httpCheck, error) {
	shown := newEndpoint(m.URL)
	u, err := url.Parse(m.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("http url %q is not an http:// or https:// URL", shown.shown)
	}
	c := &httpCheck{metric: m, url: shown, want: m.ExpectStatus, client: client}
	if c.want == 0 {
		c.want = http.StatusOK
	}
	if c.want < 100 || c.want > 599 {
		return nil, fmt.Errorf("http expect_status %d is not an HTTP status", c.want)
	}
	if m.BodyMatch != "" {
		if c.body, err = regexp.Compile(m.BodyMatch); err != nil {
			return nil, fmt.Errorf("http body_match %q: %w", m.BodyMatch, err)
		}
	}
	return c, nil
}

func (c *httpCheck) measure(ctx context.Context) rolloutspec.Measurement {
	ctx, cancel := context.WithTimeout(ctx, MeasureTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.metric.URL, nil)
	if err != nil {
		return measurement(rolloutspec.Error, "", c.url.mask(fmt.Sprintf("GET %s: %v", c.url.shown, err)))
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return measurement(rolloutspec.Inconclusive, "", c.url.mask(err.Error()))
	}
	defer resp.Body.Close()
	status := strconv.Itoa(resp.StatusCode)
	if resp.StatusCode != c.want {
		return measurement(rolloutspec.Failed, status, c.url.mask(fmt.Sprintf("GET %s answered %s, want %d", c.url.shown, resp.Status, c.want)))
	}
	if c.body == nil {
		return measurement(rolloutspec.Successful, status, "")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil && !errors.Is(err, io.EOF) {
		return measurement(rolloutspec.Inconclusive, status, c.url.mask(fmt.Sprintf("GET %s: read the body: %v", c.url.shown, err)))
	}
	if !c.body.Match(body) {
		return measurement(rolloutspec.Failed, status, fmt.Sprintf("the body of GET %s does not match %s", c.url.shown, c.metric.BodyMatch))
	}
	return measurement(rolloutspec.Successful, status, "")
}
