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
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockFileWaitsForTheHolder(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "key.lock")
	held, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}

	// Held: the wait ends with the context, naming the lock.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if f, err := lockFile(ctx, path); err == nil {
		f.Close()
		t.Fatal("took a lock another file holds")
	} else if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting for the lock "+path) {
		t.Fatalf("error %v, want the cancellation while waiting for %s", err, path)
	}

	// Released while waiting: the next poll takes it.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		f, err := lockFile(ctx, path)
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	if err := unlockFile(held); err != nil {
		t.Fatal(err)
	}
	held.Close()
	if err := <-done; err != nil {
		t.Fatalf("lock after the holder let go: %v", err)
	}
}

func TestPushRetryMakesMaxAttempts(t *testing.T) {
	if got := pushRetry.Limit + 1; got != maxAttempts {
		t.Errorf("pushRetry allows %d attempts, the messages say %d", got, maxAttempts)
	}
}
