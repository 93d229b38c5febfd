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
	"fmt"

	"slipway.dev/slipway/planner"
	"slipway.dev/slipway/planner/plugins"
)

// InitArgs are init's flags.
type InitArgs struct {
	Upgrade bool
	// Platforms are the platforms (OS_ARCH) besides this one whose
	// provider binaries the lock file must accept too.
	Platforms []string
}

// Init runs `slipway init`: it finds every provider the configuration
// needs, pins each in the lock file and creates nothing else.
func (m *Meta) Init(ctx context.Context, a InitArgs) int {
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	for _, p := range a.Platforms {
		if err := plugins.CheckPlatform(p); err != nil {
			m.View.Error(fmt.Errorf("-platform: %w", err))
			return 1
		}
	}
	old, d := plugins.LoadLocks(m.Dir)
	if a.Upgrade {
		// Every pin is made again: a lock file slipway cannot read is
		// replaced, not a reason to stop.
		old = &plugins.Locks{Providers: map[string]*plugins.Lock{}}
	} else {
		diags = append(diags, d...)
	}
	var st = emptyState()
	if _, _, d := m.sealers(cfg, nil); d.HasErrors() {
		// The state is read only for the providers it alone still
		// needs: without its key, init goes on without it.
		st = m.stateWithoutKey(ctx, cfg, d, &diags)
	} else if b, d := m.backend(cfg); !d.HasErrors() {
		if s, err := b.Read(ctx); err == nil {
			st = s
		}
	} else {
		diags = append(diags, d...)
	}
	search, d := plugins.LoadSearchPath(m.Dir)
	diags = append(diags, d...)
	if diags.HasErrors() {
		m.View.Diagnostics(diags)
		return 1
	}
	m.View.Printf("%s\n\n", m.View.Bold("Initializing provider plugins..."))
	locks, d := plugins.Install(ctx, planner.Requirements(cfg, st), old, plugins.InstallOptions{
		Search: search, Builtins: m.Builtins, SlipwayVersion: m.Version, Upgrade: a.Upgrade, Platforms: a.Platforms, Stderr: m.View.Stderr,
		Report: func(name, version, path string, builtin bool) {
			if builtin {
				m.View.Printf("- %s: built into slipway\n", name)
				return
			}
			m.View.Printf("- %s v%s: %s\n", name, version, path)
		},
	})
	diags = append(diags, d...)
	m.View.Diagnostics(diags)
	if diags.HasErrors() {
		return 1
	}
	if err := locks.Save(m.Dir); err != nil {
		m.View.Error(err)
		return 1
	}
	m.View.Printf("\n%s\n\nslipway recorded the providers' versions and hashes in %s; commit it with your configuration.\nRun \"slipway plan\" to see what slipway would change.\n",
		m.View.Green("slipway has been successfully initialized!"), plugins.LockFileName)
	return 0
}
