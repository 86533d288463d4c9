package model

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// Model kinds of the exact Bayesian learners, as the spec names them.
const (
	KindHypothesis = spec.ModelHypothesis
	KindTable      = spec.ModelTable
)

var (
	_ Counting = (*Hypothesis)(nil)
	_ Counting = (*Table)(nil)
)

// intKey converts the integer input x[0] to an index in [0, n). It clamps
// nothing silently: a NaN, a fraction or a value outside [0, n) panics
// (the comparison happens before the float→int conversion, so the
// conversion never sees an out-of-range value). Inputs can be checked
// up front with CheckInput.
func intKey(who string, x []float64, n int) int {
	if err := checkKey(who, x, n); err != nil {
		panic(err.Error())
	}
	return int(x[0])
}

func checkKey(who string, x []float64, n int) error {
	if len(x) < 1 {
		return fmt.Errorf("model: %s: empty input, want x[0] an integer in [0, %d)", who, n)
	}
	v := x[0]
	if !(v >= 0 && v < float64(n)) || v != math.Trunc(v) {
		return fmt.Errorf("model: %s: input %v is not an integer in [0, %d)", who, v, n)
	}
	return nil
}

// Hypothesis is the exact Bayesian posterior over a finite hypothesis class
// (EDL.md, "one example can remove many bits"). Inputs are integers
// x ∈ [0, M) carried in x[0]; there are M classes and m ≤ M hypotheses
// h_j(x) = (x + j) mod M, j < m, under a uniform prior; labels are noisy:
//
//	p(y | x, h_j) = 1 − ε        if y = h_j(x)
//	              = ε / (M − 1)  otherwise.
//
// The predictive distribution is p(y | x) = Σ_j w_j p(y | x, h_j) with the
// normalized posterior weights w_j, so the prequential code length of a
// sequence is exactly −log of the marginal likelihood
// (1/m) Σ_j (1−ε)^{k_j} (ε/(M−1))^{n−k_j}, whatever the order.
//
// Representation. The posterior is not stored as floating-point
// log-weights: it is a function of integer sufficient statistics, which are
// exact, finite, order-independent and deterministic. Params is
//
//	[n, k_0, …, k_{m−1}]   (m + 1 entries, exact integers below 2^53)
//
// where n is the number of observations and k_j the number on which h_j
// agreed with the label. With δ_j = max_i k_i − k_j (disagreements beyond
// the best hypothesis) and L = ln((1−ε)(M−1)/ε) ≥ 0 the log-likelihood
// ratio of one agreement, the unnormalized weights are
//
//	u_j = detmath.Exp(float64(δ_j · −L))   (u_j = 1 exactly when δ_j = 0)
//
// and w_j = u_j / S with S = detmath.Sum(u) (fixed 4-lane order). For ε = 0,
// L = +∞ and u_j = [δ_j = 0]: the posterior is uniform on the hypotheses
// consistent with every label so far (when none is, on those with the fewest
// disagreements, the ε → 0 limit). So after the first example with ε = 0 the
// posterior holds exactly one hypothesis and predicts its label with
// probability exactly 1. Nothing is accumulated in floating point between
// observations, so no rounding error builds up, and no weight is ever −Inf
// or NaN.
//
// Probs: hypotheses predict distinct labels (m ≤ M), so with U_y the weight
// of the hypothesis predicting y (0 if none),
//
//	p(y | x) = (float64((S − U_y)·ε/(M−1)) + float64(U_y·(1−ε))) / S.
//
// Shape: [M, m]. ε is a hyperparameter, not a parameter (the spec carries it).
type Hypothesis struct {
	classes int     // M
	eps     float64 // ε
	lo, hi  float64 // ε/(M−1), 1−ε
	negL    float64 // −ln((1−ε)(M−1)/ε); unused when ε = 0
	params  []float64
	u       []float64 // scratch: unnormalized weights
}

// NewHypothesis returns the prior (no observations) over m hypotheses for M
// classes with label noise ε. It panics unless 2 ≤ M, 1 ≤ m ≤ M and
// 0 ≤ ε ≤ (M−1)/M (beyond that, noise would favour the wrong labels).
func NewHypothesis(M, m int, eps float64) *Hypothesis {
	if M < 2 || m < 1 || m > M || !(eps >= 0 && eps <= float64(M-1)/float64(M)) {
		panic(fmt.Sprintf("model: hypothesis needs M >= 2, 1 <= m <= M, 0 <= eps <= (M-1)/M; got M=%d m=%d eps=%v", M, m, eps))
	}
	h := &Hypothesis{
		classes: M,
		eps:     eps,
		lo:      eps / float64(M-1),
		hi:      1 - eps,
		params:  make([]float64, m+1),
		u:       make([]float64, m),
	}
	if eps > 0 {
		// ≤ 0; at ε = (M−1)/M it is 0 up to rounding, clamped so that no
		// weight can exceed the best hypothesis's.
		h.negL = min(0, detmath.Log(h.lo)-detmath.Log(h.hi))
	}
	return h
}

func (h *Hypothesis) Kind() string      { return KindHypothesis }
func (h *Hypothesis) Shape() []int64    { return []int64{int64(h.classes), int64(len(h.u))} }
func (h *Hypothesis) NumClasses() int   { return h.classes }
func (h *Hypothesis) InputDim() int     { return 1 }
func (h *Hypothesis) Params() []float64 { return h.params }

// Eps returns the label-noise rate ε.
func (h *Hypothesis) Eps() float64 { return h.eps }

// CheckInput reports whether x is a valid input (x[0] an integer in [0, M));
// Probs and Observe panic on anything else.
func (h *Hypothesis) CheckInput(x []float64) error { return checkKey("hypothesis", x, h.classes) }

// weights fills h.u with the unnormalized posterior weights and returns
// their sum S ≥ 1.
func (h *Hypothesis) weights() float64 {
	k := h.params[1:]
	best := k[0]
	for _, v := range k[1:] {
		if v > best {
			best = v
		}
	}
	for j, v := range k {
		d := best - v // exact: integers below 2^53
		switch {
		case d == 0:
			h.u[j] = 1
		case h.eps == 0:
			h.u[j] = 0
		default:
			h.u[j] = detmath.Exp(float64(d * h.negL))
		}
	}
	return detmath.Sum(h.u)
}

// Posterior writes the normalized posterior weights w_j (len m) into dst.
func (h *Hypothesis) Posterior(dst []float64) {
	if len(dst) != len(h.u) {
		panic(fmt.Sprintf("model: hypothesis: dst %d, want %d", len(dst), len(h.u)))
	}
	s := h.weights()
	for j, u := range h.u {
		dst[j] = u / s
	}
}

// Probs writes p(·|x) into dst (len M).
func (h *Hypothesis) Probs(dst, x []float64) {
	M := h.classes
	if len(dst) != M {
		panic(fmt.Sprintf("model: hypothesis: dst %d, want %d", len(dst), M))
	}
	xi := intKey("hypothesis", x, M)
	s := h.weights()
	clear(dst)
	for j, u := range h.u {
		y := xi + j
		if y >= M {
			y -= M
		}
		dst[y] = u // U_y; distinct labels because m ≤ M
	}
	for y, uy := range dst {
		dst[y] = (float64((s-uy)*h.lo) + float64(uy*h.hi)) / s
	}
}

// Observe adds one labelled example: n and the agreement count of the one
// hypothesis that predicted the label, if any. It panics on an invalid input
// or a label outside [0, M).
func (h *Hypothesis) Observe(x []float64, label int) {
	M := h.classes
	xi := intKey("hypothesis", x, M)
	if label < 0 || label >= M {
		panic(fmt.Sprintf("model: hypothesis: label %d outside [0, %d)", label, M))
	}
	j := label - xi
	if j < 0 {
		j += M
	}
	h.params[0]++
	if j < len(h.u) {
		h.params[1+j]++
	}
}

// Table is a per-key memorizer: for every key (the integer x[0] in
// [0, keys)) an independent symmetric Dirichlet(α) estimator of the label,
//
//	p(y | key) = (c_{key,y} + α) / (n_key + K·α),
//
// computed exactly as Dirichlet computes it (den = n + float64(K·α), one
// correctly rounded division per class), so a one-key table is Dirichlet
// bit for bit. Its prequential code length is Σ_key −log of the
// Dirichlet-multinomial probability of that key's label counts, in any
// order.
//
// Params: the keys×K counts, row-major (row = key), exact integers below
// 2^53. n_key is recomputed from the row on every Probs (a sum of exact
// integers, so its order does not matter), so Params is the whole state.
// Shape: [keys, K].
type Table struct {
	keys, k int
	alpha   float64
	counts  []float64
}

// NewTable returns an empty table. It panics unless keys ≥ 1, K ≥ 2 and
// α > 0 is finite.
func NewTable(keys, K int, alpha float64) *Table {
	if keys < 1 || K < 2 || !(alpha > 0) || math.IsInf(alpha, 1) {
		panic(fmt.Sprintf("model: table needs keys >= 1, K >= 2, finite alpha > 0; got keys=%d K=%d alpha=%v", keys, K, alpha))
	}
	return &Table{keys: keys, k: K, alpha: alpha, counts: make([]float64, keys*K)}
}

func (t *Table) Kind() string      { return KindTable }
func (t *Table) Shape() []int64    { return []int64{int64(t.keys), int64(t.k)} }
func (t *Table) NumClasses() int   { return t.k }
func (t *Table) InputDim() int     { return 1 }
func (t *Table) Params() []float64 { return t.counts }

// Alpha returns the Dirichlet concentration α.
func (t *Table) Alpha() float64 { return t.alpha }

// CheckInput reports whether x is a valid input (x[0] an integer in
// [0, keys)); Probs and Observe panic on anything else.
func (t *Table) CheckInput(x []float64) error { return checkKey("table", x, t.keys) }

// Probs writes p(·|key) into dst (len K).
func (t *Table) Probs(dst, x []float64) {
	if len(dst) != t.k {
		panic(fmt.Sprintf("model: table: dst %d, want %d", len(dst), t.k))
	}
	key := intKey("table", x, t.keys)
	row := t.counts[key*t.k : (key+1)*t.k]
	n := 0.0
	for _, c := range row {
		n += c
	}
	den := n + float64(float64(t.k)*t.alpha)
	for y, c := range row {
		dst[y] = (c + t.alpha) / den
	}
}

// Observe counts one label under its key. It panics on an invalid input or
// a label outside [0, K).
func (t *Table) Observe(x []float64, label int) {
	key := intKey("table", x, t.keys)
	if label < 0 || label >= t.k {
		panic(fmt.Sprintf("model: table: label %d outside [0, %d)", label, t.k))
	}
	t.counts[key*t.k+label]++
}
