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

// Package provdocs writes a provider's reference pages in Markdown from
// its schemas (the document of package schemas) and from example
// configurations kept beside the provider. `slipway providers docs NAME
// -out DIR` and the documentation site's generator (website/refgen) both
// call it, so the built-in providers' pages on the site are what the
// command writes for any provider.
//
// The pages of one provider, in one directory:
//
//	_index.md            the provider: its configuration, its types
//	resource-TYPE.md     one per resource type
//	source-TYPE.md       one per source type
//
// _index.md is the name hugo gives a section's own page, so the directory
// drops into a hugo site as it is.
//
// Examples are *.slip.hcl files in this layout (as terraform-plugin-docs
// reads examples/resources/TYPE/resource.tf):
//
//	provider/*.slip.hcl          the provider block, on the index page
//	resources/TYPE/*.slip.hcl    on the page of resource type TYPE
//	sources/TYPE/*.slip.hcl      on the page of source type TYPE
//
// What must stay true:
//   - pages say what the schema and the examples say, nothing else: a
//     description is edited in the provider's schema, never here;
//   - output is deterministic (sorted names, no dates), so a test can
//     compare committed pages with freshly written ones byte for byte;
//   - every page carries Marker, and Write removes only pages that carry
//     it: files a person wrote beside the generated ones are never touched;
//   - an example directory that names no type of the provider is an
//     error, never silently left out. Whether an example is a valid
//     configuration is checked by tests (website/refgen's for the
//     built-in providers and examples/provider-file), not here: this
//     package renders text and starts nothing.
package provdocs
