package planner

import "errors"

var (
	errBatchLength = errors.New("provider returned a different number of responses than requests")
	// errNodeFailed marks a graph node that reported error diagnostics, so
	// that the walk skips what depends on it.
	errNodeFailed = errors.New("node failed")
)
