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
	"net/url"
	"slices"
	"strings"
)

// masked stands for a credential in what a measurement says.
const masked = "xxxxx"

// endpoint is the URL a check measures, as its messages show it. An
// endpoint that takes credentials only in its URL (a password, a token in
// the query) has them masked in everything a check says: its messages
// reach the terminal, CI logs, the rollout's status annotation on the
// workload and state, none of which keep secrets.
type endpoint struct {
	raw, shown string
	// secrets are the credentials to mask in text that did not come from
	// shown, such as a client's error quoting the URL it requested.
	secrets []string
}

func newEndpoint(raw string) endpoint {
	e := endpoint{raw: raw, shown: raw}
	u, err := url.Parse(raw)
	if err != nil {
		// Nothing says where its credentials are: show none of it.
		e.shown = "(a URL that does not parse)"
		return e
	}
	if p, ok := u.User.Password(); ok && p != "" {
		e.secrets = append(e.secrets, p)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for _, vs := range q {
			for i, v := range vs {
				if v != "" {
					e.secrets = append(e.secrets, v)
					vs[i] = masked
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	e.shown = u.Redacted()
	// The longest first, so that one that holds another is masked whole.
	slices.SortFunc(e.secrets, func(a, b string) int { return len(b) - len(a) })
	return e
}

// mask is s with the endpoint's URL shown as e.shown and its credentials,
// as they are and query-escaped, masked. Credentials of fewer than four
// bytes are masked only as part of the URL: masking them anywhere would
// take letters out of every word.
func (e endpoint) mask(s string) string {
	if e.raw != "" {
		s = strings.ReplaceAll(s, e.raw, e.shown)
	}
	for _, c := range e.secrets {
		if len(c) < 4 {
			continue
		}
		s = strings.ReplaceAll(s, c, masked)
		if esc := url.QueryEscape(c); esc != c {
			s = strings.ReplaceAll(s, esc, masked)
		}
		if esc := url.PathEscape(c); esc != c {
			s = strings.ReplaceAll(s, esc, masked)
		}
	}
	return s
}
