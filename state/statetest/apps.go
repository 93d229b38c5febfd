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

package statetest

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"slipway.dev/slipway/state"
)

// app.json is one app instance as slipway recorded it after applying the
// platform benchmark's shape (examples/bench/platform.sh): 11 objects (a
// Namespace, a Deployment, a Service, a ServiceAccount, two ConfigMaps, a
// Secret, a Role, a RoleBinding, a PodDisruptionBudget and a
// HorizontalPodAutoscaler), its inventory, its private data and its
// sensitive paths. app-history.json is its sync history.
var (
	//go:embed app.json
	appJSON string
	//go:embed app-history.json
	appHistoryJSON string
)

// Apps returns the state of n apps of the platform benchmark's shape, as
// slipway records them: the shape whose size the state's limits are
// about (1,000 apps encode to about 12 MB compact, 28 MB indented). Each
// app differs from the others in its names and in the hashes of its
// private data, as real ones do.
func Apps(n int) *state.State {
	var doc bytes.Buffer
	doc.WriteString(`{"version":1,"lineage":"5b0e7f0c-3c55-4b8e-8f3a-1d2e3f4a5b6c","serial":1,"slipway_version":"0.2.0","resources":[`)
	var hist bytes.Buffer
	for i := range n {
		name := fmt.Sprintf("app-%04d", i)
		var r map[string]json.RawMessage
		if err := json.Unmarshal([]byte(renamed(appJSON, name)), &r); err != nil {
			panic(err)
		}
		r["private"] = privateOf(r["private"], name)
		b, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		if i > 0 {
			doc.WriteByte(',')
			hist.WriteByte(',')
		}
		doc.Write(b)
		fmt.Fprintf(&hist, "%q:%s", `app.team["`+name+`"]`, renamed(appHistoryJSON, name))
	}
	fmt.Fprintf(&doc, `],"outputs":{},"extra":{"app_history":{%s}}}`, hist.String())
	s, err := state.Decode(doc.Bytes())
	if err != nil {
		panic(fmt.Sprintf("statetest.Apps: %v", err))
	}
	return s
}

func renamed(tmpl, name string) string {
	return string(bytes.ReplaceAll([]byte(tmpl), []byte("app-0000"), []byte(name)))
}

// privateOf is the template's private data for app name: the hash of
// each object made again from the object's ID and the app's name.
func privateOf(raw json.RawMessage, name string) json.RawMessage {
	var b64 string
	if err := json.Unmarshal(raw, &b64); err != nil {
		panic(err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		panic(err)
	}
	var p map[string]any
	if err := json.Unmarshal(data, &p); err != nil {
		panic(err)
	}
	hashes, _ := p["hashes"].(map[string]any)
	for id := range hashes {
		sum := sha256.Sum256([]byte(id + "\x00" + name))
		hashes[id] = hex.EncodeToString(sum[:])
	}
	data, err = json.Marshal(p)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(base64.StdEncoding.EncodeToString(data))
	return out
}
