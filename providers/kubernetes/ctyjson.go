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

package kubernetes

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"strconv"

	"github.com/buger/jsonparser"
	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"slipway.dev/slipway/providers/internal/kube"
)

// asLiveJSONOf is asLiveValueOf of the object raw decodes to, with
// apiVersion and kind those of gvk (as a LIST's items get them), read
// from the JSON the server sent without decoding it: a refresh that finds
// an object as recorded looks only at the fields state records, and
// builds no map of the rest (managedFields, status, defaults).
//
// It never says true where asLiveValueOf of the decoded object says
// false. Where the JSON is not what the API server writes (a key written
// twice, anything it cannot read), it says false, and the caller decodes
// the object and compares it the slow way. It reads the JSON it is given
// as valid: the items of a LIST the API server answered.
func asLiveJSONOf(raw []byte, gvk schema.GroupVersionKind, recorded cty.Value) bool {
	var buf [8]jsonMember
	atys, ms, ok := recordedMembers(raw, recorded, buf[:0])
	if !ok {
		return false
	}
	// (By the type's attributes, not ElementIterator, which sorts the
	// names and normalises each into a new string value.)
	for name := range atys {
		rv := recorded.GetAttr(name)
		switch name {
		case "apiVersion", "kind":
			// Set from the LIST's kind, whatever the item holds.
			s := gvk.Kind
			if name == "apiVersion" {
				s = gvk.GroupVersion().String()
			}
			if s == "" || !wholeMatches(s, rv) {
				return false
			}
			continue
		case "status":
			return false // never in a live value
		}
		m, found := member(ms, name)
		if !found || m.t == jsonparser.Null {
			return false
		}
		if name == "metadata" {
			if m.t != jsonparser.Object || !metadataJSONMatches(m.val, rv) {
				return false
			}
			continue
		}
		if !shapedJSONMatches(m.val, m.t, rv, name) {
			return false
		}
	}
	return true
}

// metadataJSONMatches is metadataMatches of the JSON object md.
func metadataJSONMatches(md []byte, recorded cty.Value) bool {
	var buf [8]jsonMember
	atys, ms, ok := recordedMembers(md, recorded, buf[:0])
	if !ok {
		return false
	}
	for name := range atys {
		rv := recorded.GetAttr(name)
		m, found := member(ms, name)
		if !found || m.t == jsonparser.Null || isNoiseMetadata(name) {
			return false
		}
		if name == "annotations" && m.t == jsonparser.Object {
			if !annotationsJSONMatch(m.val, rv) {
				return false
			}
			continue
		}
		if !shapedJSONMatches(m.val, m.t, rv, name) {
			return false
		}
	}
	return true
}

// annotationsJSONMatch is metadataMatches of the live annotations ann.
func annotationsJSONMatch(ann []byte, recorded cty.Value) bool {
	if !plainObject(recorded) {
		return false
	}
	all, n, ok := jsonMembers(ann, func([]byte) bool { return true }, nil)
	if !ok {
		return false
	}
	for _, a := range kube.NoiseAnnotations {
		if _, found := member(all, a); found {
			n--
		}
	}
	if n == 0 {
		return false
	}
	for a := range recorded.Type().AttributeTypes() {
		av := recorded.GetAttr(a)
		m, found := member(all, a)
		if !found || m.t == jsonparser.Null || isNoiseAnnotation(a) || !shapedJSONMatches(m.val, m.t, av, a) {
			return false
		}
	}
	return true
}

// shapedJSONMatches is shapedMatches of the JSON value v, of type t.
func shapedJSONMatches(v []byte, t jsonparser.ValueType, recorded cty.Value, field string) bool {
	if recorded.IsMarked() || !recorded.IsKnown() || recorded.IsNull() {
		return false
	}
	ty := recorded.Type()
	switch {
	case ty.IsObjectType():
		if t != jsonparser.Object {
			return wholeJSONMatches(v, t, recorded)
		}
		var buf [8]jsonMember
		atys, ms, ok := recordedMembers(v, recorded, buf[:0])
		if !ok {
			return false
		}
		for name := range atys {
			rv := recorded.GetAttr(name)
			m, found := member(ms, name)
			if !found || m.t == jsonparser.Null || !shapedJSONMatches(m.val, m.t, rv, name) {
				return false
			}
		}
		return true
	case ty.IsTupleType():
		if t != jsonparser.Array {
			return wholeJSONMatches(v, t, recorded)
		}
		// The live list is cut to the recorded length: more live
		// elements are not compared, fewer make a shorter value. Named
		// elements are paired by name (kube.PairByName).
		n := recorded.LengthInt()
		named := kube.NamedList(field) && n > 0 && firstNamed(recorded)
		limit := n
		if named {
			limit = math.MaxInt // every live element, to pair by name
		}
		var buf [8]jsonMember
		elems, ok := jsonElements(v, limit, buf[:0])
		if !ok {
			return false
		}
		if named && len(elems) > 0 {
			rs := recorded.AsValueSlice()
			if pairs, ordered, ok := kube.PairByName(n, len(elems), func(i int) string { return recordedName(rs[i]) }, func(j int) string { return jsonName(elems[j]) }); ok {
				return kube.MatchPaired(pairs, ordered, func(i, j int) bool { return shapedJSONMatches(elems[j].val, elems[j].t, rs[i], "") })
			}
		}
		if len(elems) < n {
			return false
		}
		i := 0
		for it := recorded.ElementIterator(); it.Next(); i++ {
			_, rv := it.Element()
			if !shapedJSONMatches(elems[i].val, elems[i].t, rv, "") {
				return false
			}
		}
		return true
	case ty.IsMapType(), ty.IsListType(), ty.IsSetType():
		return false // never built from a live object
	}
	return wholeJSONMatches(v, t, recorded)
}

// wholeJSONMatches is wholeMatches of the JSON value v, of type t.
func wholeJSONMatches(v []byte, t jsonparser.ValueType, recorded cty.Value) bool {
	if recorded.IsMarked() || !recorded.IsKnown() {
		return false
	}
	if t == jsonparser.Null {
		return recorded.IsNull() && recorded.Type() == cty.DynamicPseudoType
	}
	if recorded.IsNull() {
		return false
	}
	ty := recorded.Type()
	switch t {
	case jsonparser.String:
		if ty != cty.String {
			return false
		}
		// (encoding/json gives valid UTF-8: validUTF8 changes nothing.)
		return kube.JSONStringIs(v, recorded.AsString())
	case jsonparser.Boolean:
		return ty == cty.Bool && (string(v) == "true" || string(v) == "false") && recorded.True() == (string(v) == "true")
	case jsonparser.Number:
		if ty != cty.Number {
			return false
		}
		// As the decoder reads it (sigs.k8s.io/json, PreserveInts): an
		// int64 when it has no point and fits, a float64 otherwise.
		s := string(v)
		if bytes.IndexByte(v, '.') < 0 {
			if x, err := strconv.ParseInt(s, 10, 64); err == nil {
				n, acc := recorded.AsBigFloat().Int64()
				return acc == big.Exact && n == x
			}
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		return kube.FloatVal(x).RawEquals(recorded)
	case jsonparser.Object:
		if !ty.IsObjectType() {
			return false
		}
		atys := ty.AttributeTypes()
		all, n, ok := jsonMembers(v, func([]byte) bool { return true }, nil)
		if !ok || n != len(atys) || !plainObject(recorded) && n > 0 {
			return false
		}
		for _, m := range all {
			if _, ok := atys[string(m.key)]; !ok {
				return false
			}
			if !wholeJSONMatches(m.val, m.t, recorded.GetAttr(string(m.key))) {
				return false
			}
		}
		return true
	case jsonparser.Array:
		if !ty.IsTupleType() {
			return false
		}
		n := recorded.LengthInt()
		elems, ok := jsonElements(v, n+1, nil)
		if !ok || len(elems) != n {
			return false
		}
		i := 0
		for it := recorded.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			if !wholeJSONMatches(elems[i].val, elems[i].t, e) {
				return false
			}
		}
		return true
	}
	return false
}

// recordedMembers reads, of the JSON object obj, the members that are
// attributes of the plain object recorded, into buf. ok is false when
// recorded is not a plain object or obj cannot be read (see jsonMembers).
func recordedMembers(obj []byte, recorded cty.Value, buf []jsonMember) (map[string]cty.Type, []jsonMember, bool) {
	if !plainObject(recorded) {
		return nil, nil, false
	}
	atys := recorded.Type().AttributeTypes()
	ms, _, ok := jsonMembers(obj, func(k []byte) bool { _, ok := atys[string(k)]; return ok }, buf)
	return atys, ms, ok
}

// jsonMember is a member of a JSON object (key set) or an element of a
// JSON array: its value, as jsonparser gives it (a string without its
// quotes, still escaped), and its type.
type jsonMember struct {
	key []byte
	val []byte
	t   jsonparser.ValueType
}

var errStop = errors.New("stop")

// jsonMembers appends to buf the members of the JSON object obj whose
// keys want says (keys unescaped, as encoding/json reads them), and
// counts every member. It fails when a key it keeps appears twice
// (encoding/json keeps the last; the API server never writes one twice),
// or when obj cannot be read. A key it does not keep may repeat: only the
// count, which a caller that counts reads with every key kept, would be
// wrong.
func jsonMembers(obj []byte, want func([]byte) bool, buf []jsonMember) ([]jsonMember, int, bool) {
	n := 0
	ok := true
	err := jsonparser.ObjectEach(obj, func(key, val []byte, t jsonparser.ValueType, _ int) error {
		if t == jsonparser.NotExist || t == jsonparser.Unknown {
			ok = false
			return errStop
		}
		n++
		if !want(key) {
			return nil
		}
		for _, m := range buf {
			if string(m.key) == string(key) {
				ok = false
				return errStop
			}
		}
		buf = append(buf, jsonMember{key: key, val: val, t: t})
		return nil
	})
	if err != nil || !ok {
		return nil, 0, false
	}
	return buf, n, true
}

// jsonElements appends to buf up to max elements of the JSON array arr.
func jsonElements(arr []byte, max int, buf []jsonMember) ([]jsonMember, bool) {
	ok := true
	_, err := jsonparser.ArrayEach(arr, func(val []byte, t jsonparser.ValueType, _ int, err error) {
		if err != nil || t == jsonparser.NotExist || t == jsonparser.Unknown {
			ok = false
			return
		}
		if len(buf) < max {
			buf = append(buf, jsonMember{val: val, t: t})
		}
	})
	return buf, ok && err == nil
}

// jsonName is the name of a JSON list element, as kube.NameOf reads it
// decoded: its "name" member when it is an object whose name is a
// non-empty string, else "".
func jsonName(e jsonMember) string {
	if e.t != jsonparser.Object {
		return ""
	}
	s, err := jsonparser.GetString(e.val, "name")
	if err != nil {
		return ""
	}
	return s
}

func member(ms []jsonMember, name string) (jsonMember, bool) {
	for _, m := range ms {
		if string(m.key) == name {
			return m, true
		}
	}
	return jsonMember{}, false
}
