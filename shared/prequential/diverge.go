package prequential

import (
	"crypto/sha256"
	"encoding"

	"github.com/edlwire/edlwire/shared/spec"
)

// Locating a divergence. Two sides whose checkpoints differ agree on the
// transcript up to some example and differ after it; the running hash makes
// "agree after c examples" monotone in c, so bisection over the transcripts
// after each example finds the first example whose record (its
// frequencies: the label follows from them) differs. Each side keeps, for
// that, the transcript after each of its last examples: a bounded window,
// not the whole history. It keeps the hash's internal state (about 108
// bytes, a copy, ~7 ns an example) rather than the finished hash (a
// SHA-256 finalization, ~130 ns), and finishes only the few a bisection
// asks for.

// TranscriptAt is the transcript hash after the first c examples (c = 0:
// before any). ok is false when example c is not coded yet or fell out of
// the window (Options.TranscriptWindow); the current count is always held.
func (s *Session) TranscriptAt(c int64) (sum [32]byte, ok bool) {
	switch {
	case c == 0:
		return emptyTranscript(), true
	case c == s.recorded:
		return s.transcriptSum(), true
	}
	w := s.window
	if w == nil || c < 1 || c > s.recorded || c <= s.recorded-int64(w.size) {
		return [32]byte{}, false
	}
	i := int((c - 1) % int64(w.size))
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(w.states[i*w.stride : (i+1)*w.stride]); err != nil {
		return [32]byte{}, false
	}
	h.Sum(sum[:0])
	return sum, true
}

// TranscriptWindow is the number of examples whose transcripts the session
// keeps (0: none).
func (s *Session) TranscriptWindow() int {
	if s.window == nil {
		return 0
	}
	return s.window.size
}

// DefaultTranscriptWindow is the window alice and bob keep for locating a
// divergence: spec.TranscriptWindowRows examples (four checkpoint
// intervals, at least 16384, at most 2^18, never more than the session
// codes), which the spec's memory estimate counts.
func DefaultTranscriptWindow(sp spec.Spec) int {
	return int(sp.TranscriptWindowRows())
}

// transcriptWindow is a ring of the transcript's states after each of the
// last size examples, grown as examples come (a short session allocates
// little).
type transcriptWindow struct {
	size   int
	stride int    // bytes of one state (fixed by the hash)
	states []byte // the state after example count c at index (c-1) % size
	snap   encoding.BinaryAppender
}

// keep records the transcript's state after example count c.
func (w *transcriptWindow) keep(c int64) {
	i := int((c - 1) % int64(w.size))
	if w.stride == 0 {
		w.states, _ = w.snap.AppendBinary(w.states[:0])
		w.stride = len(w.states)
		return
	}
	if off := i * w.stride; off < len(w.states) {
		// The slot exists: overwrite it in place.
		b, _ := w.snap.AppendBinary(w.states[off:off])
		if len(b) != w.stride {
			panic("prequential: the transcript hash's state changed size")
		}
		return
	}
	w.states, _ = w.snap.AppendBinary(w.states)
}

// emptyTranscript is the transcript of no examples: SHA-256 of nothing.
func emptyTranscript() [32]byte {
	return [32]byte{0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}
}

// FirstDivergence locates the first example whose transcript record
// (index, frequencies, label) differs between two sides, given that their
// transcripts agree after lo examples and differ after hi (lo < hi). equal
// reports whether the two sides' transcripts after c examples agree; it is
// called about log₂(hi−lo) times, so each call may be a round trip to the
// other side. The transcript is a running hash, so once two sides differ
// they differ at every later count: bisection finds the first.
func FirstDivergence(lo, hi int64, equal func(c int64) (bool, error)) (int64, error) {
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		same, err := equal(mid)
		if err != nil {
			return 0, err
		}
		if same {
			lo = mid
		} else {
			hi = mid
		}
	}
	// The records of examples 0..hi-2 agree; example hi-1's does not.
	return hi - 1, nil
}
