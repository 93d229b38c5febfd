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

package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

var errHeld = errors.New("held")

// Holder says who holds a concurrency slot; it is written into the slot
// file so that a waiting run can say whom it waits for.
type Holder struct {
	Pipeline string    `json:"pipeline"`
	Run      int       `json:"run"`
	Dir      string    `json:"dir"`
	Who      string    `json:"who"`
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Since    time.Time `json:"since"`
}

func (h Holder) String() string {
	s := fmt.Sprintf("%s run #%d (pid %d", h.Pipeline, h.Run, h.PID)
	if h.Who != "" {
		s += ", " + h.Who
	}
	if h.Host != "" {
		s += "@" + h.Host
	}
	if h.Dir != "" {
		s += ", in " + h.Dir
	}
	if !h.Since.IsZero() {
		s += ", since " + h.Since.Format(time.RFC3339)
	}
	return s + ")"
}

// DefaultLockDir is where concurrency slots live: one directory per
// machine and user, shared by every slipway process.
func DefaultLockDir() (string, error) {
	if d := os.Getenv("SLIPWAY_CONCURRENCY_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "slipway", "concurrency"), nil
}

// Acquire takes one of limit slots of group under dir, waiting (and
// calling waiting every so often with whom it waits for) until one is
// free or ctx ends. The returned function frees the slot.
func Acquire(ctx context.Context, dir, group string, limit int, h Holder, waiting func(holders []Holder)) (func(), error) {
	if limit < 1 {
		return nil, fmt.Errorf("concurrency group %q: limit must be at least 1, not %d", group, limit)
	}
	sum := sha256.Sum256([]byte(group))
	gdir := filepath.Join(dir, safeName(group)+"-"+hex.EncodeToString(sum[:])[:12])
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		return nil, fmt.Errorf("concurrency group %q: %w", group, err)
	}
	// Free slots are looked for every 250ms or a little more; the jitter
	// keeps runs waiting for one group from looking all at once.
	poll := wait.Backoff{Duration: 250 * time.Millisecond, Jitter: 0.2}
	var (
		release    func()
		failed     error
		lastReport time.Time
	)
	err := poll.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		release, failed = takeSlot(gdir, group, limit, h)
		if release != nil || failed != nil {
			return true, nil
		}
		if waiting != nil && time.Since(lastReport) >= 10*time.Second {
			lastReport = time.Now()
			waiting(holders(gdir, limit))
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for concurrency group %q (limit %d): %w", group, limit, err)
	}
	return release, failed
}

// takeSlot takes the first free slot of a group directory, returning how
// to free it, or nil when every slot is held.
func takeSlot(gdir, group string, limit int, h Holder) (func(), error) {
	for i := 0; i < limit; i++ {
		path := filepath.Join(gdir, fmt.Sprintf("slot-%d.lock", i))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("concurrency group %q: %w", group, err)
		}
		switch err := tryLock(f); {
		case err == nil:
			b, _ := json.Marshal(h)
			f.Truncate(0)
			f.WriteAt(append(b, '\n'), 0)
			f.Sync()
			return func() {
				f.Truncate(0)
				unlock(f)
				f.Close()
			}, nil
		case errors.Is(err, errHeld):
			f.Close()
		default:
			f.Close()
			return nil, fmt.Errorf("concurrency group %q: lock %s: %w", group, path, err)
		}
	}
	return nil, nil
}

// holders reads who holds the slots of a group directory.
func holders(gdir string, limit int) []Holder {
	var out []Holder
	for i := 0; i < limit; i++ {
		b, err := os.ReadFile(filepath.Join(gdir, fmt.Sprintf("slot-%d.lock", i)))
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var h Holder
		if json.Unmarshal(b, &h) == nil {
			out = append(out, h)
		}
	}
	return out
}

// safeName keeps letters, digits, '-', '_' and '.', for a readable
// directory name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 40 {
		b = b[:40]
	}
	return string(b)
}
