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

package git

import (
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"sigs.k8s.io/kustomize/kyaml/utils"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"slipway.dev/slipway/internal/builtin"
)

// editMode is how a promote changes the repository.
type editMode int

const (
	editImage    editMode = iota + 1 // set an image's tag or digest
	editYAMLPath                     // set one value of a YAML file
	editContent                      // replace a file's content
)

// edit is a promote's change, described by what it means (set the tag of
// image X) rather than by the lines it touches, so that it can be made
// again on a commit other than the one it was planned on.
type edit struct {
	mode editMode
	// path is the file or directory edited, relative to the repository
	// root, slash-separated and clean; "" is the root.
	path string

	image, newTag, digest string // editImage
	yamlPath, value       string // editYAMLPath
	content               string // editContent
}

// snapshot is the files of one commit, as an edit reads them.
type snapshot interface {
	// kind says what p is.
	kind(p string) (entryKind, error)
	// read returns the content of the regular file p.
	read(p string) ([]byte, error)
	// files lists the regular files under the directory dir, recursively,
	// sorted.
	files(dir string) ([]string, error)
}

type entryKind int

const (
	kindMissing entryKind = iota
	kindFile
	kindDir
	kindOther // a symbolic link or a submodule
)

// fileChange is one file an edit changes.
type fileChange struct {
	path          string
	before, after []byte
	created       bool
}

// valueChange is one value an edit changes: the `changes` attribute.
type valueChange struct {
	file, field, before, after string
}

// editResult is what an edit changes in a snapshot; empty when nothing.
type editResult struct {
	files  []fileChange  // sorted by path
	values []valueChange // in file order, then in the order found
}

// editError is an edit that cannot be made on a snapshot, about one
// attribute of the configuration.
type editError struct {
	attr    string
	summary string
	detail  string
}

func (e *editError) Error() string { return e.summary + ": " + e.detail }

// kustomizationNames are the file names kustomize reads, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// apply makes the edit on the files of s.
func (e *edit) apply(s snapshot) (*editResult, error) {
	k, err := s.kind(e.path)
	if err != nil {
		return nil, err
	}
	shown := e.path
	if shown == "" {
		shown = "."
	}
	switch e.mode {
	case editContent:
		switch k {
		case kindDir:
			return nil, &editError{builtin.PromotePath, "Path is a directory", fmt.Sprintf("The path %q is a directory; content replaces the content of a file. Name the file.", shown)}
		case kindOther:
			return nil, &editError{builtin.PromotePath, "Path is not a regular file", fmt.Sprintf("The path %q is a symbolic link or a submodule; content replaces the content of a regular file.", shown)}
		}
		var before []byte
		if k == kindFile {
			if before, err = s.read(e.path); err != nil {
				return nil, err
			}
		}
		res := &editResult{}
		if k == kindMissing || string(before) != e.content {
			res.files = []fileChange{{path: e.path, before: before, after: []byte(e.content), created: k == kindMissing}}
			res.values = []valueChange{{file: e.path, before: string(before), after: e.content}}
		}
		return res, nil

	case editYAMLPath:
		switch k {
		case kindMissing:
			return nil, &editError{builtin.PromotePath, "Path not found in repository", fmt.Sprintf("The file %q does not exist. yaml_path sets a value in an existing YAML file; to create a file, use content.", shown)}
		case kindDir:
			return nil, &editError{builtin.PromotePath, "Path is a directory", fmt.Sprintf("The path %q is a directory; yaml_path sets a value in one YAML file. Name the file.", shown)}
		case kindOther:
			return nil, &editError{builtin.PromotePath, "Path is not a regular file", fmt.Sprintf("The path %q is a symbolic link or a submodule, not a YAML file.", shown)}
		}
		return e.editFiles(s, []string{e.path}, e.setYAMLPath)

	case editImage:
		switch k {
		case kindMissing:
			return nil, &editError{builtin.PromotePath, "Path not found in repository", fmt.Sprintf("The path %q does not exist in the repository.", shown)}
		case kindOther:
			return nil, &editError{builtin.PromotePath, "Path is not a regular file", fmt.Sprintf("The path %q is a symbolic link or a submodule.", shown)}
		case kindFile:
			if isKustomization(path.Base(e.path)) {
				return e.editFiles(s, []string{e.path}, e.setKustomizeImage)
			}
			return e.editPlainImages(s, []string{e.path})
		}
		var found []string
		for _, name := range kustomizationNames {
			p := path.Join(e.path, name)
			if kk, err := s.kind(p); err != nil {
				return nil, err
			} else if kk == kindFile {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 1:
			return e.editFiles(s, found, e.setKustomizeImage)
		case 0:
		default:
			return nil, &editError{builtin.PromotePath, "More than one kustomization", fmt.Sprintf("The directory %q holds %s; kustomize refuses such a directory. Keep one.", shown, strings.Join(found, " and "))}
		}
		all, err := s.files(e.path)
		if err != nil {
			return nil, err
		}
		var files []string
		for _, f := range all {
			if strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return nil, &editError{builtin.PromotePath, "No YAML files", fmt.Sprintf("The directory %q holds no kustomization and no *.yaml or *.yml file whose container images could be set.", shown)}
		}
		return e.editPlainImages(s, files)
	}
	return nil, fmt.Errorf("unknown edit mode %d", e.mode)
}

func isKustomization(name string) bool {
	for _, k := range kustomizationNames {
		if name == k {
			return true
		}
	}
	return false
}

// docEditor edits the documents of one parsed YAML file.
type docEditor func(file string, f *yamlFile) ([]valueChange, error)

// editFiles parses each file, edits it and collects what changed.
func (e *edit) editFiles(s snapshot, files []string, fn docEditor) (*editResult, error) {
	res := &editResult{}
	for _, p := range files {
		before, err := s.read(p)
		if err != nil {
			return nil, err
		}
		f, err := parseYAMLFile(before)
		if err != nil {
			return nil, &editError{builtin.PromotePath, "Invalid YAML", fmt.Sprintf("The file %q cannot be read as YAML: %v.", p, err)}
		}
		values, err := fn(p, f)
		if err != nil {
			return nil, err
		}
		after, err := f.bytes()
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		if len(values) == 0 || string(after) == string(before) {
			continue
		}
		res.files = append(res.files, fileChange{path: p, before: before, after: after})
		res.values = append(res.values, values...)
	}
	sort.SliceStable(res.files, func(i, j int) bool { return res.files[i].path < res.files[j].path })
	return res, nil
}

// setKustomizeImage sets the images: entry of a kustomization whose name
// or newName is the image, as `kustomize edit set image` does, adding the
// entry when there is none. Like that command, which writes the entry
// anew, it removes the digest when only a new tag is set and the tag when
// only a digest is: kustomize renders an entry with both as
// "name:tag@digest", which is pulled by the digest, so a digest left from
// an earlier promote would keep the old image running under the new tag.
func (e *edit) setKustomizeImage(file string, f *yamlFile) ([]valueChange, error) {
	var doc *yamlDoc
	for _, d := range f.docs {
		if d.content() == nil {
			continue
		}
		if doc != nil {
			return nil, &editError{builtin.PromotePath, "Invalid kustomization", fmt.Sprintf("The kustomization %q holds more than one YAML document.", file)}
		}
		doc = d
	}
	if doc == nil {
		doc = f.docs[len(f.docs)-1]
	}
	root, err := doc.ensureMap()
	if err != nil {
		return nil, &editError{builtin.PromotePath, "Invalid kustomization", fmt.Sprintf("The kustomization %q: %v.", file, err)}
	}
	images := yaml.NewRNode(root).Field("images")
	var seq *yaml.Node
	switch {
	case images == nil || images.Value == nil:
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		root.Content = append(root.Content, newString("images"), seq)
		doc.rewrite = true
	case images.Value.YNode().Kind == yaml.SequenceNode:
		seq = images.Value.YNode()
	case images.Value.YNode().ShortTag() == "!!null":
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		images.Value.SetYNode(seq)
		seq = images.Value.YNode()
		doc.rewrite = true
	default:
		return nil, &editError{builtin.PromotePath, "Invalid kustomization", fmt.Sprintf("The images of the kustomization %q are a %s, not a list.", file, kindName(images.Value.YNode()))}
	}

	prefix := "images[" + e.image + "]."
	var out []valueChange
	// set sets key of the entry to v, or removes it when v is "", and
	// records the change; a removed value shows as a change to "".
	set := func(entry *yaml.Node, key, v string) error {
		var before string
		var changed bool
		var err error
		if v == "" {
			before, changed, err = doc.removeField(entry, key)
		} else {
			before, changed, err = doc.setField(entry, key, v)
		}
		if err != nil {
			return &editError{builtin.PromotePath, "Invalid kustomization", fmt.Sprintf("The images entry for %q in %q: %v.", e.image, file, err)}
		}
		if changed {
			out = append(out, valueChange{file: file, field: prefix + key, before: before, after: v})
		}
		return nil
	}
	matched := false
	for _, entry := range seq.Content {
		if entry.Kind != yaml.MappingNode {
			continue
		}
		rn := yaml.NewRNode(entry)
		if scalarField(rn, "name") != e.image && scalarField(rn, "newName") != e.image {
			continue
		}
		matched = true
		if err := set(entry, "newTag", e.newTag); err != nil {
			return nil, err
		}
		if err := set(entry, "digest", e.digest); err != nil {
			return nil, err
		}
	}
	if !matched {
		entry := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		entry.Content = append(entry.Content, newString("name"), newString(e.image))
		seq.Content = append(seq.Content, entry)
		doc.rewrite = true
		if err := set(entry, "newTag", e.newTag); err != nil {
			return nil, err
		}
		if err := set(entry, "digest", e.digest); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// removeField removes key from the map m and returns the value it held
// and whether it was removed. A key that is missing or holds no value
// (null or "") is left alone: it means the same as no key. The pair is cut
// out of the text when it can be (see cutPair), so the rest of the
// document is kept byte for byte; otherwise the document is encoded again.
func (d *yamlDoc) removeField(m *yaml.Node, key string) (before string, removed bool, err error) {
	i := 0
	for ; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			break
		}
	}
	if i+1 >= len(m.Content) {
		return "", false, nil
	}
	k, v := m.Content[i], m.Content[i+1]
	if v.Kind != yaml.ScalarNode {
		return "", false, fmt.Errorf("%q (line %d) holds a %s, not a single value", key, d.firstLine+v.Line-1, kindName(v))
	}
	if v.ShortTag() == "!!null" || v.Value == "" {
		return "", false, nil
	}
	var next *yaml.Node
	if i+2 < len(m.Content) {
		next = m.Content[i+2]
	}
	m.Content = append(m.Content[:i], m.Content[i+2:]...)
	if !d.rewrite {
		if sp, ok := d.cutPair(m, k, v, next); ok {
			d.splices = append(d.splices, sp)
		} else {
			d.rewrite = true
		}
	}
	return v.Value, true, nil
}

// cutPair is the splice that cuts the pair k: v out of the block map m,
// when both are on one line with nothing after them but a comment, which
// goes with them. A pair on a line of its own is cut with its line; a pair
// that starts a list entry ("- digest: ...") is cut up to the next key,
// which takes its place after the "- ", when only blank space lies
// between them. ok is false for anything else.
func (d *yamlDoc) cutPair(m, k, v, next *yaml.Node) (sp splice, ok bool) {
	if m.Style&yaml.FlowStyle != 0 || k.Kind != yaml.ScalarNode || k.Line != v.Line {
		return splice{}, false
	}
	keyText, ok1 := encodeScalar(k)
	valText, ok2 := encodeScalar(v)
	kOff, ok3 := d.offset(k.Line, k.Column)
	vOff, ok4 := d.offset(v.Line, v.Column)
	if !ok1 || !ok2 || !ok3 || !ok4 || vOff <= kOff ||
		!strings.HasPrefix(d.body[kOff:], keyText) || !strings.HasPrefix(d.body[vOff:], valText) {
		return splice{}, false
	}
	// The end of the pair's line, after its newline when it has one.
	end := vOff + len(valText)
	lineEnd := len(d.body)
	if nl := strings.IndexByte(d.body[end:], '\n'); nl >= 0 {
		lineEnd = end + nl + 1
	}
	tail := strings.TrimRight(d.body[end:lineEnd], "\r\n")
	if t := strings.TrimLeft(tail, " \t"); t != "" && (!strings.HasPrefix(t, "#") || len(t) == len(tail)) {
		return splice{}, false
	}
	lineStart := strings.LastIndexByte(d.body[:kOff], '\n') + 1
	lead := d.body[lineStart:kOff]
	if strings.TrimLeft(lead, " \t") == "" {
		start := lineStart
		if lineEnd == len(d.body) && !strings.HasSuffix(d.body, "\n") && start > 0 {
			// The last line has no newline: cut the one before it instead.
			start--
			if start > 0 && d.body[start-1] == '\r' {
				start--
			}
		}
		return splice{off: start, n: lineEnd - start}, true
	}
	if strings.Trim(lead, " \t-") != "" || !strings.HasSuffix(lead, " ") || next == nil || next.Line <= k.Line {
		return splice{}, false
	}
	nOff, ok := d.offset(next.Line, next.Column)
	if !ok || nOff < lineEnd || strings.Trim(d.body[lineEnd:nOff], " \t\r\n") != "" {
		return splice{}, false
	}
	return splice{off: kOff, n: nOff - kOff}, true
}

// scalarField is the value of the scalar field key of a map, "" when
// missing or not a scalar.
func scalarField(rn *yaml.RNode, key string) string {
	f := rn.Field(key)
	if f == nil || f.Value == nil || f.Value.YNode().Kind != yaml.ScalarNode {
		return ""
	}
	return f.Value.YNode().Value
}

// editPlainImages sets every container and init container image of the
// repository e.image in every document of files.
func (e *edit) editPlainImages(s snapshot, files []string) (*editResult, error) {
	ref := e.image
	if e.newTag != "" {
		ref += ":" + e.newTag
	}
	if e.digest != "" {
		ref += "@" + e.digest
	}
	matched := 0
	res, err := e.editFiles(s, files, func(file string, f *yamlFile) ([]valueChange, error) {
		var out []valueChange
		for _, d := range f.docs {
			top := d.content()
			if top == nil {
				continue
			}
			label := objectLabel(top)
			var werr error
			walkContainerImages(top, nil, func(field string, n *yaml.Node) {
				if werr != nil || imageRepository(n.Value) != e.image {
					return
				}
				matched++
				before := n.Value
				changed, err := d.setScalar(n, ref)
				if err != nil {
					werr = err
					return
				}
				if changed {
					out = append(out, valueChange{file: file, field: label + field, before: before, after: ref})
				}
			})
			if werr != nil {
				return nil, &editError{builtin.PromotePath, "Cannot set image", fmt.Sprintf("In %q: %v.", file, werr)}
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if matched == 0 {
		shown := e.path
		if shown == "" {
			shown = "."
		}
		return nil, &editError{builtin.PromoteImage, "Image not found", fmt.Sprintf("No container or init container under %q uses the image %q (compared without tag and digest, as written). Check image and path.", shown, e.image)}
	}
	return res, nil
}

// objectLabel names a Kubernetes object for the field of a change
// ("Deployment/web: "), "" for a document that is not one.
func objectLabel(top *yaml.Node) string {
	if top.Kind != yaml.MappingNode {
		return ""
	}
	rn := yaml.NewRNode(top)
	kind := scalarField(rn, "kind")
	name := ""
	if md := rn.Field("metadata"); md != nil && md.Value != nil && md.Value.YNode().Kind == yaml.MappingNode {
		name = scalarField(md.Value, "name")
	}
	if kind == "" || name == "" {
		return ""
	}
	return kind + "/" + name + ": "
}

// containerKeys are the keys whose lists hold containers.
var containerKeys = map[string]bool{"containers": true, "initContainers": true}

// walkContainerImages calls fn with the image scalar of every container
// and init container under n, wherever it is (a Pod, a Deployment's
// template, a CronJob's job template, a List's items), and its path in
// kyaml's syntax.
func walkContainerImages(n *yaml.Node, at []string, fn func(field string, image *yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(append([]string(nil), at...), k.Value)
			if containerKeys[k.Value] && v.Kind == yaml.SequenceNode {
				for j, c := range v.Content {
					if c.Kind != yaml.MappingNode {
						continue
					}
					rn := yaml.NewRNode(c)
					img := rn.Field("image")
					if img == nil || img.Value == nil || img.Value.YNode().Kind != yaml.ScalarNode {
						continue
					}
					elem := "[" + strconv.Itoa(j) + "]"
					if name := scalarField(rn, "name"); name != "" {
						elem = "[name=" + name + "]"
					}
					fn(strings.Join(append(p, elem, "image"), "."), img.Value.YNode())
				}
				continue
			}
			walkContainerImages(v, p, fn)
		}
	case yaml.SequenceNode:
		for j, c := range n.Content {
			walkContainerImages(c, append(append([]string(nil), at...), "["+strconv.Itoa(j)+"]"), fn)
		}
	}
}

// imageRepository is an image reference without its tag and digest:
// "127.0.0.1:5000/me/app" for "127.0.0.1:5000/me/app:1.0@sha256:...".
func imageRepository(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if c := strings.LastIndexByte(ref, ':'); c > strings.LastIndexByte(ref, '/') {
		ref = ref[:c]
	}
	return ref
}

// setYAMLPath sets the value at e.yamlPath in a single-document YAML
// file, creating the maps on the way when they are missing.
func (e *edit) setYAMLPath(file string, f *yamlFile) ([]valueChange, error) {
	var doc *yamlDoc
	for _, d := range f.docs {
		if d.content() == nil {
			continue
		}
		if doc != nil {
			return nil, &editError{builtin.PromotePath, "More than one YAML document", fmt.Sprintf("The file %q holds more than one YAML document, so yaml_path is ambiguous in it. Point path at a single-document file, or use image to set container images.", file)}
		}
		doc = d
	}
	if doc == nil {
		doc = f.docs[len(f.docs)-1]
	}
	fail := func(format string, args ...any) error {
		return &editError{builtin.PromoteYAMLPath, "Cannot set yaml_path", fmt.Sprintf("Setting %q in %q: ", e.yamlPath, file) + fmt.Sprintf(format, args...) + "."}
	}
	segs, err := splitYAMLPath(e.yamlPath)
	if err != nil {
		return nil, fail("%v", err)
	}
	cur, err := doc.ensureMap()
	if err != nil {
		return nil, fail("%v", err)
	}
	for i, seg := range segs {
		last := i == len(segs)-1
		where := strings.Join(segsText(segs[:i]), ".")
		if where == "" {
			where = "the document"
		}
		switch cur.Kind {
		case yaml.SequenceNode:
			var elem *yaml.Node
			switch {
			case seg.matchKey != "":
				for _, c := range cur.Content {
					if c.Kind == yaml.MappingNode && scalarField(yaml.NewRNode(c), seg.matchKey) == seg.matchValue {
						elem = c
						break
					}
				}
				if elem == nil {
					return nil, fail("%s has no element with %s=%s", where, seg.matchKey, seg.matchValue)
				}
			case seg.index >= 0:
				if seg.index >= len(cur.Content) {
					return nil, fail("%s has %d elements, so there is no element %d", where, len(cur.Content), seg.index)
				}
				elem = cur.Content[seg.index]
			default:
				return nil, fail("%s is a list; name an element with [key=value] or its index", where)
			}
			if last {
				before := elem.Value
				changed, err := doc.setScalar(elem, e.value)
				if err != nil {
					return nil, fail("%v", err)
				}
				if !changed {
					return nil, nil
				}
				return []valueChange{{file: file, field: e.yamlPath, before: before, after: e.value}}, nil
			}
			cur = elem
		case yaml.MappingNode:
			if seg.matchKey != "" {
				return nil, fail("%s is a map, not a list, so [%s=%s] matches nothing", where, seg.matchKey, seg.matchValue)
			}
			if last {
				before, changed, err := doc.setField(cur, seg.name, e.value)
				if err != nil {
					return nil, fail("%v", err)
				}
				if !changed {
					return nil, nil
				}
				return []valueChange{{file: file, field: e.yamlPath, before: before, after: e.value}}, nil
			}
			field := yaml.NewRNode(cur).Field(seg.name)
			switch {
			case field == nil || field.Value == nil:
				m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				cur.Content = append(cur.Content, newString(seg.name), m)
				doc.rewrite = true
				cur = m
			case field.Value.YNode().Kind == yaml.ScalarNode && field.Value.YNode().ShortTag() == "!!null":
				n := field.Value.YNode()
				*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment}
				doc.rewrite = true
				cur = n
			default:
				cur = field.Value.YNode()
			}
		default:
			return nil, fail("%s is a %s, not a map or a list", where, kindName(cur))
		}
	}
	return nil, fail("the path is empty")
}

// pathSeg is one step of a yaml_path: a map key, a list element by
// key=value, or a list element by index.
type pathSeg struct {
	name                 string
	matchKey, matchValue string
	index                int // -1 unless an index
	text                 string
}

func segsText(segs []pathSeg) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.text
	}
	return out
}

var indexSeg = regexp.MustCompile(`^[0-9]+$`)

// splitYAMLPath splits a path in kyaml's syntax: "image.tag",
// "spec.template.spec.containers.[name=app].image",
// "metadata.annotations.[example.com/x]" (a key with dots), "args.[0]".
func splitYAMLPath(p string) ([]pathSeg, error) {
	if strings.TrimSpace(p) == "" {
		return nil, errors.New("the path is empty")
	}
	var out []pathSeg
	for _, s := range utils.SmarterPathSplitter(p, ".") {
		seg := pathSeg{name: s, index: -1, text: s}
		switch {
		case s == "":
			return nil, errors.New("the path has an empty step (two dots, or a dot at an end)")
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && strings.Contains(s, "="):
			k, v, _ := strings.Cut(s[1:len(s)-1], "=")
			if k == "" {
				return nil, fmt.Errorf("the step %s names no key", s)
			}
			seg.name, seg.matchKey, seg.matchValue = "", k, v
		case indexSeg.MatchString(s):
			seg.index, _ = strconv.Atoi(s)
		}
		out = append(out, seg)
	}
	// A map key that is all digits is a key when the node is a map: the
	// walk decides, so keep the name too.
	return out, nil
}

// treeSnapshot is the files of a commit's tree.
// maxLinks is how many symbolic links resolving one path may follow.
const maxLinks = 40

// resolveTreePath returns the path p of the repository leads to in tree
// once the symbolic links on the way are followed, as a checkout of the
// tree would follow them. A link that leads outside the repository (an
// absolute target, or one that climbs above the root) is an error naming
// it and its target: a promote never edits anything but the repository's
// own files. Parts that do not exist are kept as they are.
func resolveTreePath(tree *object.Tree, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	parts := strings.Split(p, "/")
	var done []string // resolved, with no link left
	links := 0
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cur := path.Join(append(append([]string(nil), done...), part)...)
		e, err := tree.FindEntry(cur)
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
			done = append(done, part)
			continue
		}
		if err != nil {
			return "", err
		}
		if e.Mode != filemode.Symlink {
			done = append(done, part)
			continue
		}
		if links++; links > maxLinks {
			return "", &editError{builtin.PromotePath, "Too many symbolic links", fmt.Sprintf("Resolving the path %q follows more than %d symbolic links; they may form a loop.", p, maxLinks)}
		}
		blob, err := tree.File(cur)
		if err != nil {
			return "", fmt.Errorf("read the link %s: %w", cur, err)
		}
		target, err := blob.Contents()
		if err != nil {
			return "", fmt.Errorf("read the link %s: %w", cur, err)
		}
		joined := path.Clean(path.Join(path.Join(done...), target))
		if path.IsAbs(target) || joined == ".." || strings.HasPrefix(joined, "../") {
			return "", &editError{builtin.PromotePath, "Path leads outside the repository",
				fmt.Sprintf("The path %q leads outside the repository: %s is a symbolic link to %s, which is outside the repository.", p, cur, target)}
		}
		done = nil
		if joined != "." {
			parts = append(strings.Split(joined, "/"), parts...)
		}
	}
	return path.Join(done...), nil
}

type treeSnapshot struct{ tree *object.Tree }

func (t treeSnapshot) kind(p string) (entryKind, error) {
	if p == "" {
		return kindDir, nil
	}
	e, err := t.tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrFileNotFound) {
		return kindMissing, nil
	}
	if err != nil {
		return kindMissing, err
	}
	switch e.Mode {
	case filemode.Dir:
		return kindDir, nil
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
		return kindFile, nil
	}
	return kindOther, nil
}

func (t treeSnapshot) read(p string) ([]byte, error) {
	f, err := t.tree.File(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	r, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (t treeSnapshot) files(dir string) ([]string, error) {
	tree := t.tree
	if dir != "" {
		sub, err := t.tree.Tree(dir)
		if err != nil {
			return nil, fmt.Errorf("read directory %s: %w", dir, err)
		}
		tree = sub
	}
	w := object.NewTreeWalker(tree, true, nil)
	defer w.Close()
	var out []string
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read directory %s: %w", dir, err)
		}
		switch e.Mode {
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
			out = append(out, path.Join(dir, name))
		}
	}
	sort.Strings(out)
	return out, nil
}
