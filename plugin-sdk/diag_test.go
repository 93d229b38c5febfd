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

package sdk_test

import (
	"testing"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// TestZeroSeverityIsAnError: a Diagnostic built without a Severity is an
// error, as slipway shows it, for HasErrors and Err too.
func TestZeroSeverityIsAnError(t *testing.T) {
	t.Parallel()
	d := sdk.Diagnostics{{Severity: sdk.Warning, Summary: "Just so you know"}, {Summary: "Failed", Detail: "No severity set."}}
	if !d.HasErrors() {
		t.Errorf("HasErrors() = false with a diagnostic of the zero Severity")
	}
	if err := d.Err(); err == nil || err.Error() != "Failed: No severity set." {
		t.Errorf("Err() = %v, want the diagnostic of the zero Severity", err)
	}
	if w := d[:1]; w.HasErrors() || w.Err() != nil {
		t.Errorf("a warning alone: HasErrors() = %v, Err() = %v, want no error", w.HasErrors(), w.Err())
	}
}
