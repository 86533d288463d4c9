package detmath

import "math"

// expm1 returns e**x - 1 (fdlibm s_expm1.c, as in Go's pure-Go
// math.expm1, with every product explicitly rounded). It is unexported
// because only Tanh needs it; its accuracy is that of fdlibm (< 1 ulp).
func expm1(x float64) float64 {
	const (
		ln2X56    = 3.88162421113569373274e+01 // 56*ln2
		ln2HalfX3 = 1.03972077083991796413e+00 // 1.5*ln2
		ln2Half   = 3.46573590279972654709e-01 // 0.5*ln2
		tiny      = 1.0 / (1 << 54)            // 2^-54
		Q1        = -3.33333333333331316428e-02
		Q2        = 1.58730158725481460165e-03
		Q3        = -7.93650757867487942473e-05
		Q4        = 4.00821782732936239552e-06
		Q5        = -2.01099218183624371326e-07
	)
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x < -math.MaxFloat64:
		return -1
	}
	absx := math.Abs(x)
	sign := x < 0
	if absx >= ln2X56 {
		if sign {
			return -1
		}
		if absx >= expOverflow {
			return math.Inf(1)
		}
	}
	var c float64
	var k int
	if absx > ln2Half {
		var hi, lo float64
		hi, lo, k = reduceLn2(x, sign, absx < ln2HalfX3)
		x = hi - lo
		c = (hi - x) - lo
	} else if absx < tiny {
		return x
	}

	hfx := float64(0.5 * x)
	hxs := float64(x * hfx)
	p := float64(hxs*Q5) + Q4
	p = float64(hxs*p) + Q3
	p = float64(hxs*p) + Q2
	p = float64(hxs*p) + Q1
	r1 := 1 + float64(hxs*p)
	t := 3 - float64(r1*hfx)
	e := float64(hxs * ((r1 - t) / (6.0 - float64(x*t))))
	if k == 0 {
		return x - (float64(x*e) - hxs)
	}
	e = float64(x*(e-c)) - c
	e -= hxs
	switch {
	case k == -1:
		return float64(0.5*(x-e)) - 0.5
	case k == 1:
		if x < -0.25 {
			return float64(-2 * (e - (x + 0.5)))
		}
		return 1 + float64(2*(x-e))
	case k <= -2 || k > 56:
		y := 1 - (e - x)
		y = math.Float64frombits(math.Float64bits(y) + uint64(int64(k))<<52)
		return y - 1
	}
	if k < 20 {
		t := math.Float64frombits(0x3ff0000000000000 - (0x20000000000000 >> uint(k))) // 1-2^-k
		y := t - (e - x)
		return math.Float64frombits(math.Float64bits(y) + uint64(k)<<52)
	}
	t = math.Float64frombits(uint64(0x3ff-k) << 52) // 2^-k
	y := x - (e + t)
	y++
	return math.Float64frombits(math.Float64bits(y) + uint64(k)<<52)
}

// Tanh returns the hyperbolic tangent of x.
//
// Algorithm (sign of x applied at the end, so Tanh is exactly odd):
//
//	|x| < 2^-55:    x
//	|x| < 0.625:    x + x*s*P(s)/Q(s), s = x^2 (Cephes minimax rational, as in Go's math.tanh)
//	|x| < 22:       t = expm1(2|x|); 1 - 2/(t+2)   (fdlibm)
//	otherwise:      1
//
// Every product is explicitly rounded. Special cases: Tanh(±0) = ±0,
// Tanh(±Inf) = ±1, Tanh(NaN) = NaN.
func Tanh(x float64) float64 {
	const (
		P0 = -9.64399179425052238628e-1
		P1 = -9.92877231001918586564e1
		P2 = -1.61468768441708447952e3
		Q0 = 1.12811678491632931402e2
		Q1 = 2.23548839060100448583e3
		Q2 = 4.84406305325125486048e3
	)
	if x != x {
		return x
	}
	ax := math.Abs(x)
	var z float64
	switch {
	case ax < 0x1p-55:
		return x
	case ax < 0.625:
		s := float64(x * x)
		p := float64(P0*s) + P1
		p = float64(p*s) + P2
		q := s + Q0
		q = float64(q*s) + Q1
		q = float64(q*s) + Q2
		return x + float64(float64(x*s)*p)/q
	case ax < 22:
		t := expm1(2 * ax)
		z = 1 - 2/(t+2)
	default:
		z = 1
	}
	if x < 0 {
		return -z
	}
	return z
}
