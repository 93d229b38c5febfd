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
	"io"
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

	mu    sync.Mutex // guards locks
	locks map[string]*heldLock

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
	for range readAttempts {
		p, err := b.pointer(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading state: %w", err)
		}
		if p == nil {
			return state.NewState(), nil
		}
		if err := b.s.canOpen(p.obj.Annotations); err != nil {
			return nil, fmt.Errorf("reading state from %s: %w", b.where(), err)
		}
		stored, err := b.readGeneration(ctx, p)
		if errors.Is(err, errChunkGone) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading state from %s: %w", b.where(), err)
		}
		plain, err := b.unseal(stored)
		if err != nil {
			return nil, fmt.Errorf("reading state from %s: %w", b.where(), err)
		}
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
	return nil, fmt.Errorf("reading state from %s: the state was replaced %d times while it was read; try again when fewer writes run", b.where(), readAttempts)
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
	if p.chunks, err = strconv.Atoi(a[annChunks]); err != nil || p.chunks < 1 {
		errs = append(errs, fmt.Errorf("chunks %q is not a positive count", a[annChunks]))
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
	stored, digest, err := b.seal(plain)
	if err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	gen := newGeneration()
	n, err := b.writeChunks(ctx, gen, c.Serial, stored)
	if err != nil {
		b.deleteGeneration(ctx, gen)
		return fmt.Errorf("writing state to %s: %w; the stored state is unchanged", b.where(), err)
	}
	// The chunks took a while: make sure the lock is still this
	// process's before the state changes hands.
	if err := b.lockLost(); err != nil {
		b.deleteGeneration(ctx, gen)
		return fmt.Errorf("writing state: %w; nothing was written", err)
	}
	if err := b.switchPointer(ctx, p, gen, c.Serial, c.Lineage, n, stored, digest); err != nil {
		b.deleteGeneration(ctx, gen)
		return err
	}
	s.Serial = c.Serial
	// Older generations, and those of writers that died mid-write, go
	// now; what is left when this fails goes with the next Write.
	b.s.client.CoreV1().Secrets(b.s.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: b.s.selector(b.ws, roleChunk, labelGeneration+"!="+gen, fmt.Sprintf("%s<%d", labelSerial, c.Serial+1)),
	})
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

// switchPointer makes generation gen the state, on condition that the
// pointer is still old (nil: that there is none).
func (b *Backend) switchPointer(ctx context.Context, old *pointer, gen string, serial uint64, lineage string, chunks int, stored, digest []byte) error {
	secrets := b.s.client.CoreV1().Secrets(b.s.ns)
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: b.s.pointerName(b.ws), Labels: b.s.labels(b.ws, rolePointer)},
		Type:       secretType,
	}
	if old != nil {
		sec = old.obj.DeepCopy() // keeps its resourceVersion: the update is conditional on it
	}
	sec.Annotations = b.s.markSealed(map[string]string{
		annGeneration: gen,
		annSerial:     strconv.FormatUint(serial, 10),
		annLineage:    lineage,
		annChunks:     strconv.Itoa(chunks),
		annSize:       strconv.Itoa(len(stored)),
		annChecksum:   checksum(stored),
	})
	sec.Data = map[string][]byte{"digest": digest}
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
		return fmt.Errorf("writing state to %s: %w; the stored state is unchanged", b.where(), err)
	}
	return nil
}

// deleteGeneration removes what a failed Write created, as far as it can;
// the next Write removes the rest.
func (b *Backend) deleteGeneration(ctx context.Context, gen string) {
	b.s.client.CoreV1().Secrets(b.s.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{
		LabelSelector: b.s.selector(b.ws, roleChunk, labelGeneration+"="+gen),
	})
}

// seal compresses plain and seals it, and returns the stored bytes and the
// digest of plain as the pointer keeps it.
func (b *Backend) seal(plain []byte) (stored, digest []byte, err error) {
	stored, err = b.s.compressSeal(plain)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(plain)
	digest = sum[:]
	if b.s.sealer != nil {
		if digest, err = b.s.sealer.Seal(digest); err != nil {
			return nil, nil, fmt.Errorf("encrypting the state: %w", err)
		}
	}
	return stored, digest, nil
}

// unseal opens and decompresses stored bytes.
func (b *Backend) unseal(stored []byte) ([]byte, error) {
	return b.s.openDecompress(stored)
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

// markSealed marks in ann what a Store with a Sealer writes, so that one
// without can say why it cannot read it, and refuse to overwrite it.
func (s *Store) markSealed(ann map[string]string) map[string]string {
	if s.sealer != nil {
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

// compressSeal gzips plain and seals the result.
func (s *Store) compressSeal(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if s.sealer == nil {
		return buf.Bytes(), nil
	}
	sealed, err := s.sealer.Seal(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("encrypting: %w", err)
	}
	return sealed, nil
}

// openDecompress opens stored bytes and gunzips them.
func (s *Store) openDecompress(stored []byte) ([]byte, error) {
	if s.sealer != nil {
		var err error
		if stored, err = s.sealer.Open(stored); err != nil {
			return nil, fmt.Errorf("decrypting: %w", err)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(stored))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	plain, err := io.ReadAll(zr)
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
