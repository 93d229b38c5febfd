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

package convert

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Document is one object of the input files.
type Document struct {
	File  string // the file it was read from
	Index int    // its position among the file's documents, from 1
	Obj   map[string]any
}

// where names a document for messages: "apps.yaml#2".
func (d Document) where() string { return fmt.Sprintf("%s#%d", d.File, d.Index) }

func (d Document) kind() string       { return str(d.Obj, "kind") }
func (d Document) apiVersion() string { return str(d.Obj, "apiVersion") }
func (d Document) name() string       { return str(d.Obj, "metadata", "name") }
func (d Document) namespace() string  { return str(d.Obj, "metadata", "namespace") }

// group is the API group of the document's apiVersion.
func (d Document) group() string {
	g, _, ok := strings.Cut(d.apiVersion(), "/")
	if !ok {
		return ""
	}
	return g
}

// Read reads every document of the files at paths: a file, or a
// directory whose *.yaml, *.yml and *.json files are read recursively in
// lexical order (hidden directories are skipped).
func Read(paths []string) ([]Document, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	var docs []Document
	for _, f := range files {
		ds, err := readFile(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	return docs, nil
}

func readFile(name string) ([]Document, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	dec := k8syaml.NewYAMLOrJSONDecoder(fh, 4096)
	var out []Document
	for i := 1; ; i++ {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if obj == nil {
			continue // an empty document, between two ---
		}
		if items, ok := obj["items"].([]any); ok && strings.HasSuffix(str(obj, "kind"), "List") {
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					out = append(out, Document{File: name, Index: i, Obj: m})
				}
			}
			continue
		}
		out = append(out, Document{File: name, Index: i, Obj: obj})
	}
}

// get walks obj along keys; nil when a key is missing.
func get(obj any, keys ...string) any {
	for _, k := range keys {
		m, ok := obj.(map[string]any)
		if !ok {
			return nil
		}
		obj = m[k]
	}
	return obj
}

func str(obj any, keys ...string) string {
	switch v := get(obj, keys...).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func mapOf(obj any, keys ...string) map[string]any {
	m, _ := get(obj, keys...).(map[string]any)
	return m
}

func listOf(obj any, keys ...string) []any {
	l, _ := get(obj, keys...).([]any)
	return l
}

func boolOf(obj any, keys ...string) (value, set bool) {
	b, ok := get(obj, keys...).(bool)
	return b, ok
}

func strings_(l []any) []string {
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
