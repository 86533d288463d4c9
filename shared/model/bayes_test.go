package model_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/model"
)

// hypSeq draws n examples of the hypothesis task: x uniform in [0, M), the
// label h_{jstar}(x) = (x + jstar) mod M, replaced with probability eps by
// one of the other M−1 labels uniformly.
func hypSeq(seed uint64, n, M, jstar int, eps float64) (xs []int, ys []int, flips int) {
	r := rand.New(rand.NewPCG(seed, 99))
	for i := 0; i < n; i++ {
		x := r.IntN(M)
		y := (x + jstar) % M
		if eps > 0 && r.Float64() < eps {
			y = (y + 1 + r.IntN(M-1)) % M
			flips++
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	return xs, ys, flips
}

// codeLength feeds the sequence prequentially (predict, then observe) and
// returns the per-example code lengths −log₂ p(y_i | x_i) in bits.
func codeLength(m model.Counting, xs, ys []int) []float64 {
	p := make([]float64, m.NumClasses())
	bits := make([]float64, len(xs))
	for i := range xs {
		x := []float64{float64(xs[i])}
		m.Probs(p, x)
		bits[i] = -math.Log2(p[ys[i]])
		m.Observe(x, ys[i])
	}
	return bits
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// With ε = 0 and m = 64 hypotheses over M = 128 classes, the first example
// costs exactly log₂ m = 6 bits (each of the m labels the hypotheses predict
// has p = 1/m, the other M − m labels 0), the posterior then holds exactly
// one hypothesis, and every later example costs 0 bits: the cumulative code
// length is log₂ m for every n ≥ 1.
func TestHypothesisCollapse(t *testing.T) {
	const M, m, jstar = 128, 64, 37
	h := model.NewHypothesis(M, m, 0)
	xs, ys, _ := hypSeq(1, 1000, M, jstar, 0)
	p := make([]float64, M)
	w := make([]float64, m)
	cum := 0.0
	for i := range xs {
		x := []float64{float64(xs[i])}
		h.Probs(p, x)
		if i == 0 {
			for y := range p {
				want := 0.0
				if (y-xs[0]+M)%M < m {
					want = 1.0 / m
				}
				if p[y] != want {
					t.Fatalf("first example: p(%d) = %v, want %v", y, p[y], want)
				}
			}
		}
		bits := -math.Log2(p[ys[i]])
		cum += bits
		if i == 0 && math.Abs(bits-math.Log2(m)) > 1e-12 {
			t.Fatalf("first example costs %v bits, want log2 m = %v", bits, math.Log2(m))
		}
		if i > 0 && math.Abs(p[ys[i]]-1) > 1e-15 {
			t.Fatalf("example %d: p(true label) = %v, want 1", i, p[ys[i]])
		}
		if math.Abs(cum-math.Log2(m)) > 1e-12 {
			t.Fatalf("after %d examples the code length is %v bits, want %v", i+1, cum, math.Log2(m))
		}
		h.Observe(x, ys[i])
		if i == 0 {
			h.Posterior(w)
			for j, v := range w {
				if want := map[bool]float64{true: 1, false: 0}[j == jstar]; v != want {
					t.Fatalf("posterior after one example: w[%d] = %v, want %v", j, v, want)
				}
			}
		}
	}
	if got := h.Params(); got[0] != 1000 || got[1+jstar] != 1000 {
		t.Fatalf("params n=%v k*=%v, want 1000, 1000", got[0], got[1+jstar])
	}
}

// logMarginal2 is log₂ of the marginal likelihood of a labelled sequence
// under the uniform mixture of the m hypotheses, computed directly from the
// agreement counts with math.Log and a log-sum-exp.
func logMarginal2(M, m int, eps float64, xs, ys []int) float64 {
	k := make([]float64, m)
	for i := range xs {
		j := (ys[i] - xs[i] + M) % M
		if j < m {
			k[j]++
		}
	}
	n := float64(len(xs))
	l := make([]float64, m)
	best := math.Inf(-1)
	for j := range l {
		l[j] = k[j]*math.Log(1-eps) + (n-k[j])*math.Log(eps/float64(M-1))
		best = math.Max(best, l[j])
	}
	s := 0.0
	for _, v := range l {
		s += math.Exp(v - best)
	}
	return (best + math.Log(s) - math.Log(float64(m))) / math.Ln2
}

// With noise the prequential code length equals −log₂ of the marginal
// likelihood (the closed form of a Bayesian mixture, independent of order),
// and beyond the one-off log₂ m the cost per example is the noise floor
// H(ε) + ε·log₂(M−1).
func TestHypothesisNoise(t *testing.T) {
	const M, m, jstar, n = 128, 64, 5, 20000
	const eps = 0.1
	xs, ys, flips := hypSeq(2, n, M, jstar, eps)
	h := model.NewHypothesis(M, m, eps)
	bits := codeLength(h, xs, ys)
	total := sum(bits)

	closed := -logMarginal2(M, m, eps, xs, ys)
	if math.Abs(total-closed) > 1e-9*closed {
		t.Fatalf("code length %v bits, closed form %v", total, closed)
	}

	// The mixture pays at most log₂ m more than the true hypothesis alone.
	a, b := -math.Log2(1-eps), -math.Log2(eps/(M-1))
	trueCost := float64(n-flips)*a + float64(flips)*b
	if total > trueCost+math.Log2(m)+1e-9 {
		t.Fatalf("code length %v exceeds true-hypothesis cost %v + log2 m", total, trueCost)
	}

	// Noise floor: the per-example cost under the true hypothesis takes the
	// value a with probability 1−ε and b with probability ε, so its mean is
	// H(ε) + ε·log₂(M−1) ≈ 1.168 bits and its standard deviation
	// (b−a)·√(ε(1−ε)) ≈ 3.05 bits; the average over n = 20000 examples has
	// a standard deviation of ≈ 0.0216 bits. Removing the one-off log₂ m
	// (at most 6/n = 0.0003 bits per example) the average must lie within
	// 5σ ≈ 0.11 bits of the floor.
	floor := -eps*math.Log2(eps) - (1-eps)*math.Log2(1-eps) + eps*math.Log2(M-1)
	sigma := (b - a) * math.Sqrt(eps*(1-eps)) / math.Sqrt(n)
	avg := (total - math.Log2(m)) / n
	if math.Abs(avg-floor) > 5*sigma {
		t.Fatalf("average cost %v bits/example, noise floor %v (5σ = %v)", avg, floor, 5*sigma)
	}
	t.Logf("n=%d: %.4f bits/example after identification; floor %.4f; total − true cost = %.4f bits (≤ log2 m = 6)",
		n, avg, floor, total-trueCost)

	// Any order gives the same code length and the very same parameters.
	perm := rand.New(rand.NewPCG(7, 7)).Perm(n)
	px, py := make([]int, n), make([]int, n)
	for i, j := range perm {
		px[i], py[i] = xs[j], ys[j]
	}
	h2 := model.NewHypothesis(M, m, eps)
	if t2 := sum(codeLength(h2, px, py)); math.Abs(t2-total) > 1e-9*total {
		t.Fatalf("shuffled order: %v bits, original %v", t2, total)
	}
	if !sameBits(h.Params(), h2.Params()) {
		t.Fatal("shuffled order gives different parameters")
	}
}

// Probs is the mixture Σ_j w_j p(y|x,h_j), written out naively.
func TestHypothesisProbsIsTheMixture(t *testing.T) {
	for _, tc := range []struct {
		M, m int
		eps  float64
	}{{128, 64, 0.1}, {10, 10, 0.3}, {7, 3, 0.05}, {5, 1, 0.2}, {4, 4, 0.75}, {16, 8, 0}} {
		h := model.NewHypothesis(tc.M, tc.m, tc.eps)
		xs, ys, _ := hypSeq(3, 40, tc.M, tc.m-1, max(tc.eps, 0.2))
		p := make([]float64, tc.M)
		w := make([]float64, tc.m)
		for i := range xs {
			x := []float64{float64(xs[i])}
			h.Probs(p, x)
			h.Posterior(w)
			total := 0.0
			for y := range p {
				want := 0.0
				for j := range w {
					q := tc.eps / float64(tc.M-1)
					if (xs[i]+j)%tc.M == y {
						q = 1 - tc.eps
					}
					want += w[j] * q
				}
				if math.Abs(p[y]-want) > 1e-14 {
					t.Fatalf("%+v example %d: p(%d) = %v, mixture %v", tc, i, y, p[y], want)
				}
				total += p[y]
			}
			if math.Abs(total-1) > 1e-13 {
				t.Fatalf("%+v: probabilities sum to %v", tc, total)
			}
			h.Observe(x, ys[i])
		}
	}
}

// lnDirMult is ln of the Dirichlet-multinomial probability of a sequence
// with the given counts: Γ(Kα)/Γ(n+Kα) · Π_k Γ(c_k+α)/Γ(α).
func lnDirMult(counts []int, alpha float64) float64 {
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	n := 0
	s := 0.0
	for _, c := range counts {
		n += c
		s += lg(float64(c)+alpha) - lg(alpha)
	}
	ka := float64(len(counts)) * alpha
	return s + lg(ka) - lg(float64(n)+ka)
}

// The table's code length is Σ_key −log₂ DirichletMultinomial(counts of
// that key), in any order.
func TestTableClosedForm(t *testing.T) {
	const keys, K, n = 6, 4, 3000
	r := rand.New(rand.NewPCG(4, 4))
	xs, ys := make([]int, n), make([]int, n)
	for i := range xs {
		xs[i] = r.IntN(keys)
		// Skewed labels per key, so the counts are far from uniform.
		ys[i] = (xs[i] + r.IntN(1+xs[i]%K)) % K
	}
	for _, alpha := range []float64{0.5, 1, 0.03} {
		tab := model.NewTable(keys, K, alpha)
		total := sum(codeLength(tab, xs, ys))
		counts := make([][]int, keys)
		for k := range counts {
			counts[k] = make([]int, K)
		}
		for i := range xs {
			counts[xs[i]][ys[i]]++
		}
		closed := 0.0
		for k := range counts {
			closed -= lnDirMult(counts[k], alpha) / math.Ln2
		}
		if math.Abs(total-closed) > 1e-9*closed {
			t.Fatalf("α=%v: code length %v bits, closed form %v", alpha, total, closed)
		}
		p := tab.Params()
		for k := range counts {
			for y := range counts[k] {
				if p[k*K+y] != float64(counts[k][y]) {
					t.Fatalf("α=%v: params[%d][%d] = %v, want %d", alpha, k, y, p[k*K+y], counts[k][y])
				}
			}
		}
		// Reversed order: same code length, same parameters.
		rx, ry := make([]int, n), make([]int, n)
		for i := range xs {
			rx[i], ry[i] = xs[n-1-i], ys[n-1-i]
		}
		tab2 := model.NewTable(keys, K, alpha)
		if t2 := sum(codeLength(tab2, rx, ry)); math.Abs(t2-total) > 1e-9*total {
			t.Fatalf("α=%v reversed: %v bits, original %v", alpha, t2, total)
		}
		if !sameBits(p, tab2.Params()) {
			t.Fatalf("α=%v: reversed order gives different parameters", alpha)
		}
	}
}

// A one-key table is the input-blind Dirichlet estimator, bit for bit.
func TestTableOneKeyIsDirichlet(t *testing.T) {
	const K = 5
	tab := model.NewTable(1, K, 0.5)
	d := model.NewDirichlet("kt", K, 0.5)
	r := rand.New(rand.NewPCG(5, 5))
	p, q := make([]float64, K), make([]float64, K)
	for i := 0; i < 2000; i++ {
		tab.Probs(p, []float64{0})
		d.Probs(q, nil)
		if !sameBits(p, q) {
			t.Fatalf("example %d: table %v, dirichlet %v", i, p, q)
		}
		y := r.IntN(K)
		tab.Observe([]float64{0}, y)
		d.Observe(nil, y)
	}
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// After many observations the parameters are finite (they encode), and two
// learners fed the same sequence have identical parameter bits and
// fingerprints.
func TestBayesLearnersFiniteAndDeterministic(t *testing.T) {
	const n = 50000
	build := func() []model.Counting {
		return []model.Counting{
			model.NewHypothesis(128, 64, 0),
			model.NewHypothesis(128, 64, 0.05),
			model.NewHypothesis(128, 128, 127.0/128),
			model.NewTable(128, 128, 0.5),
		}
	}
	a, b := build(), build()
	xs, ys, _ := hypSeq(6, n, 128, 11, 0.3) // noisy: ε = 0 learners see contradictions
	for li := range a {
		ca := codeLength(a[li], xs, ys)
		cb := codeLength(b[li], xs, ys)
		if !sameBits(ca, cb) {
			t.Fatalf("%s: code lengths differ", a[li].Kind())
		}
		for _, v := range a[li].Params() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: parameter %v", a[li].Kind(), v)
			}
		}
		fa, err := model.Fingerprint(a[li])
		if err != nil {
			t.Fatalf("%s: %v", a[li].Kind(), err)
		}
		fb, _ := model.Fingerprint(b[li])
		if fa != fb || !sameBits(a[li].Params(), b[li].Params()) {
			t.Fatalf("%s: same sequence, different parameters", a[li].Kind())
		}
		// Every probability stays finite and positive for ε > 0 and α > 0.
		p := make([]float64, a[li].NumClasses())
		a[li].Probs(p, []float64{3})
		for y, v := range p {
			if math.IsNaN(v) || v < 0 || v > 1 {
				t.Fatalf("%s: p(%d) = %v", a[li].Kind(), y, v)
			}
		}
	}
	// The uniform-noise hypothesis learner (ε = (M−1)/M) never learns.
	p := make([]float64, 128)
	a[2].Probs(p, []float64{0})
	for _, v := range p {
		if math.Abs(v-1.0/128) > 1e-15 {
			t.Fatalf("ε=(M−1)/M: p = %v, want 1/128", v)
		}
	}
}

func TestBayesShapesAndInputs(t *testing.T) {
	h := model.NewHypothesis(10, 4, 0.1)
	if h.Kind() != "hypothesis" || h.NumClasses() != 10 || h.InputDim() != 1 || len(h.Params()) != 5 ||
		len(h.Shape()) != 2 || h.Shape()[0] != 10 || h.Shape()[1] != 4 {
		t.Fatalf("hypothesis: kind %s shape %v params %d", h.Kind(), h.Shape(), len(h.Params()))
	}
	tab := model.NewTable(3, 7, 1)
	if tab.Kind() != "table" || tab.NumClasses() != 7 || tab.InputDim() != 1 || len(tab.Params()) != 21 ||
		tab.Shape()[0] != 3 || tab.Shape()[1] != 7 {
		t.Fatalf("table: kind %s shape %v params %d", tab.Kind(), tab.Shape(), len(tab.Params()))
	}
	for _, x := range [][]float64{{}, {math.NaN()}, {-1}, {1.5}, {10}, {math.Inf(1)}, {1e300}} {
		if err := h.CheckInput(x); err == nil {
			t.Errorf("hypothesis accepted input %v", x)
		}
		expectPanicContaining(t, "hypothesis", func() { h.Probs(make([]float64, 10), x) })
		expectPanicContaining(t, "hypothesis", func() { h.Observe(x, 0) })
	}
	for _, x := range [][]float64{{}, {math.NaN()}, {-0.5}, {3}, {2.25}} {
		if err := tab.CheckInput(x); err == nil {
			t.Errorf("table accepted input %v", x)
		}
		expectPanicContaining(t, "table", func() { tab.Observe(x, 0) })
	}
	if h.CheckInput([]float64{9}) != nil || tab.CheckInput([]float64{2, 99}) != nil {
		t.Error("valid input rejected")
	}
	expectPanicContaining(t, "label", func() { h.Observe([]float64{0}, 10) })
	expectPanicContaining(t, "label", func() { tab.Observe([]float64{0}, -1) })
	expectPanicContaining(t, "hypothesis needs", func() { model.NewHypothesis(1, 1, 0) })
	expectPanicContaining(t, "hypothesis needs", func() { model.NewHypothesis(10, 11, 0) })
	expectPanicContaining(t, "hypothesis needs", func() { model.NewHypothesis(10, 0, 0) })
	expectPanicContaining(t, "hypothesis needs", func() { model.NewHypothesis(10, 5, 0.95) })
	expectPanicContaining(t, "hypothesis needs", func() { model.NewHypothesis(10, 5, math.NaN()) })
	expectPanicContaining(t, "table needs", func() { model.NewTable(0, 2, 1) })
	expectPanicContaining(t, "table needs", func() { model.NewTable(2, 1, 1) })
	expectPanicContaining(t, "table needs", func() { model.NewTable(2, 2, 0) })
}

func expectPanicContaining(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, _ := r.(string)
		if r == nil || !strings.Contains(s, want) {
			t.Errorf("panic %v, want one mentioning %q", r, want)
		}
	}()
	f()
}

func benchCounting(b *testing.B, m model.Counting, keys int) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 4096
	xs, ys := make([][]float64, n), make([]int, n)
	for i := range xs {
		xs[i] = []float64{float64(r.IntN(keys))}
		ys[i] = (int(xs[i][0]) + 3) % m.NumClasses()
	}
	p := make([]float64, m.NumClasses())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % n
		m.Probs(p, xs[j])
		m.Observe(xs[j], ys[j])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "examples/s")
}

// One example = Probs then Observe.
func BenchmarkHypothesis(b *testing.B) {
	benchCounting(b, model.NewHypothesis(128, 64, 0.1), 128)
}

func BenchmarkTable(b *testing.B) {
	benchCounting(b, model.NewTable(1024, 10, 0.5), 1024)
}
