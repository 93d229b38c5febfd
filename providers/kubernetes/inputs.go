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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/internal/builtin"
	sdk "slipway.dev/slipway/plugin-sdk"
)

// inputsScheme is the version of what a digest stands for. Raise it
// whenever the same files and configuration would make other desired
// objects (rendering, buildDesired, the labels slipway adds): digests
// recorded before then no longer match, and each app is planned in full
// until it is applied again, instead of its plan missing what the new
// version would change.
const inputsScheme = 1

// digestInputs are the attributes of an app's configuration that shape
// its desired objects besides the files (renderInputs without the
// directory's path: the files' contents stand for it, so a new commit
// that leaves an app's files alone leaves its digest alone).
var digestInputs = []string{builtin.AppName, builtin.AppNamespace, builtin.AppCreateNamespace, builtin.AppIgnoreDifferences, builtin.AppRollout}

// inputsDigest is what an app's desired objects are made from: the
// files and the configuration that shapes them, and for an app that
// names no namespace, the namespace its objects take instead, defaultNS
// (the kubeconfig context's): a context switched to another namespace
// moves them. It is "" when the inputs cannot be hashed (a
// kustomization), which never matches.
//
// The last apply records it in private state; a plan that finds the same
// digest, and every object as that apply left it, knows the app has
// nothing to do without decoding a manifest (see planUnchanged).
func inputsDigest(conf cty.Value, src *sources, defaultNS string) string {
	if src == nil || src.digest == "" || conf == cty.NilVal || conf.IsNull() || !conf.Type().IsObjectType() {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "slipway kubernetes app inputs %d\n%s\n", inputsScheme, src.digest)
	if sdk.GetString(conf, builtin.AppNamespace) == "" { // as parseAppConfig reads it
		// Written only then: the digests of apps that name their
		// namespace stay those recorded before it was.
		fmt.Fprintf(h, "default namespace %q\n", defaultNS)
	}
	for _, name := range digestInputs {
		if conf.Type().HasAttribute(name) && !hashAttr(h, conf, name) {
			return ""
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashAttr writes attribute name of conf to h, with its type, and
// reports whether it could: false when its value is not wholly known.
func hashAttr(h io.Writer, conf cty.Value, name string) bool {
	v, _ := conf.GetAttr(name).UnmarkDeep()
	if !v.IsWhollyKnown() {
		return false
	}
	js, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return false
	}
	ty, err := typeJSON(v.Type())
	if err != nil {
		return false
	}
	// name=len(ty):ty len(js):js, written in one piece: a plan of 1,000
	// apps hashes some 20,000 attributes.
	b := make([]byte, 0, len(name)+len(ty)+len(js)+24)
	b = append(b, name...)
	b = append(b, '=')
	b = strconv.AppendInt(b, int64(len(ty)), 10)
	b = append(b, ':')
	b = append(b, ty...)
	b = strconv.AppendInt(b, int64(len(js)), 10)
	b = append(b, ':')
	b = append(b, js...)
	b = append(b, '\n')
	h.Write(b)
	return true
}

// typeJSON is ctyjson.MarshalType, without its trip through
// encoding/json for the primitive types most attributes have.
func typeJSON(t cty.Type) ([]byte, error) {
	switch t {
	case cty.String:
		return []byte(`"string"`), nil
	case cty.Bool:
		return []byte(`"bool"`), nil
	case cty.Number:
		return []byte(`"number"`), nil
	case cty.DynamicPseudoType:
		return []byte(`"dynamic"`), nil
	}
	return ctyjson.MarshalType(t)
}
