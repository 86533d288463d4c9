package detmath

import "math"

// Log1p returns log(1+x), accurate also for x near zero.
//
// Algorithm: fdlibm s_log1p.c (as in Go's pure-Go math.log1p), with an
// explicit float64() rounding around every product. 1+x is formed as
// u = 2^k * (1+f) plus a correction term c = ((1+x)-u)/u, then
// log1p = k*ln2Hi + (f - (hfsq - s*(hfsq+R)) + (k*ln2Lo + c)) with the same
// minimax polynomial as Log.
//
// Special cases: Log1p(+Inf) = +Inf, Log1p(±0) = ±0, Log1p(-1) = -Inf,
// Log1p(x < -1) = NaN, Log1p(NaN) = NaN.
func Log1p(x float64) float64 {
	const (
		sqrt2M1     = 4.142135623730950488017e-01  // sqrt(2)-1
		sqrt2HalfM1 = -2.928932188134524755992e-01 // sqrt(2)/2-1
		small       = 1.0 / (1 << 29)              // 2^-29
		tiny        = 1.0 / (1 << 54)              // 2^-54
		two53       = 1 << 53
	)
	switch {
	case x != x:
		return x
	case x < -1:
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case x > math.MaxFloat64:
		return x // +Inf
	}

	absx := math.Abs(x)
	var f float64
	var hu uint32 // high 20 bits of the mantissa of u (fdlibm's hu)
	k := 1
	if absx < sqrt2M1 {
		if absx < small {
			if absx < tiny {
				return x
			}
			return x - float64(float64(x*x)*0.5)
		}
		if x > sqrt2HalfM1 { // -0.2929 < x < 0.41422
			k = 0
			f = x
			hu = 1
		}
	}
	var c float64
	if k != 0 {
		var u float64
		if absx < two53 {
			u = 1.0 + x
			k = int(math.Float64bits(u)>>52) - 1023
			if k > 0 {
				c = 1.0 - (u - x)
			} else {
				c = x - (u - 1.0)
			}
			c /= u
		} else {
			u = x
			k = int(math.Float64bits(u)>>52) - 1023
			c = 0
		}
		ub := math.Float64bits(u)
		hu = uint32(ub>>32) & 0x000fffff
		lo := ub & 0xffffffff
		if hu < 0x6a09e {
			u = math.Float64frombits(uint64(hu|0x3ff00000)<<32 | lo) // normalize u
		} else {
			k++
			u = math.Float64frombits(uint64(hu|0x3fe00000)<<32 | lo) // normalize u/2
			hu = (0x00100000 - hu) >> 2
		}
		f = u - 1.0
	}
	hfsq := float64(float64(0.5*f) * f)
	dk := float64(k)
	if hu == 0 { // |f| < 2^-20
		if f == 0 {
			if k == 0 {
				return 0
			}
			c += float64(dk * ln2Lo)
			return float64(dk*ln2Hi) + c
		}
		R := float64(hfsq * (1.0 - float64(0.66666666666666666*f)))
		if k == 0 {
			return f - R
		}
		return float64(dk*ln2Hi) - ((R - (float64(dk*ln2Lo) + c)) - f)
	}
	s := f / (2.0 + f)
	z := float64(s * s)
	p := float64(z*lg7) + lg6
	p = float64(z*p) + lg5
	p = float64(z*p) + lg4
	p = float64(z*p) + lg3
	p = float64(z*p) + lg2
	p = float64(z*p) + lg1
	R := float64(z * p)
	if k == 0 {
		return f - (hfsq - float64(s*(hfsq+R)))
	}
	return float64(dk*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + (float64(dk*ln2Lo) + c))) - f)
}
