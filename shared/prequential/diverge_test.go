package prequential

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

func TestEmptyTranscript(t *testing.T) {
	if emptyTranscript() != sha256.Sum256(nil) {
		t.Fatal("emptyTranscript is not SHA-256 of nothing")
	}
}

// Bisection finds the first differing example for every position and calls
// equal about log₂ n times.
func TestFirstDivergence(t *testing.T) {
	const n = 1000
	for first := int64(0); first < n; first++ {
		calls := 0
		got, err := FirstDivergence(0, n, func(c int64) (bool, error) {
			calls++
			return c <= first, nil // the transcript after c examples includes example c-1
		})
		if err != nil || got != first {
			t.Fatalf("first divergence at %d: got %d, %v", first, got, err)
		}
		if calls > 10 {
			t.Fatalf("%d calls for n=%d", calls, n)
		}
	}
}

// The window holds the transcript after each of its last examples, equal
// to the transcript the test computes itself from the protocol's layout
// (little-endian step, K, frequencies, label), through the held-out phases;
// older counts and counts not yet coded are not held.
func TestTranscriptWindow(t *testing.T) {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Validation, sp.Test, sp.Classes, sp.Dim = 5, 90, 7, 11, 3, 4
	sp.Batch, sp.CheckpointEvery = 4, 20
	in, lab := taskData(t, sp)
	all := append(append(append([]int(nil), lab.Train...), lab.Valid...), lab.Test...)
	const window = 13
	s, err := NewWithOptions(sp, in, Options{HeldOut: true, TranscriptWindow: window})
	if err != nil {
		t.Fatal(err)
	}
	if s.TranscriptWindow() != window {
		t.Fatalf("window %d, want %d", s.TranscriptWindow(), window)
	}
	h := sha256.New()
	var want [][32]byte // want[c]: the transcript after c examples
	want = append(want, sha256.Sum256(nil))
	for {
		off, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if off.Kind == OfferDone {
			break
		}
		if off.Kind != OfferCode {
			continue
		}
		y := all[off.Index]
		rec := binary.LittleEndian.AppendUint64(nil, uint64(off.Index))
		rec = binary.LittleEndian.AppendUint32(rec, uint32(len(off.Freqs)))
		for _, f := range off.Freqs {
			rec = binary.LittleEndian.AppendUint32(rec, f)
		}
		rec = binary.LittleEndian.AppendUint32(rec, uint32(y))
		h.Write(rec)
		var sum [32]byte
		h.Sum(sum[:0])
		want = append(want, sum)
		if err := s.Apply(y); err != nil {
			t.Fatal(err)
		}
		c := off.Index + 1
		for k := int64(0); k <= c+1; k++ {
			got, ok := s.TranscriptAt(k)
			held := k == 0 || (k <= c && k > c-window)
			if ok != held {
				t.Fatalf("after %d examples: TranscriptAt(%d) ok %v, want %v", c, k, ok, held)
			}
			if ok && got != want[k] {
				t.Fatalf("after %d examples: TranscriptAt(%d) = %x, want %x", c, k, got, want[k])
			}
		}
	}
	if total := s.Total(); int64(len(want)) != total+1 || s.LastCheckpoint().Transcript != want[total] {
		t.Fatalf("%d transcripts for %d examples, or the last checkpoint's differs", len(want), total)
	}
}

func TestDefaultTranscriptWindow(t *testing.T) {
	sp := spec.Default()
	for _, c := range []struct{ n, every, batch int64 }{{100, 10, 1}, {1e6, 1000, 32}, {1e6, 1e5, 32}, {1e8, 1e7, 1}} {
		sp.N, sp.Validation, sp.Test, sp.CheckpointEvery, sp.Batch = c.n, 0, 0, c.every, c.batch
		w := int64(DefaultTranscriptWindow(sp))
		want := min(max(4*(c.every+c.batch), 1<<14), 1<<18, c.n)
		if w != want {
			t.Fatalf("%+v: window %d, want %d", c, w, want)
		}
	}
}
