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
	"strconv"

	"github.com/spf13/pflag"

	"slipway.dev/slipway/planner"
)

// parallelismValue is the -parallelism flag. Left unset, the number
// stays 0, which tells the engine that the user chose no bound: it then
// runs planner.DefaultParallelism operations at once, and as many applies
// as a provider declares it carries when that is more (the kubernetes
// provider's apps). Help still shows the default of 10.
type parallelismValue struct{ n *int }

func (v parallelismValue) String() string {
	if v.n == nil || *v.n <= 0 {
		return strconv.Itoa(planner.DefaultParallelism)
	}
	return strconv.Itoa(*v.n)
}

func (v parallelismValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want a whole number, such as -parallelism=%d", planner.DefaultParallelism)
	}
	*v.n = max(n, 0) // below 1: the default, as before
	return nil
}

func (parallelismValue) Type() string { return "int" }

// parallelismFlag adds -parallelism, writing to n.
func parallelismFlag(f *pflag.FlagSet, n *int) {
	f.Var(parallelismValue{n}, "parallelism",
		"how many provider operations run at once; when unset, a provider whose server paces its clients may take more applies at once (kubernetes: 32 apps)")
}
