package coder

import (
	"fmt"
	"math/rand/v2"
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
