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

// Package testprovider is a provider for testing the SDK and package host
// through the real protocol. Each resource type exercises one behaviour:
//
//	echo      default planning, apply, read, import
//	probe     a Plan that reports what it saw (unknowns) and diagnostics with paths
//	batch     ResourceWithBatchPlan and ResourceWithBatchRead
//	gate      an Apply that waits for a file to appear, reporting progress
//	panic     a Plan and an Apply that panic
//	crash     an Apply that kills the process (os.Exit, or a panic in a goroutine)
//	fragile   a validator, a plan modifier and a Plan result that panic
//	careless  an Apply that returns its plan (unknowns and all), no state, or a wrong value;
//	          a Read and an Import that return unknown values
//	rules     a set block whose elements have computed and replacing attributes
//	nested    an Apply that sets its state from a struct, a nested list block nil
//
// The source type "upper" resolves its input to upper case, and "env" to
// the value of the provider's environment variable it names. The value
// "panic" of the provider's greeting, or of upper's input, makes a
// validator panic.
//
// What must stay true: it is used only by tests of plugin-sdk, and each
// behaviour above keeps its type name, which the tests rely on.
package testprovider
