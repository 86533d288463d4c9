package experiment

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.12g, want %.12g (±%g)", what, got, want, tol)
	}
}

// The hypothesis toy against an exact Bayesian learner run here: m rules
// y = (x + j) mod M, j < m, uniform prior. The first label has probability
// 1/m (each rule predicts a different y), so it costs log₂m; after it one
// rule is left and every label, test labels included, costs nothing.
func TestHypothesisEDL(t *testing.T) {
	near(t, "HypothesisEDL(64)", HypothesisEDL(64), 6, 0) // 2⁶ = 64
	const M = 97
	for _, m := range []int{1, 2, 7, 64} {
		rng := rand.New(rand.NewPCG(uint64(m), 1))
		j := rng.IntN(m)
		alive := make([]bool, m)
		for h := range alive {
			alive[h] = true
		}
		bits := 0.0
		for range 20 {
			x := rng.IntN(M)
			y := (x + j) % M
			n, agree := 0, 0
			for h := range alive {
				if alive[h] {
					n++
					if (x+h)%M == y {
						agree++
					}
				}
			}
			bits -= math.Log2(float64(agree) / float64(n))
			for h := range alive {
				alive[h] = alive[h] && (x+h)%M == y
			}
		}
		// The test loss after 20 examples is 0: one rule left.
		near(t, "Bayesian code length", bits, HypothesisEDL(m), 1e-12)
	}
}

// CrispKeyEDL by hand, and the coupon collector's discrete expectation
// against an enumeration of every sequence.
func TestCrispKeyEDL(t *testing.T) {
	// q = ½, n = 2: seen with probability ¾, unseen ¼, test term 2·½·¼.
	near(t, "CrispKeyEDL(½, 2)", CrispKeyEDL(0.5, 2), 0.75-0.25, 1e-15)
	near(t, "CrispKeyEDL(q, 0)", CrispKeyEDL(0.3, 0), 0, 0)
	near(t, "CrispKeyEDL(1, 5)", CrispKeyEDL(1, 5), 1, 0)
	// K = 3, n = 4: (2/3)⁴ = 16/81; 3(1 − 16/81) − 4·16/81 = 131/81.
	near(t, "CouponEDLDiscrete(3, 1, 4)", CouponEDLDiscrete(3, 1, 4), 131.0/81, 1e-14)
	// Enumeration: all Kⁿ sequences; EDL/Δ of one sequence is the number of
	// distinct keys (each first sighting costs Δ) minus n times the share
	// of keys never seen (a test example hits one with that probability).
	for _, c := range []struct{ k, n int }{{3, 4}, {4, 6}, {5, 3}, {2, 9}} {
		total, count := 0.0, 0
		seq := make([]int, c.n)
		var walk func(i int)
		walk = func(i int) {
			if i == c.n {
				seen := map[int]bool{}
				for _, s := range seq {
					seen[s] = true
				}
				total += float64(len(seen)) - float64(c.n)*float64(c.k-len(seen))/float64(c.k)
				count++
				return
			}
			for s := range c.k {
				seq[i] = s
				walk(i + 1)
			}
		}
		walk(0)
		near(t, "CouponEDLDiscrete against enumeration", CouponEDLDiscrete(c.k, 1, int64(c.n)), total/float64(count), 1e-12)
	}
}

// The continuous coupon curve by hand and by quadrature: 1 − (1+u)e^{−u} is
// the Gamma(2, 1) distribution function, ∫₀^u t e^{−t} dt.
func TestCouponEDL(t *testing.T) {
	// u = 1: KΔ(1 − 2/e) = 400 · 0.26424111765711533.
	near(t, "CouponEDL(100, 4, 100)", CouponEDL(100, 4, 100), 400*(1-2/math.E), 1e-12)
	for _, n := range []float64{1, 50, 179, 500, 2000} {
		u := n / 100
		integral := quad.Fixed(func(t float64) float64 { return t * math.Exp(-t) }, 0, u, 40, nil, 0)
		near(t, "CouponEDL against quadrature", CouponEDL(100, 4, n), 400*integral, 1e-9)
	}
	// Many keys: the discrete expectation tends to the continuous one.
	for _, u := range []float64{0.5, 1.79, 4} {
		n := u * 1e5
		near(t, "CouponEDLDiscrete(10⁵)/CouponEDL", CouponEDLDiscrete(100000, 1, int64(n))/CouponEDL(100000, 1, n), 1, 1e-4)
	}
}

// The peak of EDL/n: the root of e^u = 1 + u + u² (by hand: f'(u) = 0), and
// a numerical maximization of CouponEDL/n by Nelder–Mead as a second
// method. Rounded, both are EDL.md's 1.79K and 0.298Δ; for K = 100 the
// discrete curve peaks at n = 177 with 0.301Δ, as EDL.md says.
func TestCouponPeak(t *testing.T) {
	u, v := CouponPeak()
	near(t, "e^u − (1+u+u²) at the peak", math.Exp(u)-(1+u+u*u), 0, 1e-12)
	near(t, "peak value u/(1+u+u²) against f(u)", v, CouponEDL(1, 1, u)/u, 1e-12)
	res, err := optimize.Minimize(optimize.Problem{Func: func(x []float64) float64 { return -CouponEDL(1000, 1, x[0]*1000) / (x[0] * 1000) }},
		[]float64{1}, nil, &optimize.NelderMead{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "argmax u by Nelder–Mead", res.X[0], u, 1e-4)
	near(t, "max by Nelder–Mead", -res.F, v, 1e-9)
	near(t, "u rounded", u, CouponPeakK, 0.005)
	near(t, "value rounded", v, CouponPeakDelta, 0.0005)
	best := int64(1)
	for n := int64(1); n <= 1000; n++ {
		if CouponEDLDiscrete(100, 1, n)/float64(n) > CouponEDLDiscrete(100, 1, best)/float64(best) {
			best = n
		}
	}
	if best != 177 {
		t.Errorf("discrete K = 100 peaks at n = %d, want 177", best)
	}
	near(t, "discrete peak", CouponEDLDiscrete(100, 1, best)/float64(best), 0.301, 0.0005)
}

// DirichletBits by hand and against the sequential estimator in a shuffled
// order.
func TestDirichletBits(t *testing.T) {
	// KT, two classes, "a a": ½ · (1+½)/(1+1) = 3/8.
	near(t, "KT [2 0]", DirichletBits([]int64{2, 0}, 0.5), math.Log2(8.0/3), 1e-12)
	// Laplace, two classes, "a b": ½ · 1/3 = 1/6.
	near(t, "Laplace [1 1]", DirichletBits([]int64{1, 1}, 1), math.Log2(6), 1e-12)
	near(t, "empty", DirichletBits([]int64{0, 0, 0}, 0.5), 0, 1e-12)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, alpha := range []float64{0.5, 1, 1e-3} {
		counts := []int64{5, 0, 17, 3}
		var seq []int
		for k, c := range counts {
			for range c {
				seq = append(seq, k)
			}
		}
		rng.Shuffle(len(seq), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
		seen := make([]float64, len(counts))
		bits := 0.0
		for i, y := range seq {
			bits -= math.Log2((seen[y] + alpha) / (float64(i) + float64(len(counts))*alpha))
			seen[y]++
		}
		near(t, "DirichletBits against the sequential code", DirichletBits(counts, alpha), bits, 1e-9)
	}
}

// DirichletKeyEDL carries the key's count forward step by step; a second
// method sums over the count after n examples instead: the key's labels
// cost DirichletBits of m copies whatever their positions (order-free), so
// E[MDL] = Σ_m Binom(n, q)(m) · DirichletBits([m 0 …]) and the test term is
// n·q·Σ_m Binom(n, q)(m) · ℓ(m), ℓ(m) = −log₂((m+α)/(m+Cα)).
func TestDirichletKeyEDL(t *testing.T) {
	const classes = 16
	for _, c := range []struct {
		q, alpha float64
		n        int64
	}{{1, 1, 30}, {0.5, 1, 40}, {0.005, 1, 400}, {0.1, 0.5, 120}} {
		got := DirichletKeyEDL(c.q, c.alpha, classes, c.n)
		if len(got) != int(c.n)+1 || got[0] != 0 {
			t.Fatalf("len %d, got[0] %g", len(got), got[0])
		}
		for _, n := range []int64{1, c.n / 2, c.n} {
			b := distuv.Binomial{N: float64(n), P: c.q}
			mdl, test := 0.0, 0.0
			for m := int64(0); m <= n; m++ {
				p := b.Prob(float64(m))
				if c.q == 1 {
					p = 0
					if m == n {
						p = 1
					}
				}
				counts := make([]int64, classes)
				counts[0] = m
				mdl += p * DirichletBits(counts, c.alpha)
				test += p * -math.Log2((float64(m)+c.alpha)/(float64(m)+classes*c.alpha))
			}
			near(t, "DirichletKeyEDL against the sum over final counts", got[n], mdl-float64(n)*c.q*test, 1e-9)
		}
	}
	// α → 0 is the crisp learner: Δ = log₂C on first sight, then nothing.
	for _, q := range []float64{0.01, 0.2} {
		got := DirichletKeyEDL(q, 1e-10, classes, 300)
		near(t, "DirichletKeyEDL(α→0)/Δ", got[300]/math.Log2(classes), CrispKeyEDL(q, 300), 1e-6)
	}
}

// The rare-inputs prediction against the sum of its keys' own expectations
// (the Dirichlet table with α → 0): R = π/q rare keys of probability q and
// the common key of probability 1 − π, each worth δ = log₂C.
func TestRareInputsEDLPerN(t *testing.T) {
	const classes, n = 16, 2000
	pi, q := 0.2, 1e-3
	r := math.Round(pi / q)
	rare := DirichletKeyEDL(q, 1e-10, classes, n)[n]
	common := DirichletKeyEDL(1-pi, 1e-10, classes, n)[n]
	near(t, "RareInputsEDLPerN", RareInputsEDLPerN(pi, q, math.Log2(classes), n), (r*rare+common)/n, 1e-6)
	// λ by hand at u = nq = 2: (1 − e^{−2}·(1+O(q)))/2 − e^{−2}… exactly
	// (1 − 0.999²⁰⁰⁰)/2 − 0.999²⁰⁰⁰.
	p := math.Pow(0.999, 2000)
	near(t, "LearnedFraction", LearnedFraction(q, n), (1-p)/2-p, 1e-12)
}
