package coder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// genScript builds n symbols over K symbols at precision prec, with random,
// flat and extreme tables; mode picks the symbols: "sample" draws them from
// their table, "uniform" uniformly (rare symbols often), "rare" only the
// frequency-1 symbols of extreme tables.
func genScript(r *rand.Rand, k int, prec uint, n int, mode string) *script {
	s := &script{prec: prec}
	add := func(f []uint32) { s.tables = append(s.tables, f) }
	if mode == "rare" {
		add(extremeTable(k, 0, prec))
		add(extremeTable(k, k-1, prec))
	} else {
		for range 3 {
			f := make([]uint32, k)
			if err := Quantize(f, randomProbs(r, k), prec); err != nil {
				panic(err)
			}
			add(f)
		}
		f := make([]uint32, k)
		if err := Quantize(f, flatProbs(k), prec); err != nil {
			panic(err)
		}
		add(f)
		add(extremeTable(k, r.IntN(k), prec))
	}
	for range n {
		ti := r.IntN(len(s.tables))
		f := s.tables[ti]
		var y int
		switch mode {
		case "sample":
			y = sample(r, f, prec)
		case "uniform":
			y = r.IntN(k)
		case "rare":
			y = r.IntN(k)
			for f[y] != 1 {
				y = r.IntN(k)
			}
		}
		s.add(ti, y)
	}
	return s
}

func precisionsFor(k int) []uint {
	minP := uint(1)
	for 1<<minP < k {
		minP++
	}
	ps := []uint{24}
	for _, p := range []uint{16, 12, 8, minP} {
		if p >= minP && p != ps[len(ps)-1] {
			ps = append(ps, p)
		}
	}
	return ps
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{2, 3, 10, 256, 32768} {
		for _, prec := range precisionsFor(k) {
			for _, mode := range []string{"sample", "uniform", "rare"} {
				n := 3000
				if k == 32768 {
					n = 300
				}
				s := genScript(r, k, prec, n, mode)
				name := fmt.Sprintf("K=%d/P=%d/%s", k, prec, mode)
				data := encodeScript(t, s, true)
				if !bytes.Equal(data, encodeScript(t, s, false)) {
					t.Fatalf("%s: Take changes the stream", name)
				}
				ref, _, _ := refEncode(s)
				if !bytes.Equal(data, ref) {
					t.Fatalf("%s: stream differs from the math/big reference\n got %x\nwant %x", name, data, ref)
				}
				got, err := DecodeAll(data, prec, len(s.syms), s.freqs)
				if err != nil || !equalInts(got, s.syms) {
					t.Fatalf("%s: DecodeAll: err %v, symbols equal %v", name, err, equalInts(got, s.syms))
				}
			}
		}
	}
}

// Long runs of the most probable symbol of an extreme table (T-K+1 of T),
// then long runs of the rare ones: exercises pending 0xFF runs and carries.
func TestRunsAndCarries(t *testing.T) {
	for _, prec := range []uint{24, 16, 8, 1} {
		f := []uint32{1<<prec - 1, 1}
		if prec == 1 {
			f = []uint32{1, 1}
		}
		s := &script{prec: prec, tables: [][]uint32{f}}
		for range 5000 {
			s.add(0, 0)
		}
		for range 500 {
			s.add(0, 1)
		}
		for i := range 5000 {
			s.add(0, i%2)
		}
		for range 5000 {
			s.add(0, 0)
		}
		data := encodeScript(t, s, true)
		ref, _, _ := refEncode(s)
		if !bytes.Equal(data, ref) {
			t.Fatalf("P=%d: stream differs from the reference", prec)
		}
		got, err := DecodeAll(data, prec, len(s.syms), s.freqs)
		if err != nil || !equalInts(got, s.syms) {
			t.Fatalf("P=%d: err %v", prec, err)
		}
	}
	// Streams that end in a carry, and the empty stream.
	for _, n := range []int{0, 1, 2, 3, 17} {
		s := &script{prec: 24, tables: [][]uint32{{1<<24 - 1, 1}}}
		for range n {
			s.add(0, 1)
		}
		data := encodeScript(t, s, false)
		ref, _, _ := refEncode(s)
		if !bytes.Equal(data, ref) {
			t.Fatalf("n=%d: %x, reference %x", n, data, ref)
		}
		if _, err := DecodeAll(data, 24, n, s.freqs); err != nil {
			t.Fatal(err)
		}
	}
	if got := encodeScript(t, &script{prec: 24}, false); len(got) != 0 {
		t.Fatalf("empty stream: %x", got)
	}
}

func TestChunking(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{2, 10, 256} {
		for _, mode := range []string{"sample", "uniform", "rare"} {
			s := genScript(r, k, 24, 2000, mode)
			data := encodeScript(t, s, true)
			for _, c := range []struct {
				name string
				next func() int
			}{
				{"one", func() int { return 1 }},
				{"two", func() int { return 2 }},
				{"random", func() int { return 1 + r.IntN(13) }},
				{"all", func() int { return len(data) + 1 }},
			} {
				got, err := decodeChunks(t, s, data, c.next)
				if err != nil || !equalInts(got, s.syms) {
					t.Fatalf("K=%d %s chunks %s: err %v", k, mode, c.name, err)
				}
			}
		}
	}
}

// The reference lengths: exact ideal Σ(P - log2 f) by math/big; the stream
// is byte-identical to the big-integer reference and its length is within
// [intervalBits - 8, ideal + 32].
func TestReferenceLength(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	worst := -1e9
	below := 0
	for trial := range 2000 {
		k := []int{2, 3, 10, 256}[trial%4]
		prec := []uint{24, 16, 9}[trial%3]
		s := genScript(r, k, prec, 1+r.IntN(60), []string{"sample", "uniform", "rare"}[trial%3])
		data := encodeScript(t, s, false)
		ref, ideal, interval := refEncode(s)
		if !bytes.Equal(data, ref) {
			t.Fatalf("trial %d: stream differs from reference", trial)
		}
		bits := float64(8 * len(data))
		if bits > ideal+32 {
			t.Fatalf("trial %d: %v bits, ideal %.3f", trial, bits, ideal)
		}
		if bits < interval-8 {
			t.Fatalf("trial %d: %v bits, interval %.3f", trial, bits, interval)
		}
		if bits < ideal {
			below++
		}
		worst = max(worst, bits-ideal)
	}
	t.Logf("2000 short scripts: worst overhead %.2f bits over the exact ideal; %d streams shorter than the ideal (zero-padding lets some be)", worst, below)
}

func TestAccuracy(t *testing.T) {
	const n = 100000
	r := rand.New(rand.NewPCG(7, 8))
	for _, k := range []int{2, 10, 256, 32768} {
		tables := map[string][][]uint32{
			"flat":   {quantized(t, flatProbs(k), 24)},
			"peaked": {quantized(t, peakedProbs(k, k/3, 0.999), 24)},
		}
		var mixed [][]uint32
		for range 8 {
			mixed = append(mixed, quantized(t, randomProbs(r, k), 24))
		}
		mixed = append(mixed, tables["flat"][0], tables["peaked"][0], quantized(t, peakedProbs(k, 0, 0.9), 24))
		tables["mixed"] = mixed
		for _, kind := range []string{"flat", "peaked", "mixed"} {
			tabs := tables[kind]
			cums := make([][]uint32, len(tabs))
			for i, f := range tabs {
				cums[i] = cumOf(f)
			}
			which := make([]int, n)
			syms := make([]int, n)
			e, _ := NewEncoder(24)
			ideal := 0.0
			for i := range n {
				ti := r.IntN(len(tabs))
				c := cums[ti]
				y := searchCum(c, r.Uint32N(1<<24))
				which[i], syms[i] = ti, y
				if err := e.EncodeCum(c[y], c[y+1]-c[y]); err != nil {
					t.Fatal(err)
				}
				ideal += 24 - log2f(float64(c[y+1]-c[y]))
			}
			data := append(e.Take(), e.Finish()...)
			over := float64(8*e.Len()) - ideal
			t.Logf("K=%-5d %-6s %d symbols: ideal %.1f bits, coded %d bits, overhead %+.2f bits (%.2e relative)",
				k, kind, n, ideal, 8*e.Len(), over, over/ideal)
			if over > 0.0001*ideal+32 {
				t.Errorf("K=%d %s: overhead %.2f bits exceeds bound %.2f", k, kind, over, 0.0001*ideal+32)
			}
			// Decode through the cumulative interface (binary search).
			d, _ := NewDecoder(24)
			d.Write(data)
			d.CloseWrite()
			for i := range n {
				tv, err := d.DecodeTarget()
				if err != nil {
					t.Fatal(err)
				}
				c := cums[which[i]]
				lo := searchCum(c, tv)
				if lo != syms[i] {
					t.Fatalf("K=%d %s: symbol %d decoded %d, want %d", k, kind, i, lo, syms[i])
				}
				if err := d.DecodeCum(c[lo], c[lo+1]-c[lo]); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Finish(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func isEOForCorrupt(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrCorrupt)
}

// decodeAllErr decodes s's symbols from data (complete stream) and
// returns the symbols decoded and the first error of Decode or Finish.
func decodeAllErr(s *script, data []byte) ([]int, error) {
	d, _ := NewDecoder(s.prec)
	d.Write(data)
	d.CloseWrite()
	var got []int
	for i := range s.syms {
		y, err := d.Decode(s.freqs(i))
		if err != nil {
			return got, err
		}
		got = append(got, y)
	}
	return got, d.Finish()
}

func TestTruncation(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	wrong, trailing := 0, 0
	for trial := range 300 {
		k := []int{2, 10, 256}[trial%3]
		s := genScript(r, k, []uint{24, 12}[trial%2], 1+r.IntN(200), []string{"sample", "uniform", "rare"}[trial%3])
		data := encodeScript(t, s, false)
		for l := range len(data) {
			got, err := decodeAllErr(s, data[:l])
			if err == nil {
				if equalInts(got, s.syms) {
					t.Fatalf("trial %d: prefix %d of %d accepted with all symbols correct", trial, l, len(data))
				}
				wrong++ // a different valid stream: different symbols
				continue
			}
			// With the right symbols the state is the encoder's and the
			// error must be truncation; with other symbols the prefix may
			// look like another stream plus trailing data.
			if equalInts(got, s.syms) && !errors.Is(err, io.ErrUnexpectedEOF) ||
				!isEOForCorrupt(err) && !errors.Is(err, ErrTrailingData) {
				t.Fatalf("trial %d: prefix %d of %d: %v", trial, l, len(data), err)
			}
			if !isEOForCorrupt(err) {
				trailing++
			}
		}
		// Trailing data: zero bytes never change the symbols.
		for extra := 1; extra <= 5; extra++ {
			tail := make([]byte, extra)
			got, err := decodeAllErr(s, append(data[:len(data):len(data)], tail...))
			if !equalInts(got, s.syms) || !errors.Is(err, ErrTrailingData) {
				t.Fatalf("trial %d: %d zero bytes appended: %v", trial, extra, err)
			}
			for i := range tail {
				tail[i] = byte(1 + r.IntN(255))
			}
			got, err = decodeAllErr(s, append(data[:len(data):len(data)], tail...))
			if err == nil && equalInts(got, s.syms) {
				t.Fatalf("trial %d: %x appended: accepted", trial, tail)
			}
		}
	}
	t.Logf("proper prefixes accepted as streams of other symbols: %d; taken for another stream plus trailing data: %d", wrong, trailing)
}

// Finish accepts exactly the encoder's bytes for the decoded symbols:
// flipping any bit of a stream never passes with all symbols correct.
func TestBitFlips(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 100 {
		s := genScript(r, 10, 24, 1+r.IntN(100), "sample")
		data := encodeScript(t, s, false)
		for i := range 8 * len(data) {
			bad := bytes.Clone(data)
			bad[i/8] ^= 1 << (i % 8)
			got, err := decodeAllErr(s, bad)
			if err == nil && equalInts(got, s.syms) {
				t.Fatalf("trial %d: bit %d flipped, accepted", trial, i)
			}
		}
	}
}

func TestAPIErrors(t *testing.T) {
	if _, err := NewEncoder(0); err == nil {
		t.Error("precision 0 accepted")
	}
	if _, err := NewDecoder(25); err == nil {
		t.Error("precision 25 accepted")
	}
	e, _ := NewEncoder(8)
	for _, c := range []struct {
		f   []uint32
		sym int
	}{
		{[]uint32{128, 127}, 0},
		{[]uint32{128, 128}, 2},
		{[]uint32{128, 128}, -1},
		{[]uint32{256, 0}, 1},
		{nil, 0},
		{[]uint32{1<<32 - 1, 257}, 0},
	} {
		if err := e.Encode(c.f, c.sym); err == nil {
			t.Errorf("Encode(%v, %d) accepted", c.f, c.sym)
		}
	}
	if err := e.EncodeCum(255, 2); err == nil {
		t.Error("EncodeCum past T accepted")
	}
	if err := e.EncodeCum(0, 0); err == nil {
		t.Error("EncodeCum freq 0 accepted")
	}
	if e.Len() != 0 || len(e.Finish()) != 0 {
		t.Error("failed calls changed the encoder")
	}
	if err := e.Encode([]uint32{128, 128}, 0); !errors.Is(err, ErrFinished) {
		t.Errorf("Encode after Finish: %v", err)
	}
	if e.Take() != nil || e.Finish() != nil {
		t.Error("output after Finish")
	}
	e.Reset()
	if err := e.Encode([]uint32{256}, 0); err != nil {
		t.Error(err)
	}

	d, _ := NewDecoder(12)
	d.Write([]byte{0, 0x0f, 0xff})
	if d.Ready() {
		t.Error("Ready with 3 bytes before the first symbol")
	}
	// The offset is in [0x000fff00, 0x000fffff]: below the boundary
	// 0x00100000 of {1, 4095}, so the symbol is determined without Ready.
	if y, err := d.Decode([]uint32{1, 4095}); err != nil || y != 0 {
		t.Errorf("Decode of a determined symbol: %d, %v", y, err)
	}
	d, _ = NewDecoder(12)
	d.Write([]byte{0})
	if _, err := d.Decode([]uint32{1, 4095}); err != ErrNeedInput {
		t.Errorf("Decode: %v, want ErrNeedInput", err)
	}
	if err := d.Flush(); err != nil || d.Consumed() != 0 { // nothing decoded: nothing to flush
		t.Errorf("Flush before any symbol: %v, consumed %d", err, d.Consumed())
	}
	if err := d.Finish(); err == nil {
		t.Error("Finish before CloseWrite accepted")
	}
	d.Write([]byte{4, 5, 6, 7})
	if _, err := d.Decode([]uint32{2048, 2047}); err == nil {
		t.Error("bad table accepted")
	}
	if _, err := d.DecodeCumulative([]uint32{0, 2048, 4095}); err == nil {
		t.Error("bad cumulative table accepted")
	}
	if d.Consumed() != 0 {
		t.Error("bad table consumed input")
	}
	d.CloseWrite()
	if _, err := d.Write([]byte{1}); err == nil {
		t.Error("Write after CloseWrite accepted")
	}
	if _, err := d.Decode([]uint32{2048, 2048}); err != nil {
		t.Error(err)
	}
	if err := d.DecodeCum(0, 0); err == nil {
		t.Error("DecodeCum freq 0 accepted")
	}
	tv, _ := d.DecodeTarget()
	if err := d.DecodeCum((uint32(tv)+1)%4096, 1); err == nil {
		t.Error("DecodeCum with an interval not holding the target accepted")
	}
	// A cumulative table that is not non-decreasing: an error or a symbol,
	// never a panic.
	for range 50 {
		if _, err := d.DecodeCumulative([]uint32{0, 4000, 10, 4096}); err != nil {
			break
		}
	}
}

func TestCorruptInputError(t *testing.T) {
	err := error(&CorruptInputError{Offset: 17, Reason: "x"})
	if !errors.Is(err, ErrCorrupt) || !bytes.Contains([]byte(err.Error()), []byte("17")) {
		t.Fatal(err)
	}
	var ce *CorruptInputError
	// A stream whose last byte is altered but decodes to the same symbols.
	s := &script{prec: 24, tables: [][]uint32{{1 << 23, 1 << 23}}}
	for range 60 { // 7.5 bytes: the flushed last byte has 4 free bits
		s.add(0, 1)
	}
	data := encodeScript(t, s, false)
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 1
	got, err := decodeAllErr(s, bad)
	if !errors.As(err, &ce) || !equalInts(got, s.syms) {
		t.Fatalf("%x -> %x: %v", data, bad, err)
	}
	t.Logf("%v", err)
}

// searchCum returns the largest y with c[y] <= v (c[0] = 0 <= v < c[len-1]).
func searchCum(c []uint32, v uint32) int {
	lo, hi := 0, len(c)-1
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if c[m] <= v {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}
