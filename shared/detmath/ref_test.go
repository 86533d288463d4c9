package detmath

// High-precision references built on math/big, used only by the tests.

import (
	"math"
	"math/big"
)

const refPrec = 200

var bigLn2 = func() *big.Float {
	// ln2 = 2*atanh(1/3) = 2 * sum_{n>=0} (1/3)^(2n+1)/(2n+1)
	p := uint(refPrec + 64)
	z := new(big.Float).SetPrec(p).Quo(big.NewFloat(1).SetPrec(p), big.NewFloat(3).SetPrec(p))
	return new(big.Float).SetPrec(refPrec).Mul(big.NewFloat(2), atanhSeries(z, p))
}()

func newF() *big.Float { return new(big.Float).SetPrec(refPrec) }

func bf(x float64) *big.Float { return newF().SetFloat64(x) }

// atanhSeries returns atanh(z) = sum z^(2n+1)/(2n+1) for |z| <= ~0.5.
func atanhSeries(z *big.Float, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(z)
	if z.Sign() == 0 {
		return sum
	}
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	pow := new(big.Float).SetPrec(prec).Set(z)
	term := new(big.Float).SetPrec(prec)
	den := new(big.Float).SetPrec(prec)
	limit := z.MantExp(nil) - int(prec) - 8
	for n := 1; ; n++ {
		pow.Mul(pow, z2)
		den.SetInt64(int64(2*n + 1))
		term.Quo(pow, den)
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < limit {
			return sum
		}
	}
}

// bigExp returns e^x for any finite big x.
func bigExp(x *big.Float) *big.Float {
	xf, _ := x.Float64()
	k := math.Round(xf / math.Ln2)
	r := newF().Mul(bf(k), bigLn2)
	r.Sub(x, r)
	const halvings = 10
	r.SetMantExp(r, -halvings)
	sum := bf(1)
	term := bf(1)
	den := newF()
	for n := 1; n < 200; n++ {
		term.Mul(term, r)
		den.SetInt64(int64(n))
		term.Quo(term, den)
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < -refPrec-10 {
			break
		}
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// bigExpm1Small returns e^x - 1 for |x| <= 1 without cancellation.
func bigExpm1Small(x *big.Float) *big.Float {
	sum := newF().Set(x)
	if x.Sign() == 0 {
		return sum
	}
	term := newF().Set(x)
	den := newF()
	limit := x.MantExp(nil) - refPrec - 10
	for n := 2; n < 400; n++ {
		term.Mul(term, x)
		den.SetInt64(int64(n))
		term.Quo(term, den)
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil) < limit {
			break
		}
	}
	return sum
}

// bigLogSeed returns log(x) for big x > 0 by Newton iteration on exp,
// starting from the float64 guess seed: y <- y + x*e^-y - 1.
func bigLogSeed(x *big.Float, seed float64) *big.Float {
	y := bf(seed)
	one := bf(1)
	// The seed is good to ~2^-50 relative, so three quadratically
	// convergent steps reach the working precision.
	for i := 0; i < 3; i++ {
		e := bigExp(newF().Neg(y))
		e.Mul(e, x)
		e.Sub(e, one)
		y.Add(y, e)
	}
	return y
}

// logSeed is a float64 approximation of log(x) for any finite x > 0
// (math.Log itself is not trusted for subnormals on every platform).
func logSeed(x float64) float64 {
	frac, e := math.Frexp(x)
	return math.Log(frac) + float64(e)*math.Ln2
}

func bigLog(x float64) *big.Float { return bigLogSeed(bf(x), logSeed(x)) }

// bigLog1p returns log(1+x) for x > -1.
func bigLog1p(x float64) *big.Float {
	if math.Abs(x) < 0.5 {
		xb := bf(x)
		z := newF().Quo(xb, newF().Add(bf(2), xb))
		s := atanhSeries(z, refPrec)
		return s.Mul(s, bf(2))
	}
	u := newF().Add(bf(1), bf(x))
	return bigLogSeed(u, math.Log1p(x))
}

// bigLog1pBig returns log(1+x) for a big 0 <= x <= 1.
func bigLog1pBig(x *big.Float) *big.Float {
	z := newF().Quo(x, newF().Add(bf(2), x))
	s := atanhSeries(z, refPrec)
	return s.Mul(s, bf(2))
}

// bigTanh returns tanh(x).
func bigTanh(x float64) *big.Float {
	xb := bf(x)
	two := bf(2)
	if math.Abs(x) < 0.5 {
		t := bigExpm1Small(newF().Mul(two, xb))
		return newF().Quo(t, newF().Add(t, two))
	}
	e := bigExp(newF().Mul(two, xb))
	num := newF().Sub(e, bf(1))
	den := newF().Add(e, bf(1))
	return num.Quo(num, den)
}

// ulpErr returns |got - ref| in units of the last place of ref (ulp of a
// float64 with ref's binary exponent, never smaller than 2^-1074).
func ulpErr(got float64, ref *big.Float) float64 {
	if math.IsInf(got, 0) || math.IsNaN(got) {
		return math.Inf(1)
	}
	if ref.Sign() == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	e := ref.MantExp(nil) // |ref| in [2^(e-1), 2^e)
	ue := e - 53
	if ue < -1074 {
		ue = -1074
	}
	d := newF().Sub(bf(got), ref)
	d.SetMantExp(d, -ue)
	f, _ := d.Float64()
	return math.Abs(f)
}
