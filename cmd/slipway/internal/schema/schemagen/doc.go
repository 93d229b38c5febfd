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

// Command schemagen writes the JSON Schemas of package schema into a
// directory: `go generate ./cmd/slipway/internal/schema` runs it into
// website/schema/.
//
// What must stay true: it writes exactly what schema.Generate returns,
// so that the committed schemas can be checked against the code.
package main
