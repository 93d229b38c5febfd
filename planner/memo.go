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

package planner

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/kind"
	"slipway.dev/slipway/plugin-sdk/memo"
)

// EvalMemo is what a process that makes plan after plan (slipway agent)
// keeps of the evaluations of kinds' blocks, for the next plans
// (kind.Host.Recall): at 1,000 apps, evaluating every app block again,
// though nothing it reads moved, was the longest part of a plan the
// agent made. An entry is found only under the digest of everything the
// evaluation read: the text of the block's file, the values of what the
// block refers to (each.*, count.*, variables, locals, sources and
// resources, path.*, slipway.workspace, marks included), and the pin of
// the instance. A block that calls a function (which may read files or
// the clock) or refers to a value not known yet is never remembered.
// What the kind checks of the filesystem it checks again.
//
// The memo keeps what the last two plans used: what no plan has asked
// for since the plan before is forgotten. The caller gives a new memo to
// plans made with other providers (another lock file), whose schemas
// may convert the same configuration otherwise. An EvalMemo is safe for
// concurrent use.
type EvalMemo struct {
	gens memo.Generations[any]
}

// NewEvalMemo returns an empty memo.
func NewEvalMemo() *EvalMemo { return &EvalMemo{} }

// nextPlan starts a plan: what the plan before last used and the last
// did not is forgotten.
func (m *EvalMemo) nextPlan() { m.gens.Next() }

func (m *EvalMemo) get(key string) (any, bool) { return m.gens.Get(key) }

func (m *EvalMemo) put(key string, v any) { m.gens.Put(key, v) }

// Len is how many entries the memo holds, for tests.
func (m *EvalMemo) Len() int { return m.gens.Len() }

// memoKeys are one plan's digests of the blocks kinds recall, each
// computed once.
type memoKeys struct {
	mu     sync.Mutex
	files  map[string][]byte
	blocks map[addrs.Resource]*blockDigest
}

type blockDigest struct {
	once sync.Once
	sum  []byte // nil: the block cannot be recalled
}

// Recall implements kind.Host: the value kept under name for instance in
// of rc by an earlier plan whose evaluation read what this one's would
// read, and a function that keeps v for the plans that follow.
func (w *walker) Recall(rc *lang.Resource, in kind.Instance, name string) (any, bool, func(any)) {
	m := w.memo
	none := func(any) {}
	if m == nil {
		return nil, false, none
	}
	block := w.blockDigest(rc)
	if block == nil {
		return nil, false, none
	}
	h := sha256.New()
	h.Write(block)
	digestString(h, name)
	if in.Pin != nil {
		digestString(h, "pin "+in.Pin.Revision+"\x00"+in.Pin.Dir)
	}
	if rep := repOf(in); rep != nil {
		digestString(h, "key "+fmtKey(rep.key))
		if rep.eachValue != cty.NilVal && !digestValue(h, rep.eachValue) {
			return nil, false, none
		}
	}
	key := string(h.Sum(nil))
	v, ok := m.get(key)
	return v, ok, func(v any) { m.put(key, v) }
}

// fmtKey writes an instance key so that an int key and a string key of
// the same digits differ.
func fmtKey(k addrs.InstanceKey) string {
	switch k := k.(type) {
	case addrs.IntKey:
		return "#" + k.String()
	case nil:
		return "-"
	default:
		return "=" + k.String()
	}
}

// blockDigest is the digest of what every instance of rc reads but
// each.* and count.*, or nil when rc cannot be recalled.
func (w *walker) blockDigest(rc *lang.Resource) []byte {
	k := &w.memoKeys
	k.mu.Lock()
	if k.blocks == nil {
		k.blocks = map[addrs.Resource]*blockDigest{}
		k.files = map[string][]byte{}
	}
	b := k.blocks[rc.Addr]
	if b == nil {
		b = &blockDigest{}
		k.blocks[rc.Addr] = b
	}
	k.mu.Unlock()
	b.once.Do(func() { b.sum = w.computeBlockDigest(rc) })
	return b.sum
}

func (w *walker) computeBlockDigest(rc *lang.Resource) []byte {
	body, ok := rc.Config.(*hclsyntax.Body)
	if !ok || callsFunctions(rc, body) {
		return nil
	}
	file := rc.DeclRange.Filename
	src, ok := w.c.Config.Sources[file]
	if !ok {
		return nil
	}
	k := &w.memoKeys
	k.mu.Lock()
	fileSum, ok := k.files[file]
	k.mu.Unlock()
	if !ok {
		s := sha256.Sum256(src)
		fileSum = s[:]
		k.mu.Lock()
		k.files[file] = fileSum
		k.mu.Unlock()
	}
	refs, diags := w.resourceRefs(rc)
	if diags.HasErrors() {
		return nil
	}
	h := sha256.New()
	digestString(h, "block v1")
	digestString(h, rc.Addr.String())
	digestString(h, file)
	h.Write(fileSum)
	r := rc.DeclRange
	digestString(h, r.String())
	// The values rc refers to, as kinds see them (kindContext), but each.*
	// and count.*, which Recall adds per instance.
	vars := w.scope.kindContext(refs, nil).Variables
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		digestString(h, n)
		if !digestValue(h, vars[n]) {
			return nil
		}
	}
	return h.Sum(nil)
}

// callsFunctions reports whether rc's body calls a function anywhere but
// in count and for_each, whose results an instance reads as count.* and
// each.*.
func callsFunctions(rc *lang.Resource, body *hclsyntax.Body) bool {
	calls := false
	visit := func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			calls = true
		}
		return nil
	}
	for _, a := range body.Attributes {
		if e := hcl.Expression(a.Expr); e == rc.Count || e == rc.ForEach {
			continue
		}
		hclsyntax.VisitAll(a, visit)
	}
	for _, b := range body.Blocks {
		hclsyntax.VisitAll(b, visit)
	}
	return calls
}

func digestString(h io.Writer, s string) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	io.WriteString(h, s)
}

// digestValue writes v into h, its type, marks and content, so that two
// values write alike only if they are equal with the same marks; false
// when v is not wholly known (an unknown value stands for any).
func digestValue(h hash.Hash, v cty.Value) bool {
	if v.IsMarked() {
		var marks []string
		uv, vm := v.Unmark()
		for m := range vm {
			marks = append(marks, fmtMark(m))
		}
		sort.Strings(marks)
		digestString(h, "marks")
		for _, m := range marks {
			digestString(h, m)
		}
		v = uv
	}
	ty := v.Type()
	if !v.IsKnown() || ty == cty.DynamicPseudoType {
		return false
	}
	if v.IsNull() {
		digestString(h, "null "+ty.GoString())
		return true
	}
	switch {
	case ty == cty.String:
		digestString(h, "s")
		digestString(h, v.AsString())
	case ty == cty.Number:
		digestString(h, "n")
		digestString(h, v.AsBigFloat().Text('g', -1))
	case ty == cty.Bool:
		if v.True() {
			digestString(h, "t")
		} else {
			digestString(h, "f")
		}
	case ty.IsObjectType() || ty.IsMapType():
		tag := "o"
		if ty.IsMapType() {
			tag = "m " + ty.ElementType().GoString()
		}
		digestString(h, tag)
		names := make([]string, 0, v.LengthInt())
		if ty.IsObjectType() {
			for n := range ty.AttributeTypes() {
				names = append(names, n)
			}
		} else {
			for it := v.ElementIterator(); it.Next(); {
				k, _ := it.Element()
				names = append(names, k.AsString())
			}
		}
		sort.Strings(names)
		digestString(h, fmtLen(len(names)))
		for _, n := range names {
			digestString(h, n)
			var e cty.Value
			if ty.IsObjectType() {
				e = v.GetAttr(n)
			} else {
				e = v.Index(cty.StringVal(n))
			}
			if !digestValue(h, e) {
				return false
			}
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		tag := "t"
		switch {
		case ty.IsListType():
			tag = "l " + ty.ElementType().GoString()
		case ty.IsSetType():
			tag = "e " + ty.ElementType().GoString()
		}
		digestString(h, tag)
		digestString(h, fmtLen(v.LengthInt()))
		// A set iterates in its own order: the same set, the same order.
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !digestValue(h, e) {
				return false
			}
		}
	default:
		// Capsules and anything else: not told alike.
		return false
	}
	return true
}

func fmtLen(n int) string {
	var b [binary.MaxVarintLen64]byte
	return string(b[:binary.PutUvarint(b[:], uint64(n))])
}

// fmtMark names a mark by its type and value.
func fmtMark(m any) string { return fmt.Sprintf("%T:%v", m, m) }
