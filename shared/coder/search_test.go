package coder

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"
)

// zeroTable is a table of K entries summing to 2^prec with about a third
// of the entries 0 (at least one entry is positive).
func zeroTable(r *rand.Rand, k int, prec uint) []uint32 {
	f := make([]uint32, k)
	T := uint32(1) << prec
	var sum uint32
	for i := range f {
		if r.IntN(3) > 0 {
			f[i] = 1 + r.Uint32N(1000)
			sum += f[i]
		}
	}
	if sum == 0 {
		f[r.IntN(k)], sum = 1, 1
	}
	// Scale to T: proportional shares, the rest to the largest entry.
	var got uint32
	big := 0
	for i := range f {
		if f[i] > 0 {
			f[i] = max(1, uint32(uint64(f[i])*uint64(T)/uint64(sum)))
		}
		got += f[i]
		if f[i] > f[big] {
			big = i
		}
	}
	f[big] += T - got
	return f
}

// TestSearchCumulative: the search finds the largest s < K with
// cum[s] <= t (sort.Search as reference) on non-decreasing tables with
// runs of equal entries, for every K around the linear/bisection switch.
func TestSearchCumulative(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 18, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000, 4097} {
		for range 20 {
			cum := cumOf(zeroTable(r, k, 16))
			for range 200 {
				tv := r.Uint32N(1 << 16)
				want := sort.Search(k, func(j int) bool { return tv < cum[j+1] })
				if got := searchCumulative(cum, tv); got != want {
					t.Fatalf("K=%d t=%d: got %d, want %d", k, tv, got, want)
				}
			}
		}
	}
}

// TestDecodeCumulativeMatchesDecode: on tables with zero entries, Decode
// and DecodeCumulative decode the encoder's stream to the same symbols,
// whole and in chunks (the fast and the streaming paths).
func TestDecodeCumulativeMatchesDecode(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{2, 3, 10, 16, 17, 40, 256, 1000} {
		for _, prec := range []uint{12, 24} {
			s := &script{prec: prec}
			var cums [][]uint32
			for range 4 {
				f := zeroTable(r, k, prec)
				s.tables = append(s.tables, f)
				cums = append(cums, cumOf(f))
			}
			for i := range 3000 {
				ti := i % len(s.tables)
				s.add(ti, sample(r, s.tables[ti], prec))
			}
			data := encodeScript(t, s, true)
			if ref, _, _ := refEncode(s); !bytes.Equal(ref, data) {
				t.Fatalf("K=%d P=%d: Encode differs from the reference coder", k, prec)
			}
			for _, chunk := range []int{len(data) + 1, 1, 3} {
				d, _ := NewDecoder(prec)
				rest := data
				var got, gotCum []int
				for len(got) < len(s.syms) {
					y, err := d.DecodeCumulative(cums[s.which[len(got)]])
					if err == ErrNeedInput {
						n := min(chunk, len(rest))
						if n == 0 {
							d.CloseWrite()
						}
						d.Write(rest[:n])
						rest = rest[n:]
						continue
					}
					if err != nil {
						t.Fatalf("K=%d P=%d chunk %d: symbol %d: %v", k, prec, chunk, len(got), err)
					}
					gotCum = append(gotCum, y)
					got = append(got, y)
				}
				if !equalInts(gotCum, s.syms) {
					t.Fatalf("K=%d P=%d chunk %d: DecodeCumulative differs", k, prec, chunk)
				}
			}
			syms, err := DecodeAll(data, prec, len(s.syms), s.freqs)
			if err != nil || !equalInts(syms, s.syms) {
				t.Fatalf("K=%d P=%d: Decode: %v", k, prec, err)
			}
		}
	}
}

// TestDecodeHostileCumulative: tables that are not non-decreasing (or do
// not end at T) give an error or a symbol in range, never a panic, on the
// fast path and the streaming path alike.
func TestDecodeHostileCumulative(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{2, 5, 16, 17, 64, 300} {
		for range 200 {
			cum := make([]uint32, k+1)
			for i := 1; i < k; i++ {
				cum[i] = r.Uint32()
				if r.IntN(2) == 0 {
					cum[i] = r.Uint32N(1 << 12)
				}
			}
			cum[k] = 1 << 12
			data := make([]byte, 16)
			for i := range data {
				data[i] = byte(r.Uint32())
			}
			for _, closed := range []bool{true, false} {
				d, _ := NewDecoder(12)
				d.Write(data)
				if closed {
					d.CloseWrite()
				}
				for range 20 {
					y, err := d.DecodeCumulative(cum)
					if err != nil {
						break
					}
					if y < 0 || y >= k {
						t.Fatalf("K=%d: symbol %d", k, y)
					}
				}
			}
		}
	}
}

// TestTakeOwnership: slices returned by Take stay valid while the encoder
// keeps writing (they share its buffer chunk), and a caller appending to
// one does not change the stream.
func TestTakeOwnership(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	s := &script{prec: 24, tables: [][]uint32{quantized(t, randomProbs(r, 256), 24)}}
	for range 20000 {
		s.add(0, sample(r, s.tables[0], 24))
	}
	want := encodeScript(t, s, false)
	e, _ := NewEncoder(24)
	var parts [][]byte
	for i, y := range s.syms {
		if err := e.Encode(s.freqs(i), y); err != nil {
			t.Fatal(err)
		}
		if b := e.Take(); b != nil {
			if cap(b) != len(b) {
				t.Fatalf("Take: cap %d > len %d", cap(b), len(b))
			}
			parts = append(parts, b)
			_ = append(b, 0xAA, 0xBB) // must not reach the encoder's buffer
		}
	}
	parts = append(parts, e.Finish())
	if got := bytes.Join(parts, nil); !bytes.Equal(got, want) {
		t.Fatalf("taken slices differ from the stream (%d vs %d bytes)", len(got), len(want))
	}
}
