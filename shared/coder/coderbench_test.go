package coder_test

import (
	"fmt"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/coder/codertest"
)

var scripts = map[int]*codertest.Script{}

// script builds the workload of K once per process (building the K=32768
// one takes a while) and only when a benchmark of that K runs: the one
// cmd/edlbench's coder section times too.
func script(b *testing.B, k int) *codertest.Script {
	if s, ok := scripts[k]; ok {
		return s
	}
	s, err := codertest.New(k)
	if err != nil {
		b.Fatal(err)
	}
	scripts[k] = s
	return s
}

// report gives ns per symbol (per symbol coded, or per symbol encoded and
// decoded for the round trips) and the stream's overhead over the exact
// quantized ideal, in bits per symbol.
func report(b *testing.B, s *codertest.Script, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/symbol")
	b.ReportMetric((float64(8*len(s.Data))-s.Ideal)/float64(len(s.Syms)), "overhead-bits/symbol")
}

// BenchmarkCoder: encode and decode, per symbol, with the frequency table
// (Encode/Decode: O(K) validation and search) and with a precomputed
// prefix-sum table (EncodeCum/DecodeCumulative: O(1)/O(log K)), and both
// in one loop (roundtrip: Encode then Decode of the same symbol;
// roundtripCum: EncodeCum then DecodeCumulative). No model.
func BenchmarkCoder(b *testing.B) {
	for _, k := range []int{2, 10, 256, 32768} {
		b.Run(fmt.Sprintf("K=%d/encode", k), func(b *testing.B) {
			bk := script(b, k)
			e, _ := coder.NewEncoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
				}
				if err := e.Encode(bk.Freqs(i), bk.Syms[i]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				n++
			}
			report(b, bk, n)
		})
		b.Run(fmt.Sprintf("K=%d/decode", k), func(b *testing.B) {
			bk := script(b, k)
			d, _ := coder.NewDecoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					d.Reset()
					d.Write(bk.Data)
					d.CloseWrite()
				}
				y, err := d.Decode(bk.Freqs(i))
				if err != nil || y != bk.Syms[i] {
					b.Fatal(err)
				}
				n++
			}
			report(b, bk, n)
		})
		b.Run(fmt.Sprintf("K=%d/roundtrip", k), func(b *testing.B) {
			bk := script(b, k)
			e, _ := coder.NewEncoder(codertest.Precision)
			d, _ := coder.NewDecoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
					d.Reset()
					d.Write(bk.Data)
					d.CloseWrite()
				}
				if err := e.Encode(bk.Freqs(i), bk.Syms[i]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				y, err := d.Decode(bk.Freqs(i))
				if err != nil || y != bk.Syms[i] {
					b.Fatal(err)
				}
				n++
			}
			report(b, bk, n)
		})
		b.Run(fmt.Sprintf("K=%d/encodeCum", k), func(b *testing.B) {
			bk := script(b, k)
			e, _ := coder.NewEncoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
				}
				c, y := bk.Cums[bk.Which[i]], bk.Syms[i]
				if err := e.EncodeCum(c[y], c[y+1]-c[y]); err != nil {
					b.Fatal(err)
				}
				e.Take()
				n++
			}
			report(b, bk, n)
		})
		b.Run(fmt.Sprintf("K=%d/decodeCumulative", k), func(b *testing.B) {
			bk := script(b, k)
			d, _ := coder.NewDecoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					d.Reset()
					d.Write(bk.Data)
					d.CloseWrite()
				}
				y, err := d.DecodeCumulative(bk.Cums[bk.Which[i]])
				if err != nil || y != bk.Syms[i] {
					b.Fatal(err)
				}
				n++
			}
			report(b, bk, n)
		})
		b.Run(fmt.Sprintf("K=%d/roundtripCum", k), func(b *testing.B) {
			bk := script(b, k)
			e, _ := coder.NewEncoder(codertest.Precision)
			d, _ := coder.NewDecoder(codertest.Precision)
			n := 0
			for b.Loop() {
				i := n & (codertest.Symbols - 1) // 2^16 symbols: no division in the loop
				if i == 0 {
					e.Reset()
					d.Reset()
					d.Write(bk.Data)
					d.CloseWrite()
				}
				c, y := bk.Cums[bk.Which[i]], bk.Syms[i]
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
			report(b, bk, n)
		})
	}
}
