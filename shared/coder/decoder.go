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
	started  bool  // the window is loaded (possibly with missing bytes)
	miss     int   // bytes at the tail of the window not yet received (read as 0 in v), <= 4
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
	// The 4 bytes before r are kept: Flush may rewind into the window.
	if d.r > 2*keepBack && d.r >= len(d.buf)-d.r {
		n := copy(d.buf, d.buf[d.r-keepBack:])
		d.buf = d.buf[:n]
		d.r = keepBack
	}
	d.buf = append(d.buf, p...)
	d.total += int64(len(p))
	return len(p), nil
}

// keepBack is how many consumed bytes Write keeps before the read
// position: the window's, which Flush may hand to the next sub-stream.
const keepBack = 4

// CloseWrite declares the stream complete: no more bytes will come.
func (d *Decoder) CloseWrite() { d.closed = true }

// Ready reports whether Decode can run without more input whatever the
// table: the buffered unconsumed bytes cover the worst-case
// renormalisation (3 bytes, plus the 4 initial bytes before the first
// symbol of a stream or sub-stream, plus window bytes still missing), or
// CloseWrite was called, or the decoder holds an error that Decode will
// return.
//
// Ready is sufficient, not necessary: Decode and DecodeCumulative also
// succeed when !Ready if the bytes received so far determine the symbol
// whatever bytes follow (always the case for the symbols before an
// Encoder.Flush once the flush bytes have arrived), and otherwise return
// ErrNeedInput with the state unchanged. A receiver that wants every
// symbol as soon as the bytes allow calls Decode until ErrNeedInput
// rather than gating on Ready.
func (d *Decoder) Ready() bool {
	if d.closed || d.err != nil || d.finished {
		return true
	}
	return len(d.buf)-d.r >= d.need()
}

// need is the number of unconsumed bytes that make the decoder Ready.
func (d *Decoder) need() int {
	n := maxShifts + d.miss
	if !d.started {
		n += 4
	}
	return n
}

// fill folds received bytes into the missing tail of the window; after
// CloseWrite the missing bytes are zero (already in v).
func (d *Decoder) fill() {
	for d.miss > 0 {
		if d.r < len(d.buf) {
			d.miss--
			d.v += uint64(d.buf[d.r]) << (8 * d.miss)
			d.r++
			d.consumed++
		} else if d.closed {
			d.miss = 0
		} else {
			return
		}
	}
}

// Consumed returns the number of input bytes read so far (zero padding
// after the end of the stream is not counted).
func (d *Decoder) Consumed() int64 { return d.consumed }

// nextByte returns the next stream byte, or 0 past the end of a closed
// stream, or 0 counted as missing (filled in by fill when it arrives).
func (d *Decoder) nextByte() byte {
	if d.r < len(d.buf) && d.miss == 0 {
		b := d.buf[d.r]
		d.r++
		d.consumed++
		return b
	}
	if !d.closed {
		d.miss++
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

// precheck returns the error Decode must return before touching the
// state, after folding received bytes into the window. With ready set it
// also requires Ready.
func (d *Decoder) precheck(ready bool) error {
	if d.err != nil {
		return d.err
	}
	if d.finished {
		return ErrFinished
	}
	d.fill()
	if ready && !d.Ready() {
		return ErrNeedInput
	}
	return nil
}

// DecodeTarget returns t in [0, 1<<precision): the next symbol is the one
// whose interval [cumLow, cumLow+freq) contains t. It does not change the
// state (beyond loading the first 4 bytes). Follow it with DecodeCum.
// It returns ErrNeedInput if !Ready().
func (d *Decoder) DecodeTarget() (uint32, error) {
	if err := d.precheck(true); err != nil {
		return 0, err
	}
	d.start()
	return uint32(d.target()), nil
}

// target computes floor(((v+1)*T - 1) / rng): the largest c with
// floor(rng*c/T) <= v. v < rng <= 2^32, so the shift fits in 57 bits and
// the result is < T.
func (d *Decoder) target() uint64 {
	return (((d.v + 1) << (d.prec & 63)) - 1) / d.rng
}

// DecodeCum consumes the symbol with interval [cumLow, cumLow+freq), which
// must contain the value returned by DecodeTarget. On a caller error
// (bad interval) the state is unchanged.
func (d *Decoder) DecodeCum(cumLow, freq uint32) error {
	if err := d.precheck(true); err != nil {
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
// returns ErrNeedInput, with the state unchanged, if the bytes received so
// far do not determine the symbol (never when Ready). Work is
// O(len(freqs)): one pass both checks the sum and finds the symbol.
func (d *Decoder) Decode(freqs []uint32) (int, error) {
	if !d.fast() || len(freqs) > smallK {
		return d.decodeTable(freqs)
	}
	// Small table, fast path: see decodeFast.
	T := uint64(1) << (d.prec & 63)
	rng, v := d.rng, d.v
	sym, lo, hi, cum := searchSmall(freqs, rng, v, d.prec)
	if cum != T {
		return 0, fmt.Errorf("coder: frequencies sum to %d, want %d", cum, T)
	}
	// v < rng = floor(rng*T/T), so sym < K, and lo <= v < hi: the
	// symbol's frequency is >= 1. Checked anyway: no state can panic.
	if sym >= len(freqs) || v < lo || v >= hi {
		d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the interval"}
		return 0, d.err
	}
	// consume, inlined.
	d.v, d.low, d.rng = v-lo, (d.low+lo)&(window-1), hi-lo
	if d.rng < rangeLow || d.closed && d.total < d.shifts {
		if err := d.renormCheck(); err != nil {
			return 0, err
		}
	}
	return sym, nil
}

// decodeTable is Decode but for the fast path of small tables.
func (d *Decoder) decodeTable(freqs []uint32) (int, error) {
	if d.fast() {
		return d.decodeFast(freqs)
	}
	if err := d.precheck(false); err != nil {
		return 0, err
	}
	T := uint64(1) << d.prec
	if !d.started || !d.closed && len(d.buf)-d.r < maxShifts {
		// Not Ready (or the window is not loaded yet): validate, then try.
		if total := sumFreqs(freqs); total != T {
			return 0, fmt.Errorf("coder: frequencies sum to %d, want %d", total, T)
		}
		return d.decodeSlow(func(t uint64) (uint64, uint64, int) {
			var c uint64
			for i, f := range freqs {
				if t < c+uint64(f) {
					return c, c + uint64(f), i
				}
				c += uint64(f)
			}
			return 0, 0, -1
		})
	}
	return d.decodeFast(freqs)
}

// fast reports whether the next symbol can be decoded without looking at
// the input's state: no error, the window loaded and complete, and the
// worst-case renormalisation covered by buffered bytes or by the end of a
// closed stream (Ready, with precheck a no-op).
func (d *Decoder) fast() bool {
	return d.err == nil && !d.finished && d.started && d.miss == 0 &&
		(d.closed || len(d.buf)-d.r >= maxShifts)
}

// decodeFast is Decode when fast(). The symbol is the first s with
// t < cum[s+1], t = floor(((v+1)*T - 1) / rng). The table is read once,
// with no branch on the data, and the state is touched only after its sum
// is checked.
//
// Small tables (searchSmall): for any c, c <= t exactly when
// floor(rng*c/T) <= v (both say rng*c < (v+1)*T), so the search compares v
// with the interval bounds themselves and needs no division; the symbol is
// the number of s with floor(rng*cum[s+1]/T) <= v.
//
// Larger tables: one pass sums blocks of 8 entries and keeps the last
// block whose start cum[8j] is <= t (it holds the symbol: the table is
// non-decreasing); then the entries of that block are counted like a small
// table.
func (d *Decoder) decodeFast(freqs []uint32) (int, error) {
	T := uint64(1) << (d.prec & 63)
	rng, v := d.rng, d.v
	var sym int
	var lo, hi uint64
	if len(freqs) <= smallK {
		var cum uint64
		sym, lo, hi, cum = searchSmall(freqs, rng, v, d.prec)
		if cum != T {
			return 0, fmt.Errorf("coder: frequencies sum to %d, want %d", cum, T)
		}
	} else {
		t := d.target()
		var cum, blkCum uint64
		blk := 0
		n := len(freqs) &^ 7
		for i := 0; i < n; i += 8 {
			g := freqs[i : i+8 : i+8]
			s := (uint64(g[0]) + uint64(g[1]) + (uint64(g[2]) + uint64(g[3]))) +
				(uint64(g[4]) + uint64(g[5]) + (uint64(g[6]) + uint64(g[7])))
			if cum <= t {
				blk, blkCum = i, cum
			}
			cum += s
		}
		for i := n; i < len(freqs); i++ { // the tail: blocks of one entry
			if cum <= t {
				blk, blkCum = i, cum
			}
			cum += uint64(freqs[i])
		}
		if cum != T {
			return 0, fmt.Errorf("coder: frequencies sum to %d, want %d", cum, T)
		}
		// Partial sums are <= T now. In the block: the entries whose upper
		// end is <= t precede the symbol.
		sym = blk
		symCum := blkCum
		c := blkCum
		for i, f := range freqs[blk:min(blk+8, len(freqs))] {
			c += uint64(f)
			if c <= t {
				sym, symCum = blk+i+1, c
			}
		}
		if sym >= len(freqs) { // unreachable given t < T; kept so hostile state cannot panic
			d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the interval"}
			return 0, d.err
		}
		lo = (rng * symCum) >> (d.prec & 63)
		hi = (rng * (symCum + uint64(freqs[sym]))) >> (d.prec & 63)
	}
	// v < rng = floor(rng*T/T), so sym < K, and lo <= v < hi: the
	// symbol's frequency is >= 1. Checked anyway: no state can panic.
	if sym >= len(freqs) || v < lo || v >= hi {
		d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the interval"}
		return 0, d.err
	}
	// consume, inlined.
	d.v, d.low, d.rng = v-lo, (d.low+lo)&(window-1), hi-lo
	if d.rng < rangeLow || d.closed && d.total < d.shifts {
		if err := d.renormCheck(); err != nil {
			return 0, err
		}
	}
	return sym, nil
}

// searchSmall returns, for a table that sums to T, the symbol sym whose
// interval holds v and the bounds lo <= v < hi of that interval:
// sym is the number of entries s whose upper bound
// floor(rng*cum[s+1]/T) is <= v. It also returns the sum of the table;
// when that is not T the other results are meaningless (but sym <= K
// and no index is out of range). One pass with conditional moves: no
// branch depends on the data, and few live values (no spills).
func searchSmall(freqs []uint32, rng, v uint64, prec uint) (sym int, lo, hi, cum uint64) {
	p := prec & 63
	var lc uint64 // cum[sym]
	for _, f := range freqs {
		cum += uint64(f)
		h := (rng * cum) >> p
		below := 0
		if h <= v {
			below = 1
		}
		sym += below // the entries below v are a prefix of a valid table
		if h <= v {
			lc = cum
		}
	}
	if sym >= len(freqs) {
		return sym, 0, 0, cum
	}
	return sym, (rng * lc) >> p, (rng * (lc + uint64(freqs[sym]))) >> p, cum
}

// DecodeCumulative decodes the next symbol against a prefix-sum table:
// cum has K+1 entries, cum[0] = 0, cum[K] = 1<<precision, non-decreasing;
// symbol s has the interval [cum[s], cum[s+1]). The symbol is found by
// binary search (linear for K <= 16), O(log K); only the endpoints and the
// found interval are checked, so a table that is not non-decreasing gives
// an error or some symbol, never a panic. ErrNeedInput as for Decode.
func (d *Decoder) DecodeCumulative(cum []uint32) (int, error) {
	if d.fast() {
		k := len(cum) - 1
		if k < 1 || cum[0] != 0 || uint64(cum[k]) != uint64(1)<<d.prec {
			return 0, fmt.Errorf("coder: cumulative table of %d entries does not run from 0 to %d", len(cum), uint64(1)<<d.prec)
		}
		return d.decodeCumulativeFast(cum)
	}
	if err := d.precheck(false); err != nil {
		return 0, err
	}
	k := len(cum) - 1
	if k < 1 || cum[0] != 0 || uint64(cum[k]) != uint64(1)<<d.prec {
		return 0, fmt.Errorf("coder: cumulative table of %d entries does not run from 0 to %d", len(cum), uint64(1)<<d.prec)
	}
	if !d.started || !d.closed && len(d.buf)-d.r < maxShifts {
		return d.decodeSlow(func(t uint64) (uint64, uint64, int) {
			s := searchCumulative(cum, uint32(t))
			return uint64(cum[s]), uint64(cum[s+1]), s
		})
	}
	return d.decodeCumulativeFast(cum)
}

// decodeCumulativeFast is DecodeCumulative when the window is loaded and
// the renormalisation's bytes are at hand, for a table whose endpoints are
// checked. It finds the same entry as searchCumulative(cum, target()),
// with the same probes: for small tables it compares v with
// floor(rng*cum[s]/T) instead of t with cum[s] (the same answer, see
// decodeFast) and needs no division; larger tables divide once and then
// bisect without data-dependent branches.
func (d *Decoder) decodeCumulativeFast(cum []uint32) (int, error) {
	k := len(cum) - 1
	rng, v, p := d.rng, d.v, d.prec&63
	var s int
	if k <= smallK {
		// The largest s < K with cum[1..s] all <= t, as the linear scan of
		// searchCumulative.
		// h = floor(rng*c/T) < 2^63 (c < 2^32, T >= 2) and v < 2^32, so
		// v-h has its top bit set exactly when h > v.
		ok := 1
		for _, c := range cum[1:k] {
			ok &= 1 ^ int((v-(rng*uint64(c))>>p)>>63)
			s += ok
		}
	} else {
		// searchCumulative(cum, t), with its first four-way step on the
		// interval bounds (v-space, exact as in decodeFast), which does
		// not wait for the division.
		t := uint32(d.target())
		q := k >> 2
		mask := func(c uint32) int { return int(^(int64(v-(rng*uint64(c))>>p) >> 63)) } // all ones when c <= t
		base := q&mask(cum[q]) + q&mask(cum[2*q]) + q&mask(cum[3*q])
		s = searchFrom(cum, t, base, k-3*q)
	}
	lo := (rng * uint64(cum[s])) >> p
	hi := (rng * uint64(cum[s+1])) >> p
	if !(lo <= v && v < hi) {
		return 0, fmt.Errorf("coder: cumulative table is not non-decreasing around entry %d", s)
	}
	// consume, inlined.
	d.v, d.low, d.rng = v-lo, (d.low+lo)&(window-1), hi-lo
	if d.rng < rangeLow || d.closed && d.total < d.shifts {
		if err := d.renormCheck(); err != nil {
			return 0, err
		}
	}
	return s, nil
}

// searchCumulative returns the largest s < K with cum[s] <= t, for
// cum[0] = 0 <= t and a non-decreasing table (for any other table it
// returns some s < K). Up to 16 symbols: a linear scan. Beyond: a
// bisection whose steps are conditional adds, not branches (a mispredicted
// branch per step would cost more than the step).
func searchCumulative(cum []uint32, t uint32) int {
	k := len(cum) - 1
	if k <= smallK {
		s := 0
		for s+1 < k && cum[s+1] <= t {
			s++
		}
		return s
	}
	return searchFrom(cum, t, 0, k)
}

// searchFrom continues searchCumulative's bisection from base with n
// candidates. Invariant: cum[base] <= t and the answer is in
// [base, base+n), with base+n <= K.
func searchFrom(cum []uint32, t uint32, base, n int) int {
	tt := int64(t)
	for n >= 4 {
		// Four-way steps: three independent loads per step instead of one
		// dependent load per halving; each adds q when cum[...] <= t (the
		// shift gives all ones then).
		q := n >> 2
		base += q&int((int64(cum[base+q])-tt-1)>>63) +
			q&int((int64(cum[base+2*q])-tt-1)>>63) +
			q&int((int64(cum[base+3*q])-tt-1)>>63)
		n -= 3 * q
	}
	for n > 1 {
		half := n >> 1
		base += half & int((int64(cum[base+half])-tt-1)>>63)
		n -= half
	}
	return base
}

// finishSym consumes symbol sym with cumulative interval [c, c2) of T.
func (d *Decoder) finishSym(sym int, c, c2 uint64) (int, error) {
	lo := (d.rng * c) >> d.prec
	hi := (d.rng * c2) >> d.prec
	if d.v < lo || d.v >= hi { // unreachable by the choice of t; defensive
		d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the symbol's interval"}
		return 0, d.err
	}
	if err := d.consume(lo, hi); err != nil {
		return 0, err
	}
	return sym, nil
}

// decodeSlow decodes when the window may hold bytes not yet received
// (read as 0 in v). The true offset lies in [v, vmax]: the missing bytes
// add at most 256^miss - 1, and the true offset is < rng as in every
// decoder state. The symbol is decoded only if the whole range falls in
// one symbol's interval and its renormalisation leaves at most 4 window
// bytes missing; otherwise ErrNeedInput with the state unchanged (the
// window may have been loaded with the bytes at hand: that is not an
// observable change). find maps a target to the symbol's [c, c2) and index
// (index < 0: no symbol).
func (d *Decoder) decodeSlow(find func(t uint64) (uint64, uint64, int)) (int, error) {
	d.start()
	if d.closed || d.Ready() { // fill/start may have made it Ready
		c, c2, s := find(d.target())
		if s < 0 || d.v < (d.rng*c)>>d.prec || d.v >= (d.rng*c2)>>d.prec {
			d.err = &CorruptInputError{Offset: d.consumed, Reason: "code value outside the interval"}
			return 0, d.err
		}
		return d.finishSym(s, c, c2)
	}
	vmax := min(d.v+(uint64(1)<<(8*d.miss))-1, d.rng-1)
	c, c2, s := find(d.target())
	if s < 0 {
		return 0, ErrNeedInput
	}
	lo := (d.rng * c) >> d.prec
	hi := (d.rng * c2) >> d.prec
	if d.v < lo || vmax >= hi {
		return 0, ErrNeedInput
	}
	shifts := 0
	for r := hi - lo; r < rangeLow; r <<= 8 {
		shifts++
	}
	avail := 0
	if d.miss == 0 {
		avail = len(d.buf) - d.r
	}
	if d.miss+max(0, shifts-avail) > 4 {
		return 0, ErrNeedInput
	}
	return d.finishSym(s, c, c2)
}

// consume narrows the interval to [lo, hi) (offsets in the current range,
// lo <= v < hi) and renormalises.
func (d *Decoder) consume(lo, hi uint64) error {
	d.v -= lo
	d.low = (d.low + lo) & (window - 1)
	d.rng = hi - lo
	return d.renormCheck()
}

// renormCheck renormalises and checks the stream length after the
// interval was narrowed. A stream of length N has N >= S (the flush
// writes the S bytes shifted out plus 0 or 1 more): reading past that is
// truncation.
func (d *Decoder) renormCheck() error {
	if d.rng < rangeLow {
		d.renorm()
	}
	if d.closed && d.total < d.shifts {
		return d.truncatedAt()
	}
	return nil
}

// renorm shifts bytes into the window until the range is >= 2^24.
func (d *Decoder) renorm() {
	for d.rng < rangeLow {
		d.v = (d.v<<8 | uint64(d.nextByte())) & (window - 1)
		d.low = (d.low << 8) & (window - 1)
		d.rng <<= 8
		d.shifts++
	}
}

// truncatedAt records and returns the error for a closed stream shorter
// than the bytes shifted in.
func (d *Decoder) truncatedAt() error {
	d.err = d.truncated(d.shifts)
	return d.err
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
	d.fill()
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

// Flush ends a sub-stream: call it after decoding the last symbol before
// the encoder's Flush. It recomputes the encoder's self-delimiting flush
// from its own state (1 or 2 bytes; none if nothing was coded since the
// last flush), checks that the stream holds exactly those bytes there, and
// restarts for the next sub-stream, which begins right after them: window
// bytes already read past the flush are handed back to it. It returns
// ErrNeedInput, state unchanged, if the flush bytes have not all arrived
// (never after CloseWrite: then a short stream is an error wrapping
// io.ErrUnexpectedEOF); flush bytes that differ from the encoder's give a
// *CorruptInputError.
func (d *Decoder) Flush() error {
	if d.err != nil {
		return d.err
	}
	if d.finished {
		return ErrFinished
	}
	d.fill()
	if !d.started {
		return nil // nothing decoded since the last flush: the encoder wrote nothing
	}
	j, delta := flushSelf(d.low, d.rng)
	end := d.shifts + int64(j)
	if d.total < end {
		if !d.closed {
			return ErrNeedInput
		}
		d.err = d.truncated(end)
		return d.err
	}
	// Bytes before end are received, hence in v (positions shifts..end-1
	// of the window); the missing tail, if any, is past end. The code is
	// in [V, V+256^(4-j)) iff its first j window bytes are V's.
	if d.v < delta || d.v-delta >= uint64(1)<<(8*(4-j)) {
		d.err = &CorruptInputError{Offset: d.shifts, Reason: "flush bytes differ from the encoder's flush"}
		return d.err
	}
	if back := d.consumed - end; back > 0 {
		d.r -= int(back) // <= 4 bytes, kept by Write (keepBack)
		d.consumed = end
	}
	d.v, d.low, d.rng, d.started, d.miss, d.shifts = 0, 0, rangeTop, false, 0, end
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
