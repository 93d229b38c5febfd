package planner

import (
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/app"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/planner/pipeline"
	"slipway.dev/slipway/planner/rollout"
)

// DefaultKinds are the block kinds beside the engine's resources and
// sources. This is the one place that names them: a new kind is a package
// under planner/ and one line here.
var DefaultKinds = []kind.Kind{
	app.Kind{},
	pipeline.Kind{},
	rollout.Kind{},
}

// kindMap indexes kinds by the addrs.Kind they handle; nil means
// DefaultKinds. A later kind of the same addrs.Kind wins.
func kindMap(kinds []kind.Kind) map[addrs.Kind]kind.Kind {
	if kinds == nil {
		kinds = DefaultKinds
	}
	m := make(map[addrs.Kind]kind.Kind, len(kinds))
	for _, k := range kinds {
		m[k.Kind()] = k
	}
	return m
}
