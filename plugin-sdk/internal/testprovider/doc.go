// Package testprovider is a provider for testing the SDK and package host
// through the real protocol. Each resource type exercises one behaviour:
//
//	echo   default planning, apply, read, import
//	probe  a Plan that reports what it saw (unknowns) and diagnostics with paths
//	batch  ResourceWithBatchPlan and ResourceWithBatchRead
//	gate   an Apply that waits for a file to appear, reporting progress
//	panic  a Plan and an Apply that panic
//	crash  an Apply that kills the process (os.Exit, or a panic in a goroutine)
//
// and the source type "upper" resolves its input to upper case.
//
// What must stay true: it is used only by tests of plugin-sdk, and each
// behaviour above keeps its type name, which the tests rely on.
package testprovider
