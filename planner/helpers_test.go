package planner

import (
	"testing"

	"slipway.dev/slipway/lang/addrs"
)

type addrsRI = addrs.ResourceInstance

func mustAddr(t testing.TB, s string) addrs.ResourceInstance {
	t.Helper()
	a, diags := addrs.ParseResourceInstance(s)
	if diags.HasErrors() {
		t.Fatalf("address %q: %s", s, diags.Error())
	}
	return a
}
