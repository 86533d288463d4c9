package detmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"
)

// accuracyPoints is the number of random inputs per function: 2*10^4 by
// default, 10^6 with EDLWIRE_LONG=1.
func accuracyPoints() int {
	if os.Getenv("EDLWIRE_LONG") == "1" {
		return 1_000_000
	}
	return 20_000
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// logUniform returns a random sign * 2^U(lo,hi) when signed.
func logUniform(r *rand.Rand, lo, hi float64, signed bool) float64 {
	v := math.Exp2(uniform(r, lo, hi)) // test-only input generation
	if signed && r.IntN(2) == 0 {
		v = -v
	}
	return v
}

type accCase struct {
	name   string
	f      func(float64) float64
	ref    func(float64) *big.Float
	gen    func(r *rand.Rand) float64
	target float64 // max allowed ulp error
}

func accCases() []accCase {
	return []accCase{
		{"Exp", Exp, func(x float64) *big.Float { return bigExp(bf(x)) }, func(r *rand.Rand) float64 {
			switch r.IntN(20) {
			case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9:
				return uniform(r, expUnderflow, expOverflow)
			case 10, 11, 12, 13, 14:
				return uniform(r, -1, 1)
			case 15, 16:
				return uniform(r, expUnderflow, -708) // subnormal results
			default:
				return logUniform(r, -60, 0, true)
			}
		}, 1},
		{"Log", Log, bigLog, func(r *rand.Rand) float64 {
			switch r.IntN(10) {
			case 0, 1, 2, 3, 4:
				return math.Float64frombits(1 + r.Uint64N(0x7fefffffffffffff))
			case 5:
				return math.Float64frombits(1 + r.Uint64N(1<<52-1)) // subnormal
			case 6, 7:
				return 1 + uniform(r, -0.3, 0.42)
			default:
				return 1 + logUniform(r, -53, -1, true)
			}
		}, 1},
		{"Log2", Log2, func(x float64) *big.Float { y := bigLog(x); return y.Quo(y, bigLn2) }, func(r *rand.Rand) float64 {
			switch r.IntN(10) {
			case 0, 1, 2, 3, 4, 5:
				return math.Float64frombits(1 + r.Uint64N(0x7fefffffffffffff))
			case 6, 7:
				return 1 + uniform(r, -0.3, 0.42)
			default:
				return 1 + logUniform(r, -53, -1, true)
			}
		}, 2},
		{"Log1p", Log1p, bigLog1p, func(r *rand.Rand) float64 {
			switch r.IntN(10) {
			case 0, 1, 2:
				return logUniform(r, -60, -0.0001, true)
			case 3, 4, 5:
				return uniform(r, -1, 1)
			case 6, 7:
				return logUniform(r, 0, 1020, false)
			default:
				return -1 + logUniform(r, -52, -1, false)
			}
		}, 1},
		{"Tanh", Tanh, bigTanh, func(r *rand.Rand) float64 {
			switch r.IntN(10) {
			case 0, 1, 2, 3:
				return uniform(r, -22, 22)
			case 4, 5, 6:
				return uniform(r, -1, 1)
			default:
				return logUniform(r, -60, 2, true)
			}
		}, 1.5},
		{"Sigmoid", Sigmoid, func(x float64) *big.Float {
			e := bigExp(bf(-x))
			return e.Quo(bf(1), e.Add(e, bf(1)))
		}, func(r *rand.Rand) float64 {
			if r.IntN(2) == 0 {
				return uniform(r, -40, 40)
			}
			return uniform(r, -740, 700)
		}, 3},
		{"Softplus", Softplus, func(x float64) *big.Float {
			// log(1+e^x) = max(x,0) + log(1 + e^-|x|)
			ax := math.Abs(x)
			e := bigExp(bf(-ax))
			y := bigLog1pBig(e)
			if x > 0 {
				y.Add(y, bf(x))
			}
			return y
		}, func(r *rand.Rand) float64 {
			if r.IntN(2) == 0 {
				return uniform(r, -40, 40)
			}
			return uniform(r, -740, 700)
		}, 2},
	}
}

// TestAccuracy measures the maximum error in ulps against 200-bit
// math/big references. Run with EDLWIRE_LONG=1 for 10^6 points each.
func TestAccuracy(t *testing.T) {
	n := accuracyPoints()
	for ci, c := range accCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(0xdec0de, uint64(ci)))
			maxErr, worst := 0.0, 0.0
			var sum float64
			for i := 0; i < n; i++ {
				x := c.gen(r)
				e := ulpErr(c.f(x), c.ref(x))
				sum += e
				if e > maxErr {
					maxErr, worst = e, x
				}
			}
			t.Logf("%s: %d points, max error %.4f ulp at x=%v (%#016x), mean %.4f ulp",
				c.name, n, maxErr, worst, math.Float64bits(worst), sum/float64(n))
			if maxErr > c.target {
				t.Errorf("%s: max error %.4f ulp > target %v", c.name, maxErr, c.target)
			}
		})
	}
}
