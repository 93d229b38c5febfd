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

package state

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"slipway.dev/slipway/lang/addrs"
)

// A JournalStore is where a StoreJournal keeps its records, for a backend
// whose journal is not a local file: the records are journal lines, and
// the store keeps them in the order they were appended.
type JournalStore interface {
	// Append makes records durable after everything appended before:
	// all of them, or, when it fails or its process dies, none.
	Append(ctx context.Context, records []byte) error
	// Load returns every record appended since the last Replace, in
	// order, or nothing when there are none.
	Load(ctx context.Context) ([]byte, error)
	// Replace atomically makes records, which may be empty, the whole
	// journal.
	Replace(ctx context.Context, records []byte) error
}

// StoreJournal is a Journal kept in a JournalStore. Like FileJournal it
// commits in groups: the entries that arrive while an Append is in flight
// share the next one, so a store that costs a round trip per Append is
// asked once per group, not once per entry.
type StoreJournal struct {
	name  string
	store JournalStore

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	queued   uint64 // entries appended to buf so far
	synced   uint64 // entries durable so far
	flushing bool
	err      error // the first failed Append: every later call fails
}

var _ Journal = (*StoreJournal)(nil)

// NewStoreJournal returns the journal kept in store; name says where it is
// in error messages.
func NewStoreJournal(name string, store JournalStore) *StoreJournal {
	j := &StoreJournal{name: name, store: store}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// Begin makes op's intent durable.
func (j *StoreJournal) Begin(ctx context.Context, op Operation) error {
	return j.append(ctx, JournalEntry{Kind: "begin", Time: time.Now(), Operation: op})
}

// End makes a change's outcome durable.
func (j *StoreJournal) End(ctx context.Context, id string, addr addrs.ResourceInstance, now *ResourceInstance) error {
	return j.append(ctx, JournalEntry{Kind: "end", Time: time.Now(), Operation: Operation{ID: id, Addr: addr}, Now: now})
}

// Resolve records that an interrupted change was read back.
func (j *StoreJournal) Resolve(ctx context.Context, id string) error {
	return j.append(ctx, JournalEntry{Kind: "resolve", Time: time.Now(), Operation: Operation{ID: id}})
}

// append adds an entry and returns once it is durable. The first caller to
// find no Append in flight appends everything queued; the others wait for
// it. The Append runs to its end whatever ctx says, as a record half-made
// would help no one.
func (j *StoreJournal) append(ctx context.Context, e JournalEntry) error {
	b, err := encodeEntry(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.buf = append(j.buf, b...)
	j.queued++
	mine := j.queued
	for j.synced < mine && j.err == nil {
		if j.flushing {
			j.cond.Wait()
			continue
		}
		j.flushing = true
		buf, upto := j.buf, j.queued
		j.buf = nil
		j.mu.Unlock()
		werr := j.store.Append(context.WithoutCancel(ctx), buf)
		j.mu.Lock()
		j.flushing = false
		if werr != nil {
			j.err = fmt.Errorf("writing the intent journal %s: %w", j.name, werr)
		} else {
			j.synced = upto
		}
		j.cond.Broadcast()
	}
	return j.err
}

// Entries reads the journal.
func (j *StoreJournal) Entries(ctx context.Context) ([]JournalEntry, error) {
	data, err := j.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the intent journal %s: %w", j.name, err)
	}
	return decodeJournal(j.name, data)
}

// Compact replaces the journal with only the intents that never ended.
func (j *StoreJournal) Compact(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.flushing {
		j.cond.Wait()
	}
	if j.err != nil {
		return j.err
	}
	entries, err := j.Entries(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, p := range Replay(NewState(), entries) {
		b, err := encodeEntry(JournalEntry{Kind: "begin", Time: p.Began, Operation: p.Operation})
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	if err := j.store.Replace(context.WithoutCancel(ctx), buf.Bytes()); err != nil {
		return fmt.Errorf("compacting the intent journal %s: %w", j.name, err)
	}
	return nil
}
