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

package state

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// unmarshalValue is ctyjson.Unmarshal, read by a parser straight into
// cty: cty's own parser reads token by token with json.Decoder.Token,
// which is several times slower. Anything the parser does not read the
// same way (a dynamic value, a token of another kind than the type says)
// goes to cty's parser.
func unmarshalValue(b []byte, ty cty.Type) (cty.Value, error) {
	p := getParser(b)
	v, err := p.wholeValue(ty)
	putParser(p)
	if err == errSlowPath {
		return ctyUnmarshal(b, ty)
	}
	return v, err
}

// ctyUnmarshal is ctyjson.Unmarshal, with its panics returned as errors:
// cty panics on some values that do not fit their type (a top-level tuple
// with too few elements, list elements of differing dynamic types).
func ctyUnmarshal(b []byte, ty cty.Type) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("does not fit its type %s: %v", ty.FriendlyName(), r)
		}
	}()
	if v, err = ctyjson.Unmarshal(b, ty); err != nil {
		return cty.NilVal, err
	}
	err = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if v.Type() == cty.Number && v.IsKnown() && !v.IsNull() {
			return false, checkNumber(v)
		}
		return true, nil
	})
	return v, err
}

// maxExponent bounds the binary exponent of the numbers state holds, to
// about 10^±9864. Writing a number as decimal text takes time that grows
// with the square of its exponent: a state holding 1e-999999 would take
// hours to show or save again.
const maxExponent = 1 << 15

// checkNumber refuses a number too large or too small for state.
func checkNumber(v cty.Value) error {
	f := v.AsBigFloat()
	if f.IsInf() || f.Sign() == 0 {
		return nil
	}
	if exp := f.MantExp(nil); exp > maxExponent || exp < -maxExponent {
		return fmt.Errorf("a number is too large or too small: state holds numbers between about 10^-9864 and 10^9864 in magnitude")
	}
	return nil
}

var errSlowPath = fmt.Errorf("not decided by the fast path")
