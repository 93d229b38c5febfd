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

package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
	"slipway.dev/slipway/state/statetest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	t.Run("PATH.d", func(t *testing.T) {
		t.Parallel()
		statetest.TestStore(t, func(t *testing.T) state.Store { return local.NewStore(newPath(t), local.Options{}) })
	})
	t.Run("WorkspaceDir", func(t *testing.T) {
		t.Parallel()
		statetest.TestStore(t, func(t *testing.T) state.Store {
			dir := t.TempDir()
			return local.NewStore(filepath.Join(dir, "main.slipstate"), local.Options{WorkspaceDir: filepath.Join(dir, "envs")})
		})
	})
}

// The Backend of a workspace other than the default one is a Backend like
// any other.
func TestConformanceWorkspace(t *testing.T) {
	t.Parallel()
	t.Run("PATH.d", func(t *testing.T) {
		t.Parallel()
		statetest.TestBackend(t, func(t *testing.T) state.Backend {
			b, err := local.NewStore(newPath(t), local.Options{}).Backend("staging")
			if err != nil {
				t.Fatal(err)
			}
			return b
		})
	})
	t.Run("WorkspaceDir", func(t *testing.T) {
		t.Parallel()
		statetest.TestBackend(t, func(t *testing.T) state.Backend {
			dir := t.TempDir()
			b, err := local.NewStore(filepath.Join(dir, "s"), local.Options{WorkspaceDir: filepath.Join(dir, "w")}).Backend("prod-1")
			if err != nil {
				t.Fatal(err)
			}
			return b
		})
	})
}

// The default workspace's state stays where it always was; the others
// are in PATH.d/NAME, or WORKSPACE_DIR/NAME, each with its own backup,
// journal and lock file.
func TestStorePaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, state.DefaultLocalPath)
	for _, tc := range []struct {
		opts local.Options
		want map[string]string
	}{
		{local.Options{}, map[string]string{
			state.DefaultWorkspace: path,
			"staging":              filepath.Join(dir, state.DefaultLocalPath+".d", "staging", state.DefaultLocalPath),
		}},
		{local.Options{WorkspaceDir: filepath.Join(dir, "envs")}, map[string]string{
			state.DefaultWorkspace: path,
			"prod":                 filepath.Join(dir, "envs", "prod", state.DefaultLocalPath),
		}},
	} {
		s := local.NewStore(path, tc.opts)
		for name, want := range tc.want {
			b, err := s.Backend(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.(*local.Backend).Path(); got != want {
				t.Errorf("workspace %s is at %s, want %s", name, got, want)
			}
			id, err := b.Lock(ctx, state.NewLockInfo("apply"))
			if err != nil {
				t.Fatalf("Lock of %s: %v", name, err)
			}
			st := statetest.Sample()
			st.Lineage = name
			if err := b.Write(ctx, st); err != nil {
				t.Fatalf("Write to %s: %v", name, err)
			}
			if err := b.Unlock(ctx, id); err != nil {
				t.Fatal(err)
			}
			// A second process's first write backs up what it replaces.
			again, _ := local.NewStore(path, tc.opts).Backend(name)
			st.Outputs["again"] = st.Outputs["url"]
			if err := again.Write(ctx, st); err != nil {
				t.Fatalf("Write to %s: %v", name, err)
			}
			for _, f := range []string{want, want + ".backup", want + ".lock"} {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("workspace %s: %v", name, err)
				}
			}
		}
	}
}

// DeleteWorkspace refuses while another process holds the workspace's
// lock, naming it, and removes the workspace's directory once free.
func TestStoreDeleteLockedByAnotherProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := newPath(t)
	s := local.NewStore(path, local.Options{})
	b, _ := s.Backend("busy")
	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	wsPath := b.(*local.Backend).Path()
	child, info := startHolder(t, wsPath)
	err := s.DeleteWorkspace(ctx, "busy")
	var le *state.LockedError
	if !errors.As(err, &le) || le.Info == nil || le.Info.ID != info.ID || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("DeleteWorkspace while another process holds the lock = %v, want a LockedError naming its holder", err)
	}
	if _, err := os.Stat(wsPath); err != nil {
		t.Fatalf("a refused DeleteWorkspace removed the state: %v", err)
	}
	child.Process.Kill()
	child.Wait()
	if err := s.DeleteWorkspace(ctx, "busy"); err != nil {
		t.Fatalf("DeleteWorkspace once the holder died: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(wsPath)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the workspace's directory is still there: %v", err)
	}
	if err := s.DeleteWorkspace(ctx, "busy"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("DeleteWorkspace of a deleted workspace = %v, want does not exist", err)
	}
}
