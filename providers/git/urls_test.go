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
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestURLForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, shown, stored string }{
		{"https://x-access-token:TOKEN@github.com/org/repo.git", "https://github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"https://TOKEN@github.com/org/repo.git", "https://github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"https://github.com/org/repo.git", "https://github.com/org/repo.git", "https://github.com/org/repo.git"},
		{"ssh://git@host/org/repo.git", "ssh://git@host/org/repo.git", "ssh://git@host/org/repo.git"},
		{"ssh://git:TOKEN@host/org/repo.git", "ssh://git@host/org/repo.git", "ssh://git@host/org/repo.git"},
		{"git@github.com:org/repo.git", "git@github.com:org/repo.git", "git@github.com:org/repo.git"},
		{"https://host/repo.git?sig=TOKEN", "https://host/repo.git?sig=xxxxx", "https://host/repo.git?sig=TOKEN"},
		{"/srv/git/repo", "/srv/git/repo", "/srv/git/repo"},
	} {
		if got := displayURL(tc.in); got != tc.shown {
			t.Errorf("displayURL(%q) = %q, want %q", tc.in, got, tc.shown)
		}
		if got, _ := stripCredentials(tc.in); got != tc.stored {
			t.Errorf("stripCredentials(%q) = %q, want %q", tc.in, got, tc.stored)
		}
	}
	for _, broken := range []string{" https://x-access-token:TOKEN@host/repo.git", "https://x-access-token:TOKEN@host/%zz"} {
		_, err := url.Parse(broken)
		text := "The url " + displayURL(broken) + " is not a git URL: " + fmt.Sprint(err)
		if got := redactSecrets(text, broken); strings.Contains(got, "TOKEN") {
			t.Errorf("redactSecrets left the token of %q: %q", broken, got)
		}
	}
	text := "Get \"https://x-access-token:ghs_T0KEN123@github.com/org/repo.git/info/refs\": ghs_T0KEN123 refused"
	if got := redactSecrets(text, "https://x-access-token:ghs_T0KEN123@github.com/org/repo.git"); strings.Contains(got, "T0KEN") {
		t.Errorf("redactSecrets left the token: %q", got)
	}
	// A user name that is an organisation's, as Azure DevOps writes its
	// clone URLs, is no secret to mask wherever the message names it.
	azure := "https://contoso@dev.azure.com/contoso/web/_git/gitops"
	if got, want := redactSecrets("branch main not found in "+displayURL(azure)+" (organisation contoso)", azure), "branch main not found in https://dev.azure.com/contoso/web/_git/gitops (organisation contoso)"; got != want {
		t.Errorf("redactSecrets = %q, want %q", got, want)
	}
	if got := redactSecrets("refused: ghp_abcdefghijklmnop", "https://ghp_abcdefghijklmnop@github.com/org/repo.git"); strings.Contains(got, "ghp_") {
		t.Errorf("a token given as the user name still shows: %q", got)
	}
}
