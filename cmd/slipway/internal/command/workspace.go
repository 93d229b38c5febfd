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

package command

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"slipway.dev/slipway/state"
)

// WorkspaceEnv names the environment variable that selects the workspace,
// overriding slipway workspace select, as TF_WORKSPACE does for
// Terraform. It is not SLIPWAY_WORKSPACE: pipeline stages are given that
// one as the path of their work directory, and a stage that runs slipway
// must not have its workspace chosen by a path.
const WorkspaceEnv = "SLIPWAY_WORKSPACE_NAME"

// environmentName is the file, in the data directory, that holds the
// selected workspace's name, as .terraform/environment does.
const environmentName = "environment"

// getenv is the value of name in the command's environment.
func (m *Meta) getenv(name string) (string, bool) {
	for i := len(m.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(m.Env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// workspace is the selected workspace: the environment variable's, or
// the one slipway workspace select recorded, or the default one.
func (m *Meta) workspace() (string, error) {
	if v, ok := m.getenv(WorkspaceEnv); ok && v != "" {
		if err := state.ValidWorkspaceName(v); err != nil {
			return "", fmt.Errorf("%s: %w", WorkspaceEnv, err)
		}
		return v, nil
	}
	path := filepath.Join(m.dataDir(), environmentName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return state.DefaultWorkspace, nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the selected workspace: %w", err)
	}
	name := strings.TrimSpace(string(data))
	if name == "" {
		return state.DefaultWorkspace, nil
	}
	if err := state.ValidWorkspaceName(name); err != nil {
		return "", fmt.Errorf("%s: %w; select a workspace with slipway workspace select", path, err)
	}
	return name, nil
}

// workspaceSource says where the selected workspace was chosen.
func (m *Meta) workspaceSource() string {
	if v, ok := m.getenv(WorkspaceEnv); ok && v != "" {
		return "by " + WorkspaceEnv
	}
	return "by slipway workspace select"
}

// selectWorkspace records name as the selected workspace.
func (m *Meta) selectWorkspace(name string) error {
	if err := os.MkdirAll(m.dataDir(), 0o755); err != nil {
		return fmt.Errorf("selecting workspace %q: %w", name, err)
	}
	if err := writeFileAtomic(filepath.Join(m.dataDir(), environmentName), []byte(name+"\n"), 0o644); err != nil {
		return fmt.Errorf("selecting workspace %q: %w", name, err)
	}
	return nil
}

// overridden refuses to change the selection while the environment
// variable makes it, as Terraform does with TF_WORKSPACE.
func (m *Meta) overridden() error {
	if v, ok := m.getenv(WorkspaceEnv); ok && v != "" {
		return fmt.Errorf("the selected workspace is set to %q by the %s environment variable; "+
			"to select another, change that variable, or unset it and run this command again", v, WorkspaceEnv)
	}
	return nil
}

// WorkspaceArgs are the flags of the workspace subcommands.
type WorkspaceArgs struct {
	LockArgs
	Name string
	// OrCreate makes select create a workspace that does not exist.
	OrCreate bool
	// Force makes delete delete a workspace whose state is not empty.
	Force bool
}

// workspaceStore opens the configuration's Store.
func (m *Meta) workspaceStore() (state.Store, bool) {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return nil, false
	}
	s, diags := m.store(cfg)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return nil, false
	}
	return s, true
}

// exists reports whether workspace name has a state in s.
func exists(ctx context.Context, s state.Store, name string) (bool, []string, error) {
	names, err := s.Workspaces(ctx)
	if err != nil {
		return false, nil, err
	}
	return slices.Contains(names, name), names, nil
}

// WorkspaceList runs `slipway workspace list`: every workspace, the
// selected one marked with *.
func (m *Meta) WorkspaceList(ctx context.Context) int {
	s, ok := m.workspaceStore()
	if !ok {
		return 1
	}
	cur, err := m.workspace()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	names, err := s.Workspaces(ctx)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	for _, n := range names {
		mark := " "
		if n == cur {
			mark = "*"
		}
		m.View.Printf("%s %s\n", mark, n)
	}
	return 0
}

// WorkspaceShow runs `slipway workspace show`: the selected workspace.
func (m *Meta) WorkspaceShow() int {
	cur, err := m.workspace()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s\n", cur)
	return 0
}

// selectable checks what new and select share before they change the
// selection: that no environment variable overrides it, and that name can
// name a workspace. It returns the Store, or reports and returns false.
func (m *Meta) selectable(name string) (state.Store, bool) {
	if err := m.overridden(); err != nil {
		m.View.Error(err)
		return nil, false
	}
	if err := state.ValidWorkspaceName(name); err != nil {
		m.View.Error(err)
		return nil, false
	}
	return m.workspaceStore()
}

// WorkspaceNew runs `slipway workspace new NAME`: it writes an empty state
// of a new lineage to the workspace, then selects it.
func (m *Meta) WorkspaceNew(ctx context.Context, a WorkspaceArgs) int {
	s, ok := m.selectable(a.Name)
	if !ok {
		return 1
	}
	if found, _, err := exists(ctx, s, a.Name); err != nil || found {
		if err == nil {
			err = fmt.Errorf("workspace %q already exists; select it with slipway workspace select %s", a.Name, a.Name)
		}
		m.View.Error(err)
		return 1
	}
	if !m.createWorkspace(ctx, s, a) {
		return 1
	}
	m.View.Printf("%s\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"slipway plan\" slipway will not see any existing state\nfor this configuration.\n",
		m.View.Green(fmt.Sprintf("Created and switched to workspace %q!", a.Name)))
	return 0
}

// createWorkspace writes an empty state to workspace a.Name, under its
// lock, and selects it.
func (m *Meta) createWorkspace(ctx context.Context, s state.Store, a WorkspaceArgs) bool {
	b, err := s.Backend(a.Name)
	if err != nil {
		m.View.Error(err)
		return false
	}
	unlock, err := m.lock(ctx, b, a.LockArgs, "workspace new")
	if err != nil {
		m.View.Error(err)
		return false
	}
	defer unlock()
	// Another process may have made it meanwhile: keep what it wrote.
	if found, _, err := exists(ctx, s, a.Name); err != nil || !found {
		if err == nil {
			err = b.Write(ctx, state.NewState())
		}
		if err != nil {
			m.View.Error(fmt.Errorf("creating workspace %q: %w", a.Name, err))
			return false
		}
	}
	if err := m.selectWorkspace(a.Name); err != nil {
		m.View.Error(err)
		return false
	}
	return true
}

// WorkspaceSelect runs `slipway workspace select NAME`.
func (m *Meta) WorkspaceSelect(ctx context.Context, a WorkspaceArgs) int {
	s, ok := m.selectable(a.Name)
	if !ok {
		return 1
	}
	found, names, err := exists(ctx, s, a.Name)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if !found {
		if !a.OrCreate {
			m.View.Error(fmt.Errorf("workspace %q does not exist (there are %s).\n\nCreate it with slipway workspace new %s, or run slipway workspace select -or-create %s",
				a.Name, strings.Join(names, ", "), a.Name, a.Name))
			return 1
		}
		if !m.createWorkspace(ctx, s, a) {
			return 1
		}
		m.View.Printf("%s\n", m.View.Green(fmt.Sprintf("Created and switched to workspace %q!", a.Name)))
		return 0
	}
	if err := m.selectWorkspace(a.Name); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s\n", m.View.Green(fmt.Sprintf("Switched to workspace %q.", a.Name)))
	return 0
}

// WorkspaceDelete runs `slipway workspace delete NAME`. It refuses the
// selected workspace, and one whose state holds anything unless -force.
func (m *Meta) WorkspaceDelete(ctx context.Context, a WorkspaceArgs) int {
	if err := state.ValidWorkspaceName(a.Name); err != nil {
		m.View.Error(err)
		return 1
	}
	if a.Name == state.DefaultWorkspace {
		m.View.Error(fmt.Errorf("the %q workspace cannot be deleted", state.DefaultWorkspace))
		return 1
	}
	cur, err := m.workspace()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if a.Name == cur {
		m.View.Error(fmt.Errorf("workspace %q is the selected workspace (%s), which cannot be deleted; select another workspace and try again", a.Name, m.workspaceSource()))
		return 1
	}
	s, ok := m.workspaceStore()
	if !ok {
		return 1
	}
	found, _, err := exists(ctx, s, a.Name)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	if !found {
		m.View.Error(fmt.Errorf("workspace %q does not exist", a.Name))
		return 1
	}
	b, err := s.Backend(a.Name)
	if err != nil {
		m.View.Error(err)
		return 1
	}
	// The state is judged under the lock; DeleteWorkspace takes the lock
	// again, without waiting, once it is released here.
	unlock, err := m.lock(ctx, b, a.LockArgs, "workspace delete")
	if err != nil {
		m.View.Error(err)
		return 1
	}
	st, pending, err := readJournaled(ctx, b)
	unlock()
	if err != nil {
		m.View.Error(err)
		return 1
	}
	nonEmpty := !st.Empty() || len(pending) > 0
	if nonEmpty && !a.Force {
		m.View.Error(fmt.Errorf("workspace %q is not empty: its state holds %s.\n\n"+
			"Deleting it would leave what it manages behind, no longer managed by slipway. "+
			"Destroy that first (slipway workspace select %s, then slipway destroy), "+
			"or delete the workspace anyway with -force",
			a.Name, contents(st, pending), a.Name))
		return 1
	}
	if err := s.DeleteWorkspace(ctx, a.Name); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("%s\n", m.View.Green(fmt.Sprintf("Deleted workspace %q!", a.Name)))
	if nonEmpty {
		m.View.Eprintf("\nWarning: workspace %q was not empty. What its state managed may still exist, and slipway no longer manages it.\n", a.Name)
	}
	return 0
}

// contents says what a state holds, for people.
func contents(st *state.State, pending []state.Pending) string {
	var parts []string
	add := func(n int, one, many string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, pick(n, one, many)))
		}
	}
	add(len(st.Resources), "resource instance", "resource instances")
	add(len(pending), "interrupted change", "interrupted changes")
	add(len(st.Outputs), "output", "outputs")
	if len(parts) == 0 {
		return "records of earlier runs"
	}
	return strings.Join(parts, ", ")
}
