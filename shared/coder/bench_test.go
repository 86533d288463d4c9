package coder

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

func benchScript(n int) *script {
	r := rand.New(rand.NewPCG(21, 22))
	s := &script{prec: 24}
	for range 16 {
		f := make([]uint32, 10)
		if err := Quantize(f, randomProbs(r, 10), 24); err != nil {
			panic(err)
		}
		s.tables = append(s.tables, f)
	}
	for i := range n {
		ti := i % len(s.tables)
		s.add(ti, sample(r, s.tables[ti], 24))
	}
	return s
}

func BenchmarkEncode(b *testing.B) {
	s := benchScript(1 << 16)
	e, _ := NewEncoder(24)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		i := n % len(s.syms)
		if i == 0 {
			e.Finish()
			e.Reset()
		}
		if err := e.Encode(s.freqs(i), s.syms[i]); err != nil {
			b.Fatal(err)
		}
		e.Take()
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "labels/s")
}

func BenchmarkDecode(b *testing.B) {
	s := benchScript(1 << 16)
	data := encodeScript(b, s, false)
	d, _ := NewDecoder(24)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		i := n % len(s.syms)
		if i == 0 {
			d.Reset()
			d.Write(data)
			d.CloseWrite()
		}
		y, err := d.Decode(s.freqs(i))
		if err != nil || y != s.syms[i] {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "labels/s")
}

// benchK is a script of 2^16 symbols over K symbols: 16 random quantized
// tables (weights over many orders of magnitude), symbols drawn from them.
type benchK struct {
	s     *script
	cums  [][]uint32
	data  []byte
	ideal float64 // exact Σ -log2(f/T), bits
}

var benchKs = map[int]*benchK{}

// getBenchK builds the script of K once per process (building the K=32768
// one takes a while) and only when a benchmark of that K runs.
func getBenchK(k int) *benchK {
	if bk, ok := benchKs[k]; ok {
		return bk
	}
	r := rand.New(rand.NewPCG(uint64(k), 23))
	s := &script{prec: 24}
	bk := &benchK{s: s}
	for range 16 {
		f := make([]uint32, k)
		if err := Quantize(f, randomProbs(r, k), 24); err != nil {
			panic(err)
		}
		s.tables = append(s.tables, f)
		bk.cums = append(bk.cums, cumOf(f))
	}
	for i := range 1 << 16 {
		ti := i % len(s.tables)
		// The same draw as sample, by binary search on the prefix sums.
		u := r.Uint32N(1 << 24)
		y := sort.Search(k, func(j int) bool { return u < bk.cums[ti][j+1] })
		s.add(ti, y)
		bk.ideal += 24 - log2f(float64(s.tables[ti][y]))
	}
	e, _ := NewEncoder(24)
	for i, y := range s.syms {
		e.Encode(s.freqs(i), y)
	}
	bk.data = append(e.Take(), e.Finish()...)
	benchKs[k] = bk
	return bk
}

// report gives ns per symbol (per symbol coded, or per symbol encoded and
// decoded for the round trips) and the stream's overhead over the exact
// quantized ideal, in bits per symbol.
func (bk *benchK) report(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/symbol")
	b.ReportMetric((float64(8*len(bk.data))-bk.ideal)/float64(len(bk.s.syms)), "overhead-bits/symbol")
}

// BenchmarkCoder: encode and decode, per symbol, with the frequency table
// (Encode/Decode: O(K) validation and search) and with a precomputed
// prefix-sum table (EncodeCum/DecodeCumulative: O(1)/O(log K)), and both
// in one loop (roundtrip: Encode then Decode of the same symbol;
// roundtripCum: EncodeCum then DecodeCumulative). No model.
func BenchmarkCoder(b *testing.B) {
	for _, k := range []int{2, 10, 256, 32768} {
		b.Run(fmt.Sprintf("K=%d/encode", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			e, _ := NewEncoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
				}
				if err := e.Encode(s.freqs(i), s.syms[i]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				n++
			}
			bk.report(b, n)
		})
		b.Run(fmt.Sprintf("K=%d/decode", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			d, _ := NewDecoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					d.Reset()
					d.Write(bk.data)
					d.CloseWrite()
				}
				y, err := d.Decode(s.freqs(i))
				if err != nil || y != s.syms[i] {
					b.Fatal(err)
				}
				n++
			}
			bk.report(b, n)
		})
		b.Run(fmt.Sprintf("K=%d/roundtrip", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			e, _ := NewEncoder(24)
			d, _ := NewDecoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
					d.Reset()
					d.Write(bk.data)
					d.CloseWrite()
				}
				if err := e.Encode(s.freqs(i), s.syms[i]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				y, err := d.Decode(s.freqs(i))
				if err != nil || y != s.syms[i] {
					b.Fatal(err)
				}
				n++
			}
			bk.report(b, n)
		})
		b.Run(fmt.Sprintf("K=%d/encodeCum", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			e, _ := NewEncoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
				}
				c, y := bk.cums[s.which[i]], s.syms[i]
				if err := e.EncodeCum(c[y], c[y+1]-c[y]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				n++
			}
			bk.report(b, n)
		})
		b.Run(fmt.Sprintf("K=%d/decodeCumulative", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			d, _ := NewDecoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					d.Reset()
					d.Write(bk.data)
					d.CloseWrite()
				}
				y, err := d.DecodeCumulative(bk.cums[s.which[i]])
				if err != nil || y != s.syms[i] {
					b.Fatal(err)
				}
				n++
			}
			bk.report(b, n)
		})
		b.Run(fmt.Sprintf("K=%d/roundtripCum", k), func(b *testing.B) {
			bk := getBenchK(k)
			s := bk.s
			e, _ := NewEncoder(24)
			d, _ := NewDecoder(24)
			n := 0
			for b.Loop() {
				i := n & (len(s.syms) - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
					d.Reset()
					d.Write(bk.data)
					d.CloseWrite()
				}
				c, y := bk.cums[s.which[i]], s.syms[i]
				if err := e.EncodeCum(c[y], c[y+1]-c[y]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				y2, err := d.DecodeCumulative(c)
				if err != nil || y2 != y {
					b.Fatal(err)
				}
				n++
			}
			bk.report(b, n)
		})
	}
}

// BenchmarkQuantize: float probabilities to frequencies, per table of K
// (random weights over many orders of magnitude). Must not allocate.
func BenchmarkQuantize(b *testing.B) {
	for _, k := range []int{2, 10, 256, 32768} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			r := rand.New(rand.NewPCG(uint64(k), 24))
			var probs [][]float64
			for range 8 {
				probs = append(probs, randomProbs(r, k))
			}
			probs = append(probs, peakedProbs(k, 0, 0.999), flatProbs(k))
			dst := make([]uint32, k)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if err := Quantize(dst, probs[n%len(probs)], 24); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*k), "ns/symbol")
		})
	}
}
