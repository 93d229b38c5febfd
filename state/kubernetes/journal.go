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
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"slipway.dev/slipway/state"
)

// Journal is the workspace's intent journal, kept in Secrets beside its
// state: one record per group commit, so a crash is recovered from the
// cluster, whichever machine runs next.
func (b *Backend) Journal() state.Journal {
	b.journalOnce.Do(func() {
		b.journal = state.NewStoreJournal("in "+b.journalWhere(), b.jstore)
	})
	return b.journal
}

// journalWhere names the workspace's journal in messages.
func (b *Backend) journalWhere() string {
	return fmt.Sprintf("secrets %s/slipway-journal.%s.%s.*", b.s.ns, b.ws, b.s.suffix)
}

// journalStore keeps a journal in Secrets. Each Append is a new record,
// numbered one above the highest there is: compressed, sealed when a
// Sealer is set, and cut into parts when it is larger than a Secret holds.
// A record counts only when all its parts exist, so an Append that died
// half-way counts as none. Replace writes a base record, which hides every
// record before it, and then deletes those.
type journalStore struct {
	b *Backend

	mu    sync.Mutex // one write at a time; guards next
	known bool       // next is known
	next  uint64
}

var _ state.JournalStore = (*journalStore)(nil)

// forget makes the next write count the records again: other processes
// may have appended or compacted since it last did.
func (j *journalStore) forget() {
	j.mu.Lock()
	j.known = false
	j.mu.Unlock()
}

// Append writes records as a new record. Like Write, it refuses once a
// lock taken through the Backend is lost, and write asks the API server
// whether it still is before the part that makes the record count.
func (j *journalStore) Append(ctx context.Context, records []byte) error {
	if err := j.b.lockLost(); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err := j.write(ctx, records, false)
	return err
}

// Replace writes records as a base record and deletes the records before
// it; an empty base goes too, once nothing is left before it.
func (j *journalStore) Replace(ctx context.Context, records []byte) error {
	if err := j.b.lockLost(); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.replace(ctx, records)
}

// replace is Replace, with j.mu held.
func (j *journalStore) replace(ctx context.Context, records []byte) error {
	seq, err := j.write(ctx, records, true)
	if err != nil {
		return err
	}
	secrets := j.b.s.client.CoreV1().Secrets(j.b.s.ns)
	err = secrets.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: j.b.s.selector(j.b.ws, roleJournal, fmt.Sprintf("%s<%d", labelSeq, seq)),
	})
	if err != nil || len(records) > 0 {
		// The base hides what is left; the next Replace removes it.
		return nil
	}
	return secrets.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: j.b.s.selector(j.b.ws, roleJournal, labelSeq+"="+strconv.FormatUint(seq, 10)),
	})
}

// write creates a record holding records and returns its number. Before
// the record's last part, which makes it count, it confirms that a lock
// the Backend holds is still its own (one read of the Lease), so that a
// holder whose lock was lost since its last renewal adds nothing to the
// journal of the process that holds it now.
func (j *journalStore) write(ctx context.Context, records []byte, base bool) (uint64, error) {
	stored, sealed, err := j.b.s.compressSeal(records)
	if err != nil {
		return 0, err
	}
	parts := split(stored, j.b.s.chunkSize)
	secrets := j.b.s.client.CoreV1().Secrets(j.b.s.ns)
	for range tryAttempts {
		if !j.known {
			_, next, err := j.list(ctx)
			if err != nil {
				return 0, err
			}
			j.next, j.known = next, true
		}
		seq := j.next
		taken := false
		for i, part := range parts {
			if i == len(parts)-1 {
				if err := j.b.confirmLock(ctx); err != nil {
					if i > 0 {
						j.discard(ctx, seq)
					}
					return 0, err
				}
			}
			l := j.b.s.labels(j.b.ws, roleJournal)
			l[labelSeq], l[labelPart] = strconv.FormatUint(seq, 10), strconv.Itoa(i)
			ann := markSealed(map[string]string{annParts: strconv.Itoa(len(parts)), annChecksum: checksum(part)}, sealed)
			if base {
				ann[annBase] = "true"
			}
			immutable := true
			_, err := secrets.Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: j.b.s.journalName(j.b.ws, seq, i), Labels: l, Annotations: ann},
				Type:       secretType,
				Immutable:  &immutable,
				Data:       map[string][]byte{"records": part},
			}, metav1.CreateOptions{})
			if i == 0 && apierrors.IsAlreadyExists(err) {
				// Another process appended: count again.
				j.known, taken = false, true
				break
			}
			if err != nil {
				// Parts made so far count for nothing without the rest;
				// remove them if we can.
				j.discard(ctx, seq)
				return 0, err
			}
		}
		if !taken {
			j.next = seq + 1
			return seq, nil
		}
	}
	return 0, fmt.Errorf("other processes kept appending to the journal at the same time")
}

// discard deletes the parts of record seq that write made, as far as it
// can.
func (j *journalStore) discard(ctx context.Context, seq uint64) {
	j.b.s.client.CoreV1().Secrets(j.b.s.ns).DeleteCollection(context.WithoutCancel(ctx), metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: j.b.s.selector(j.b.ws, roleJournal, labelSeq+"="+strconv.FormatUint(seq, 10)),
	})
}

// Load returns the records from the last base on, in order.
func (j *journalStore) Load(ctx context.Context) ([]byte, error) {
	data, _, err := j.load(ctx)
	return data, err
}

// load is Load, and says how many records there are, whole ones before
// the last base included.
func (j *journalStore) load(ctx context.Context) ([]byte, int, error) {
	recs, _, err := j.list(ctx)
	if err != nil {
		return nil, 0, err
	}
	from := 0
	for i, r := range recs {
		if r.base {
			from = i
		}
	}
	var out bytes.Buffer
	for _, r := range recs[from:] {
		if r.sealed && j.b.s.sealer == nil {
			return nil, 0, fmt.Errorf("journal record %d: %w", r.seq, errSealed)
		}
		plain, err := j.b.s.openDecompress(bytes.Join(r.parts, nil))
		if err != nil {
			return nil, 0, fmt.Errorf("journal record %d: %w", r.seq, err)
		}
		out.Write(plain)
	}
	return out.Bytes(), len(recs), nil
}

// record is one journal record with all its parts.
type record struct {
	seq    uint64
	base   bool
	sealed bool
	parts  [][]byte
}

// list returns the whole records, sorted by number, and the number above
// every record's, whole or not. A record missing a part is left out: its
// Append never finished.
func (j *journalStore) list(ctx context.Context) (recs []record, next uint64, err error) {
	list, err := j.b.s.client.CoreV1().Secrets(j.b.s.ns).List(ctx, metav1.ListOptions{LabelSelector: j.b.s.selector(j.b.ws, roleJournal)})
	if err != nil {
		return nil, 0, err
	}
	bySeq := map[uint64]*record{}
	for _, sec := range list.Items {
		seq, err1 := strconv.ParseUint(sec.Labels[labelSeq], 10, 64)
		part, err2 := strconv.Atoi(sec.Labels[labelPart])
		n, err3 := strconv.Atoi(sec.Annotations[annParts])
		// n sizes the record's parts: no more than the Secrets listed.
		if err1 != nil || err2 != nil || err3 != nil || n < 1 || n > len(list.Items) || part < 0 || part >= n {
			return nil, 0, fmt.Errorf("journal record %s/%s is damaged: its labels do not say which record and part it is", sec.Namespace, sec.Name)
		}
		data := sec.Data["records"]
		if sum := checksum(data); sum != sec.Annotations[annChecksum] {
			return nil, 0, fmt.Errorf("journal record %s/%s is damaged: its checksum is %s, its annotation says %s", sec.Namespace, sec.Name, sum, sec.Annotations[annChecksum])
		}
		next = max(next, seq+1)
		r := bySeq[seq]
		if r == nil {
			r = &record{seq: seq, parts: make([][]byte, n)}
			bySeq[seq] = r
		}
		if len(r.parts) != n {
			return nil, 0, fmt.Errorf("journal record %d is damaged: its parts disagree on how many there are", seq)
		}
		r.parts[part] = data
		r.base = r.base || sec.Annotations[annBase] == "true"
		r.sealed = r.sealed || sec.Annotations[annSealed] == "true"
	}
	for _, r := range bySeq {
		if !slices.ContainsFunc(r.parts, func(p []byte) bool { return p == nil }) {
			recs = append(recs, *r)
		}
	}
	slices.SortFunc(recs, func(a, b record) int { return cmp.Compare(a.seq, b.seq) })
	return recs, next, nil
}
