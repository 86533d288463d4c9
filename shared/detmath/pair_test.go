package detmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Dot2 and Axpy2 are speed-ups only: they must give exactly the bits of
// the single versions, for every length (tails included).
func TestPairedKernelsEqualSingles(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = (r.Float64() - 0.5) * math.Ldexp(1, r.IntN(40)-20)
		}
		return v
	}
	for n := 0; n < 70; n++ {
		a, x, y := vec(n), vec(n), vec(n)
		p, q := Dot2(a, x, y)
		if math.Float64bits(p) != math.Float64bits(Dot(a, x)) || math.Float64bits(q) != math.Float64bits(Dot(a, y)) {
			t.Fatalf("n=%d: Dot2 differs from Dot", n)
		}
		d1, d2 := vec(n), []float64(nil)
		d2 = append(d2, d1...)
		a0, a1 := r.Float64()-0.5, r.Float64()*3
		Axpy(d1, a0, x)
		Axpy(d1, a1, y)
		Axpy2(d2, a0, x, a1, y)
		for i := range d1 {
			if math.Float64bits(d1[i]) != math.Float64bits(d2[i]) {
				t.Fatalf("n=%d: Axpy2 differs from two Axpy at %d", n, i)
			}
		}
	}
}
