package model

import (
	"math"
	"testing"
)

// gelu is the tanh form of GELU to within a few ulp of the same formula in
// math's arithmetic, and geluDerivative is its derivative.
func TestGELUAgainstReference(t *testing.T) {
	for z := -8.0; z <= 8.0; z += 0.0137 {
		ref := 0.5 * z * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(z+0.044715*z*z*z)))
		if got := gelu(z); math.Abs(got-ref) > 4e-16*math.Max(1, math.Abs(ref)) {
			t.Fatalf("gelu(%v) = %v, reference %v", z, got, ref)
		}
		const h = 1e-6
		num := (gelu(z+h) - gelu(z-h)) / (2 * h)
		if d := geluDerivative(z); math.Abs(d-num) > 1e-8 {
			t.Fatalf("gelu'(%v) = %v, finite difference %v", z, d, num)
		}
	}
	if gelu(0) != 0 || geluDerivative(0) != 0.5 {
		t.Fatalf("gelu(0) = %v, gelu'(0) = %v; want 0 and ½", gelu(0), geluDerivative(0))
	}
}
