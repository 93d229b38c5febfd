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

package main

import (
	"fmt"
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"slipway.dev/slipway/planner/plugins"
)

// scriptOldLock is the script command `oldlock NAME PATH [BINARY]`: it
// writes the lock file as slipway 0.1 did, pinning provider NAME by PATH,
// as given, and by the sha256 of the file there (or of BINARY).
func scriptOldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: oldlock NAME PATH [BINARY]")
	}
	bin := args[len(args)-1]
	sum, err := plugins.HashFile(ts.MkAbs(bin))
	ts.Check(err)
	src := fmt.Sprintf(`# This file is maintained by "slipway init".
# It pins each provider binary by checksum; commit it with the configuration.

provider %q {
  version = "0.1.0"
  path    = %q
  hashes  = [%q]
}
`, args[0], args[1], sum)
	ts.Check(os.WriteFile(ts.MkAbs(plugins.LockFileName), []byte(src), 0o644))
}
