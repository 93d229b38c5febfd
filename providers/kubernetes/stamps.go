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
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"slipway.dev/slipway/internal/builtin"
	"slipway.dev/slipway/internal/confine"
)

// stamp is what a file's metadata says of its content. As git's index
// takes a file whose stat data is unchanged for unchanged, a file (or
// directory) whose device, inode, mode, size, and modification and
// change times are those seen before it was read still holds what was
// read: the kernel sets the change time at every write, rename, link
// or chmod, and no program can set it back.
type stamp struct {
	dev, ino     uint64
	mode         uint32
	size         int64
	mtime, ctime int64
}

// racyWithin: a stamp whose times are this close to the moment its file
// was read, or later, is not trusted, as git reads a "racily clean" file
// again: a write in the same tick of the file system's clock as the read
// would leave the times alike.
const racyWithin = time.Second

// stampedPath is one path readManifestFiles read through, and its stamp.
type stampedPath struct {
	path string
	// rel is set for the file a manifest that is a link leads to: the
	// manifest's path in the app's directory, which must resolve to path
	// again (a link inside may have been pointed elsewhere), and path is
	// stamped as it is found (stat) rather than as named (lstat).
	rel string
	st  stamp
}

// stamps are what readManifestFiles records of what it reads.
type stamps struct {
	before time.Time // when the reading began
	paths  []stampedPath
	bad    bool // a path without a stamp, or a racy one
}

func newStamps() *stamps { return &stamps{before: time.Now()} }

func (s *stamps) add(sp stampedPath, fi fs.FileInfo) {
	st, ok := stampOf(fi)
	if !ok || st.mtime > s.before.Add(-racyWithin).UnixNano() || st.ctime > s.before.Add(-racyWithin).UnixNano() {
		s.bad = true
		return
	}
	sp.st = st
	s.paths = append(s.paths, sp)
}

// addFile records a manifest f (rel in the app's directory) as named
// (name: its lstat before it was read) and, when it is a link, the file
// at it leads to (read: its stat when it was opened).
func (s *stamps) addFile(f, rel, at string, name, read fs.FileInfo) {
	if name.Mode()&fs.ModeSymlink == 0 {
		// The file itself: it must not have been replaced between the
		// two looks.
		a, ok1 := stampOf(name)
		b, ok2 := stampOf(read)
		if !ok1 || !ok2 || a != b {
			s.bad = true
			return
		}
		s.add(stampedPath{path: f}, name)
		return
	}
	s.add(stampedPath{path: f}, name)
	s.add(stampedPath{path: at, rel: rel}, read)
}

// knownSources is the digest of an app directory's plain manifests, with
// the stamps of what was read to make it. It is kept only for a
// directory taken for plain YAML that holds none of the files that would
// make it a chart or a kustomization, and whose own stamp is the first:
// while that stamp holds, its entries are the same, so it still holds
// none and its tool is found without looking for them.
type knownSources struct {
	real, why string
	digest    string
	paths     []stampedPath
}

// holds reports whether src (found by findDir: the same directory, its
// links resolved) still holds what k was made of: every directory walked
// and every file read has its stamp.
func (k knownSources) holds(src *sources) bool {
	if k.digest == "" || src.real != k.real || len(k.paths) == 0 || k.paths[0].path != src.dir {
		return false
	}
	for _, sp := range k.paths {
		var fi fs.FileInfo
		var err error
		if sp.rel != "" {
			at, rerr := confine.ResolveIn(src.dir, src.real, sp.rel)
			if rerr != nil || at != sp.path {
				return false
			}
			fi, err = os.Stat(at)
		} else {
			fi, err = os.Lstat(sp.path)
		}
		if err != nil {
			return false
		}
		if st, ok := stampOf(fi); !ok || st != sp.st {
			return false
		}
	}
	return true
}

// noToolFiles reports whether dir holds no entry named as a chart's or a
// kustomization's file (builtin.DetectTool), not even a link.
func noToolFiles(dir string) bool {
	for _, name := range append([]string{builtin.ChartFile}, builtin.KustomizationFiles...) {
		if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	return true
}

// elidedSources is readSources for PlanElided, which needs their digest
// alone; roots resolves the directories' links once per parent for the
// plan. In a process the host keeps (slipway agent), the plain manifests
// of a directory whose stamps say it holds what the last plan read are
// not read again (p.known): at 1,000 apps, a walk of each directory and
// an open, read and digest of each of its files at every plan. A directory
// walked or a file read within a second of a change is read again at
// the next plan.
func (p *provider) elidedSources(dir string, roots *confine.Roots) (*sources, error) {
	if p.watch.Load() == nil {
		return readSources(dir)
	}
	src, err := findDir(dir, roots)
	if err != nil {
		return nil, err
	}
	key := []byte(dir)
	if k, _ := p.known.GetBytes(key); k.holds(src) {
		src.tool, src.why, src.digest = builtin.ToolPlain, k.why, k.digest
		return src, nil
	}
	if err := src.detectTool(); err != nil {
		return nil, err
	}
	if src.tool == builtin.ToolKustomize {
		p.known.set(key, knownSources{})
		return src, nil
	}
	rec := newStamps()
	if err := src.readFiles(rec); err != nil {
		return nil, err
	}
	// The directory's own stamp first, then no tool's file: one made
	// after the stamp changes it.
	if !rec.bad && len(rec.paths) > 0 && rec.paths[0].path == dir && noToolFiles(dir) {
		p.known.set(key, knownSources{real: src.real, why: src.why, digest: src.digest, paths: rec.paths})
	} else {
		p.known.set(key, knownSources{})
	}
	return src, nil
}
