package detmath

import "math"

const (
	two54 = 1.80143985094819840000e+16 // 2^54
	lg1   = 6.666666666666735130e-01   // 0x3FE5555555555593
	lg2   = 3.999999999940941908e-01   // 0x3FD999999997FA04
	lg3   = 2.857142874366239149e-01   // 0x3FD2492494229359
	lg4   = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	lg5   = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	lg6   = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	lg7   = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// Log returns the natural logarithm of x.
//
// Algorithm: fdlibm __ieee754_log, translated with bit manipulation and
// an explicit float64() rounding around every product:
//
//	x = 2^k * (1+f), sqrt(2)/2 < 1+f < sqrt(2)   (subnormals are first scaled by 2^54)
//	log(1+f) = f - s*(f - R) (or f - (hfsq - s*(hfsq+R))), s = f/(2+f), R a degree-14 minimax in s
//	log(x) = k*ln2Hi + (log(1+f) + k*ln2Lo)
//
// Special cases: Log(+Inf) = +Inf, Log(±0) = -Inf, Log(x<0) = NaN,
// Log(NaN) = NaN.
func Log(x float64) float64 {
	bits := math.Float64bits(x)
	hx := int32(bits >> 32)
	k := int32(0)
	if hx < 0x00100000 { // x < 2^-1022 (includes negatives, ±0, subnormals)
		if bits&0x7fffffffffffffff == 0 {
			return math.Inf(-1) // log(±0) = -Inf
		}
		if hx < 0 {
			return math.NaN() // log(negative) = NaN
		}
		k -= 54
		x *= two54 // subnormal: scale up (exact)
		bits = math.Float64bits(x)
		hx = int32(bits >> 32)
	}
	if hx >= 0x7ff00000 {
		return x // +Inf or NaN
	}
	k += (hx >> 20) - 1023
	hx &= 0x000fffff
	i := (hx + 0x95f64) & 0x100000
	// normalize x or x/2
	x = math.Float64frombits(uint64(uint32(hx|(i^0x3ff00000)))<<32 | bits&0xffffffff)
	k += i >> 20
	f := x - 1.0
	dk := float64(k)
	if (0x000fffff & (2 + hx)) < 3 { // -2^-20 <= f < 2^-20
		if f == 0 {
			if k == 0 {
				return 0
			}
			return float64(dk*ln2Hi) + float64(dk*ln2Lo)
		}
		R := float64(float64(f*f) * (0.5 - float64(0.33333333333333333*f)))
		if k == 0 {
			return f - R
		}
		return float64(dk*ln2Hi) - ((R - float64(dk*ln2Lo)) - f)
	}
	s := f / (2.0 + f)
	z := float64(s * s)
	i = hx - 0x6147a
	w := float64(z * z)
	j := 0x6b851 - hx
	t1 := float64(w * (lg2 + float64(w*(lg4+float64(w*lg6)))))
	t2 := float64(z * (lg1 + float64(w*(lg3+float64(w*(lg5+float64(w*lg7)))))))
	i |= j
	R := t2 + t1
	if i > 0 {
		hfsq := float64(float64(0.5*f) * f)
		if k == 0 {
			return f - (hfsq - float64(s*(hfsq+R)))
		}
		return float64(dk*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(dk*ln2Lo))) - f)
	}
	if k == 0 {
		return f - float64(s*(f-R))
	}
	return float64(dk*ln2Hi) - ((float64(s*(f-R)) - float64(dk*ln2Lo)) - f)
}

// Log2 returns the binary logarithm of x.
//
// x is split exactly as 2^k * m with sqrt(2)/2 <= m < sqrt(2); the result
// is k + Log(m)*(1/ln2) (product explicitly rounded). It is exact for
// powers of two and has no cancellation near x = 1.
// Special cases are those of Log.
func Log2(x float64) float64 {
	if !(x > 0) || x > math.MaxFloat64 { // NaN, <= 0, +Inf
		return Log(x)
	}
	bits := math.Float64bits(x)
	k := 0
	if bits < 1<<52 { // subnormal
		x *= two54
		bits = math.Float64bits(x)
		k = -54
	}
	k += int(bits>>52) - 1023
	mant := bits & (1<<52 - 1)
	var m float64
	if mant >= 0x6a09e667f3bcd { // mantissa >= sqrt(2): use m/2
		k++
		m = math.Float64frombits(mant | 0x3fe0000000000000)
	} else {
		m = math.Float64frombits(mant | 0x3ff0000000000000)
	}
	if m == 1 {
		return float64(k)
	}
	return float64(k) + float64(Log(m)*invLn2)
}
