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

package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"slipway.dev/slipway/planner/plans"
	"slipway.dev/slipway/state"
)

// formatName marks a JSON document as a slipway plan file.
const formatName = "slipway-plan"

// gzipComment marks the gzip header of files Write makes.
const gzipComment = "slipway plan"

// Sentinel errors of Read; a *ReadError wraps one of them.
var (
	// ErrNotPlanFile means the file is not a slipway plan file at all.
	ErrNotPlanFile = errors.New("not a slipway plan file")
	// ErrUnsupportedFormat means the file is a plan file of a format major
	// this slipway cannot read.
	ErrUnsupportedFormat = errors.New("unsupported plan file format")
	// ErrCorrupt means the file began as a plan file but cannot be decoded.
	ErrCorrupt = errors.New("corrupted plan file")
)

// ReadError says why a file could not be read as a plan. Its Unwrap
// returns ErrNotPlanFile, ErrUnsupportedFormat or ErrCorrupt.
type ReadError struct {
	Path string
	Kind error
	msg  string
}

func (e *ReadError) Error() string { return e.msg }
func (e *ReadError) Unwrap() error { return e.Kind }

// Write saves p to path. It writes a temporary file in the same
// directory, syncs it and renames it over path, so path never holds a
// partial plan.
func Write(path string, p *plans.Plan) error { return WriteSealed(path, p, nil) }

// WriteSealed saves p to path as Write does, the compressed document
// sealed by s (encrypted, when the configuration encrypts plans); a nil
// s seals nothing.
func WriteSealed(path string, p *plans.Plan, s state.Sealer) (err error) {
	if p == nil {
		return errors.New("write plan file: no plan")
	}
	doc, err := encodePlan(p)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	body, err := marshalJSON(doc)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}

	dir := filepath.Dir(path)
	// CreateTemp makes the file 0600, which is what a plan holding
	// variable values should be.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Comment = gzipComment
	if _, err = zw.Write(body); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	if err = zw.Close(); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	sealed, err := state.Seal(s, zbuf.Bytes())
	if err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	if _, err = f.Write(sealed); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	// Make the rename itself durable. Some filesystems cannot sync a
	// directory; the file is in place regardless, so that is no failure.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Read loads a plan saved by Write. It refuses files that are not plan
// files, plan files of a newer format major, and damaged files, each with
// a *ReadError that says which.
func Read(path string) (*plans.Plan, error) { return ReadSealed(path, nil) }

// ReadSealed loads a plan saved by WriteSealed, opened by s. With a nil
// s, an encrypted plan file is refused with state.ErrEncrypted.
func ReadSealed(path string, s state.Sealer) (*plans.Plan, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	if raw, err = state.Open(s, raw); err != nil {
		return nil, fmt.Errorf("read plan file %s: %w", path, err)
	}
	return decode(path, raw)
}

// decode reads the bytes of the plan file at path.
func decode(path string, raw []byte) (*plans.Plan, error) {
	notPlan := &ReadError{Path: path, Kind: ErrNotPlanFile, msg: path + " is not a slipway plan file"}
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return nil, notPlan
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, corruptError(path, err)
	}
	// Write marks its files in the gzip header; damage to a file so marked
	// is corruption, while any other gzip file is simply not a plan.
	ours := zr.Comment == gzipComment
	body, err := io.ReadAll(zr)
	if err != nil {
		if !ours {
			return nil, notPlan
		}
		return nil, corruptError(path, err)
	}
	return decodeBody(path, body, ours)
}

func corruptError(path string, err error) error {
	return &ReadError{Path: path, Kind: ErrCorrupt, msg: fmt.Sprintf("%s is a corrupted slipway plan file: %v", path, err)}
}

// decodeBody reads the JSON document of a plan file; ours says the file
// was marked as one Write made. A document that panics the decoder (in
// cty, on a value no check refuses) is a corrupted file, not a crash.
func decodeBody(path string, body []byte, ours bool) (p *plans.Plan, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, corruptError(path, fmt.Errorf("it cannot be decoded: %v", r))
		}
	}()
	notPlan := &ReadError{Path: path, Kind: ErrNotPlanFile, msg: path + " is not a slipway plan file"}
	corrupt := func(err error) error { return corruptError(path, err) }

	// Look at the header first: a newer major may have changed the rest
	// in ways this version would misread.
	var head struct {
		Format         string `json:"format"`
		FormatVersion  string `json:"format_version"`
		SlipwayVersion string `json:"slipway_version"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		if ours && !json.Valid(body) {
			return nil, corrupt(err)
		}
		return nil, notPlan
	}
	if head.Format != formatName {
		return nil, notPlan
	}
	major, _, ok := parseVersion(head.FormatVersion)
	if !ok {
		return nil, corrupt(fmt.Errorf("bad format_version %q", head.FormatVersion))
	}
	ourMajor, _, _ := parseVersion(plans.FormatVersion)
	if major != ourMajor {
		by := "a newer"
		if major < ourMajor {
			by = "an older"
		}
		if head.SlipwayVersion != "" {
			by += " slipway (" + head.SlipwayVersion + ")"
		} else {
			by += " slipway"
		}
		return nil, &ReadError{Path: path, Kind: ErrUnsupportedFormat, msg: fmt.Sprintf(
			"%s was written by %s in plan format %s, which this slipway (format %s) cannot read; apply it with the slipway that made it, or make a new plan",
			path, by, head.FormatVersion, plans.FormatVersion)}
	}

	var doc planDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, corrupt(err)
	}
	if p, err = decodePlan(&doc); err != nil {
		return nil, corrupt(err)
	}
	return p, nil
}

// parseVersion reads "MAJOR.MINOR".
func parseVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return 0, 0, false
	}
	return major, minor, true
}
