// Package coder is the product's arithmetic coder: a FIFO multi-symbol
// range coder that codes class labels against a model's quantized
// predictive distribution (prequential MDL). Alice encodes, Bob decodes;
// both must agree on every byte on every architecture, so everything
// except Quantize is pure integer arithmetic, and Quantize is written to
// be bit-identical everywhere (no fused multiply-add, fixed order).
//
// # Quantize
//
// Quantize(dst, probs, P) is the one quantizer of the product. With
// T = 2^P: f_i = max(1, floor(clamp(float64(p_i*T), 0, T) + 0.5)); then
// d = T - Σf goes to the largest f (lowest index on ties); if d < 0 would
// bring it below 1, the excess is taken from the symbols in decreasing
// order of f (lowest index on ties), none below 1. It refuses NaN, ±Inf
// and negative probabilities, sums (in index order) not within 1e-6 of 1,
// an empty table, len(dst) != len(probs), and K > T.
//
// # Arithmetic
//
// The encoder state is low (a 32-bit window plus a carry bit) and range
// in [2^24, 2^32]; initially low = 0, range = 2^32, i.e. the interval
// [0, 1) with the window holding stream bytes 0..3. Coding the interval
// [c, c+f) of T = 2^P (P <= 24) is exact multiplication, no r = range>>P:
//
//	lo = floor(range*c / T), hi = floor(range*(c+f) / T)   (products < 2^56)
//	low += lo; range = hi - lo
//
// Since range >= 2^24 >= T and f >= 1, hi-lo >= 1, and the sub-intervals
// of a table tile [0, range) exactly: nothing is lost to rounding except
// byte granularity at the end. While range < 2^24, one byte is shifted
// out of the window (at most 3 per symbol). Carries are resolved
// LZMA-style: one cached byte plus a count of 0xFF bytes behind it; the
// byte before the stream (LZMA's leading zero, which no carry can reach
// because the interval stays in [0, 1)) is not written.
//
// The decoder keeps v = code - low (v < range always) and also low mod
// 2^32. For a table it computes t = floor(((v+1)*T - 1) / range), the
// symbol s with cum[s] <= t < cum[s+1] (linear scan, O(K); or
// DecodeTarget + DecodeCum with the caller's own search), and checks
// floor(range*cum[s]/T) <= v < floor(range*cum[s+1]/T).
//
// # Format
//
// The stream is the big-endian base-256 expansion of a value V in the
// final interval, i.e. bytes in coding order, most significant first.
// There is no header, no length and no checksum: the number of symbols
// and their tables come from the caller (the shared model).
//
// Flush: let S be the number of renormalisation shifts done; the window
// holds stream bytes S..S+3. V is the smallest value in [low, low+range)
// with the most trailing zero bytes in the window (k of 4; since
// range >= 2^24, k >= 3). The stream is exactly the first S + (4-k) bytes
// of V: zero or one byte more than the bytes already shifted out. The
// omitted bytes are zero. A stream with no symbols is empty.
//
// Length check: after CloseWrite the decoder reads bytes past the end as
// zero. At Finish it recomputes k from its own low and range (which equal
// the encoder's when the symbols are right), hence the exact length
// N = S + 4 - k, and requires: the stream has exactly N bytes (fewer: an
// error wrapping io.ErrUnexpectedEOF; more: ErrTrailingData), and the
// window equals V (else *CorruptInputError). Decoding that shifts more
// padding than any stream of this length can hold (S > stream length)
// fails at once with io.ErrUnexpectedEOF. So for the decoded symbols and
// tables, Finish accepts exactly one byte string: the encoder's.
//
// # Streaming
//
// Encoder.Take returns the bytes no carry can change any more; one byte
// and a run of 0xFF bytes may be held back until the carry is resolved
// (the run is unbounded in principle, vanishingly unlikely to be long).
// Decoder.Write appends bytes; Ready reports whether the buffered bytes
// cover the worst-case renormalisation of the next symbol (3 bytes, plus 4
// before the first symbol) or the stream was closed. Decode returns
// ErrNeedInput with the state unchanged otherwise. Bob therefore lags
// Alice by a few bytes: the 4-byte window, the held-back carry bytes and
// up to 3 bytes of look-ahead, released by the final Finish/CloseWrite.
// Consumed bytes are dropped from the decoder's buffer (amortised), so
// memory is bounded by the unconsumed input.
//
// # Invariants
//
//   - Integers only in the coder; precision in [MinPrecision, MaxPrecision]
//     = [1, 24]; frequency tables must sum to exactly 2^P. Zero entries
//     are allowed in a table, but a symbol with frequency 0 cannot be
//     encoded (Quantize never produces 0).
//   - Encode/EncodeCum/Decode(table errors)/DecodeCum leave the state
//     unchanged on a caller error. Stream errors (truncation, corruption)
//     are sticky in the decoder.
//   - No input can make the coder panic or loop: per symbol the work is
//     O(K) (Decode, Encode) or O(1) (EncodeCum, DecodeTarget, DecodeCum)
//     plus at most 3 byte shifts.
//   - No package-level mutable state, no I/O, no time, no goroutines.
//   - The exact bytes are pinned by golden vectors (golden_test.go) and
//     checked against an independent math/big implementation
//     (helpers_test.go: refEncode).
//
// # What it refuses to do
//
//   - It does not detect corruption in general: the code has no
//     redundancy, so almost every byte string decodes to some symbols, and
//     a truncated or altered stream can be a valid stream of other
//     symbols (then Finish may even succeed, or report ErrTrailingData for
//     a truncated stream that looks like another stream plus extra bytes).
//     Integrity must come from elsewhere (checkpoints of the decoded
//     labels or model state).
//   - It does not promise ceil(ideal) bits per stream: zero padding lets
//     some streams be shorter than Σ -log2(f/T); the length is within
//     [interval bits - 8, ideal + 8 + rounding] (measured: <= ideal + 8
//     bits on short scripts, <= 8 bits over 10^5 symbols).
//   - It does not adapt frequencies, model, or know the number of symbols.
package coder
