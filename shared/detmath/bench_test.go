package detmath

import (
	"math"
	"testing"
)

var sink float64

func benchInputs(lo, hi float64) []float64 {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = lo + (hi-lo)*float64(i)/1024
	}
	return x
}

func benchUnary(b *testing.B, f func(float64) float64, lo, hi float64) {
	x := benchInputs(lo, hi)
	s := 0.0
	for i := 0; b.Loop(); i++ {
		s += f(x[i&1023])
	}
	sink = s
}

// math.* variants are for comparison only (not allowed in non-test code).
func BenchmarkExp(b *testing.B)       { benchUnary(b, Exp, -20, 20) }
func BenchmarkMathExp(b *testing.B)   { benchUnary(b, math.Exp, -20, 20) }
func BenchmarkLog(b *testing.B)       { benchUnary(b, Log, 1e-3, 1e3) }
func BenchmarkMathLog(b *testing.B)   { benchUnary(b, math.Log, 1e-3, 1e3) }
func BenchmarkLog1p(b *testing.B)     { benchUnary(b, Log1p, -0.5, 10) }
func BenchmarkMathLog1p(b *testing.B) { benchUnary(b, math.Log1p, -0.5, 10) }
func BenchmarkTanh(b *testing.B)      { benchUnary(b, Tanh, -5, 5) }
func BenchmarkMathTanh(b *testing.B)  { benchUnary(b, math.Tanh, -5, 5) }
func BenchmarkSigmoid(b *testing.B)   { benchUnary(b, Sigmoid, -10, 10) }
func BenchmarkSoftplus(b *testing.B)  { benchUnary(b, Softplus, -10, 10) }

func benchDot(b *testing.B, n int) {
	x := benchInputs(-1, 1)[:n]
	y := benchInputs(0, 2)[:n]
	b.SetBytes(int64(16 * n))
	for b.Loop() {
		sink = Dot(x, y)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
}

func BenchmarkDot64(b *testing.B)   { benchDot(b, 64) }
func BenchmarkDot1024(b *testing.B) { benchDot(b, 1024) }

func BenchmarkSoftmax1024(b *testing.B) {
	x := benchInputs(-10, 10)
	dst := make([]float64, len(x))
	for b.Loop() {
		Softmax(dst, x)
	}
}
