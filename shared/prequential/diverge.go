package prequential

// TranscriptAt is the transcript hash after the first c examples (c = 0:
// before any), kept with Options.KeepTranscript; ok is false when it was
// not kept or example c is not coded yet.
func (s *Session) TranscriptAt(c int64) (sum [32]byte, ok bool) {
	if c == 0 {
		return emptyTranscript(), true
	}
	if c < 0 || c > int64(len(s.history)) {
		return [32]byte{}, false
	}
	return s.history[c-1], true
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
