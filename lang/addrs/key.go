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

package addrs

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// KeyFromValue converts an index value into an instance key: a whole
// number gives an IntKey, a string a StringKey.
func KeyFromValue(v cty.Value) (InstanceKey, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("an instance key must be a known string or whole number")
	}
	switch v.Type() {
	case cty.String:
		return StringKey(v.AsString()), nil
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() {
			return nil, fmt.Errorf("an instance key number must be whole")
		}
		i, _ := bf.Int(new(big.Int))
		return IntKey(int(i.Int64())), nil
	}
	return nil, fmt.Errorf("an instance key must be a string or a whole number, not %s", v.Type().FriendlyName())
}

// KeyValue returns the key as a cty value (each.key or count.index).
func KeyValue(k InstanceKey) cty.Value {
	switch k := k.(type) {
	case IntKey:
		return cty.NumberIntVal(int64(k))
	case StringKey:
		return cty.StringVal(string(k))
	}
	return cty.NilVal
}
