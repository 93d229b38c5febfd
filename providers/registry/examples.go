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

package registry

import (
	"embed"
	"io/fs"
)

//go:embed examples
var examples embed.FS

// Examples are the configurations the provider's reference pages show,
// laid out as `slipway providers docs` reads them: provider/*.slip.hcl,
// resources/TYPE/*.slip.hcl and sources/TYPE/*.slip.hcl. A test checks
// that each one passes slipway validate.
func Examples() fs.FS {
	// fs.Sub fails only on a malformed name, and "examples" is not one.
	sub, _ := fs.Sub(examples, "examples")
	return sub
}
