package testbed_test

import (
	"testing"

	"slipway.dev/slipway/providers/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }
