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

package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// Release is a format version and the digest of its schema.
type Release struct {
	Version string
	Digest  string
}

// History records, for each document with a format version, the digest
// of its schema at each version, oldest first; it starts where schemas
// were first published.
//
// When a schema changes, so must its format's version: bump the
// document's version constant (the minor for an addition, the major for
// anything that breaks a reader) and append the new version with the
// digest TestHistory prints. A digest is never edited in place.
var History = map[string][]Release{
	"plan":             {{"1.1", "sha256:601c4c89026aeef88372c43663ae39aa3705e014b60a700beaabbce1aa0b21ab"}, {"1.2", "sha256:cc4dc327dd6b8fdb0745073577ef852154ed8e67c525635d8ec162521229e602"}, {"1.3", "sha256:716e4baa819afa4e8f70d1b6bdaf8e77497c21c91b53dcd23aa66f038b47e2e8"}, {"1.4", "sha256:6d1f12a52f4dbca997dbb26f32cd4f52054fcaf502757021e74682b49bb08e59"}, {"1.5", "sha256:f23e8be79f1dae56b9bcc6a206809e380f2e9b877cf89513edf05bf1bd5789ae"}, {"1.6", "sha256:db22a3462642214beb42c5df0f1a83c819b730d9556d3cf1fda07c9691d08813"}},
	"state":            {{"1.0", "sha256:a229ce6d9876ece724c865089dd67b9d52c694d9cc1be3591694e2bce4e0950a"}},
	"outputs":          {{"1.0", "sha256:c09d277032861bc7602696a14acdec679f64bdad89416874133a1506ce78ad29"}},
	"ui-events":        {{"1.0", "sha256:eab5194e8ad107cb1a21e7b0b2b23cba2c15e2853d32a436ebfd3ca67cffdf5f"}},
	"status":           {{"1.1", "sha256:90ddc8dbe18b747ac621ca3bfde99d57c6021666eff4df5147f92481b668f8fc"}, {"1.2", "sha256:ecc9671fcc5c03bad18273dff85b334d2791ac5fb1bbd140449fad9c9e7bb39f"}, {"1.3", "sha256:79a5cb27ebda532865f98b2c6a183a0caa531f467a89b4a3749cd57e62627667"}},
	"validate":         {{"1.0", "sha256:e3981aab314ab92fb53ecc7d94ca897a42e31dd004137365017a40035b44a1cd"}},
	"provider-schemas": {{"1.0", "sha256:a5ec1a03ef27b6e19fcda1f44ddc97ddcafa983613ef968cabc10e1f8a3fdee4"}, {"1.1", "sha256:526501dea9bb1cb8f065a45ff9a27eda6e9a378201aeb99c454ed94ae954e7b1"}, {"1.2", "sha256:6ff5087e8e13ed9e2152bbd13c065cff5b9bb364a57869cf0c7fb22cb0e89de9"}, {"1.3", "sha256:96cfcae7d14f7e968396004cfe880f09f175dbe96e77c1a0f74aedd089c67c95"}},
}

// CheckHistory reports whether the schema generated for version of a
// document agrees with its history: the last release is this version,
// with this schema's digest, and the versions before it are older.
func CheckHistory(name, version string, schema []byte, history []Release) error {
	digest := Digest(schema)
	if len(history) == 0 {
		return fmt.Errorf("the %s schema has no history: add {%q, %q} to History", name, version, digest)
	}
	for i := 1; i < len(history); i++ {
		if !older(history[i-1].Version, history[i].Version) {
			return fmt.Errorf("the history of the %s schema goes from %s to %s: each release must be newer than the last", name, history[i-1].Version, history[i].Version)
		}
	}
	last := history[len(history)-1]
	switch {
	case last.Version == version && last.Digest == digest:
		return nil
	case last.Version == version:
		return fmt.Errorf("the %s schema changed, but its format version is still %s: bump the version (the minor for an addition, the major for a break), document the change, and append {\"NEW\", %q} to History", name, version, digest)
	case !older(last.Version, version):
		return fmt.Errorf("the %s format version is %s, not newer than %s, the last in History", name, version, last.Version)
	case last.Digest == digest:
		return fmt.Errorf("the %s format version moved from %s to %s, but its schema did not change: a new version needs a new schema", name, last.Version, version)
	}
	return fmt.Errorf("the %s format version is now %s: append {%q, %q} to History", name, version, version, digest)
}

// older reports whether version a ("MAJOR.MINOR") comes before b.
func older(a, b string) bool {
	am, an, aok := parseVersion(a)
	bm, bn, bok := parseVersion(b)
	if !aok || !bok {
		return false
	}
	return am < bm || am == bm && an < bn
}

func parseVersion(v string) (major, minor int, ok bool) {
	ma, mi, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(ma)
	minor, err2 = strconv.Atoi(mi)
	return major, minor, err1 == nil && err2 == nil
}
