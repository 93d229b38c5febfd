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

// Package memo keeps values for a process that serves plan after plan
// (a provider slipway agent keeps running, or the agent itself): a map
// that remembers for two generations, each started by Next (a session,
// a plan). What a generation neither put nor found is forgotten when the
// next but one starts, so the memo holds at most what two plans used.
//
// What must stay true: a value is found only under the key it was put
// under; Get and GetBytes keep what they find for the generation that
// asked; a Generations is safe for concurrent use, and its zero value is
// empty and ready.
package memo
