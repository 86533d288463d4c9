package detmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sameBits reports whether x and y are the same float64 bit pattern, any
// two NaNs counting as equal (NaN payloads are not part of the contract).
func sameBits(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || (x != x && y != y)
}

// hostile returns a value drawn to exercise rounding: mixed magnitudes
// (cancellation, subnormal products, overflow to ±Inf), signed zeros, and
// now and then an Inf or NaN.
func hostile(r *rand.Rand, special bool) float64 {
	if special {
		switch r.IntN(40) {
		case 0:
			return math.Copysign(0, -1)
		case 1:
			return 0
		case 2:
			return math.Inf(1 - 2*r.IntN(2))
		case 3:
			return math.NaN()
		case 4:
			return math.SmallestNonzeroFloat64 * float64(r.IntN(1000))
		case 5:
			return math.MaxFloat64 / float64(1+r.IntN(4))
		}
	}
	v := (2*r.Float64() - 1) * math.Ldexp(1, r.IntN(60)-30)
	if r.IntN(8) == 0 {
		v = float64(int(v*8)) / 8 // exact values that cancel
	}
	return v
}

func hostileVec(r *rand.Rand, n int, special bool) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = hostile(r, special)
	}
	return v
}

// batchLengths are the vector lengths tried: every tail and block
// boundary up to 67, then larger sizes with ragged ends.
func batchLengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	return append(ns, 95, 96, 97, 127, 128, 129, 255, 257, 510, 515, 1027)
}

// TestBatchDots compares Dots with Dot pair by pair, bit for bit, on random
// shapes (rows and columns 1..9 cover every tile and left-over case).
func TestBatchDots(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 1))
	for _, n := range batchLengths() {
		for trial := range 6 {
			special := trial%2 == 1
			na, nb := 1+r.IntN(9), 1+r.IntN(9)
			a, b := make([][]float64, na), make([][]float64, nb)
			for i := range a {
				a[i] = hostileVec(r, n, special)
			}
			for j := range b {
				b[j] = hostileVec(r, n, special)
			}
			at := r.IntN(3)
			dst, ref := make([][]float64, nb), make([][]float64, nb)
			for j := range dst {
				dst[j] = make([]float64, at+na+r.IntN(2))
				ref[j] = make([]float64, len(dst[j]))
			}
			Dots(dst, at, a, b)
			dotsGo(ref, at, a, b)
			for j := range b {
				for i := range a {
					want := Dot(a[i], b[j])
					if got := dst[j][at+i]; !sameBits(got, want) {
						t.Fatalf("n=%d %dx%d: Dots[%d][%d] = %v (%#x), Dot %v (%#x)", n, na, nb, j, i, got, math.Float64bits(got), want, math.Float64bits(want))
					}
					if got := ref[j][at+i]; !sameBits(got, want) {
						t.Fatalf("n=%d %dx%d: dotsGo[%d][%d] = %v, Dot %v", n, na, nb, j, i, got, want)
					}
				}
				for i := range at {
					if dst[j][i] != 0 {
						t.Fatalf("Dots wrote before at")
					}
				}
			}
		}
	}
}

// TestBatchAxpyN compares AxpyN with successive Axpy calls, bit for bit,
// and its pure-Go path with the dispatching one.
func TestBatchAxpyN(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 2))
	for _, n := range batchLengths() {
		for trial := range 6 {
			special := trial%2 == 1
			k := r.IntN(11)
			at := r.IntN(5)
			alpha := hostileVec(r, k, special)
			x := make([][]float64, k)
			for i := range x {
				x[i] = hostileVec(r, at+n+r.IntN(3), special)
			}
			dst := hostileVec(r, n, special)
			want := append([]float64(nil), dst...)
			viaGo := append([]float64(nil), dst...)
			for i := range x {
				Axpy(want, alpha[i], x[i][at:at+n])
			}
			AxpyN(dst, alpha, x, at)
			axpyNGo(viaGo, alpha, x, at)
			for i := range dst {
				if !sameBits(dst[i], want[i]) || !sameBits(viaGo[i], want[i]) {
					t.Fatalf("n=%d k=%d at=%d: element %d: AxpyN %v, pure Go %v, Axpy %v", n, k, at, i, dst[i], viaGo[i], want[i])
				}
			}
		}
	}
}

func TestBatchSubScaledQuotient(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 3))
	for _, n := range batchLengths() {
		for trial := range 4 {
			special := trial%2 == 1
			dst, g := hostileVec(r, n, special), hostileVec(r, n, special)
			lr, d := hostile(r, false), float64(1+r.IntN(64))
			if trial >= 2 {
				d = math.Ldexp(1, r.IntN(2100)-1050) // powers of two, subnormal and infinite reciprocals included
			}
			want := append([]float64(nil), dst...)
			for i := range want {
				want[i] -= float64(lr * (g[i] / d))
			}
			SubScaledQuotient(dst, lr, g, d)
			for i := range dst {
				if !sameBits(dst[i], want[i]) {
					t.Fatalf("n=%d: element %d: %v, want %v", n, i, dst[i], want[i])
				}
			}
		}
	}
}

func TestExactReciprocal(t *testing.T) {
	for _, c := range []struct {
		d     float64
		exact bool
	}{{1, true}, {32, true}, {0.25, true}, {-64, true}, {3, false}, {0x1p1022, true}, {0x1p1023, false}, {0x1p-1022, true},
		{0x1p-1023, false}, {0x1p-1074, false}, {0, false}, {math.Inf(1), false}, {math.NaN(), false}} {
		if r, ok := exactReciprocal(c.d); ok != c.exact || (ok && r*c.d != 1) {
			t.Errorf("exactReciprocal(%v) = %v, %v; want exact %v", c.d, r, ok, c.exact)
		}
	}
}

func TestBatchPanics(t *testing.T) {
	v := make([]float64, 4)
	mustPanic(t, "Dots dst", func() { Dots(nil, 0, [][]float64{v}, [][]float64{v}) })
	mustPanic(t, "Dots ragged a", func() { Dots([][]float64{v}, 0, [][]float64{v, v[:3]}, [][]float64{v}) })
	mustPanic(t, "Dots short dst", func() { Dots([][]float64{v[:1]}, 0, [][]float64{v, v}, [][]float64{v}) })
	mustPanic(t, "AxpyN alpha", func() { AxpyN(v, []float64{1}, nil, 0) })
	mustPanic(t, "AxpyN short x", func() { AxpyN(v, []float64{1}, [][]float64{v}, 1) })
	mustPanic(t, "SubScaledQuotient", func() { SubScaledQuotient(v, 1, v[:3], 1) })
}

func BenchmarkDots(b *testing.B) {
	for _, sh := range []struct{ rows, cols, n int }{{256, 32, 64}, {512, 32, 512}, {512, 1, 512}} {
		b.Run(fmt.Sprintf("%dx%dx%d", sh.rows, sh.cols, sh.n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			a, x, dst := make([][]float64, sh.rows), make([][]float64, sh.cols), make([][]float64, sh.cols)
			for i := range a {
				a[i] = hostileVec(r, sh.n, false)
			}
			for j := range x {
				x[j], dst[j] = hostileVec(r, sh.n, false), make([]float64, sh.rows)
			}
			for b.Loop() {
				Dots(dst, 0, a, x)
			}
			b.ReportMetric(float64(2*sh.rows*sh.cols*sh.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkAxpyN(b *testing.B) {
	for _, sh := range []struct{ k, n int }{{16, 512}, {32, 64}, {10, 512}} {
		b.Run(fmt.Sprintf("k=%d/n=%d", sh.k, sh.n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			alpha, x, dst := hostileVec(r, sh.k, false), make([][]float64, sh.k), make([]float64, sh.n)
			for i := range x {
				x[i] = hostileVec(r, sh.n, false)
			}
			for b.Loop() {
				AxpyN(dst, alpha, x, 0)
			}
			b.ReportMetric(float64(2*sh.k*sh.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
