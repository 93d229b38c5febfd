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

package lang

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	yaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Functions returns the functions expressions may call, by the names
// Terraform gives them. Relative paths given to the file functions resolve
// against baseDir, the configuration's directory.
//
// Every function is deterministic: there is no timestamp, uuid or bcrypt,
// because plan and apply evaluate the same expressions and must get the
// same values, or a saved plan could not be applied as shown.
//
// A function called with a sensitive argument (one marked SensitiveMark)
// never quotes it in an error: the error is replaced by one that says an
// argument is sensitive. nonsensitive removes the mark.
func Functions(baseDir string) map[string]function.Function {
	funcs := map[string]function.Function{
		"abs":      stdlib.AbsoluteFunc,
		"ceil":     stdlib.CeilFunc,
		"floor":    stdlib.FloorFunc,
		"log":      stdlib.LogFunc,
		"max":      stdlib.MaxFunc,
		"min":      stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc,
		"pow":      stdlib.PowFunc,
		"signum":   stdlib.SignumFunc,

		"chomp":       stdlib.ChompFunc,
		"endswith":    stringPredicate(strings.HasSuffix),
		"format":      stdlib.FormatFunc,
		"formatlist":  stdlib.FormatListFunc,
		"indent":      stdlib.IndentFunc,
		"join":        stdlib.JoinFunc,
		"lower":       stdlib.LowerFunc,
		"regex":       stdlib.RegexFunc,
		"regexall":    stdlib.RegexAllFunc,
		"replace":     replaceFunc,
		"split":       stdlib.SplitFunc,
		"startswith":  stringPredicate(strings.HasPrefix),
		"strcontains": stringPredicate(strings.Contains),
		"strrev":      stdlib.ReverseFunc,
		"substr":      stdlib.SubstrFunc,
		"title":       stdlib.TitleFunc,
		"trim":        stdlib.TrimFunc,
		"trimprefix":  stdlib.TrimPrefixFunc,
		"trimspace":   stdlib.TrimSpaceFunc,
		"trimsuffix":  stdlib.TrimSuffixFunc,
		"upper":       stdlib.UpperFunc,

		"alltrue":         boolFold(true),
		"anytrue":         boolFold(false),
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        coalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"index":           indexFunc,
		"keys":            stdlib.KeysFunc,
		"length":          lengthFunc,
		"lookup":          lookupFunc,
		"merge":           stdlib.MergeFunc,
		"one":             oneFunc,
		"range":           stdlib.RangeFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"sum":             sumFunc,
		"transpose":       transposeFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,

		"tobool":   stdlib.MakeToFunc(cty.Bool),
		"tolist":   stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":    stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber": stdlib.MakeToFunc(cty.Number),
		"toset":    stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring": stdlib.MakeToFunc(cty.String),
		"try":      tryfunc.TryFunc,
		"can":      tryfunc.CanFunc,

		"nonsensitive": nonsensitiveFunc,

		"base64decode": stringFunc(func(s string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return "", fmt.Errorf("invalid base64: %w", err)
			}
			return utf8String(b, "the decoded value")
		}),
		"base64encode": bytesFunc(base64.StdEncoding.EncodeToString),
		"base64sha256": bytesFunc(base64Sum(sha256.New)),
		"base64sha512": bytesFunc(base64Sum(sha512.New)),
		"csvdecode":    stdlib.CSVDecodeFunc,
		"jsondecode":   guardedDecode(stdlib.JSONDecodeFunc, checkJSONText),
		"jsonencode":   stdlib.JSONEncodeFunc,
		"md5":          bytesFunc(hexSum(md5.New)),
		"sha1":         bytesFunc(hexSum(sha1.New)),
		"sha256":       bytesFunc(hexSum(sha256.New)),
		"sha512":       bytesFunc(hexSum(sha512.New)),
		"urlencode":    stringFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"yamldecode":   guardedDecode(yaml.YAMLDecodeFunc, checkYAMLText),
		"yamlencode":   yaml.YAMLEncodeFunc,

		"file": fileFunc(baseDir, func(b []byte) (string, error) {
			return utf8String(b, "the file")
		}),
		"filebase64":       fileFunc(baseDir, noErr(base64.StdEncoding.EncodeToString)),
		"filebase64sha256": fileFunc(baseDir, noErr(base64Sum(sha256.New))),
		"filebase64sha512": fileFunc(baseDir, noErr(base64Sum(sha512.New))),
		"fileexists":       fileExistsFunc(baseDir),
		"filemd5":          fileFunc(baseDir, noErr(hexSum(md5.New))),
		"fileset":          fileSetFunc(baseDir),
		"filesha1":         fileFunc(baseDir, noErr(hexSum(sha1.New))),
		"filesha256":       fileFunc(baseDir, noErr(hexSum(sha256.New))),
		"filesha512":       fileFunc(baseDir, noErr(hexSum(sha512.New))),

		"abspath": stringFunc(func(p string) (string, error) {
			return filepath.Abs(resolve(baseDir, p))
		}),
		"basename":   stringFunc(func(p string) (string, error) { return filepath.Base(p), nil }),
		"dirname":    stringFunc(func(p string) (string, error) { return filepath.Dir(p), nil }),
		"pathexpand": stringFunc(expandHome),

		"formatdate": stdlib.FormatDateFunc,
		"timeadd":    stdlib.TimeAddFunc,
	}
	// Templates get the same functions, except that templatefile inside a
	// template fails instead of recursing, which could loop forever.
	inner := maps.Clone(funcs)
	inner["templatefile"] = function.New(&function.Spec{
		Description: "Not available inside templates.",
		VarParam:    &function.Parameter{Name: "args", Type: cty.DynamicPseudoType},
		Type: func([]cty.Value) (cty.Type, error) {
			return cty.NilType, errors.New("templatefile cannot be called from inside a template, because templates including templates could recurse forever")
		},
	})
	funcs["templatefile"] = templateFileFunc(baseDir, inner)
	// No error may quote a sensitive argument. A template sees its vars
	// unmarked, so an error inside it is hidden by templatefile's guard.
	for name, f := range funcs {
		if name != "nonsensitive" {
			funcs[name] = guardSensitive(name, f)
		}
	}
	return funcs
}

// resolve makes a relative path relative to baseDir.
func resolve(baseDir, p string) string {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, p[1:]), nil
}

func utf8String(b []byte, what string) (string, error) {
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s is not valid UTF-8; use the base64 variant of the function to read binary data", what)
	}
	return string(b), nil
}

func hexSum(h func() hash.Hash) func([]byte) string {
	return func(b []byte) string {
		s := h()
		s.Write(b)
		return hex.EncodeToString(s.Sum(nil))
	}
}

func base64Sum(h func() hash.Hash) func([]byte) string {
	return func(b []byte) string {
		s := h()
		s.Write(b)
		return base64.StdEncoding.EncodeToString(s.Sum(nil))
	}
}

func noErr(f func([]byte) string) func([]byte) (string, error) {
	return func(b []byte) (string, error) { return f(b), nil }
}

// stringFunc makes a function of one string to a string.
func stringFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	})
}

// bytesFunc makes a function encoding or hashing the bytes of a string.
func bytesFunc(f func([]byte) string) function.Function {
	return stringFunc(func(s string) (string, error) { return f([]byte(s)), nil })
}

// fileFunc makes a function reading the file at a path and returning
// f of its contents.
func fileFunc(baseDir string, f func([]byte) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := readFile(baseDir, args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			s, err := f(b)
			if err != nil {
				return cty.NilVal, fmt.Errorf("%s: %w", args[0].AsString(), err)
			}
			return cty.StringVal(s), nil
		},
	})
}

func readFile(baseDir, p string) ([]byte, error) {
	b, err := os.ReadFile(resolve(baseDir, p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no file exists at %q; file functions read only files that exist when the configuration is evaluated", p)
	}
	return b, err
}

func fileExistsFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			fi, err := os.Stat(resolve(baseDir, args[0].AsString()))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return cty.False, nil
			case err != nil:
				return cty.NilVal, err
			case !fi.Mode().IsRegular():
				return cty.NilVal, fmt.Errorf("%q is not a regular file", args[0].AsString())
			}
			return cty.True, nil
		},
	})
}

// fileSetFunc makes fileset(path, pattern): the set of files under path
// matching the glob pattern (with ** for any depth), relative to path.
// As Terraform's, the pattern is joined to path and cleaned first, so
// "./manifests/*.yaml" and "../shared/*.yaml" match (the second's
// results begin with "../"); an io/fs file system takes neither as it is,
// and the glob found nothing, silently.
func fileSetFunc(baseDir string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			root := resolve(baseDir, args[0].AsString())
			pat := strings.TrimPrefix(path.Clean(filepath.ToSlash(args[1].AsString())), "/")
			up := ""
			for pat == ".." || strings.HasPrefix(pat, "../") {
				up, root = up+"../", filepath.Dir(root)
				pat = strings.TrimPrefix(strings.TrimPrefix(pat, ".."), "/")
			}
			if pat == "" || pat == "." {
				return cty.SetValEmpty(cty.String), nil
			}
			matches, err := doublestar.Glob(os.DirFS(root), pat, doublestar.WithFilesOnly())
			if err != nil {
				return cty.NilVal, fmt.Errorf("pattern %q: %w", args[1].AsString(), err)
			}
			if len(matches) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			vals := make([]cty.Value, len(matches))
			for i, m := range matches {
				vals[i] = cty.StringVal(up + m)
			}
			return cty.SetVal(vals), nil
		},
	})
}

// templateFileFunc makes templatefile(path, vars): the file rendered as a
// template with the variables of vars and the functions funcs.
func templateFileFunc(baseDir string, funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, vars := args[0].AsString(), args[1]
			if ty := vars.Type(); !ty.IsMapType() && !ty.IsObjectType() {
				return cty.NilVal, function.NewArgErrorf(1, "vars must be a map or an object, not %s", ty.FriendlyName())
			}
			src, err := readFile(baseDir, p)
			if err != nil {
				return cty.NilVal, err
			}
			if diags := checkNesting(src, p, templateSyntax); diags.HasErrors() {
				return cty.NilVal, diags
			}
			expr, diags := hclsyntax.ParseTemplate(src, p, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			ctx := &hcl.EvalContext{Variables: vars.AsValueMap(), Functions: funcs}
			for _, t := range expr.Variables() {
				if _, ok := ctx.Variables[t.RootName()]; !ok {
					return cty.NilVal, function.NewArgErrorf(1, "vars has no key %q, which the template refers to at %s", t.RootName(), t.SourceRange())
				}
			}
			val, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			return val, nil
		},
	})
}

var replaceFunc = function.New(&function.Spec{
	Description: "Replaces each occurrence of substring in str with replacement; a substring written /like this/ is a regular expression.",
	Params: []function.Parameter{
		{Name: "str", Type: cty.String}, {Name: "substr", Type: cty.String}, {Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/' {
			return stdlib.RegexReplace(args[0], cty.StringVal(sub[1:len(sub)-1]), args[2])
		}
		return stdlib.Replace(args[0], args[1], args[2])
	},
})

func stringPredicate(f func(s, x string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "x", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// boolFold makes alltrue (all) and anytrue (!all). A null element counts
// as false; an unknown one makes the result unknown unless another
// element already decides it.
func boolFold(all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			unknown := false
			for _, v := range args[0].AsValueSlice() {
				if !v.IsKnown() {
					unknown = true
					continue
				}
				if b := !v.IsNull() && v.True(); b != all {
					return cty.BoolVal(b), nil
				}
			}
			if unknown {
				return cty.UnknownVal(cty.Bool), nil
			}
			return cty.BoolVal(all), nil
		},
	})
}

var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of characters in a string, elements in a collection or attributes in an object.",
	Params:      []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if ty == cty.String || ty.IsCollectionType() || ty.IsTupleType() || ty.IsObjectType() {
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "argument must be a string, a collection or a structural type, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		switch v := args[0]; {
		case v.Type() == cty.String:
			return stdlib.Strlen(v)
		case v.Type().IsObjectType():
			return cty.NumberIntVal(int64(len(v.Type().AttributeTypes()))), nil
		default:
			return v.Length(), nil
		}
	},
})

var indexFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element of list equal to value.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}, {Name: "value", Type: cty.DynamicPseudoType}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		list, value := args[0], args[1]
		if !list.Type().IsListType() && !list.Type().IsTupleType() {
			return cty.NilVal, function.NewArgErrorf(0, "argument must be a list or tuple")
		}
		if !list.IsWhollyKnown() || !value.IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		for i, e := range list.AsValueSlice() {
			if eq := e.Equals(value); eq.IsKnown() && eq.True() {
				return cty.NumberIntVal(int64(i)), nil
			}
		}
		return cty.NilVal, errors.New("item not found")
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is
// neither null nor, for strings, empty. go-cty's skips nulls alone, so
// coalesce(var.tag, "latest") with tag = "" gave "" where a configuration
// written for Terraform expects "latest".
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is neither null nor an empty string.",
	VarParam:    &function.Parameter{Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		ty, _ := convert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, errors.New("all arguments must have the same type")
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			a, _ = convert.Convert(a, retType) // the Type func unified them
			switch {
			case !a.IsKnown():
				return cty.UnknownVal(retType), nil
			case a.IsNull():
				continue
			case retType == cty.String && a.RawEquals(cty.StringVal("")):
				continue
			}
			return a, nil
		}
		return cty.NilVal, errors.New("no non-null, non-empty-string arguments")
	},
})

// lookupFunc is Terraform's lookup, whose default is optional (its old
// two-argument form, which fails on a missing key); go-cty's requires it.
var lookupFunc = function.New(&function.Spec{
	Description: "Returns the element of a map or object at key, or default when it has none.",
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowUnknown: true},
		{Name: "key", Type: cty.String, AllowUnknown: true},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		switch len(args) {
		case 3:
			return stdlib.LookupFunc.ReturnTypeForValues(args)
		case 2:
			ty := args[0].Type()
			switch {
			case ty.IsMapType():
				return ty.ElementType(), nil
			case ty.IsObjectType():
				if !args[1].IsKnown() {
					return cty.DynamicPseudoType, nil
				}
				if k := args[1].AsString(); ty.HasAttribute(k) {
					return ty.AttributeType(k), nil
				}
				return cty.DynamicPseudoType, nil
			case ty == cty.DynamicPseudoType:
				return cty.DynamicPseudoType, nil
			}
			return cty.NilType, function.NewArgErrorf(0, "the first argument must be a map or an object")
		}
		return cty.NilType, fmt.Errorf("lookup takes a map, a key and at most one default, not %d arguments", len(args))
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if len(args) == 3 {
			return stdlib.LookupFunc.Call(args)
		}
		m, key := args[0], args[1]
		if !m.IsKnown() || !key.IsKnown() {
			return cty.UnknownVal(retType), nil
		}
		if m.IsNull() {
			return cty.NilVal, function.NewArgErrorf(0, "the map is null")
		}
		k := key.AsString()
		if m.Type().IsObjectType() {
			if m.Type().HasAttribute(k) {
				return m.GetAttr(k), nil
			}
		} else if m.HasIndex(key).True() {
			return m.Index(key), nil
		}
		return cty.NilVal, function.NewArgErrorf(1, "lookup failed to find key %q", k)
	},
})

var oneFunc = function.New(&function.Spec{
	Description: "Returns the only element of a list, set or tuple of at most one element, or null when it is empty.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType() && len(ty.TupleElementTypes()) == 0:
			return cty.DynamicPseudoType, nil
		case ty.IsTupleType() && len(ty.TupleElementTypes()) == 1:
			return ty.TupleElementTypes()[0], nil
		}
		return cty.NilType, function.NewArgErrorf(0, "must be a list, set or tuple of zero or one elements")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.Length().IsKnown() {
			return cty.UnknownVal(retType), nil
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(retType), nil
		case 1:
			return v.AsValueSlice()[0], nil
		}
		return cty.NilVal, function.NewArgErrorf(0, "must have zero or one elements, not %d", v.LengthInt())
	},
})

var sumFunc = function.New(&function.Spec{
	Description: "Returns the total of a list of numbers.",
	Params:      []function.Parameter{{Name: "list", Type: cty.List(cty.Number)}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		elems := args[0].AsValueSlice()
		if len(elems) == 0 {
			return cty.NilVal, function.NewArgErrorf(0, "cannot sum an empty list")
		}
		total := cty.Zero
		for _, e := range elems {
			if e.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "cannot sum a list holding null")
			}
			total = total.Add(e)
		}
		return total, nil
	},
})

var transposeFunc = function.New(&function.Spec{
	Description: "Swaps the keys and the values of a map of lists of strings.",
	Params:      []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:        function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.Map(cty.List(cty.String))), nil
		}
		// Maps iterate in key order, so each list comes out sorted.
		out := map[string][]cty.Value{}
		for it := args[0].ElementIterator(); it.Next(); {
			k, list := it.Element()
			if list.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "the lists must not be null")
			}
			for _, v := range list.AsValueSlice() {
				if v.IsNull() {
					return cty.NilVal, function.NewArgErrorf(0, "the lists must not hold null")
				}
				out[v.AsString()] = append(out[v.AsString()], k)
			}
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		vals := make(map[string]cty.Value, len(out))
		for k, list := range out {
			vals[k] = cty.ListVal(list)
		}
		return cty.MapVal(vals), nil
	},
})
