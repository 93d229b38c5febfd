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

package render

// The JSON documents' types, named for the schema generator
// (website/schema): the schemas are generated from these very types, so
// a field added here is a field the schema must describe.
type (
	// PlanDocument is the JSON plan (JSON, `show -json PLANFILE`).
	PlanDocument = jsonPlan
	// StateDocument is the JSON state view (StateJSON, `show -json`).
	StateDocument = jsonState
	// OutputsDocument is the JSON outputs view (OutputsJSON,
	// `output -json`).
	OutputsDocument = map[string]jsonOutput
)
