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
	"strconv"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/statetest"
)

// TestLargeStateInChunks writes a state of a thousand apps' size: it lands
// in several chunk Secrets, none too large for a Secret, and reads back
// byte-equal through another client. A small state written after it
// leaves one chunk and no trace of the large one.
func TestLargeStateInChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	b := openBackend(t, s)
	want := statetest.Large(20 << 20)
	if err := b.Write(ctx, want); err != nil {
		t.Fatalf("Write: %v", err)
	}
	secs := secrets(t, s)
	if len(secs[rolePointer]) != 1 {
		t.Fatalf("%d pointer Secrets, want 1", len(secs[rolePointer]))
	}
	p, err := parsePointer(&secs[rolePointer][0])
	if err != nil {
		t.Fatal(err)
	}
	chunks := secs[roleChunk]
	wantChunks := (p.size + maxChunk - 1) / maxChunk
	if len(chunks) != wantChunks || len(chunks) < 2 || p.chunks != len(chunks) {
		t.Errorf("%d chunk Secrets for %d stored bytes (pointer says %d), want %d, at least 2", len(chunks), p.size, p.chunks, wantChunks)
	}
	total := 0
	for _, c := range chunks {
		n := len(c.Data["chunk"])
		total += n
		if n > maxChunk {
			t.Errorf("chunk %s holds %d bytes, more than %d", c.Name, n, maxChunk)
		}
		if c.Labels[labelGeneration] != p.generation {
			t.Errorf("chunk %s is of generation %s, want the pointer's %s", c.Name, c.Labels[labelGeneration], p.generation)
		}
		if c.Immutable == nil || !*c.Immutable {
			t.Errorf("chunk %s is not immutable", c.Name)
		}
	}
	if total != p.size {
		t.Errorf("chunks hold %d bytes, the pointer says %d", total, p.size)
	}

	got, err := openBackend(t, s).Read(ctx)
	if err != nil {
		t.Fatalf("Read by another client: %v", err)
	}
	wantBytes, _ := state.Encode(want)
	gotBytes, _ := state.Encode(got)
	if string(wantBytes) != string(gotBytes) {
		t.Fatalf("a %d-byte state read back as %d bytes that differ", len(wantBytes), len(gotBytes))
	}
	t.Logf("%d-byte state stored as %d bytes in %d chunks", len(wantBytes), p.size, len(chunks))

	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	secs = secrets(t, s)
	if len(secs[roleChunk]) != 1 || len(secs[rolePointer]) != 1 {
		t.Errorf("after a small state replaced it: %d chunks and %d pointers, want 1 and 1", len(secs[roleChunk]), len(secs[rolePointer]))
	}
}

// TestWriterKilledMidWrite leaves the chunks of a new generation without
// switching the pointer, as a writer killed between the two would: the
// old state stays readable, and the next Write removes the leftovers.
func TestWriterKilledMidWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	b := openBackend(t, s)
	old := statetest.Sample()
	if err := b.Write(ctx, old); err != nil {
		t.Fatal(err)
	}
	// The dead writer read serial 1 and wrote the chunks of serial 2: a
	// multi-chunk state, so that some of its chunks could be missing too.
	dead := openBackend(t, s)
	g, err := dead.seal(mustEncode(t, statetest.Large(3<<20)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.writeChunks(ctx, newGeneration(), old.Serial+1, g.stored); err != nil {
		t.Fatal(err)
	}
	if n := len(secrets(t, s)[roleChunk]); n < 3 {
		t.Fatalf("%d chunks after the dead writer's, want its own and the live state's", n)
	}

	got, err := openBackend(t, s).Read(ctx)
	if err != nil {
		t.Fatalf("Read after a writer died mid-write: %v", err)
	}
	if diff := statetest.Diff(old, got); diff != "" {
		t.Errorf("Read after a writer died mid-write (-want +got):\n%s", diff)
	}

	next := got.DeepCopy()
	next.Outputs["after"] = &state.Output{Value: cty.StringVal("the crash")}
	if err := b.Write(ctx, next); err != nil {
		t.Fatal(err)
	}
	if next.Serial != old.Serial+1 {
		t.Errorf("serial after the next Write = %d, want %d", next.Serial, old.Serial+1)
	}
	secs := secrets(t, s)
	p, err := parsePointer(&secs[rolePointer][0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range secs[roleChunk] {
		if c.Labels[labelGeneration] != p.generation {
			t.Errorf("chunk %s (generation %s, serial %s) is left after the next Write of generation %s", c.Name, c.Labels[labelGeneration], c.Labels[labelSerial], p.generation)
		}
	}
	if len(secs[roleChunk]) != p.chunks {
		t.Errorf("%d chunks left, want the pointer's %d", len(secs[roleChunk]), p.chunks)
	}
	if got, err := b.Read(ctx); err != nil || got.Outputs["after"] == nil {
		t.Errorf("Read after the cleanup: %v, outputs %v", err, got.Outputs)
	}
}

// TestGarbageOfANewerSerialStays checks the line the cleanup draws: chunks
// of a serial above the one just written may be a live writer's (one that
// read the new pointer), so they stay.
func TestGarbageOfANewerSerialStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSite(t)
	b := openBackend(t, s)
	if err := b.Write(ctx, statetest.Sample()); err != nil {
		t.Fatal(err)
	}
	g, err := b.seal([]byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	gen := newGeneration()
	if _, err := b.writeChunks(ctx, gen, 3, g.stored); err != nil {
		t.Fatal(err)
	}
	next := statetest.Sample()
	next.Outputs["more"] = &state.Output{Value: cty.True}
	if err := b.Write(ctx, next); err != nil { // serial 2
		t.Fatal(err)
	}
	found := false
	for _, c := range secrets(t, s)[roleChunk] {
		found = found || c.Labels[labelGeneration] == gen && c.Labels[labelSerial] == strconv.Itoa(3)
	}
	if !found {
		t.Errorf("the chunks of serial 3 were deleted by the Write of serial 2")
	}
}

func mustEncode(t *testing.T, s *state.State) []byte {
	t.Helper()
	b, err := state.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
