package coder

import (
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
