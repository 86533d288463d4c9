package detmath

// Sigmoid returns 1/(1+e**-x), computed without overflow:
//
//	x >= 0: 1 / (1 + Exp(-x))
//	x <  0: e / (1 + e), e = Exp(x)
//
// Sigmoid(+Inf) = 1, Sigmoid(-Inf) = 0, Sigmoid(NaN) = NaN.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + Exp(-x))
	}
	e := Exp(x)
	return e / (1 + e)
}

// Softplus returns log(1+e**x), stable for large |x|:
//
//	x > 0:  x + Log1p(Exp(-x))
//	x <= 0: Log1p(Exp(x))
//
// Softplus(+Inf) = +Inf, Softplus(-Inf) = 0, Softplus(NaN) = NaN.
func Softplus(x float64) float64 {
	if x > 0 {
		return x + Log1p(Exp(-x))
	}
	return Log1p(Exp(x))
}
