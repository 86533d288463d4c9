package detmath

import (
	"math"
	"testing"
)

func same(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b) // NaN payloads are not part of the contract
	}
	return math.Float64bits(a) == math.Float64bits(b) // distinguishes +0 and -0
}

func TestSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	minSub := math.SmallestNonzeroFloat64
	tests := []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		{"Exp", Exp, nan, nan},
		{"Exp", Exp, inf, inf},
		{"Exp", Exp, -inf, 0},
		{"Exp", Exp, 0, 1},
		{"Exp", Exp, math.Copysign(0, -1), 1},
		{"Exp", Exp, minSub, 1},
		{"Exp", Exp, 1, math.E},
		{"Exp", Exp, expOverflow, 1.7976931348622732e+308},
		{"Exp", Exp, math.Nextafter(expOverflow, inf), inf},
		{"Exp", Exp, 710, inf},
		{"Exp", Exp, math.MaxFloat64, inf},
		{"Exp", Exp, -708.3964185322641, 2.2250738585072626e-308}, // near smallest normal
		{"Exp", Exp, -744.4400719213812, minSub},
		{"Exp", Exp, expUnderflow, minSub},
		{"Exp", Exp, math.Nextafter(expUnderflow, -inf), 0},
		{"Exp", Exp, -746, 0},
		{"Exp", Exp, -math.MaxFloat64, 0},
		{"Log", Log, nan, nan},
		{"Log", Log, inf, inf},
		{"Log", Log, -inf, nan},
		{"Log", Log, -1, nan},
		{"Log", Log, -minSub, nan},
		{"Log", Log, 0, -inf},
		{"Log", Log, math.Copysign(0, -1), -inf},
		{"Log", Log, 1, 0},
		{"Log", Log, 2, math.Ln2},
		{"Log", Log, math.E, 1},
		{"Log", Log, minSub, -744.4400719213812},
		{"Log", Log, 0x1p-1022, -708.3964185322641},
		{"Log", Log, math.MaxFloat64, 709.782712893384},
		{"Log2", Log2, nan, nan},
		{"Log2", Log2, 0, -inf},
		{"Log2", Log2, -2, nan},
		{"Log2", Log2, inf, inf},
		{"Log2", Log2, 1, 0},
		{"Log2", Log2, 8, 3},
		{"Log2", Log2, 0.125, -3},
		{"Log2", Log2, minSub, -1074},
		{"Log2", Log2, 0x1p-1030, -1030},
		{"Log2", Log2, 0x1p1023, 1023},
		{"Log1p", Log1p, nan, nan},
		{"Log1p", Log1p, inf, inf},
		{"Log1p", Log1p, -inf, nan},
		{"Log1p", Log1p, -2, nan},
		{"Log1p", Log1p, -1, -inf},
		{"Log1p", Log1p, 0, 0},
		{"Log1p", Log1p, math.Copysign(0, -1), math.Copysign(0, -1)},
		{"Log1p", Log1p, minSub, minSub},
		{"Log1p", Log1p, -minSub, -minSub},
		{"Log1p", Log1p, 1e-300, 1e-300},
		{"Log1p", Log1p, 1, math.Ln2},
		{"Tanh", Tanh, nan, nan},
		{"Tanh", Tanh, inf, 1},
		{"Tanh", Tanh, -inf, -1},
		{"Tanh", Tanh, 0, 0},
		{"Tanh", Tanh, math.Copysign(0, -1), math.Copysign(0, -1)},
		{"Tanh", Tanh, minSub, minSub},
		{"Tanh", Tanh, -1e-300, -1e-300},
		{"Tanh", Tanh, 30, 1},
		{"Tanh", Tanh, -30, -1},
		{"Sigmoid", Sigmoid, nan, nan},
		{"Sigmoid", Sigmoid, inf, 1},
		{"Sigmoid", Sigmoid, -inf, 0},
		{"Sigmoid", Sigmoid, 0, 0.5},
		{"Sigmoid", Sigmoid, 800, 1},
		{"Sigmoid", Sigmoid, -800, 0},
		{"Softplus", Softplus, nan, nan},
		{"Softplus", Softplus, inf, inf},
		{"Softplus", Softplus, -inf, 0},
		{"Softplus", Softplus, 0, math.Ln2},
		{"Softplus", Softplus, 800, 800},
		{"Softplus", Softplus, -800, 0},
		{"Softplus", Softplus, -700, 9.85967654375977e-305},
	}
	for _, tc := range tests {
		if got := tc.f(tc.x); !same(got, tc.want) {
			t.Errorf("%s(%v) = %v (%#016x), want %v (%#016x)", tc.name, tc.x,
				got, math.Float64bits(got), tc.want, math.Float64bits(tc.want))
		}
	}
}

// TestExpMonotoneBoundaries checks monotonicity across the overflow and
// underflow thresholds and the normal/subnormal transition.
func TestExpMonotoneBoundaries(t *testing.T) {
	for _, c := range []float64{expOverflow, expUnderflow, -708.3964185322641, -709.0895657128241, 0, 0.5 * math.Ln2, 1.5 * math.Ln2} {
		x := c
		for i := 0; i < 200; i++ {
			x = math.Nextafter(x, math.Inf(-1))
		}
		prev := Exp(x)
		for i := 0; i < 400; i++ {
			x = math.Nextafter(x, math.Inf(1))
			y := Exp(x)
			if y < prev {
				t.Fatalf("Exp not monotone at %v: %v < %v", x, y, prev)
			}
			prev = y
		}
	}
}

func TestOddSymmetry(t *testing.T) {
	for _, x := range []float64{1e-20, 1e-8, 0.1, 0.5, 0.6249, 0.625, 0.9, 1, 3, 21.9, 22, 1e3} {
		if Tanh(-x) != -Tanh(x) {
			t.Errorf("Tanh(-%v) != -Tanh(%v)", x, x)
		}
	}
}

func TestSigmoidSoftplusIdentities(t *testing.T) {
	// sigmoid(x) + sigmoid(-x) == 1 within 1 ulp-ish, softplus(x) - softplus(-x) == x.
	for _, x := range []float64{-30, -5, -1, -0.1, 0, 0.1, 1, 5, 30} {
		if s := Sigmoid(x) + Sigmoid(-x); math.Abs(s-1) > 4.5e-16 {
			t.Errorf("Sigmoid(%v)+Sigmoid(-%v) = %v", x, x, s)
		}
		if d := Softplus(x) - Softplus(-x); math.Abs(d-x) > 1e-14*math.Max(1, math.Abs(x)) {
			t.Errorf("Softplus(%v)-Softplus(-%v) = %v", x, x, d)
		}
	}
}
