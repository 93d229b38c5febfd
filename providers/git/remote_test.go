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

import "testing"

func TestCredentialsGoToTheirHosts(t *testing.T) {
	t.Parallel()
	scoped := credentials{username: "robot", password: "s3cret", hosts: map[string]bool{"git.example.com": true, "127.0.0.1": true, "gitea.local:3000": true}}
	everywhere := credentials{username: "robot", password: "s3cret"}
	for _, tc := range []struct {
		creds credentials
		url   string
		want  bool
	}{
		{scoped, "https://git.example.com/org/repo.git", true},
		{scoped, "https://GIT.example.com:8443/org/repo.git", true},
		{scoped, "https://github.com/org/repo.git", false},
		{scoped, "https://gitea.local:3000/org/repo.git", true},
		{scoped, "https://gitea.local/org/repo.git", false},
		{scoped, "http://git.example.com/org/repo.git", false}, // plain http
		{scoped, "http://127.0.0.1:3000/org/repo.git", true},
		{everywhere, "https://github.com/org/repo.git", true},
		{everywhere, "http://github.com/org/repo.git", false},
		{everywhere, "http://localhost:3000/org/repo.git", true},
		{everywhere, "http://[::1]:3000/org/repo.git", true},
	} {
		a, err := tc.creds.auth(tc.url, "http", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := a != nil; got != tc.want {
			t.Errorf("hosts %v: credentials sent to %s = %v, want %v", tc.creds.hosts, tc.url, got, tc.want)
		}
	}
	if _, bad := gitHosts([]string{"git.example.com", "h:3000", "https://x", "a/b", "u@h", "h:", "h:port", ""}); len(bad) != 6 {
		t.Errorf("invalid hosts %q, want 6 of them", bad)
	}
}
