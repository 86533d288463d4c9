package experiment

import "github.com/edlwire/edlwire/shared/detmath"

// The toy models' analytic predictions (EDL.md, "Facts from the theory").
// Each is the expectation of the ideal code over the task's randomness, for
// the learner the toy runs: exact, not fitted. Like all of shared/, they use
// detmath's kernels and no fused multiply-add, so a prediction is the same
// bits on every machine (the tests hold them against math and gonum).

// HypothesisEDL is EDL(n) for every n ≥ 1 of the hypothesis-collapse toy:
// with m equally likely rules and an exact Bayesian learner the first label
// costs log₂m bits and identifies the rule; every later label and the test
// loss cost nothing.
func HypothesisEDL(m int) float64 { return detmath.Log2(float64(m)) }

// CrispKeyEDL is the expected EDL contribution, in units of Δ, of one key of
// per-example probability q after n examples, for a learner that pays Δ bits
// on a key's first occurrence and nothing afterwards (the table learner with
// α → 0): the chance the key was seen, 1 − (1−q)ⁿ, minus n·q times the
// chance it was not (the test term: a share q of test examples still costs
// Δ): (1 − (1−q)ⁿ) − n·q·(1−q)ⁿ.
func CrispKeyEDL(q float64, n int64) float64 {
	pn := powInt(1-q, n)
	return (1 - pn) - float64(float64(n)*q*pn)
}

// LearnedFraction is λ = CrispKeyEDL(q, n)/(n·q) = (1−(1−q)ⁿ)/(nq) − (1−q)ⁿ:
// the share of a rare rule of per-input probability q that θ*ₙ knows beyond
// what the coded pass knew on average.
func LearnedFraction(q float64, n int64) float64 {
	return CrispKeyEDL(q, n) / (float64(n) * q)
}

// RareInputsEDLPerN is the rare-inputs toy's prediction of EDL/n at n: a
// rare region of probability pi made of inputs of probability q each, every
// one its own rule worth delta bits once seen, beside one common key of
// probability 1−pi worth delta too: π·δ·λ + δ·c/n, λ = LearnedFraction(q, n)
// and c = CrispKeyEDL(1−π, n) the common key's term.
func RareInputsEDLPerN(pi, q, delta float64, n int64) float64 {
	lambda := LearnedFraction(q, n)
	common := delta * CrispKeyEDL(1-pi, n) / float64(n)
	// The conversion forbids fusing the product into the sum, so the value
	// is the same bits on every architecture.
	return float64(pi*delta*lambda) + common
}

// CouponEDL is the coupon-collector toy's expected EDL (bits) in the limit
// of many keys: K keys drawn uniformly, each worth Δ bits once seen,
// E[EDL] ≈ KΔ[1 − (1+u)e^{−u}] with u = n/K.
func CouponEDL(keys int, delta, n float64) float64 {
	u := n / float64(keys)
	return float64(keys) * delta * (1 - float64((1+u)*detmath.Exp(-u)))
}

// CouponEDLDiscrete is the exact expectation for finite K:
// Δ[K(1−(1−1/K)ⁿ) − n(1−1/K)ⁿ], that is K keys of probability 1/K each
// (K·CrispKeyEDL(1/K, n), in bits).
func CouponEDLDiscrete(keys int, delta float64, n int64) float64 {
	return delta * CrispKeyEDL(1.0/float64(keys), n) * float64(keys)
}

// The coupon collector's peak of EDL/n as EDL.md states it: at n ≈ 1.79K,
// with value ≈ 0.298Δ (CouponPeak computes them exactly).
const (
	CouponPeakK     = 1.79
	CouponPeakDelta = 0.298
)

// CouponPeak is the exact peak of CouponEDL(K, Δ, n)/n in u = n/K: with
// f(u) = [1 − (1+u)e^{−u}]/u, f'(u) = 0 ⇔ e^u = 1 + u + u², solved here by
// bisection on [1, 3]; there 1 − (1+u)e^{−u} = u²/(1+u+u²), so the peak
// value is f(u) = u/(1+u+u²) in units of Δ.
func CouponPeak() (u, value float64) {
	lo, hi := 1.0, 3.0 // e^1 < 3 and e^3 > 13: the root lies between
	for range 200 {
		mid := float64((lo + hi) / 2) // the halving is a product: not fused into 1+mid
		if detmath.Exp(mid) < 1+mid+float64(mid*mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	u = float64((lo + hi) / 2)
	return u, u / (1 + u + float64(u*u))
}

// DirichletBits is the prequential code length (bits) of any sequence with
// the given label counts under the symmetric Dirichlet(α) estimator over
// len(counts) classes (α = ½: Krichevsky–Trofimov, α = 1: Laplace): −log₂ of
// the Dirichlet-multinomial probability
// Γ(Kα)/Γ(n+Kα) · Π_k Γ(c_k+α)/Γ(α), whatever the order of the labels.
//
// It sums the sequential code in a canonical order (each class's labels in
// turn): Γ(c+α)/Γ(α) = Π_{i<c}(i+α), so no log-gamma is needed.
func DirichletBits(counts []int64, alpha float64) float64 {
	k := float64(len(counts))
	bits, seen := 0.0, 0.0
	for _, c := range counts {
		for i := range c {
			bits += detmath.Log2(seen+float64(k*alpha)) - detmath.Log2(float64(i)+alpha)
			seen++
		}
	}
	return bits
}

// powInt is x^n for n ≥ 0 by binary exponentiation: a fixed sequence of
// products, the same bits everywhere (math.Pow is not).
func powInt(x float64, n int64) float64 {
	r := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r *= x
		}
		x *= x
	}
	return r
}

// DirichletKeyEDL is the expected EDL contribution (bits) of one key of
// per-example probability q with a fixed label, under a symmetric
// Dirichlet(α) table over C classes, at every n in 0..nmax: the expected
// code length of the key's labels among the first n examples minus n·q
// times the expected test loss on the key after n examples. Exact: the
// key's count after i examples is Binomial(i, q), carried forward as its
// probability mass function (tails below 10⁻¹⁸ dropped).
func DirichletKeyEDL(q, alpha float64, classes int, nmax int64) []float64 {
	ell := func(c int) float64 {
		return -detmath.Log2((float64(c) + alpha) / (float64(c) + float64(float64(classes)*alpha)))
	}
	pmf := []float64{1}
	expect := func() float64 {
		e := 0.0
		for c, p := range pmf {
			e += float64(p * ell(c))
		}
		return e
	}
	out := make([]float64, nmax+1)
	mdl := 0.0
	for i := int64(0); i < nmax; i++ {
		mdl += float64(q * expect())
		next := make([]float64, len(pmf)+1)
		for c, p := range pmf {
			next[c] += float64(p * (1 - q))
			next[c+1] += float64(p * q)
		}
		for len(next) > 1 && next[len(next)-1] < 1e-18 {
			next = next[:len(next)-1]
		}
		pmf = next
		out[i+1] = mdl - float64(float64(i+1)*q*expect())
	}
	return out
}
