package coder

import "fmt"

const (
	rangeTop  = uint64(1) << 32 // initial range: the whole window
	rangeLow  = uint64(1) << 24 // renormalise while range < rangeLow
	window    = uint64(1) << 32
	lowMask24 = uint64(1)<<24 - 1
)

// Encoder is a FIFO multi-symbol range coder. It keeps a 32-bit window of
// the lower end of the interval (low, with a carry bit above it), a range
// in [2^24, 2^32], one cached byte that a carry may still increment and a
// count of 0xFF bytes behind it that a carry would turn into 0x00.
//
// The zero value is not usable; call NewEncoder.
type Encoder struct {
	prec     uint
	low      uint64 // window value, < 2^33 (bit 32 is a pending carry)
	rng      uint64 // in [2^24, 2^32]
	cache    byte   // last byte shifted out of the window, carry may still change it
	pending  int64  // number of 0xFF bytes after cache
	first    bool   // cache is the virtual byte before the stream (always 0, never emitted)
	out      []byte // final bytes not yet taken
	n        int64  // final bytes emitted, including taken ones
	finished bool
}

// NewEncoder returns an encoder for frequency tables summing to
// 1<<precision.
func NewEncoder(precision uint) (*Encoder, error) {
	if err := checkPrecision(precision); err != nil {
		return nil, err
	}
	e := &Encoder{prec: precision}
	e.Reset()
	return e, nil
}

// Reset discards all state and output; the encoder starts a new stream
// with the same precision.
func (e *Encoder) Reset() {
	*e = Encoder{prec: e.prec, rng: rangeTop, first: true}
}

// Precision returns the frequency precision in bits.
func (e *Encoder) Precision() uint { return e.prec }

// Encode codes symbol sym against freqs, which must sum to exactly
// 1<<precision with freqs[sym] >= 1 (other entries may be 0). On error
// the encoder's state is unchanged.
func (e *Encoder) Encode(freqs []uint32, sym int) error {
	if e.finished || uint(sym) >= uint(len(freqs)) || len(freqs) > smallK {
		return e.encodeTable(freqs, sym)
	}
	// Small table: one pass, no branch on the data.
	var cum, total uint64
	for i, x := range freqs {
		if i == sym {
			cum = total
		}
		total += uint64(x)
	}
	f := uint64(freqs[sym])
	if total != uint64(1)<<(e.prec&63) || f == 0 {
		return e.encodeTable(freqs, sym)
	}
	e.encode(cum, f)
	return nil
}

// encodeTable is Encode for large tables, and its error reporting.
func (e *Encoder) encodeTable(freqs []uint32, sym int) error {
	if e.finished {
		return ErrFinished
	}
	if uint(sym) >= uint(len(freqs)) {
		return fmt.Errorf("coder: symbol %d outside [0, %d)", sym, len(freqs))
	}
	// One pass over blocks of 8 entries: the sum, and the sum before the
	// block holding sym; then the entries of that block before sym.
	var total, cum uint64
	blk := 0
	n := len(freqs) &^ 7
	for i := 0; i < n; i += 8 {
		g := freqs[i : i+8 : i+8]
		s := (uint64(g[0]) + uint64(g[1]) + (uint64(g[2]) + uint64(g[3]))) +
			(uint64(g[4]) + uint64(g[5]) + (uint64(g[6]) + uint64(g[7])))
		if i <= sym {
			blk, cum = i, total
		}
		total += s
	}
	for i := n; i < len(freqs); i++ {
		if i <= sym {
			blk, cum = i, total
		}
		total += uint64(freqs[i])
	}
	for _, x := range freqs[blk:sym] {
		cum += uint64(x)
	}
	if total != uint64(1)<<e.prec {
		return fmt.Errorf("coder: frequencies sum to %d, want %d", total, uint64(1)<<e.prec)
	}
	if freqs[sym] == 0 {
		return fmt.Errorf("coder: symbol %d has frequency 0", sym)
	}
	e.encode(cum, uint64(freqs[sym]))
	return nil
}

// EncodeCum codes the interval [cumLow, cumLow+freq) out of 1<<precision.
// freq must be >= 1 and cumLow+freq <= 1<<precision. On error the
// encoder's state is unchanged.
func (e *Encoder) EncodeCum(cumLow, freq uint32) error {
	if e.finished {
		return ErrFinished
	}
	if freq == 0 || uint64(cumLow)+uint64(freq) > uint64(1)<<e.prec {
		return fmt.Errorf("coder: interval [%d, %d+%d) invalid for precision %d", cumLow, cumLow, freq, e.prec)
	}
	e.encode(uint64(cumLow), uint64(freq))
	return nil
}

// encode narrows the interval to [c, c+f) of 2^prec, exactly:
// lo = floor(rng*c/T), hi = floor(rng*(c+f)/T). rng <= 2^32 and
// c+f <= 2^24, so the products fit in 56 bits. Because rng >= 2^24 >= T
// and f >= 1, hi-lo >= 1; the sub-intervals of a table tile [0, rng).
func (e *Encoder) encode(c, f uint64) {
	lo := (e.rng * c) >> (e.prec & 63)
	hi := (e.rng * (c + f)) >> (e.prec & 63)
	e.low += lo
	e.rng = hi - lo
	if e.rng < rangeLow {
		e.renorm()
	}
}

// renorm shifts bytes out of the window until the range is >= 2^24.
func (e *Encoder) renorm() {
	for e.rng < rangeLow {
		if e.low < 0xFF000000 && e.pending == 0 && !e.first && len(e.out) < cap(e.out) {
			// shiftLow's common case: no carry, no 0xFF run, room in the
			// buffer.
			e.out = append(e.out, e.cache)
			e.n++
			e.cache = byte(e.low >> 24)
			e.low = (e.low & lowMask24) << 8
		} else {
			e.shiftLow()
		}
		e.rng <<= 8
	}
}

// shiftLow moves the top byte of the window into the cache (LZMA's
// ShiftLow), emitting the previous cache byte and the 0xFF run behind it
// once a carry can no longer reach them.
func (e *Encoder) shiftLow() {
	if e.low < 0xFF000000 || e.low >= window {
		carry := byte(e.low >> 32)
		if e.first {
			// The byte before the stream: the interval lies in [0, 1), so
			// no carry ever reaches it and it is always 0. It is not
			// written.
			e.first = false
		} else {
			e.emit(e.cache + carry)
		}
		for ; e.pending > 0; e.pending-- {
			e.emit(0xFF + carry)
		}
		e.cache = byte(e.low >> 24)
	} else {
		e.pending++
	}
	e.low = (e.low & lowMask24) << 8
}

// outChunk is the capacity of the encoder's output buffer. Take hands out
// the filled part with its capacity cut at its length, and the encoder
// keeps appending to the rest of the chunk: the caller's slice and the
// encoder's writes never overlap, and emitting a byte allocates only once
// per chunk.
const outChunk = 4096

func (e *Encoder) emit(b byte) {
	if len(e.out) == cap(e.out) {
		e.grow()
	}
	e.out = append(e.out, b)
	e.n++
}

// grow makes room for at least one more byte in e.out: a fresh chunk when
// nothing is buffered, else a doubled buffer (Take was not called).
func (e *Encoder) grow() {
	if len(e.out) == 0 {
		e.out = make([]byte, 0, outChunk)
		return
	}
	e.out = append(make([]byte, 0, 2*cap(e.out)), e.out...)
}

// sumFreqs returns the sum of f in 64 bits (no overflow for any table a
// caller can pass), four lanes at a time.
func sumFreqs(f []uint32) uint64 {
	var a, b, c, d uint64
	n := len(f) &^ 3
	for i := 0; i < n; i += 4 {
		g := f[i : i+4 : i+4]
		a += uint64(g[0])
		b += uint64(g[1])
		c += uint64(g[2])
		d += uint64(g[3])
	}
	for _, x := range f[n:] {
		a += uint64(x)
	}
	return a + b + c + d
}

// smallK is the table size up to which the coder scans tables without
// data-dependent branches (a mispredicted branch costs more than the
// whole scan).
const smallK = 16

// flushBytes returns how many window bytes the flush writes (0 or 1 when
// rng >= 2^24; up to 4 in general) and the offset delta = V - low of the
// flushed value V: the smallest value in [low, low+rng) with the most
// trailing zero bytes. It depends only on low mod 2^32 and rng, so the
// decoder can recompute it.
func flushBytes(low32, rng uint64) (j int, delta uint64) {
	for k := 4; k >= 0; k-- {
		m := uint64(1) << (8 * k)
		d := (m - low32%m) % m
		if d < rng {
			return 4 - k, d
		}
	}
	return 4, 0 // unreachable: k=0 gives d=0 < rng
}

// flushSelf is Flush's rule: the smallest V in [low, low+rng) that is a
// multiple of 256^k with [V, V+256^k) inside [low, low+rng), for the
// largest such k <= 4; it returns j = 4-k (1 or 2 when rng < 2^32; 0 only
// for the untouched interval [0, 2^32)) and delta = V - low. Every code
// value that starts with the first j window bytes of V lies in the final
// interval, whatever bytes follow: the sub-stream is self-delimiting.
func flushSelf(low32, rng uint64) (j int, delta uint64) {
	for k := 4; k >= 0; k-- {
		m := uint64(1) << (8 * k)
		d := (m - low32%m) % m
		if d+m <= rng {
			return 4 - k, d
		}
	}
	return 4, 0 // unreachable: k=0 gives d=0, 1 <= rng
}

// Take returns the bytes that are final so far and forgets them. Bytes a
// carry may still change (one cached byte and a run of 0xFF) are held
// back. After Finish it returns nil. The slice is the caller's: the
// encoder never writes to it again (its capacity is its length, and the
// encoder keeps filling the rest of its buffer chunk, so no byte emitted
// allocates except once per chunk).
func (e *Encoder) Take() []byte {
	if len(e.out) == 0 {
		return nil
	}
	b := e.out[:len(e.out):len(e.out)]
	e.out = e.out[len(e.out):]
	return b
}

// Finish flushes the encoder and returns the remaining final bytes (those
// not returned by Take). Afterwards Encode and EncodeCum fail, Take
// returns nil and Len is the stream length. Calling Finish again returns
// nil.
func (e *Encoder) Finish() []byte {
	if e.finished {
		return nil
	}
	e.finished = true
	j, delta := flushBytes(e.low&(window-1), e.rng)
	e.low += delta
	for i := 0; i <= j; i++ {
		e.shiftLow()
	}
	// The final cache byte and the window are zero and are not written.
	return e.Take()
}

// Flush ends the current sub-stream and returns the remaining final bytes
// (those not returned by Take), then starts a new sub-stream appended to
// the same byte stream, with a fresh state (Len keeps counting). Unlike
// Finish's minimal flush, whose omitted bytes must read as zero and so
// only works at the very end of the stream, Flush writes the first j
// window bytes of a value V whose whole block [V, V+256^(4-j)) lies in
// the final interval (flushSelf): 1 or 2 bytes, none if nothing was coded
// since the last flush. Whatever follows (the next sub-stream) the decoder
// decodes the same symbols, and Decoder.Flush finds the boundary from its
// own state. The bytes of a stream without Flush calls are unchanged;
// after Flush, Finish still ends the stream (emitting nothing if no symbol
// followed). After Finish, Flush returns nil.
func (e *Encoder) Flush() []byte {
	if e.finished {
		return nil
	}
	j, delta := flushSelf(e.low&(window-1), e.rng)
	e.low += delta
	for i := 0; i <= j; i++ {
		e.shiftLow()
	}
	// The cache now holds byte j of V's window, which is 0, and no 0xFF
	// run is pending: like the virtual byte before a stream, it is not
	// written, and the next sub-stream starts right after the flush bytes.
	e.low, e.rng, e.cache, e.pending, e.first = 0, rangeTop, 0, 0, true
	return e.Take()
}

// Len returns the number of final bytes emitted so far, including those
// already taken. After Finish it is the length of the stream.
func (e *Encoder) Len() int64 { return e.n }
