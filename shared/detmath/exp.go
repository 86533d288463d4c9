package detmath

import "math"

// Constants shared by the exp/log family (fdlibm values).
const (
	ln2Hi  = 6.93147180369123816490e-01 // 0x3fe62e42fee00000; k*ln2Hi is exact for |k| < 2^21
	ln2Lo  = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	invLn2 = 1.44269504088896338700e+00 // 0x3ff71547652b82fe

	expOverflow  = 7.09782712893383973096e+02  // 0x40862e42fefa39ef: largest x with Exp(x) finite
	expUnderflow = -7.45133219101941108420e+02 // 0xc0874910d52d3051: below this Exp(x) rounds to 0

	twom1000 = 9.33263618503218878990e-302 // 2^-1000
)

// Exp returns e**x.
//
// Algorithm: fdlibm __ieee754_exp (as in Go's pure-Go math.exp fallback),
// with every product explicitly rounded so that no multiply-add is fused:
//
//	x = k*ln2 + r, |r| <= 0.5*ln2, k = int(x*invLn2 ± 0.5)   (|k| <= 1075)
//	r is carried as hi - lo with ln2 split into ln2Hi + ln2Lo
//	exp(r) = 1 + r + r*c/(2-c), c = r - r^2*(P1 + r^2*(P2 + ... P5))
//	result = exp(r) * 2^k, by adding k to the exponent bits
//	(for k < -1021 the scaling goes through 2^(k+1000) * 2^-1000 so that the
//	final, single rounding into the subnormal range is an IEEE multiply).
//
// Special cases: Exp(NaN) = NaN (the input is returned unchanged),
// Exp(+Inf) = +Inf, Exp(-Inf) = 0, Exp(x) = +Inf for x > 709.782712893384,
// Exp(x) = 0 for x < -745.1332191019411.
func Exp(x float64) float64 {
	const (
		P1 = 1.66666666666666657415e-01  // 0x3FC555555555553E
		P2 = -2.77777777770155933842e-03 // 0xBF66C16C16BEBD93
		P3 = 6.61375632143793436117e-05  // 0x3F11566AAF25DE2C
		P4 = -1.65339022054652515390e-06 // 0xBEBBBD41C5D26BF1
		P5 = 4.13813679705723846039e-08  // 0x3E66376972BEA4D0
	)
	bits := math.Float64bits(x)
	neg := bits>>63 != 0
	hx := uint32(bits>>32) & 0x7fffffff // high word of |x|

	if hx >= 0x40862E42 { // |x| >= 709.78...
		if hx >= 0x7ff00000 { // Inf or NaN
			if x != x { // NaN
				return x
			}
			if neg {
				return 0
			}
			return x // +Inf
		}
		if x > expOverflow {
			return math.Inf(1)
		}
		if x < expUnderflow {
			return 0
		}
	}

	// Argument reduction. |x| <= 745.14 here, so k fits comfortably.
	var hi, lo float64
	k := 0
	if hx > 0x3fd62e42 { // |x| > 0.5*ln2
		hi, lo, k = reduceLn2(x, neg, hx < 0x3FF0A2B2) // |x| < 1.5*ln2
		x = hi - lo
	} else if hx < 0x3e300000 { // |x| < 2^-28
		return 1 + x
	}

	// x is now in the primary range.
	t := float64(x * x)
	p := float64(t*P5) + P4
	p = float64(t*p) + P3
	p = float64(t*p) + P2
	p = float64(t*p) + P1
	c := x - float64(t*p)
	if k == 0 {
		return 1 - (float64(x*c)/(c-2.0) - x)
	}
	y := 1 - ((lo - float64(x*c)/(2.0-c)) - hi)
	if k >= -1021 {
		// add k to y's exponent; y is in [0.5, 2) and the result is normal
		// (or +Inf only if the true result overflows).
		return math.Float64frombits(math.Float64bits(y) + uint64(int64(k))<<52)
	}
	y = math.Float64frombits(math.Float64bits(y) + uint64(int64(k+1000))<<52)
	return float64(y * twom1000)
}

// reduceLn2 is fdlibm's argument reduction shared by Exp and expm1: for
// |x| > 0.5*ln2 it returns k and hi, lo with x = k*ln2 + (hi - lo) to
// about 2^-60 relative, ln2 being split into ln2Hi + ln2Lo so that
// k*ln2Hi is exact. near (|x| < 1.5*ln2, tested by each caller in its own
// way) gives k = ±1 by the sign neg without a multiplication; otherwise
// k = int(x*invLn2 ± 0.5), truncated toward zero (|k| <= 1075 for the
// inputs that reach it).
func reduceLn2(x float64, neg, near bool) (hi, lo float64, k int) {
	if near {
		if !neg {
			return x - ln2Hi, ln2Lo, 1
		}
		return x + ln2Hi, -ln2Lo, -1
	}
	t := float64(invLn2 * x)
	if neg {
		t -= 0.5
	} else {
		t += 0.5
	}
	k = int(t) // truncation toward zero
	fk := float64(k)
	return x - float64(fk*ln2Hi), float64(fk * ln2Lo), k // the first is exact
}
