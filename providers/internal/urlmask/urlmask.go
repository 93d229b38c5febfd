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

// Package urlmask shows URLs in messages without the secrets they may
// carry. What must stay true: nothing it returns holds a value of the
// URL's query, whatever the URL.
package urlmask

import "net/url"

// Mask is what stands for a value taken out.
const Mask = "xxxxx"

// MaskQuery replaces every value of u's query with Mask: a token or a
// signature is often passed there (?token=, ?X-Amz-Signature=).
func MaskQuery(u *url.URL) {
	if u.RawQuery == "" {
		return
	}
	q := u.Query()
	for k := range q {
		q[k] = []string{Mask}
	}
	u.RawQuery = q.Encode()
}
