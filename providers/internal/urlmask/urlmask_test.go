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

package urlmask

import (
	"net/url"
	"strings"
	"testing"
)

func TestMaskQuery(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://host/charts?token=s3cr3t&sig=abc&sig=def&empty=")
	MaskQuery(u)
	if got := u.String(); strings.Contains(got, "s3cr3t") || strings.Contains(got, "abc") || strings.Contains(got, "def") || got != "https://host/charts?empty=xxxxx&sig=xxxxx&token=xxxxx" {
		t.Errorf("masked: %s", got)
	}
	plain, _ := url.Parse("https://host/charts")
	MaskQuery(plain)
	if plain.String() != "https://host/charts" {
		t.Errorf("a URL without a query changed: %s", plain)
	}
}
