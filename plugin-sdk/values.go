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

package sdk

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// Typed helpers for reading and building attribute values, so simple
// providers need not walk cty values by hand. Each getter returns the zero
// value when the object or attribute is null or unknown.

// GetString returns attribute name of obj as a string.
func GetString(obj cty.Value, name string) string {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// GetBool returns attribute name of obj as a bool.
func GetBool(obj cty.Value, name string) bool {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return false
	}
	return v.True()
}

// GetInt returns attribute name of obj as an int64.
func GetInt(obj cty.Value, name string) int64 {
	v := attr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return 0
	}
	i, _ := v.AsBigFloat().Int64()
	return i
}

// IsKnown reports whether attribute name of obj is known (not "known after apply").
func IsKnown(obj cty.Value, name string) bool {
	return attr(obj, name).IsWhollyKnown()
}

// IsSet reports whether attribute name of obj is known and not null.
func IsSet(obj cty.Value, name string) bool {
	v := attr(obj, name)
	return v.IsKnown() && !v.IsNull()
}

func attr(obj cty.Value, name string) cty.Value {
	if obj.IsNull() || !obj.IsKnown() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return obj.GetAttr(name)
}

// With returns obj with attribute name set to v.
func With(obj cty.Value, name string, v cty.Value) cty.Value {
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	m[name] = v
	return cty.ObjectVal(m)
}

// String, Bool and Int build values.
func String(s string) cty.Value { return cty.StringVal(s) }
func Bool(b bool) cty.Value     { return cty.BoolVal(b) }
func Int(i int64) cty.Value     { return cty.NumberVal(new(big.Float).SetInt64(i)) }
