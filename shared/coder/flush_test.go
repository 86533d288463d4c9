package coder

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// encodeFlushes encodes s, calling Flush when exactly flushes[i] symbols
// have been coded (flushes sorted, repeats allowed) and Take at random. It
// returns the stream and the stream length after each flush.
func encodeFlushes(t testing.TB, r *rand.Rand, s *script, flushes []int) ([]byte, []int64) {
	t.Helper()
	e, err := NewEncoder(s.prec)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	var ends []int64
	fi := 0
	for i := 0; i <= len(s.syms); i++ {
		for fi < len(flushes) && flushes[fi] == i {
			out = append(out, e.Flush()...)
			if e.Len() != int64(len(out)) {
				t.Fatalf("after Flush: Len %d, %d bytes out", e.Len(), len(out))
			}
			ends = append(ends, e.Len())
			fi++
		}
		if i == len(s.syms) {
			break
		}
		if err := e.Encode(s.freqs(i), s.syms[i]); err != nil {
			t.Fatal(err)
		}
		if r.IntN(4) == 0 {
			out = append(out, e.Take()...)
		}
	}
	out = append(out, e.Finish()...)
	if e.Len() != int64(len(out)) {
		t.Fatalf("Len %d, %d bytes out", e.Len(), len(out))
	}
	return out, ends
}

// decodeFlushes decodes like Bob with chunks of sizes next() and the
// flushes at the same symbol counts. Once the bytes up to ends[i] have been
// written, flush i must be done (every symbol before it decoded) without
// later bytes.
func decodeFlushes(t testing.TB, s *script, flushes []int, ends []int64, data []byte, next func() int) ([]int, error) {
	t.Helper()
	d, err := NewDecoder(s.prec)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	fi := 0
	advance := func() error {
		for {
			if fi < len(flushes) && flushes[fi] == len(got) {
				err := d.Flush()
				if err == ErrNeedInput {
					return nil
				}
				if err != nil {
					return err
				}
				fi++
				continue
			}
			if len(got) == len(s.syms) {
				return nil
			}
			ready := d.Ready()
			y, err := d.Decode(s.freqs(len(got)))
			if err == ErrNeedInput {
				if ready {
					t.Fatal("ErrNeedInput when Ready")
				}
				return nil
			}
			if err != nil {
				return err
			}
			got = append(got, y)
		}
	}
	written := int64(0)
	for rest := data; len(rest) > 0; {
		n := min(next(), len(rest))
		// Never write across a flush end: stop there once, so the
		// promptness check sees exactly the bytes up to it.
		for _, end := range ends {
			if written < end && written+int64(n) > end {
				n = int(end - written)
				break
			}
		}
		d.Write(rest[:n])
		rest = rest[n:]
		written += int64(n)
		if err := advance(); err != nil {
			return got, err
		}
		for i, end := range ends {
			if written >= end && fi <= i {
				t.Fatalf("%d bytes written, flush %d ends at %d: only %d flushes and %d symbols done", written, i, end, fi, len(got))
			}
		}
		if d.buffered() > 2*n+16 {
			t.Fatalf("decoder buffer holds %d bytes after writes of %d", d.buffered(), n)
		}
	}
	d.CloseWrite()
	if err := advance(); err != nil {
		return got, err
	}
	if len(got) != len(s.syms) || fi != len(flushes) {
		t.Fatalf("decoded %d of %d symbols, %d of %d flushes after CloseWrite", len(got), len(s.syms), fi, len(flushes))
	}
	return got, d.Finish()
}

func randomFlushes(r *rand.Rand, n, count int) []int {
	f := make([]int, count)
	for i := range f {
		f[i] = r.IntN(n + 1)
	}
	for i := 1; i < len(f); i++ { // insertion sort
		for j := i; j > 0 && f[j] < f[j-1]; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
	return f
}

func TestFlushRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for trial := range 400 {
		k := []int{1, 2, 3, 10, 256}[trial%5]
		prec := []uint{24, 12, 8}[trial%3]
		mode := []string{"sample", "uniform", "rare"}[trial%3]
		if k == 1 {
			mode = "sample" // no rare symbol
		}
		n := r.IntN(300)
		s := genScript(r, k, prec, n, mode)
		flushes := randomFlushes(r, n, r.IntN(12))
		data, ends := encodeFlushes(t, r, s, flushes)
		if len(flushes) == 0 && !bytes.Equal(data, encodeScript(t, s, false)) {
			t.Fatalf("trial %d: stream without flushes changed", trial)
		}
		// Each sub-stream is the math/big reference with the self-delimiting
		// flush (the last one: with Finish's minimal flush).
		prev, prevEnd := 0, int64(0)
		for i, f := range append(flushes, n) {
			sub := &script{prec: s.prec, tables: s.tables, which: s.which[prev:f], syms: s.syms[prev:f]}
			want, _, _ := refEncodeRule(sub, i < len(flushes))
			end := int64(len(data))
			if i < len(flushes) {
				end = ends[i]
			}
			if !bytes.Equal(data[prevEnd:end], want) {
				t.Fatalf("trial %d: sub-stream %d is %x, reference %x", trial, i, data[prevEnd:end], want)
			}
			prev, prevEnd = f, end
		}
		for _, next := range []func() int{
			func() int { return 1 },
			func() int { return 1 + r.IntN(9) },
			func() int { return len(data) + 1 },
		} {
			got, err := decodeFlushes(t, s, flushes, ends, data, next)
			if err != nil || !equalInts(got, s.syms) {
				t.Fatalf("trial %d (K=%d P=%d %s, %d symbols, flushes %v): %v", trial, k, prec, mode, n, flushes, err)
			}
		}
	}
}

// A sub-stream ended by Flush decodes to the same symbols and passes
// Decoder.Flush whatever bytes follow it; a flush byte altered, or the
// stream cut inside the flush, does not pass.
func TestFlushSelfDelimiting(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for trial := range 2000 {
		s := genScript(r, []int{2, 10, 256}[trial%3], 24, 1+r.IntN(40), []string{"sample", "uniform", "rare"}[trial%3])
		e, _ := NewEncoder(24)
		for i, y := range s.syms {
			e.Encode(s.freqs(i), y)
		}
		sub := e.Flush()
		tail := make([]byte, r.IntN(8))
		for i := range tail {
			tail[i] = byte(r.Uint32())
		}
		if r.IntN(3) == 0 {
			for i := range tail {
				tail[i] = 0xff
			}
		}
		decode := func(data []byte, closed bool) error {
			d, _ := NewDecoder(24)
			d.Write(data)
			if closed {
				d.CloseWrite()
			}
			for i := range s.syms {
				y, err := d.Decode(s.freqs(i))
				if err != nil {
					return err
				}
				if y != s.syms[i] {
					return errors.New("wrong symbol")
				}
			}
			if err := d.Flush(); err != nil {
				return err
			}
			if d.Consumed() != int64(len(sub)) {
				return errors.New("flush did not stop at the sub-stream's end")
			}
			return nil
		}
		if err := decode(append(bytes.Clone(sub), tail...), false); err != nil {
			t.Fatalf("trial %d: %x + %x: %v", trial, sub, tail, err)
		}
		bad := bytes.Clone(sub)
		bad[len(bad)-1-r.IntN(min(2, len(bad)))] ^= byte(1 + r.IntN(255))
		if err := decode(append(bad, tail...), false); err == nil {
			t.Fatalf("trial %d: altered flush %x accepted (was %x)", trial, bad, sub)
		}
		if err := decode(sub[:len(sub)-1], true); err == nil {
			t.Fatalf("trial %d: stream cut in the flush accepted", trial)
		}
	}
}

// Why Flush cannot use Finish's minimal flush: its streams are not
// prefix-free. One symbol of {1/2, 1/2}: "0" is the empty stream, "1" is
// 0x80, so "0" followed by a sub-stream starting with 0x80 reads as "1".
func TestMinimalFlushNotPrefixFree(t *testing.T) {
	f := []uint32{1 << 23, 1 << 23}
	var streams [2][]byte
	for y := range 2 {
		e, _ := NewEncoder(24)
		e.Encode(f, y)
		streams[y] = e.Finish()
	}
	if len(streams[0]) != 0 || !bytes.Equal(streams[1], []byte{0x80}) {
		t.Fatalf("Finish streams %x, %x", streams[0], streams[1])
	}
	for y := range 2 {
		e, _ := NewEncoder(24)
		e.Encode(f, y)
		streams[y] = e.Flush()
	}
	if !bytes.Equal(streams[0], []byte{0x00}) || !bytes.Equal(streams[1], []byte{0x80}) {
		t.Fatalf("Flush streams %x, %x", streams[0], streams[1])
	}
}

// The cost of a flush in bits over the information of the state it ends
// (-log2 of the final interval's width, the interval bits), over many
// random states, for Flush and for Finish; and the marginal cost of
// flushing every 100 symbols of a long stream.
func TestFlushCost(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	const trials = 20000
	var sumFlush, sumFinish, maxFlush, maxFinish float64
	minFlush, minFinish := math.Inf(1), math.Inf(1)
	for trial := range trials {
		k := []int{2, 3, 10, 256}[trial%4]
		s := genScript(r, k, 24, 1+r.IntN(100), []string{"sample", "uniform"}[trial%2])
		e, _ := NewEncoder(24)
		for i, y := range s.syms {
			e.Encode(s.freqs(i), y)
		}
		e.Flush()
		_, _, interval := refEncodeRule(s, true)
		cf := float64(8*e.Len()) - interval
		fin := float64(8*len(encodeScript(t, s, false))) - interval
		sumFlush += cf
		sumFinish += fin
		maxFlush, maxFinish = max(maxFlush, cf), max(maxFinish, fin)
		minFlush, minFinish = min(minFlush, cf), min(minFinish, fin)
	}
	t.Logf("over %d random states, bits over the interval bits: Flush mean %.2f, min %.2f, max %.2f; Finish mean %.2f, min %.2f, max %.2f",
		trials, sumFlush/trials, minFlush, maxFlush, sumFinish/trials, minFinish, maxFinish)
	if maxFlush > 9 || minFlush < 0 {
		t.Errorf("Flush costs outside [0, 9) bits")
	}

	const n, every = 200000, 100
	s := genScript(r, 10, 24, n, "sample")
	var flushes []int
	for i := every; i < n; i += every {
		flushes = append(flushes, i)
	}
	with, _ := encodeFlushes(t, r, s, flushes)
	without := encodeScript(t, s, false)
	per := float64(8*(len(with)-len(without))) / float64(len(flushes))
	t.Logf("K=10, %d symbols, a Flush every %d: %d bytes vs %d without, %.2f bits per flush", n, every, len(with), len(without), per)
	if per > 9 {
		t.Errorf("marginal flush cost %.2f bits", per)
	}
}
