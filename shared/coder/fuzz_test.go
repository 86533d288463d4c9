package coder

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// fuzzTables derives a few frequency tables from the fuzz parameters.
func fuzzTables(seed uint64, k int, prec uint) [][]uint32 {
	r := rand.New(rand.NewPCG(seed, 99))
	tabs := [][]uint32{extremeTable(k, r.IntN(k), prec)}
	for range 2 {
		f := make([]uint32, k)
		if err := Quantize(f, randomProbs(r, k), prec); err != nil {
			panic(err)
		}
		tabs = append(tabs, f)
	}
	return tabs
}

func fuzzShape(k uint16, prec uint8) (int, uint) {
	p := uint(1 + prec%24)
	kk := 1 + int(k%300)
	return min(kk, 1<<p), p
}

// decodeStreaming decodes n symbols, writing data in chunks of size chunk
// and decoding as far as Ready allows. It returns the symbols and the
// first error (from Decode or Finish).
func decodeStreaming(s *script, data []byte, chunk int) ([]int, error) {
	d, _ := NewDecoder(s.prec)
	var got []int
	advance := func() error {
		for len(got) < len(s.syms) && d.Ready() {
			y, err := d.Decode(s.freqs(len(got)))
			if err != nil {
				return err
			}
			got = append(got, y)
		}
		return nil
	}
	for rest := data; len(rest) > 0; {
		n := min(chunk, len(rest))
		d.Write(rest[:n])
		rest = rest[n:]
		if err := advance(); err != nil {
			return got, err
		}
	}
	d.CloseWrite()
	if err := advance(); err != nil {
		return got, err
	}
	return got, d.Finish()
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint8(23), uint16(0), uint8(0), uint64(1))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, uint16(1), uint8(23), uint16(64), uint8(1), uint64(2))
	f.Add([]byte{0x12, 0x34, 0x56, 0x78, 0x9a}, uint16(255), uint8(7), uint16(10), uint8(3), uint64(3))
	for name, s := range goldenScripts() {
		data := encodeScript(f, s, false)
		f.Add(data, uint16(len(s.tables[0])-1), uint8(s.prec-1), uint16(len(s.syms)), uint8(len(name)), uint64(4))
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint16, prec uint8, n uint16, chunk uint8, seed uint64) {
		kk, p := fuzzShape(k, prec)
		s := &script{prec: p, tables: fuzzTables(seed, kk, p)}
		nn := int(n % 2048)
		r := rand.New(rand.NewPCG(seed, 7))
		s.which = make([]int, nn)
		for i := range s.which {
			s.which[i] = r.IntN(len(s.tables))
		}
		s.syms = make([]int, nn) // placeholders: only the count and tables matter
		// All at once.
		d, _ := NewDecoder(p)
		d.Write(data)
		d.CloseWrite()
		var got []int
		var err error
		for i := 0; i < nn; i++ {
			var y int
			y, err = d.Decode(s.freqs(i))
			if err != nil {
				break
			}
			if y < 0 || y >= kk || s.freqs(i)[y] == 0 {
				t.Fatalf("decoded symbol %d of K=%d", y, kk)
			}
			got = append(got, y)
		}
		if err == nil {
			err = d.Finish()
		}
		if err != nil && !isEOForCorrupt(err) && !errors.Is(err, ErrTrailingData) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		// Prefix-sum tables (DecodeCumulative's search) decode the same.
		cums := make([][]uint32, len(s.tables))
		for i, f := range s.tables {
			cums[i] = cumOf(f)
		}
		dc, _ := NewDecoder(p)
		dc.Write(data)
		dc.CloseWrite()
		var gotCum []int
		var errCum error
		for i := 0; i < nn; i++ {
			var y int
			y, errCum = dc.DecodeCumulative(cums[s.which[i]])
			if errCum != nil {
				break
			}
			gotCum = append(gotCum, y)
		}
		if errCum == nil {
			errCum = dc.Finish()
		}
		if !equalInts(got, gotCum) || (err == nil) != (errCum == nil) || err != nil && err.Error() != errCum.Error() {
			t.Fatalf("DecodeCumulative differs: %v / %v", err, errCum)
		}
		// Streaming in chunks gives the same symbols and the same error.
		got2, err2 := decodeStreaming(s, data, 1+int(chunk%17))
		if !equalInts(got, got2) || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("chunked decode differs: %v / %v", err, err2)
		}
		// An accepted stream is exactly the encoder's stream for the
		// decoded symbols.
		if err == nil {
			copy(s.syms, got)
			if re := encodeScript(t, s, true); !bytes.Equal(re, data) {
				t.Fatalf("accepted %x, but the symbols encode to %x", data, re)
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, uint16(9), uint8(23), uint64(1), uint8(1))
	f.Add([]byte{}, uint16(1), uint8(0), uint64(2), uint8(5))
	f.Add(bytes.Repeat([]byte{0}, 300), uint16(255), uint8(23), uint64(3), uint8(2))
	f.Fuzz(func(t *testing.T, syms []byte, k uint16, prec uint8, seed uint64, chunk uint8) {
		kk, p := fuzzShape(k, prec)
		s := &script{prec: p, tables: fuzzTables(seed, kk, p)}
		for i, b := range syms {
			ti := i % len(s.tables)
			y := int(b) % kk
			if b >= 0xf0 { // mostly the likely symbols, like real data
				y = sample(rand.New(rand.NewPCG(uint64(i), seed)), s.tables[ti], p)
			}
			s.add(ti, y)
		}
		data := encodeScript(t, s, true)
		if len(syms) <= 512 {
			if ref, _, _ := refEncode(s); !bytes.Equal(ref, data) {
				t.Fatalf("stream %x, reference %x", data, ref)
			}
		}
		got, err := decodeStreaming(s, data, 1+int(chunk%17))
		if err != nil || !equalInts(got, s.syms) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzFlush: symbols with flushes (a symbol byte 0xee means Flush) round
// trip with chunking; and arbitrary bytes decoded with the same flushes
// never panic and give the same result whole and in chunks.
func FuzzFlush(f *testing.F) {
	f.Add([]byte{0, 1, 0xee, 2, 0xee, 0xee, 3}, uint16(9), uint8(23), uint64(1), uint8(1), []byte{1, 2, 3})
	f.Add([]byte{0xee}, uint16(0), uint8(7), uint64(2), uint8(3), []byte{})
	f.Add(bytes.Repeat([]byte{0, 0xee}, 100), uint16(255), uint8(23), uint64(3), uint8(2), bytes.Repeat([]byte{0xff}, 40))
	f.Fuzz(func(t *testing.T, syms []byte, k uint16, prec uint8, seed uint64, chunk uint8, garbage []byte) {
		kk, p := fuzzShape(k, prec)
		s := &script{prec: p, tables: fuzzTables(seed, kk, p)}
		var flushes []int
		for i, b := range syms {
			if b == 0xee {
				flushes = append(flushes, len(s.syms))
				continue
			}
			ti := i % len(s.tables)
			y := int(b) % kk
			if b >= 0xf0 {
				y = sample(rand.New(rand.NewPCG(uint64(i), seed)), s.tables[ti], p)
			}
			s.add(ti, y)
		}
		r := rand.New(rand.NewPCG(seed, 5))
		data, ends := encodeFlushes(t, r, s, flushes)
		c := 1 + int(chunk%17)
		got, err := decodeFlushes(t, s, flushes, ends, data, func() int { return c })
		if err != nil || !equalInts(got, s.syms) {
			t.Fatalf("round trip: %v", err)
		}
		// Arbitrary bytes: whole and chunked agree, no panic.
		run := func(step int) ([]int, error) {
			d, _ := NewDecoder(p)
			var out []int
			fi := 0
			rest := garbage
			for {
				if fi < len(flushes) && flushes[fi] == len(out) {
					err := d.Flush()
					if err == nil {
						fi++
						continue
					}
					if err != ErrNeedInput {
						return out, err
					}
				} else if len(out) == len(s.syms) {
					if len(rest) == 0 {
						d.CloseWrite()
						return out, d.Finish()
					}
				} else {
					y, err := d.Decode(s.freqs(len(out)))
					if err == nil {
						out = append(out, y)
						continue
					}
					if err != ErrNeedInput {
						return out, err
					}
				}
				if len(rest) == 0 {
					if d.closed {
						t.Fatal("ErrNeedInput after CloseWrite")
					}
					d.CloseWrite()
					continue
				}
				n := min(step, len(rest))
				d.Write(rest[:n])
				rest = rest[n:]
			}
		}
		g1, e1 := run(len(garbage) + 1)
		g2, e2 := run(c)
		if !equalInts(g1, g2) || (e1 == nil) != (e2 == nil) || e1 != nil && e1.Error() != e2.Error() {
			t.Fatalf("chunked decode differs: %v / %v (%v / %v)", e1, e2, g1, g2)
		}
	})
}
