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

package git

import (
	"net/url"
	"regexp"
	"strings"

	"slipway.dev/slipway/providers/internal/urlmask"
)

// A repository URL may carry credentials, as in
// "https://x-access-token:TOKEN@github.com/org/repo.git". They must not
// reach anything a user or a CI log reads, nor the cache on disk:
//
//   - displayURL is the one form of a URL in every diagnostic, error and
//     progress line: no userinfo (an ssh URL keeps its user name, which is
//     no secret), query values masked.
//   - stripCredentials is the form the cache stores and go-git talks to;
//     the credentials it removes go to go-git as BasicAuth at every fetch,
//     list and push (credentials.auth).
//   - redactSecrets removes a URL's secrets from text made elsewhere (an
//     error of go-git or of the operating system).

// redacted replaces a secret in what is shown.
const redacted = urlmask.Mask

// parseWithUserinfo parses s when it is a URL with a scheme; scp-like
// addresses ("git@host:repo") and local paths, which carry no password,
// are not.
func parseWithUserinfo(s string) (*url.URL, bool) {
	if !strings.Contains(s, "://") {
		return nil, false
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" {
		return nil, false
	}
	return u, true
}

// isHTTP reports whether a URL's scheme is http or https, whose whole
// userinfo is a credential (a token is often the user name).
func isHTTP(u *url.URL) bool {
	s := strings.ToLower(u.Scheme)
	return s == "http" || s == "https"
}

// stripCredentials returns s without its credentials, and those
// credentials (nil when it has none): all of the userinfo of an http(s)
// URL, the password of any other. A URL without any is returned as it is,
// byte for byte, so the cache keys of such URLs do not change.
func stripCredentials(s string) (string, *url.Userinfo) {
	u, ok := parseWithUserinfo(s)
	if !ok || u.User == nil {
		return s, nil
	}
	info := u.User
	if isHTTP(u) {
		u.User = nil
	} else if _, has := info.Password(); has {
		u.User = url.User(info.Username())
	} else {
		return s, nil // an ssh user name is no secret
	}
	return u.String(), info
}

// displayURL is how s is shown: without credentials, and with the values
// of its query (a signed URL's signature, say) masked.
func displayURL(s string) string {
	u, ok := parseWithUserinfo(s)
	if !ok {
		return stripUserinfoText(s) // a URL too broken to parse
	}
	if u.User != nil {
		if isHTTP(u) {
			u.User = nil
		} else {
			u.User = url.User(u.User.Username())
		}
	}
	urlmask.MaskQuery(u)
	return u.String()
}

// redactSecrets removes from text the secrets of the URLs given: each
// URL as written is replaced by its display form, then any password (and
// an http(s) user name, often a token) that still shows is masked.
func redactSecrets(text string, urls ...string) string {
	for _, s := range urls {
		u, ok := parseWithUserinfo(s)
		if !ok {
			continue
		}
		if shown := displayURL(s); shown != s {
			text = strings.ReplaceAll(text, s, shown)
		}
		// Masked wherever they show, a password or a token must be
		// long enough not to be a word of the message: a user name is
		// often an organisation's (https://contoso@dev.azure.com/contoso/),
		// which the message names again.
		var secrets []string
		if u.User != nil {
			if p, has := u.User.Password(); has && len(p) >= minSecret {
				secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
			}
			if isHTTP(u) && tokenLike(u.User.Username()) {
				if _, has := u.User.Password(); !has {
					secrets = append(secrets, u.User.Username())
				}
			}
		}
		for _, vs := range u.Query() {
			for _, v := range vs {
				if len(v) >= 8 {
					secrets = append(secrets, v, url.QueryEscape(v))
				}
			}
		}
		for _, sec := range secrets {
			if sec != "" {
				text = strings.ReplaceAll(text, sec, redacted)
			}
		}
	}
	return stripUserinfoText(text)
}

// minSecret is the shortest password masked wherever it shows; shorter
// ones are masked where they are part of a URL.
const minSecret = 8

// tokenLike reports whether an http(s) URL's user name, given without a
// password, is a token (GitHub's, GitLab's, or any long one) rather than
// a name that messages may hold for another reason.
func tokenLike(user string) bool {
	for _, p := range []string{"ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "glpat-"} {
		if strings.HasPrefix(user, p) {
			return true
		}
	}
	return len(user) >= 20
}

var (
	// httpUserinfo is the userinfo of an http(s) URL in text.
	httpUserinfo = regexp.MustCompile(`(?i)\b(https?://)[^/?#@\s"'<>]*@`)
	// passwordUserinfo is a userinfo with a password, of any scheme.
	passwordUserinfo = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"'<>:]*:[^/?#@\s"'<>]*@`)
)

// stripUserinfoText removes from text, which may quote URLs that do not
// parse (an error of url.Parse quotes its input), every http(s) URL's
// userinfo and any other URL's user name and password.
func stripUserinfoText(text string) string {
	text = httpUserinfo.ReplaceAllString(text, "$1")
	return passwordUserinfo.ReplaceAllString(text, "$1")
}
