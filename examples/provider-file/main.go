package main

import (
	"slipway.dev/slipway/examples/provider-file/file"
	sdk "slipway.dev/slipway/plugin-sdk"
)

func main() { sdk.Serve(file.New()) }
