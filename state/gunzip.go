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
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// MaxDocument bounds a state document once decompressed: 512 MiB, some
// twenty times the state of 10,000 Kubernetes objects. A stored document
// that expands past it (a megabyte of gzip can hold a gigabyte) is
// refused before it takes the machine's memory: a state file may come
// with a repository under review, and a backend's storage may be
// writable by others.
const MaxDocument = 512 << 20

// Gunzip decompresses a stored state document, refusing one that expands
// past MaxDocument.
func Gunzip(compressed []byte) ([]byte, error) { return gunzipAtMost(compressed, MaxDocument) }

func gunzipAtMost(compressed []byte, limit int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(min(len(compressed)*8, limit))
	n, err := out.ReadFrom(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("it expands past %d MiB, more than any state slipway writes", limit>>20)
	}
	return out.Bytes(), nil
}
