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

package lang

import (
	"strconv"

	"github.com/agext/levenshtein"
)

// Suggest returns the option closest to given, for a "Did you mean" hint,
// or "" when no option is within an edit distance of 3. An option as far
// from given as given is long is never suggested: for short names it
// would be a rewrite, not a typo. Ties go to the earlier option.
func Suggest(given string, options []string) string {
	best, bestDist := "", 4
	for _, o := range options {
		d := levenshtein.Distance(given, o, nil)
		if d < bestDist && d < len(given) {
			best, bestDist = o, d
		}
	}
	return best
}

// didYouMean returns ` Did you mean "X"?` to end a detail message, or "".
func didYouMean(given string, options []string) string {
	if s := Suggest(given, options); s != "" {
		return " Did you mean " + strconv.Quote(s) + "?"
	}
	return ""
}
