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

package plugins

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"slipway.dev/slipway/planner/plugins/oci"
)

// ensurePinned installs a pulled binary whose hash is pinned, adds the
// hash of one from the pinned index (a platform pinned for the first
// time), and refuses any other, naming both hashes and both digests.
func TestEnsurePinned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	repo, err := oci.ParseRepository(strings.TrimPrefix(s.URL, "http://") + "/acme/jira")
	if err != nil {
		t.Fatal(err)
	}
	push := func(content string) string {
		dir := t.TempDir()
		var builds []oci.Build
		for _, p := range []string{CurrentPlatform(), "plan9_amd64"} {
			path := filepath.Join(dir, p)
			if err := os.WriteFile(path, []byte(content+" "+p), 0o755); err != nil {
				t.Fatal(err)
			}
			builds = append(builds, oci.Build{Platform: p, Path: path})
		}
		d, err := oci.Push(ctx, repo.Tag("1.2.0"), "jira", builds, oci.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	digest := push("original")
	here := hashBytes([]byte("original " + CurrentPlatform()))
	search := &SearchPath{}

	cache := t.TempDir()
	pin := &Lock{Name: "jira", Version: "1.2.0", Hashes: []string{here}, Source: repo.String(), Digest: digest}
	path, err := ensurePinned(ctx, pin, repo.Tag("1.2.0"), CurrentPlatform(), InstallOptions{}, search, cache)
	if err != nil {
		t.Fatal(err)
	}
	if want := mirrorPath(cache, "jira", "1.2.0", CurrentPlatform()); path != want {
		t.Errorf("installed at %s, want %s", path, want)
	}
	if _, err := ensurePinned(ctx, pin, repo.Tag("1.2.0"), "plan9_amd64", InstallOptions{}, search, cache); err != nil {
		t.Fatal(err)
	}
	if len(pin.Hashes) != 2 || !slices.Contains(pin.Hashes, hashBytes([]byte("original plan9_amd64"))) {
		t.Errorf("a platform from the pinned index was not added: %v", pin.Hashes)
	}

	newDigest := push("tampered")
	fresh := t.TempDir()
	pin = &Lock{Name: "jira", Version: "1.2.0", Hashes: []string{here}, Source: repo.String(), Digest: digest}
	_, err = ensurePinned(ctx, pin, repo.Tag("1.2.0"), CurrentPlatform(), InstallOptions{}, search, fresh)
	var mm *digestMismatch
	if !errors.As(err, &mm) {
		t.Fatalf("a binary pushed again under the tag: %v", err)
	}
	for _, want := range []string{here, digest, newDigest, hashBytes([]byte("tampered " + CurrentPlatform())), "slipway init -upgrade"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %s: %v", want, err)
		}
	}
	if _, err := os.Stat(mirrorPath(fresh, "jira", "1.2.0", CurrentPlatform())); !os.IsNotExist(err) {
		t.Errorf("the refused binary was installed: %v", err)
	}
}
