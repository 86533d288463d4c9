package coder

import (
	"fmt"
	"io"
)

// Decoder is the streaming inverse of Encoder. Bytes are pushed with
// Write as they arrive; Ready reports whether the next Decode can run
// without more input. After CloseWrite the stream is complete and bytes
// past its end read as zero (as many as the encoder's flush can have
// omitted); Finish then checks that the stream ended exactly where the
// encoder's flush ends.
//
// The zero value is not usable; call NewDecoder.
type Decoder struct {
	prec     uint
	buf      []byte // buf[r:] is unconsumed input
	r        int
	total    int64 // bytes written
	consumed int64 // input bytes read into the window (padding not counted)
	shifts   int64 // renormalisation shifts (S); the window holds bytes S..S+3
	started  bool  // the first 4 bytes are in the window
	closed   bool
	finished bool
	err      error  // sticky stream error (corrupt or truncated)
	v        uint64 // code - low: offset of the code value in the interval, < rng
	low      uint64 // low mod 2^32, tracked to recompute the encoder's flush
	rng      uint64 // in [2^24, 2^32]
}

// maxShifts is the most bytes one symbol's renormalisation shifts in:
// the range after a symbol is >= 1, and 3 shifts bring it to >= 2^24.
const maxShifts = 3

// NewDecoder returns a decoder for frequency tables summing to
// 1<<precision.
func NewDecoder(precision uint) (*Decoder, error) {
	if err := checkPrecision(precision); err != nil {
		return nil, err
	}
	d := &Decoder{prec: precision}
	d.Reset()
	return d, nil
}

// Reset discards all state and input; the decoder starts a new stream
// with the same precision.
func (d *Decoder) Reset() {
	*d = Decoder{prec: d.prec, rng: rangeTop}
}

// Precision returns the frequency precision in bits.
func (d *Decoder) Precision() uint { return d.prec }

// Write appends stream bytes. It fails after CloseWrite or Finish.
func (d *Decoder) Write(p []byte) (int, error) {
	if d.closed || d.finished {
		return 0, ErrFinished
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Drop consumed bytes once they are at least half the buffer, so the
	// buffer stays proportional to the unconsumed input (amortised O(1)).
	if d.r > 0 && d.r >= len(d.buf)-d.r {
		n := copy(d.buf, d.buf[d.r:])
		d.buf = d.buf[:n]
		d.r = 0
	}
	d.buf = append(d.buf, p...)
	d.total += int64(len(p))
	return len(p), nil
}

// CloseWrite declares the stream complete: no more bytes will come.
func (d *Decoder) CloseWrite() { d.closed = true }

// Ready reports whether Decode can run without more input: the buffered
// unconsumed bytes cover the worst-case renormalisation (3 bytes, plus the
// 4 initial bytes before the first symbol), or CloseWrite was called, or
// the decoder holds an error that Decode will return.
func (d *Decoder) Ready() bool {
	if d.closed || d.err != nil || d.finished {
		return true
	}
	need := maxShifts
	if !d.started {
		need += 4
	}
	return len(d.buf)-d.r >= need
}

// Consumed returns the number of input bytes read so far (zero padding
// after the end of the stream is not counted).
func (d *Decoder) Consumed() int64 { return d.consumed }

// nextByte returns the next stream byte, or 0 past the end of a closed
// stream. The caller has checked Ready.
func (d *Decoder) nextByte() byte {
	if d.r < len(d.buf) {
		b := d.buf[d.r]
		d.r++
		d.consumed++
		return b
	}
	return 0
}

func (d *Decoder) start() {
	if d.started {
		return
	}
	d.started = true
	for range 4 {
		d.v = d.v<<8 | uint64(d.nextByte())
	}
}

// truncated is the error for a stream too short for what was decoded.
func (d *Decoder) truncated(need int64) error {
	return fmt.Errorf("coder: stream has %d bytes, needs at least %d: %w", d.total, need, io.ErrUnexpectedEOF)
}

// ready returns the error Decode must return before touching the state.
func (d *Decoder) precheck() error {
	if d.err != nil {
		return d.err
	}
	if d.finished {
		return ErrFinished
	}
	if !d.Ready() {
		return ErrNeedInput
	}
	return nil
}

// DecodeTarget returns t in [0, 1<<precision): the next symbol is the one
// whose interval [cumLow, cumLow+freq) contains t. It does not change the
// state (beyond loading the first 4 bytes). Follow it with DecodeCum.
// It returns ErrNeedInput if !Ready().
func (d *Decoder) DecodeTarget() (uint32, error) {
	if err := d.precheck(); err != nil {
		return 0, err
	}
	d.start()
	return uint32(d.target()), nil
}

// target computes floor(((v+1)*T - 1) / rng): the largest c with
// floor(rng*c/T) <= v. v < rng <= 2^32, so the shift fits in 57 bits and
// the result is < T.
func (d *Decoder) target() uint64 {
	return (((d.v + 1) << d.prec) - 1) / d.rng
}

// DecodeCum consumes the symbol with interval [cumLow, cumLow+freq), which
// must contain the value returned by DecodeTarget. On a caller error
// (bad interval) the state is unchanged.
func (d *Decoder) DecodeCum(cumLow, freq uint32) error {
	if err := d.precheck(); err != nil {
		return err
	}
	if freq == 0 || uint64(cumLow)+uint64(freq) > uint64(1)<<d.prec {
		return fmt.Errorf("coder: interval [%d, %d+%d) invalid for precision %d", cumLow, cumLow, freq, d.prec)
	}
	d.start()
	lo := (d.rng * uint64(cumLow)) >> d.prec
	hi := (d.rng * (uint64(cumLow) + uint64(freq))) >> d.prec
	if d.v < lo || d.v >= hi {
		return fmt.Errorf("coder: interval [%d, %d+%d) does not contain the target %d", cumLow, cumLow, freq, d.target())
	}
	return d.consume(lo, hi)
}

// Decode decodes the next symbol against freqs, which must sum to exactly
// 1<<precision (entries may be 0; such symbols are never decoded). It
// returns ErrNeedInput, with the state unchanged, if !Ready(). Work is
// O(len(freqs)).
func (d *Decoder) Decode(freqs []uint32) (int, error) {
	if err := d.precheck(); err != nil {
		return 0, err
	}
	T := uint64(1) << d.prec
	// Validate before touching the state.
	var total uint64
	for _, f := range freqs {
		total += uint64(f)
	}
	if total != T {
		return 0, fmt.Errorf("coder: frequencies sum to %d, want %d", total, T)
	}
	d.start()
	t := d.target()
	// The symbol is the first s with t < cum[s+1]; t < T = cum[K], so it
	// exists, and its frequency is >= 1.
	var cum uint64
	sym := -1
	for i, f := range freqs {
		next := cum + uint64(f)
		if t < next {
			sym = i
			break
		}
		cum = next
	}
	if sym < 0 { // unreachable given t < T; kept so hostile state cannot panic
		d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the interval"}
		return 0, d.err
	}
	lo := (d.rng * cum) >> d.prec
	hi := (d.rng * (cum + uint64(freqs[sym]))) >> d.prec
	if d.v < lo || d.v >= hi { // unreachable by the choice of t; defensive
		d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the symbol's interval"}
		return 0, d.err
	}
	if err := d.consume(lo, hi); err != nil {
		return 0, err
	}
	return sym, nil
}

// consume narrows the interval to [lo, hi) (offsets in the current range,
// lo <= v < hi) and renormalises.
func (d *Decoder) consume(lo, hi uint64) error {
	d.v -= lo
	d.low = (d.low + lo) & (window - 1)
	d.rng = hi - lo
	for d.rng < rangeLow {
		d.v = (d.v<<8 | uint64(d.nextByte())) & (window - 1)
		d.low = (d.low << 8) & (window - 1)
		d.rng <<= 8
		d.shifts++
	}
	// A stream of length N has N >= S (the flush writes the S bytes
	// shifted out plus 0 or 1 more). Reading past that is truncation.
	if d.closed && d.total < d.shifts {
		d.err = d.truncated(d.shifts)
		return d.err
	}
	return nil
}

// Finish is called after the last symbol and CloseWrite. It verifies that
// the stream ends exactly where the encoder's flush ends: too few bytes
// give an error wrapping io.ErrUnexpectedEOF, extra bytes ErrTrailingData,
// flushed bytes that differ from the encoder's flush a *CorruptInputError.
// It returns the same result if called again.
func (d *Decoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if d.finished {
		return nil
	}
	if !d.closed {
		return fmt.Errorf("coder: Finish before CloseWrite")
	}
	d.start()
	j, delta := flushBytes(d.low, d.rng)
	n := d.shifts + int64(j)
	switch {
	case d.total < n:
		d.err = d.truncated(n)
	case d.total > n:
		d.err = fmt.Errorf("%w: stream has %d bytes, ends after %d", ErrTrailingData, d.total, n)
	case d.v != delta:
		d.err = &CorruptInputError{Offset: d.shifts, Reason: "final bytes differ from the encoder's flush"}
	}
	if d.err != nil {
		return d.err
	}
	d.finished = true
	return nil
}

// DecodeAll decodes n symbols from a complete stream; freqsFor(i) gives the
// table of symbol i. It checks the end of the stream like Finish.
func DecodeAll(data []byte, precision uint, n int, freqsFor func(i int) []uint32) ([]int, error) {
	d, err := NewDecoder(precision)
	if err != nil {
		return nil, err
	}
	d.Write(data)
	d.CloseWrite()
	syms := make([]int, 0, max(n, 0))
	for i := 0; i < n; i++ {
		s, err := d.Decode(freqsFor(i))
		if err != nil {
			return syms, fmt.Errorf("coder: symbol %d: %w", i, err)
		}
		syms = append(syms, s)
	}
	if err := d.Finish(); err != nil {
		return syms, err
	}
	return syms, nil
}
