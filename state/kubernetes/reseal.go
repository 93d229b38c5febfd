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
	"context"
	"fmt"

	"slipway.dev/slipway/state"
)

var _ state.Resealer = (*Backend)(nil)

// Reseal stores the workspace's state and journal again, sealed by the
// Store's Sealer as it now is (state.Resealer): the state as a new
// generation of the same serial, with its digest in the pointer sealed
// anew, and the journal as one base record that replaces its records.
// It opens the state, its digest and every journal record before it
// writes anything, so a key that cannot open one of them changes
// nothing. Like Write, it refuses once a lock taken through the Backend
// is lost, and finishes what it starts whatever ctx says.
func (b *Backend) Reseal(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.lockLost(); err != nil {
		return fmt.Errorf("storing the state again: %w; nothing was written", err)
	}
	p, plain, err := b.current(ctx)
	if err != nil {
		return fmt.Errorf("reading state from %s: %w", b.where(), err)
	}
	if p != nil {
		if _, err := b.decode(p, plain); err != nil {
			return err
		}
		// The digest is made again from the document; opening the one
		// stored shows that the key opens it too.
		if b.s.sealer != nil {
			if _, err := b.s.sealer.Open(p.digest); err != nil {
				return fmt.Errorf("reading state from %s: its digest cannot be decrypted: %w", b.where(), err)
			}
		}
	}
	j := b.jstore
	j.mu.Lock()
	defer j.mu.Unlock()
	records, n, err := j.load(ctx)
	if err != nil {
		return fmt.Errorf("reading the intent journal in %s: %w", b.journalWhere(), err)
	}
	if p != nil {
		if err := b.put(ctx, p, plain, p.serial, p.lineage); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	if err := b.lockLost(); err != nil {
		return fmt.Errorf("storing the intent journal again: %w; the state is stored again, the journal is as it was", err)
	}
	if err := j.replace(ctx, records); err != nil {
		return fmt.Errorf("storing the intent journal again: %w; the state is stored again, the journal is as it was", err)
	}
	return nil
}
