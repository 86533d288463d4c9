package train_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/train"
)

func bitsEqual(a, b []float64) bool {
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

func mustNew(t *testing.T, name string, n int, lr float64, o train.Options) train.Optimizer {
	t.Helper()
	opt, err := train.NewByName(name, n, lr, o)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// Momentum on dyadic values: every operation is exact, so the hand-computed
// trajectory must match to the bit.
//
//	lr = ½, β = ½, B = 2, θ0 = [1, −2, ¼]
//	Σg1 = [2, −4, 1]  → g = [1, −2, ½]    v1 = [1, −2, ½]        θ1 = [½, −1, 0]
//	Σg2 = [4, 0, −2]  → g = [2, 0, −1]    v2 = [2.5, −1, −0.75]  θ2 = [−0.75, −½, 0.375]
//	Σg3 = [−2, 2, 8]  → g = [−1, 1, 4]    v3 = [¼, ½, 3.625]     θ3 = [−0.875, −0.75, −1.4375]
func TestMomentumHandComputed(t *testing.T) {
	grads := [][]float64{{2, -4, 1}, {4, 0, -2}, {-2, 2, 8}}
	wantTheta := [][]float64{{0.5, -1, 0}, {-0.75, -0.5, 0.375}, {-0.875, -0.75, -1.4375}}
	wantV := [][]float64{{1, -2, 0.5}, {2.5, -1, -0.75}, {0.25, 0.5, 3.625}}
	for _, o := range []train.Optimizer{
		&train.Momentum{LR: 0.5, Beta: 0.5}, // literal, sized on the first Step
		mustNew(t, train.OptimizerMomentum, 3, 0.5, train.Options{Beta: 0.5}),
	} {
		p := []float64{1, -2, 0.25}
		for s := range grads {
			g := append([]float64(nil), grads[s]...)
			o.Step(p, g, 2)
			if !bitsEqual(p, wantTheta[s]) {
				t.Fatalf("%T step %d: θ = %v, want %v", o, s+1, p, wantTheta[s])
			}
			if st := o.State(); !bitsEqual(st, wantV[s]) {
				t.Fatalf("%T step %d: state %v, want %v", o, s+1, st, wantV[s])
			}
			if !bitsEqual(g, grads[s]) {
				t.Fatal("Step modified the gradient")
			}
		}
	}
}

// Adam's first step is lr·sign(g) when ε = 0: with g a power of two,
// (1−β1)·g and (1−β2)·g² are exact scalings, and the bias corrections
// 1 − β^1 are the very same floats as 1 − β, so m̂ = g and v̂ = g² exactly.
// With decoupled decay wd = ½ and lr = ¼ the decay first takes θ·⅛ off.
func TestAdamFirstStepHandComputed(t *testing.T) {
	theta := []float64{1, -1, 0.5}
	grad := []float64{2, -0.5, 4}
	for _, tc := range []struct {
		wd   float64
		want []float64
	}{
		{0, []float64{0.75, -0.75, 0.25}},
		{0.5, []float64{0.625, -0.625, 0.1875}},
	} {
		o := &train.AdamW{LR: 0.25, Beta1: 0.9, Beta2: 0.999, Eps: 0, WeightDecay: tc.wd}
		p := append([]float64(nil), theta...)
		o.Step(p, grad, 1)
		if !bitsEqual(p, tc.want) {
			t.Errorf("wd %v: θ1 = %v, want %v", tc.wd, p, tc.want)
		}
		st := o.State()
		b1, b2 := 0.9, 0.999 // variables: float64 arithmetic, not exact constant folding
		want := []float64{1, b1, b2, float64((1 - b1) * 2), float64((1 - b1) * -0.5), float64((1 - b1) * 4),
			float64((1 - b2) * 4), float64((1 - b2) * 0.25), float64((1 - b2) * 16)}
		if !bitsEqual(st, want) {
			t.Errorf("wd %v: state %v, want %v", tc.wd, st, want)
		}
	}
}

// refAdamW is the documented sequence written out independently, one
// coordinate at a time, with a loop over t for the bias corrections.
type refAdamW struct {
	lr, b1, b2, eps, wd float64
	t                   int
	m, v                []float64
}

func (r *refAdamW) step(theta, gsum []float64, batch int) {
	r.t++
	p1, p2 := 1.0, 1.0
	for i := 0; i < r.t; i++ {
		p1 = float64(p1 * r.b1)
		p2 = float64(p2 * r.b2)
	}
	for i := range theta {
		g := gsum[i] / float64(batch)
		if r.wd != 0 {
			theta[i] = theta[i] - float64(float64(r.lr*r.wd)*theta[i])
		}
		r.m[i] = float64(r.b1*r.m[i]) + float64((1-r.b1)*g)
		r.v[i] = float64(r.b2*r.v[i]) + float64((1-r.b2)*float64(g*g))
		mhat := r.m[i] / (1 - p1)
		vhat := r.v[i] / (1 - p2)
		theta[i] = theta[i] - float64(r.lr*(mhat/(math.Sqrt(vhat)+r.eps)))
	}
}

// Tiny vectors and three steps; the reference follows the same sequence of
// IEEE operations, so the results must be bit-identical.
var (
	tinyTheta = []float64{0.5, -1.25, 2, 1e-3, 0}
	tinyGrads = [][]float64{
		{0.3, -0.7, 1.1, -0.02, 0},
		{-0.1, -0.9, 0.4, 0.05, 0},
		{0.2, 0.6, -1.3, 0.01, 0},
	}
)

func TestAdamWMatchesReference(t *testing.T) {
	for _, hp := range []struct{ lr, b1, b2, eps, wd float64 }{
		{1e-3, 0.9, 0.999, 1e-8, 0},
		{1e-3, 0.9, 0.999, 1e-8, 0.01},
		{0.1, 0.5, 0.75, 1e-3, 0.3},
		{0.01, 0.99, 0.9999, 1e-6, 0.1},
	} {
		for _, batch := range []int{1, 3} {
			o := &train.AdamW{LR: hp.lr, Beta1: hp.b1, Beta2: hp.b2, Eps: hp.eps, WeightDecay: hp.wd}
			r := &refAdamW{lr: hp.lr, b1: hp.b1, b2: hp.b2, eps: hp.eps, wd: hp.wd,
				m: make([]float64, len(tinyTheta)), v: make([]float64, len(tinyTheta))}
			p := append([]float64(nil), tinyTheta...)
			q := append([]float64(nil), tinyTheta...)
			for s, g := range tinyGrads {
				o.Step(p, g, batch)
				r.step(q, g, batch)
				if !bitsEqual(p, q) {
					t.Fatalf("%+v B=%d step %d: θ = %v, reference %v", hp, batch, s+1, p, q)
				}
				st := o.State()
				n := len(p)
				if st[0] != float64(s+1) || !bitsEqual(st[3:3+n], r.m) || !bitsEqual(st[3+n:], r.v) {
					t.Fatalf("%+v B=%d step %d: state %v, reference m %v v %v", hp, batch, s+1, st, r.m, r.v)
				}
			}
		}
	}
}

func TestMomentumMatchesReference(t *testing.T) {
	for _, hp := range []struct{ lr, beta float64 }{{0.1, 0.9}, {0.37, 0.5}, {1e-3, 0.99}} {
		o := mustNew(t, train.OptimizerMomentum, len(tinyTheta), hp.lr, train.Options{Beta: hp.beta})
		p := append([]float64(nil), tinyTheta...)
		q := append([]float64(nil), tinyTheta...)
		v := make([]float64, len(q))
		for s, g := range tinyGrads {
			o.Step(p, g, 3)
			for i := range q {
				v[i] = float64(hp.beta*v[i]) + g[i]/3
				q[i] = q[i] - float64(hp.lr*v[i])
			}
			if !bitsEqual(p, q) || !bitsEqual(o.State(), v) {
				t.Fatalf("%+v step %d: θ = %v state %v, reference %v %v", hp, s+1, p, o.State(), q, v)
			}
		}
	}
}

// ulps returns |x − exact| in units of the last place of x's binade.
func ulps(x float64, exact *big.Float) float64 {
	d := new(big.Float).SetPrec(512).Sub(new(big.Float).SetFloat64(x), exact)
	df, _ := d.Float64()
	ex, _ := exact.Float64()
	u := math.Nextafter(math.Abs(ex), math.Inf(1)) - math.Abs(ex)
	if ex == 0 {
		u = math.SmallestNonzeroFloat64
	}
	return math.Abs(df) / u
}

// Against real arithmetic: from the float64 state before each step (θ, m, v
// and the running products β^t, which are part of the algorithm and are
// checked bit for bit elsewhere), the exact update is evaluated with 512-bit
// big.Floats. The float θ must be within 1 ulp of the exact θ after every
// one of the three steps. Why 1 ulp suffices: the update δ = lr·m̂/(√v̂+ε)
// goes through about eight roundings (relative error ≤ ~8u, u = 2^-53),
// the moments' errors enter δ with weight ≤ 1, and the final subtraction
// rounds once (≤ ½ ulp). With |δ| ≤ |θ|/50 on these vectors (lr = 1e-3,
// |m̂/(√v̂+ε)| ≤ ~1, |θ| ≥ 0.5 on the coordinates checked) the δ error is
// below 8u·|θ|/50 < 0.2 ulp(θ), so the total stays under 1 ulp. The
// moments get 2 ulps: each is round(round(βm) + round((1−β)g)), up to three
// half-ulp roundings of terms no larger than the result when the terms
// share a sign (they do: each coordinate's gradients keep one sign here).
func TestAdamWWithinOneULPOfRealArithmetic(t *testing.T) {
	const prec = 512
	bf := func(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
	theta := []float64{0.5, -1.25, 2, -0.75}
	grads := [][]float64{{0.3, -0.7, 1.1, -0.2}, {0.1, -0.9, 0.4, -0.05}, {0.2, -0.6, 1.3, -0.01}}
	lr, b1, b2, eps, wd := 1e-3, 0.9, 0.999, 1e-8, 0.01
	o := &train.AdamW{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: wd}
	p := append([]float64(nil), theta...)
	n := len(p)
	worst := [3]float64{}
	for s, g := range grads {
		st := o.State()
		if s == 0 {
			st = append(st[:3], make([]float64, 2*n)...)
		}
		before := append([]float64(nil), p...)
		o.Step(p, g, 1)
		after := o.State()
		// β^t is checked bit for bit against the documented rounding.
		if after[1] != float64(st[1]*b1) || after[2] != float64(st[2]*b2) {
			t.Fatalf("step %d: β^t = %v, %v", s+1, after[1], after[2])
		}
		c1 := new(big.Float).SetPrec(prec).Sub(bf(1), bf(after[1]))
		c2 := new(big.Float).SetPrec(prec).Sub(bf(1), bf(after[2]))
		for i := range p {
			gi := bf(g[i])
			// θ_d = θ − lr·wd·θ
			th := new(big.Float).SetPrec(prec).Mul(bf(lr), bf(wd))
			th.Mul(th, bf(before[i]))
			th.Sub(bf(before[i]), th)
			// m = β1 m + (1−β1) g, v = β2 v + (1−β2) g²
			m := new(big.Float).SetPrec(prec).Mul(bf(b1), bf(st[3+i]))
			m.Add(m, new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).Sub(bf(1), bf(b1)), gi))
			v := new(big.Float).SetPrec(prec).Mul(bf(b2), bf(st[3+n+i]))
			g2 := new(big.Float).SetPrec(prec).Mul(gi, gi)
			v.Add(v, new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).Sub(bf(1), bf(b2)), g2))
			// θ = θ_d − lr·(m/c1)/(√(v/c2) + ε)
			vh := new(big.Float).SetPrec(prec).Quo(v, c2)
			den := new(big.Float).SetPrec(prec).Sqrt(vh)
			den.Add(den, bf(eps))
			d := new(big.Float).SetPrec(prec).Quo(m, c1)
			d.Quo(d, den)
			d.Mul(d, bf(lr))
			th.Sub(th, d)
			for k, pair := range []struct {
				got   float64
				exact *big.Float
				tol   float64
			}{{p[i], th, 1}, {after[3+i], m, 2}, {after[3+n+i], v, 2}} {
				e := ulps(pair.got, pair.exact)
				worst[k] = max(worst[k], e)
				if e > pair.tol {
					t.Errorf("step %d coord %d quantity %d: %v is %.3g ulp from exact %v", s+1, i, k, pair.got, e, pair.exact)
				}
			}
		}
	}
	t.Logf("worst distance from real arithmetic over 3 steps: θ %.3g ulp, m %.3g ulp, v %.3g ulp", worst[0], worst[1], worst[2])
}

// AdamW with weight decay 0 is Adam bit for bit: the "adam" rule, a literal
// with WeightDecay 0, and the reference without a decay line agree, even on
// a zero parameter with a zero gradient (−0 stays −0).
func TestAdamWZeroDecayIsAdam(t *testing.T) {
	theta := append(append([]float64(nil), tinyTheta...), math.Copysign(0, -1))
	grads := make([][]float64, len(tinyGrads))
	for s := range tinyGrads {
		grads[s] = append(append([]float64(nil), tinyGrads[s]...), 0)
	}
	adam := mustNew(t, train.OptimizerAdam, len(theta), 1e-2, train.Options{})
	lit := &train.AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	withWD := mustNew(t, train.OptimizerAdamW, len(theta), 1e-2, train.Options{})
	r := &refAdamW{lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, m: make([]float64, len(theta)), v: make([]float64, len(theta))}
	pa, pl, pw, pr := clone(theta), clone(theta), clone(theta), clone(theta)
	for _, g := range grads {
		adam.Step(pa, g, 2)
		lit.Step(pl, g, 2)
		withWD.Step(pw, g, 2)
		r.step(pr, g, 2)
	}
	if !bitsEqual(pa, pl) || !bitsEqual(pa, pr) {
		t.Fatalf("adam %v, adamw wd=0 %v, reference %v", pa, pl, pr)
	}
	if !bitsEqual(adam.State(), lit.State()) {
		t.Fatal("adam and adamw wd=0 states differ")
	}
	if !math.Signbit(pa[len(pa)-1]) {
		t.Fatal("adam turned −0 into +0")
	}
	if bitsEqual(pa, pw) {
		t.Fatal("weight decay 0.01 changed nothing")
	}
}

func clone(x []float64) []float64 { return append([]float64(nil), x...) }

// goldenGrad is a deterministic gradient sum of a batch of 3 on a quadratic
// bowl around c, plus a fixed perturbation; products are explicitly rounded
// so the test computes the same bits on every architecture.
func goldenGrad(dst, theta []float64, step int) {
	c := []float64{0.25, -0.5, 1, 0, 2, -3}
	w := [][]float64{
		{0.1, -0.2, 0.3, -0.4, 0.5, -0.6},
		{-0.05, 0.15, -0.25, 0.35, -0.45, 0.55},
		{0.7, 0.01, -0.01, 0.02, -0.7, 0.3},
		{-0.3, 0.4, 0.2, -0.1, 0.05, -0.15},
		{0.0625, -0.125, 0.25, -0.5, 1, -2},
	}
	for i := range theta {
		dst[i] = float64(3*(theta[i]-c[i])) + w[step][i]
	}
}

var goldenTheta0 = []float64{1, -1, 0.5, 0.75, -2, 0.125}

func goldenRun(t *testing.T, o train.Optimizer) (params []float64, stateSum string) {
	t.Helper()
	p := clone(goldenTheta0)
	g := make([]float64, len(p))
	for s := 0; s < 5; s++ {
		goldenGrad(g, p, s)
		o.Step(p, g, 3)
	}
	h := sha256.New()
	for _, x := range o.State() {
		h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
	}
	return p, fmt.Sprintf("%x", h.Sum(nil))[:16]
}

func hexes(p []float64) string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = fmt.Sprintf("%016x", math.Float64bits(x))
	}
	return strings.Join(parts, " ")
}

// Golden bit patterns of the parameters (and a SHA-256 prefix of the
// canonical state) after 5 steps. A change here changes every fingerprint
// of a run that uses the rule: it is a protocol change, not a refactor.
func TestGoldenFiveSteps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lr     float64
		opts   train.Options
		params string
		state  string
	}{
		{"sgd", 0.1, train.Options{},
			"3fe5c1d728ff8bf5 bfe9af0ebd79ba48 3fe6162a31bb1c5a 3fdd954b32750ee8 bfd82f678502c20a bff17866fa99471d",
			"e3b0c44298fc1c14"},
		{train.OptimizerMomentum, 0.1, train.Options{},
			"3fc7b5c501b59b0e bfe00fce1af23b62 3fefb685f1d5533d 3f6998e6a49d9100 40010c8c2347bc10 c008480fc5b7766c",
			"1ce67b9daa1c0cc2"},
		{train.OptimizerMomentum, 0.05, train.Options{Beta: 0.5},
			"3fe6f5ef0c4b2049 bfea7ba69be09bb7 3fe56ce1d0b1a571 3fdf805074d42f08 bfe21ebe53d4db00 bfeee58ea0d07deb",
			"aec083669b5940b2"},
		{train.OptimizerAdam, 0.01, train.Options{},
			"3fee696a39491216 bfee6d3110afcbe7 3fe195904389653b 3fe66963fe994353 bfff333c2cae3482 3fb33b0f79fc3c6a",
			"b170ac388f0b42f6"},
		{train.OptimizerAdamW, 0.01, train.Options{},
			"3fee65685403dd31 bfee6931cf0fb3a2 3fe193707b75fa08 3fe66667afb5ac00 bfff2f2e84558990 3fb3379f48c2330e",
			"baab0945d17d056c"},
		{train.OptimizerAdamW, 0.1, train.Options{Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1},
			"3fdf1f96986ea6fc bfe0f2b2a6377738 3fed8cd65719feef 3fcfdb5e47b537bc bff6a18958a50dca bfd7727d36a7f775",
			"46e5069fafaee7c2"},
	} {
		p, st := goldenRun(t, mustNew(t, tc.name, len(goldenTheta0), tc.lr, tc.opts))
		if got := hexes(p); got != tc.params || st != tc.state {
			t.Errorf("%s lr=%v %+v:\n params %s\n want   %s\n state  %s, want %s", tc.name, tc.lr, tc.opts, got, tc.params, st, tc.state)
		}
	}
}

// Stopping after k steps, copying the state into a fresh optimizer and
// continuing gives the same bits as never stopping.
func TestStateRoundTripContinuesBitIdentically(t *testing.T) {
	for _, name := range []string{"sgd", train.OptimizerMomentum, train.OptimizerAdam, train.OptimizerAdamW} {
		for k := 0; k <= 5; k++ {
			a := mustNew(t, name, len(goldenTheta0), 0.05, train.Options{})
			pa := clone(goldenTheta0)
			g := make([]float64, len(pa))
			for s := 0; s < k; s++ {
				goldenGrad(g, pa, s)
				a.Step(pa, g, 3)
			}
			st := a.State()
			b := mustNew(t, name, len(goldenTheta0), 0.05, train.Options{})
			if err := b.SetState(st); err != nil {
				t.Fatalf("%s k=%d: %v", name, k, err)
			}
			// The state is a copy: scribbling on it changes nothing.
			for i := range st {
				st[i] = math.NaN()
			}
			pb := clone(pa)
			for s := k; s < 5; s++ {
				goldenGrad(g, pa, s)
				a.Step(pa, g, 3)
				goldenGrad(g, pb, s)
				b.Step(pb, g, 3)
			}
			if !bitsEqual(pa, pb) || !bitsEqual(a.State(), b.State()) {
				t.Fatalf("%s: resumed after %d steps: %v, uninterrupted %v", name, k, pb, pa)
			}
		}
	}
	// An unsized literal takes its size from the state.
	a := &train.AdamW{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
	if st := a.State(); !bitsEqual(st, []float64{0, 1, 1}) {
		t.Fatalf("unsized adamw state %v", st)
	}
	b := mustNew(t, train.OptimizerAdamW, len(goldenTheta0), 0.05, train.Options{})
	pb := clone(goldenTheta0)
	g := make([]float64, len(pb))
	goldenGrad(g, pb, 0)
	b.Step(pb, g, 3)
	if err := a.SetState(b.State()); err != nil {
		t.Fatal(err)
	}
	pa := clone(pb)
	goldenGrad(g, pa, 1)
	a.Step(pa, g, 3)
	b.Step(pb, g, 3)
	if !bitsEqual(pa, pb) {
		t.Fatal("unsized literal resumed differently")
	}
}

func TestSetStateRejects(t *testing.T) {
	n := 3
	adam := func() train.Optimizer { return mustNew(t, train.OptimizerAdamW, n, 0.01, train.Options{}) }
	mom := func() train.Optimizer { return mustNew(t, train.OptimizerMomentum, n, 0.01, train.Options{}) }
	good := adam()
	good.Step([]float64{1, 2, 3}, []float64{1, 1, 1}, 1)
	goodState := good.State()
	mod := func(i int, v float64) []float64 { s := clone(goodState); s[i] = v; return s }
	for _, tc := range []struct {
		name string
		o    train.Optimizer
		s    []float64
		want string
	}{
		{"sgd nonempty", train.SGD{LR: 1}, []float64{0}, "want 0"},
		{"momentum short", mom(), []float64{0, 0}, "want 3"},
		{"momentum NaN", mom(), []float64{0, math.NaN(), 0}, "not finite"},
		{"adam short", adam(), []float64{0, 1}, "3 + 2n"},
		{"adam wrong n", adam(), []float64{0, 1, 1, 0, 0}, "want 3"},
		{"adam Inf", adam(), mod(4, math.Inf(1)), "not finite"},
		{"adam fractional t", adam(), mod(0, 1.5), "integer"},
		{"adam negative t", adam(), mod(0, -1), "integer"},
		{"adam wrong power", adam(), mod(1, 0.8), "β1^t"},
		{"adam t/power mismatch", adam(), mod(0, 2), "β1^t"},
		{"adam negative v", adam(), mod(3+n, -1e-9), "negative"},
		{"adam other beta1", mustNew(t, train.OptimizerAdamW, n, 0.01, train.Options{Beta1: 0.8}), goodState, "β1^t"},
	} {
		before := tc.o.State()
		err := tc.o.SetState(tc.s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one mentioning %q", tc.name, err, tc.want)
		}
		if !bitsEqual(before, tc.o.State()) {
			t.Errorf("%s: a rejected state changed the optimizer", tc.name)
		}
	}
	if err := adam().SetState(goodState); err != nil {
		t.Errorf("good state rejected: %v", err)
	}
}

func TestNewByName(t *testing.T) {
	o := mustNew(t, train.OptimizerAdamW, 2, 0.01, train.Options{})
	a, ok := o.(*train.AdamW)
	if !ok || a.Beta1 != 0.9 || a.Beta2 != 0.999 || a.Eps != 1e-8 || a.WeightDecay != 0.01 || a.LR != 0.01 {
		t.Fatalf("adamw defaults: %#v", o)
	}
	if st := o.State(); len(st) != 3+2*2 {
		t.Fatalf("adamw state for 2 params has %d entries", len(st))
	}
	if a := mustNew(t, train.OptimizerAdam, 2, 0.01, train.Options{}).(*train.AdamW); a.WeightDecay != 0 {
		t.Fatalf("adam has weight decay %v", a.WeightDecay)
	}
	if m := mustNew(t, train.OptimizerMomentum, 2, 0.01, train.Options{}).(*train.Momentum); m.Beta != 0.9 {
		t.Fatalf("momentum default β %v", m.Beta)
	}
	if s, ok := mustNew(t, "sgd", 2, 0.25, train.Options{}).(train.SGD); !ok || s.LR != 0.25 {
		t.Fatal("sgd by name")
	}
	if st := (train.SGD{}).State(); len(st) != 0 {
		t.Fatal("sgd state not empty")
	}
	res, err := train.Options{Beta2: 0.99}.WithDefaults(train.OptimizerAdamW)
	if err != nil || res != (train.Options{Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.01}) {
		t.Fatalf("WithDefaults: %+v %v", res, err)
	}
	for _, tc := range []struct {
		name string
		lr   float64
		n    int
		o    train.Options
		want string
	}{
		{"rmsprop", 0.1, 1, train.Options{}, "unknown optimizer"},
		{"adam", 0, 1, train.Options{}, "learning rate"},
		{"adam", math.NaN(), 1, train.Options{}, "learning rate"},
		{"adam", 0.1, -1, train.Options{}, "parameters"},
		{"adam", 0.1, 1, train.Options{WeightDecay: 0.1}, "use adamw"},
		{"adamw", 0.1, 1, train.Options{Beta: 0.5}, "no beta"},
		{"adamw", 0.1, 1, train.Options{Beta1: 1}, "beta1"},
		{"adamw", 0.1, 1, train.Options{Beta2: -0.5}, "beta2"},
		{"adamw", 0.1, 1, train.Options{Eps: -1}, "eps"},
		{"adamw", 0.1, 1, train.Options{WeightDecay: -1}, "weight decay"},
		{"adamw", 0.1, 1, train.Options{WeightDecay: math.Inf(1)}, "weight decay"},
		{"momentum", 0.1, 1, train.Options{Beta: 1.5}, "beta"},
		{"momentum", 0.1, 1, train.Options{Eps: 1e-3}, "no eps"},
		{"sgd", 0.1, 1, train.Options{Beta: 0.9}, "no beta"},
	} {
		_, err := train.NewByName(tc.name, tc.n, tc.lr, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewByName(%q, %d, %v, %+v): %v, want error mentioning %q", tc.name, tc.n, tc.lr, tc.o, err, tc.want)
		}
	}
}

func TestStatefulStepPanics(t *testing.T) {
	for _, o := range []train.Optimizer{
		mustNew(t, train.OptimizerMomentum, 2, 0.1, train.Options{}),
		mustNew(t, train.OptimizerAdamW, 2, 0.1, train.Options{}),
	} {
		for _, tc := range []struct {
			p, g  int
			batch int
		}{{2, 3, 1}, {2, 2, 0}, {3, 3, 1}} {
			func() {
				defer func() {
					if r := recover(); r == nil {
						t.Errorf("%T: %d params %d grads batch %d: no panic", o, tc.p, tc.g, tc.batch)
					}
				}()
				o.Step(make([]float64, tc.p), make([]float64, tc.g), tc.batch)
			}()
		}
	}
}

func benchOptimizer(b *testing.B, name string) {
	const n = 1 << 16
	o, err := train.NewByName(name, n, 1e-3, train.Options{})
	if err != nil {
		b.Fatal(err)
	}
	p, g := make([]float64, n), make([]float64, n)
	for i := range g {
		g[i] = float64(i%7) - 3
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.Step(p, g, 8)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "params/s")
}

func BenchmarkSGD(b *testing.B)      { benchOptimizer(b, "sgd") }
func BenchmarkMomentum(b *testing.B) { benchOptimizer(b, train.OptimizerMomentum) }
func BenchmarkAdamW(b *testing.B)    { benchOptimizer(b, train.OptimizerAdamW) }
