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
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"slipway.dev/slipway/state"
)

// Backend is one workspace's state in a Store. Its methods may be called
// from several goroutines.
type Backend struct {
	s  *Store
	ws string

	writeMu sync.Mutex // one Write at a time

	mu    sync.Mutex // guards locks and cleanupErr
	locks map[string]*heldLock
	// cleanupErr is the first failure to remove older generations: what
	// a write leaves behind piles up in etcd until one succeeds, and a
	// Role without deletecollection never lets one (CleanupFailed).
	cleanupErr error

	jstore      *journalStore
	journalOnce sync.Once
	journal     *state.StoreJournal
}

var (
	_ state.Backend   = (*Backend)(nil)
	_ state.Journaled = (*Backend)(nil)
)

// parallel is how many chunk requests a Read or Write has in flight.
const parallel = 4

// readAttempts bounds how often Read starts again because a writer
// replaced the generation it was reading.
const readAttempts = 20

// errChunkGone is a chunk of the generation being read found deleted: a
// newer generation replaced it.
var errChunkGone = errors.New("a chunk of the state was deleted while it was read")

// pointer is what the pointer Secret says.
type pointer struct {
	obj        *corev1.Secret
	generation string
	serial     uint64
	lineage    string
	chunks     int
	size       int
	checksum   string // "sha256:" and the hex digest of the stored bytes
	digest     []byte // the plain document's digest, sealed if a Sealer is set
}

// where names the workspace's state in messages.
func (b *Backend) where() string {
	return fmt.Sprintf("secret %s/%s", b.s.ns, b.s.pointerName(b.ws))
}

// Read returns the stored state, or state.NewState() when there is none.
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	p, plain, err := b.current(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading state from %s: %w", b.where(), err)
	}
	if p == nil {
		return state.NewState(), nil
	}
	return b.decode(p, plain)
}

// current reads the pointer and the plain document of the generation it
// names, or returns a nil pointer when there is no state. A generation
// replaced while it is read is left for the one that replaced it.
func (b *Backend) current(ctx context.Context) (*pointer, []byte, error) {
	for range readAttempts {
		p, err := b.pointer(ctx)
		if err != nil || p == nil {
			return nil, nil, err
		}
		if err := b.s.canOpen(p.obj.Annotations); err != nil {
			return nil, nil, err
		}
		stored, err := b.readGeneration(ctx, p)
		if errors.Is(err, errChunkGone) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		plain, err := b.s.openDecompress(stored)
		if err != nil {
			return nil, nil, err
		}
		return p, plain, nil
	}
	return nil, nil, fmt.Errorf("the state was replaced %d times while it was read; try again when fewer writes run", readAttempts)
}

// decode decodes the document plain of the generation p names, and checks
// that it holds the serial p says.
func (b *Backend) decode(p *pointer, plain []byte) (*state.State, error) {
	s, err := state.Decode(plain)
	if fe := (*state.FileError)(nil); errors.As(err, &fe) {
		fe.Name = b.where()
	}
	if err != nil {
		return nil, err
	}
	if s.Serial != p.serial {
		return nil, fmt.Errorf("reading state from %s: the pointer names serial %d, but generation %s holds serial %d", b.where(), p.serial, p.generation, s.Serial)
	}
	return s, nil
}

// pointer reads the pointer Secret, or returns nil when there is none.
func (b *Backend) pointer(ctx context.Context) (*pointer, error) {
	sec, err := b.s.client.CoreV1().Secrets(b.s.ns).Get(ctx, b.s.pointerName(b.ws), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parsePointer(sec)
}

func parsePointer(sec *corev1.Secret) (*pointer, error) {
	a := sec.Annotations
	p := &pointer{obj: sec, generation: a[annGeneration], lineage: a[annLineage], checksum: a[annChecksum], digest: sec.Data["digest"]}
	var errs []error
	var err error
	if p.serial, err = strconv.ParseUint(a[annSerial], 10, 64); err != nil {
		errs = append(errs, fmt.Errorf("serial: %w", err))
	}
	if p.chunks, err = strconv.Atoi(a[annChunks]); err != nil || p.chunks < 1 || p.chunks > maxChunks {
		// Bounded: the count sizes what the read allocates.
		errs = append(errs, fmt.Errorf("chunks %q is not a count from 1 to %d", a[annChunks], maxChunks))
	}
	if p.size, err = strconv.Atoi(a[annSize]); err != nil || p.size < 0 {
		errs = append(errs, fmt.Errorf("size %q is not a byte count", a[annSize]))
	}
	if p.generation == "" || p.checksum == "" {
		errs = append(errs, errors.New("no generation or checksum"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("the state pointer %s/%s is damaged: %w", sec.Namespace, sec.Name, errors.Join(errs...))
	}
	return p, nil
}

// readGeneration reads and joins the chunks p names, and checks them.
func (b *Backend) readGeneration(ctx context.Context, p *pointer) ([]byte, error) {
	chunks := make([][]byte, p.chunks)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i := range chunks {
		g.Go(func() error {
			name := b.s.chunkName(b.ws, p.generation, i)
			sec, err := b.s.client.CoreV1().Secrets(b.s.ns).Get(gctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return errChunkGone
			}
			if err != nil {
				return err
			}
			data := sec.Data["chunk"]
			if sum := checksum(data); sum != sec.Annotations[annChecksum] {
				return fmt.Errorf("chunk %s is damaged: its checksum is %s, its annotation says %s", name, sum, sec.Annotations[annChecksum])
			}
			chunks[i] = data
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	stored := bytes.Join(chunks, nil)
	if sum := checksum(stored); len(stored) != p.size || sum != p.checksum {
		return nil, fmt.Errorf("generation %s is damaged: %d bytes with checksum %s, the pointer says %d bytes with %s", p.generation, len(stored), sum, p.size, p.checksum)
	}
	return stored, nil
}

// Write stores s as the state.Backend contract says: the chunks of a new
// generation, then the pointer, then the removal of older generations.
// Like the local backend, it finishes what it starts whatever ctx says.
func (b *Backend) Write(ctx context.Context, s *state.State) error {
	ctx = context.WithoutCancel(ctx)
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.lockLost(); err != nil {
		return fmt.Errorf("writing state: %w; nothing was written", err)
	}
	p, err := b.pointer(ctx)
	if err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	c := *s
	c.Serial = 0 // what nothing stored counts as; the caller's serial is never used
	if p != nil {
		if err := b.s.canOpen(p.obj.Annotations); err != nil {
			return fmt.Errorf("writing state: will not replace the state in %s: %w", b.where(), err)
		}
		c.Serial = p.serial
		plain, err := state.Encode(&c)
		if err != nil {
			return err
		}
		same, err := b.sameDigest(p, plain)
		if err != nil {
			return fmt.Errorf("writing state: will not replace %s: %w", b.where(), err)
		}
		if same {
			s.Serial = c.Serial
			return nil
		}
	}
	c.Serial++
	plain, err := state.Encode(&c)
	if err != nil {
		return err
	}
	if err := b.put(ctx, p, plain, c.Serial, c.Lineage); err != nil {
		return err
	}
	s.Serial = c.Serial
	return nil
}

var _ state.SerialWriter = (*Backend)(nil)

// WriteSerial stores s with its own serial, for a state moved here from
// another backend (state.SerialWriter). It writes as Write does, and
// refuses, writing nothing, what state.CheckReplace refuses; it reads the
// stored state for that, so it costs a Read more than a Write.
func (b *Backend) WriteSerial(ctx context.Context, s *state.State) error {
	ctx = context.WithoutCancel(ctx)
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.lockLost(); err != nil {
		return fmt.Errorf("writing state: %w; nothing was written", err)
	}
	p, stored, err := b.current(ctx)
	if err != nil {
		return fmt.Errorf("writing state: will not replace the state in %s: %w", b.where(), err)
	}
	plain, err := state.Encode(s)
	if err != nil {
		return err
	}
	if p != nil {
		old, err := b.decode(p, stored)
		if err != nil {
			return fmt.Errorf("writing state: will not replace the state in %s: %w", b.where(), err)
		}
		if err := state.CheckReplace(old, s); err != nil {
			if ce := (*state.SerialConflictError)(nil); errors.As(err, &ce) {
				ce.Workspace = b.ws
			}
			return err
		}
		if bytes.Equal(plain, stored) {
			return nil // stored already
		}
	}
	return b.put(ctx, p, plain, s.Serial, s.Lineage)
}

// put stores the state document plain, of serial and lineage, as a new
// generation and makes it the state, on condition that the pointer is
// still p (nil: that there is none): the chunks first, then, if the API
// server confirms that the lock is still this process's, the pointer,
// then the removal of older generations. Write, WriteSerial and Reseal
// store through it.
func (b *Backend) put(ctx context.Context, p *pointer, plain []byte, serial uint64, lineage string) error {
	g, err := b.seal(plain)
	if err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	g.name, g.serial, g.lineage = newGeneration(), serial, lineage
	if g.chunks, err = b.writeChunks(ctx, g.name, serial, g.stored); err != nil {
		b.deleteGeneration(ctx, g.name)
		return fmt.Errorf("writing state to %s: %w; the stored state is unchanged", b.where(), err)
	}
	// Make sure, asking the API server, that the lock is still this
	// process's before the state changes hands: a renewal may be a third
	// of the lease duration away, and the Lease may have been deleted and
	// taken by another process since the last one.
	if err := b.confirmLock(ctx); err != nil {
		b.deleteGeneration(ctx, g.name)
		return fmt.Errorf("writing state: %w; nothing was written", err)
	}
	if err := b.switchPointer(ctx, p, g); err != nil {
		if !errors.Is(err, errPointerUnknown) {
			b.deleteGeneration(ctx, g.name)
		}
		return err
	}
	// Older generations, and those of writers that died mid-write, go
	// now; what is left when this fails goes with the next write.
	if err := b.s.client.CoreV1().Secrets(b.s.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: b.s.selector(b.ws, roleChunk, labelGeneration+"!="+g.name, fmt.Sprintf("%s<%d", labelSerial, serial+1)),
	}); err != nil {
		b.mu.Lock()
		if b.cleanupErr == nil {
			b.cleanupErr = err
		}
		b.mu.Unlock()
	}
	if p != nil && p.serial > serial {
		// WriteSerial over an empty state of a higher serial: that
		// generation is above the line the cleanup draws, but no
		// pointer names it any more.
		b.deleteGeneration(ctx, p.generation)
	}
	return nil
}

// writeChunks creates the chunks of generation gen and says how many.
func (b *Backend) writeChunks(ctx context.Context, gen string, serial uint64, stored []byte) (int, error) {
	pieces := split(stored, b.s.chunkSize)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, piece := range pieces {
		g.Go(func() error {
			l := b.s.labels(b.ws, roleChunk)
			l[labelGeneration], l[labelSerial], l[labelChunk] = gen, strconv.FormatUint(serial, 10), strconv.Itoa(i)
			immutable := true
			_, err := b.s.client.CoreV1().Secrets(b.s.ns).Create(gctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{
					Name:        b.s.chunkName(b.ws, gen, i),
					Labels:      l,
					Annotations: map[string]string{annChecksum: checksum(piece)},
				},
				Type:      secretType,
				Immutable: &immutable,
				Data:      map[string][]byte{"chunk": piece},
			}, metav1.CreateOptions{})
			return err
		})
	}
	return len(pieces), g.Wait()
}

// switchPointer makes generation g the state, on condition that the
// pointer is still old (nil: that there is none).
func (b *Backend) switchPointer(ctx context.Context, old *pointer, g *generation) error {
	secrets := b.s.client.CoreV1().Secrets(b.s.ns)
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: b.s.pointerName(b.ws), Labels: b.s.labels(b.ws, rolePointer)},
		Type:       secretType,
	}
	if old != nil {
		sec = old.obj.DeepCopy() // keeps its resourceVersion: the update is conditional on it
	}
	sec.Annotations = markSealed(map[string]string{
		annGeneration: g.name,
		annSerial:     strconv.FormatUint(g.serial, 10),
		annLineage:    g.lineage,
		annChunks:     strconv.Itoa(g.chunks),
		annSize:       strconv.Itoa(len(g.stored)),
		annChecksum:   checksum(g.stored),
	}, g.sealed)
	sec.Data = map[string][]byte{"digest": g.digest}
	var err error
	if old == nil {
		_, err = secrets.Create(ctx, sec, metav1.CreateOptions{})
	} else {
		_, err = secrets.Update(ctx, sec, metav1.UpdateOptions{})
	}
	if apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("writing state to %s: another process wrote the state while this write ran, so this one wrote nothing; "+
			"writes that may overlap must hold the state lock (do not use -lock=false)", b.where())
	}
	if err != nil {
		// A timeout or a reset connection says nothing of whether the
		// update landed (client-go does not retry it): ask. Deleting the
		// new generation when the pointer names it would leave a state
		// that no read can complete.
		cur, gerr := secrets.Get(ctx, sec.Name, metav1.GetOptions{})
		switch {
		case gerr == nil && cur.Annotations[annGeneration] == g.name:
			return nil
		case gerr == nil || apierrors.IsNotFound(gerr):
			return fmt.Errorf("writing state to %s: %w; the stored state is unchanged", b.where(), err)
		}
		return fmt.Errorf("writing state to %s: %w, and whether it was written cannot be told (%v): %w; run slipway plan to see which state is stored", b.where(), err, gerr, errPointerUnknown)
	}
	return nil
}

// CleanupFailed says why a write of this Backend could not remove the
// generations the state no longer names, or nil when every one could. The
// write itself succeeded; what is left is removed by the next write that
// can, and piles up in etcd until then.
func (b *Backend) CleanupFailed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cleanupErr == nil {
		return nil
	}
	return fmt.Errorf("the older state in %s could not be removed (%w); it piles up in etcd until a write can remove it: the Role slipway uses needs deletecollection on secrets in the namespace", b.where(), b.cleanupErr)
}

// errPointerUnknown is wrapped by switchPointer's error when the update
// of the pointer failed in a way that does not say whether it landed, and
// asking failed too: the new generation is kept, since the pointer may
// name it (an older one is removed by the next write).
var errPointerUnknown = errors.New("the state's pointer may name the new state")

// deleteGeneration removes what a failed Write created, as far as it can;
// the next Write removes the rest.
func (b *Backend) deleteGeneration(ctx context.Context, gen string) {
	b.s.client.CoreV1().Secrets(b.s.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: b.s.selector(b.ws, roleChunk, labelGeneration+"="+gen),
	})
}

// generation is a state document as put stores it.
type generation struct {
	name    string
	serial  uint64
	lineage string
	chunks  int
	stored  []byte // the document compressed, then sealed
	digest  []byte // the document's digest, sealed as stored is
	sealed  bool   // whether the Sealer encrypted stored and digest
}

// seal compresses plain and seals it, and returns the stored bytes and
// the digest of plain as the pointer keeps it.
func (b *Backend) seal(plain []byte) (*generation, error) {
	stored, sealed, err := b.s.compressSeal(plain)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(plain)
	digest := sum[:]
	if b.s.sealer != nil {
		if digest, err = b.s.sealer.Seal(digest); err != nil {
			return nil, fmt.Errorf("encrypting the state: %w", err)
		}
	}
	return &generation{stored: stored, digest: digest, sealed: sealed}, nil
}

// sameDigest says whether the stored document equals plain. It fails when
// the stored digest cannot be opened: a Write with the wrong key must not
// replace a state it cannot read.
func (b *Backend) sameDigest(p *pointer, plain []byte) (bool, error) {
	digest := p.digest
	if b.s.sealer != nil {
		var err error
		if digest, err = b.s.sealer.Open(digest); err != nil {
			return false, fmt.Errorf("the stored state cannot be decrypted: %w", err)
		}
	}
	sum := sha256.Sum256(plain)
	return bytes.Equal(digest, sum[:]), nil
}

// errSealed is stored data that was sealed, read by a Store without a
// Sealer.
var errSealed = errors.New("it is encrypted, and this configuration has no encryption: configure the encryption it was written with")

// markSealed marks in ann an object whose data the Sealer encrypted, so
// that a Store without one can say why it cannot read it, and refuse to
// overwrite it. What a Sealer stores as it is (the unencrypted method,
// as slipway state decrypt uses) is not marked.
func markSealed(ann map[string]string, sealed bool) map[string]string {
	if sealed {
		ann[annSealed] = "true"
	}
	return ann
}

// canOpen says why this Store cannot open the data of an object with
// annotations ann, or nil.
func (s *Store) canOpen(ann map[string]string) error {
	if s.sealer == nil && ann[annSealed] == "true" {
		return errSealed
	}
	return nil
}

// compressSeal gzips plain and seals the result. sealed says whether the
// Sealer changed the bytes: whether they are encrypted.
func (s *Store) compressSeal(plain []byte) (stored []byte, sealed bool, err error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	if err := zw.Close(); err != nil {
		return nil, false, err
	}
	if s.sealer == nil {
		return buf.Bytes(), false, nil
	}
	out, err := s.sealer.Seal(buf.Bytes())
	if err != nil {
		return nil, false, fmt.Errorf("encrypting: %w", err)
	}
	return out, !bytes.Equal(out, buf.Bytes()), nil
}

// openDecompress opens stored bytes and gunzips them.
func (s *Store) openDecompress(stored []byte) ([]byte, error) {
	if s.sealer != nil {
		var err error
		if stored, err = s.sealer.Open(stored); err != nil {
			return nil, fmt.Errorf("decrypting: %w", err)
		}
	} else if state.IsSealed(stored) {
		return nil, errSealed
	}
	plain, err := state.Gunzip(stored)
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	return plain, nil
}

// split cuts b into pieces of at most n bytes; an empty b is one empty
// piece.
func split(b []byte, n int) [][]byte {
	var out [][]byte
	for len(b) > n {
		out = append(out, b[:n])
		b = b[n:]
	}
	return append(out, b)
}

func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// newGeneration returns a random generation name: 16 hex digits.
func newGeneration() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
