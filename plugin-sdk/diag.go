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

package sdk

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
)

// Severity is how bad a diagnostic is. Anything but Warning is an error,
// the zero Severity included: slipway shows it as one, and HasErrors and
// Err count it, so a Diagnostic written without a Severity fails what it
// reports on both sides alike.
type Severity int

const (
	Error Severity = iota + 1
	Warning
)

// Diagnostic is a problem a provider reports: a short fixed summary, a
// detail that says what went wrong and how to fix it, and optionally the
// attribute it concerns (slipway then points at that attribute's line).
type Diagnostic struct {
	Severity Severity
	Summary  string
	Detail   string
	// Attribute is the path of the offending attribute, if any.
	Attribute cty.Path
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// isError reports whether slipway takes a diagnostic of severity s as an
// error: any but a Warning, the zero Severity included.
func (s Severity) isError() bool { return s != Warning }

// HasErrors reports whether any diagnostic is an error (a Severity other
// than Warning, the zero one included).
func (d Diagnostics) HasErrors() bool {
	for _, x := range d {
		if x.Severity.isError() {
			return true
		}
	}
	return false
}

// AddError appends an error diagnostic.
func (d *Diagnostics) AddError(summary, detail string) {
	*d = append(*d, Diagnostic{Severity: Error, Summary: summary, Detail: detail})
}

// AddAttributeError appends an error about one attribute.
func (d *Diagnostics) AddAttributeError(path cty.Path, summary, detail string) {
	*d = append(*d, Diagnostic{Severity: Error, Summary: summary, Detail: detail, Attribute: path})
}

// AddWarning appends a warning.
func (d *Diagnostics) AddWarning(summary, detail string) {
	*d = append(*d, Diagnostic{Severity: Warning, Summary: summary, Detail: detail})
}

// Err returns the errors as one Go error, or nil.
func (d Diagnostics) Err() error {
	for _, x := range d {
		if x.Severity.isError() {
			if x.Detail != "" {
				return fmt.Errorf("%s: %s", x.Summary, x.Detail)
			}
			return fmt.Errorf("%s", x.Summary)
		}
	}
	return nil
}
