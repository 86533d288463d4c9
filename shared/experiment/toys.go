package experiment

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// The five toy models of EDL.md, each measured with the curve engine and
// set against its analytic prediction (closedform.go). Full sizes are the
// issue's; Quick shrinks them for the tests (the criteria stay the same).

// Check is one criterion of a toy: what was measured, what the theory
// predicts, the rule between them and whether the measurement meets it.
type Check struct {
	Name      string `json:"name"`
	Measured  string `json:"measured"`
	Predicted string `json:"predicted"`
	Criterion string `json:"criterion"`
	Pass      bool   `json:"pass"`
}

// ToyResult is a toy's outcome: its design, a readable table of measured
// next to predicted, the criteria, and its figures.
type ToyResult struct {
	Name    string   `json:"name"`
	Design  string   `json:"design"`
	Table   []string `json:"table"` // readable rows: measured next to predicted
	Checks  []Check  `json:"checks"`
	Pass    bool     `json:"pass"` // every check passed
	Figures []Figure `json:"-"`
}

// ToyOptions are a toy run's settings: none changes a criterion.
type ToyOptions struct {
	Quick   bool // reduced sizes (what the tests run)
	Workers int  // runs at once (changes speed, never results)
	// Losses keeps each example's code length of the curves a toy draws
	// (the loss figure needs them; nothing else does).
	Losses bool
	// Progress, if not nil, gives the progress callback of one measurement.
	Progress func(label string) func(done, total int)
}

func (o ToyOptions) progress(label string) func(int, int) {
	if o.Progress == nil {
		return nil
	}
	return o.Progress(label)
}

// Toy is one toy model.
type Toy struct {
	Name string
	Run  func(ToyOptions) (*ToyResult, error)
}

// Toys are EDL.md's toy models, in the order edl toy all runs them.
var Toys = []Toy{
	{"random-labels", toyRandomLabels},
	{"hypothesis", toyHypothesis},
	{"rare-inputs", toyRareInputs},
	{"coupon", toyCoupon},
	{"format", toyFormat},
}

// RunToy runs toy t and sets its name and verdict.
func RunToy(t Toy, o ToyOptions) (*ToyResult, error) {
	r, err := t.Run(o)
	if err != nil {
		return nil, err
	}
	r.Name, r.Pass = t.Name, true
	for _, c := range r.Checks {
		r.Pass = r.Pass && c.Pass
	}
	return r, nil
}

// pick returns full or quick.
func pick[T any](o ToyOptions, full, quick T) T {
	if o.Quick {
		return quick
	}
	return full
}

// ---------------------------------------------------------------- random labels

func toyRandomLabels(o ToyOptions) (*ToyResult, error) {
	s := spec.Default()
	s.N = pick[int64](o, 10000, 2000)
	s.Test = pick[int64](o, 10000, 4000)
	s.Validation = pick[int64](o, 2000, 1000)
	s.LR, s.Batch, s.Epochs, s.Patience = 0.1, 10, 30, 3
	res, err := curve.Measure(curve.Config{Spec: s, Grid: curve.LogGrid(s.N, s.Batch, pick(o, 12, 8)), Seeds: curve.SeedRange(1, 3),
		Control: true, Workers: o.Workers, KeepLosses: o.Losses, Progress: o.progress("toy random-labels")})
	if err != nil {
		return nil, err
	}
	r := &ToyResult{Design: fmt.Sprintf("synthetic task (K=%d, dim %d), softmax, SGD lr %g, batch %d, θ* early-stopped (≤%d epochs, patience %d, %d validation); n=%d, %d test, 3 seeds.\n"+
		"Random labels against the same spec with its real labels (the structured control). EDL from the coded bits (verified MDL).",
		s.Classes, s.Dim, s.LR, s.Batch, s.Epochs, s.Patience, s.Validation, s.N, s.Test)}
	last := len(res.Grid) - 1
	r.Table = append(r.Table, fmt.Sprintf("%-8s %-8s %12s %12s %10s %12s", "labels", "seed", "EDL (bits)", "EDL/n", "±se (bits)", "θ* epoch"))
	for _, group := range [][]curve.Run{res.Controls, res.Runs} {
		for _, run := range group {
			p := run.Points[last]
			kind := "real"
			if run.RandomLabels {
				kind = "random"
			}
			r.Table = append(r.Table, fmt.Sprintf("%-8s %-8d %12.1f %12.5f %10.1f %12d", kind, run.Seed, p.EDL, p.PerN(p.EDL), p.EDLSE, p.BestEpoch))
		}
	}
	for _, run := range res.Controls {
		p := run.Points[last]
		v := p.PerN(p.EDL)
		r.Checks = append(r.Checks, Check{Name: fmt.Sprintf("random labels, seed %d: EDL/n at θ*, n=%d", run.Seed, p.N),
			Measured: fmt.Sprintf("%+.5f bits/example", v), Predicted: "0", Criterion: "|EDL/n| ≤ 0.02 bits", Pass: math.Abs(v) <= 0.02})
	}
	rnd, st := res.ControlSummary[last].EDL.Mean, res.Summary[last].EDL.Mean
	r.Checks = append(r.Checks, Check{Name: fmt.Sprintf("random vs structured EDL at n=%d (mean of 3 seeds)", res.Grid[last]),
		Measured:  fmt.Sprintf("%+.1f bits = %.2f%% of %.1f bits", rnd, 100*math.Abs(rnd)/st, st),
		Predicted: "≈ 0 against a positive structured EDL", Criterion: "|EDL_random| ≤ 5% of EDL_structured",
		Pass: st > 0 && math.Abs(rnd) <= 0.05*st})
	r.Figures = CurveFigures(res, "random labels vs structured")
	return r, nil
}

// ---------------------------------------------------------------- hypothesis collapse

func toyHypothesis(o ToyOptions) (*ToyResult, error) {
	const m = 64
	s := spec.Default()
	s.Task, s.Model = spec.TaskHypothesis, spec.ModelHypothesis
	s.Classes, s.Hypotheses, s.Dim, s.Batch = m, m, 1, 1
	s.N = pick[int64](o, 10000, 1000)
	s.Test = pick[int64](o, 5000, 500)
	// No random-label control: with ε = 0 the exact learner gives a label
	// no hypothesis predicts probability 0 (an infinite ideal code).
	res, err := curve.Measure(curve.Config{Spec: s, Grid: curve.LogGrid(s.N, 1, pick(o, 25, 12)), Seeds: curve.SeedRange(1, 3),
		Workers: o.Workers, Progress: o.progress("toy hypothesis")})
	if err != nil {
		return nil, err
	}
	want := HypothesisEDL(m)
	r := &ToyResult{Design: fmt.Sprintf("hypothesis task: y = (x + j*) mod %d, j* < m = %d hidden; exact Bayesian learner over the m hypotheses (ε = 0), batch 1;\n"+
		"n up to %d, %d test, 3 seeds. Prediction: EDL(n) = log₂m = %g bits for every n ≥ 1 (ideal code; the coded stream adds its end bytes).", m, m, s.N, s.Test, want)}
	r.Table = append(r.Table, fmt.Sprintf("%8s %14s %14s %14s %12s %12s %10s", "n", "EDL ideal", "EDL quantized", "EDL coded", "predicted", "EDL/n", "L_test"))
	worst, worstN := 0.0, int64(0)
	for k, st := range res.Summary {
		q := 0.0
		for _, run := range res.Runs {
			p := run.Points[k]
			q += p.QuantizedBits - float64(float64(p.Scored)*p.TestLoss)
			if d := math.Abs(p.EDLIdeal - want); d >= worst {
				worst, worstN = d, p.N
			}
		}
		q /= float64(len(res.Runs))
		r.Table = append(r.Table, fmt.Sprintf("%8d %14.6f %14.6f %14.1f %12g %12.6f %10.6f", st.N, st.EDLIdeal.Mean, q, st.EDL.Mean, want, st.EDLIdealPerN.Mean, st.TestLoss.Mean))
	}
	r.Checks = append(r.Checks, Check{Name: "EDL(n) for every n ≥ 1 and every seed", Measured: fmt.Sprintf("largest deviation %.3g bits (at n=%d)", worst, worstN),
		Predicted: fmt.Sprintf("log₂%d = %g bits", m, want), Criterion: "within ±0.1 bits", Pass: worst <= 0.1})
	r.Checks = append(r.Checks, Check{Name: "signature", Measured: string(res.Signature), Predicted: "elicitation (EDL/n = log₂m / n)",
		Criterion: "elicitation in every seed", Pass: res.Signature == curve.Elicitation})
	var x, meas, pred []float64
	for _, st := range res.Summary {
		x = append(x, float64(st.N))
		meas = append(meas, st.EDLIdealPerN.Mean)
		pred = append(pred, want/float64(st.N))
	}
	r.Figures = append(CurveFigures(res, "hypothesis collapse"), Figure{Name: "analytic", Title: "hypothesis collapse (m = 64): measured vs analytic", XLabel: "n (examples, log scale)",
		YLabel: "EDL/n (bits/example)", LogX: true, LogY: true, Series: []Series{
			{Name: "measured (ideal code, mean of 3 seeds)", X: x, Y: meas, Points: true},
			{Name: "analytic log₂m / n", X: x, Y: pred, Dashed: true, Reference: true},
		}})
	return r, nil
}

// ---------------------------------------------------------------- rare inputs

func toyRareInputs(o ToyOptions) (*ToyResult, error) {
	const classes = 16
	delta := detmath.Log2(classes)
	n := pick[int64](o, 20000, 4000)
	q := pick(o, 1e-4, 5e-4) // probability of each rare input: u = n·q = 2
	pis := pick(o, []float64{0.02, 0.05, 0.1, 0.2, 0.4}, []float64{0.1, 0.2, 0.3, 0.4})
	seeds := pick(o, 24, 12)
	test := pick[int64](o, 50000, 20000)
	r := &ToyResult{Design: fmt.Sprintf("coupon task with a rare region: key 0 (probability 1−π) has one hidden label; the rare region is R = π/q inputs of probability q = %g each,\n"+
		"each with its own hidden label in %d classes (its own rule: δ = log₂%d = %g bits per rare input once learned). Table learner, α = 1e-6 (exact: a key's first label\n"+
		"costs δ, later ones ≈ 0). n = %d (u = n·q = %g), %d test, %d seeds per π. Prediction: EDL/n = π·δ·λ + δ·c/n, λ = (1−(1−q)ⁿ)/(nq) − (1−q)ⁿ the learned fraction\n"+
		"(the share of the rare rule θ*ₙ knows beyond what the coded pass knew on average), c = the common key's term. Ideal code.",
		q, classes, classes, delta, n, float64(n)*q, test, seeds)}
	lambda := LearnedFraction(q, n)
	r.Table = append(r.Table, fmt.Sprintf("%6s %6s %14s %10s %14s %8s %10s", "π", "R", "EDL/n", "±sd/√s", "π·δ·λ (+c/n)", "ratio", "f(θ*)"))
	var xs, ys, preds []float64
	for _, pi := range pis {
		rare := int64(math.Round(pi / q))
		s := spec.Default()
		s.Task, s.Model = spec.TaskCoupon, spec.ModelTable
		s.Keys, s.RareWeight, s.Classes, s.Dim, s.Alpha = rare+1, pi, classes, 1, 1e-6
		s.N, s.Test, s.Batch = n, test, 1
		res, err := curve.Measure(curve.Config{Spec: s, Grid: []int64{n / 4, n / 2, n}, Seeds: curve.SeedRange(1, seeds), Workers: o.Workers,
			Progress: o.progress(fmt.Sprintf("toy rare-inputs π=%g", pi))})
		if err != nil {
			return nil, err
		}
		st := res.Summary[len(res.Summary)-1]
		pred := RareInputsEDLPerN(pi, q, delta, n)
		meas := st.EDLIdealPerN.Mean
		se := st.EDLIdealPerN.SD / math.Sqrt(float64(seeds))
		r.Table = append(r.Table, fmt.Sprintf("%6g %6d %14.5f %10.5f %14.5f %8.3f %10.3f", pi, rare, meas, se, pred, meas/pred, 1-powInt(1-q, n)))
		r.Checks = append(r.Checks, Check{Name: fmt.Sprintf("π = %g: EDL/n at n=%d", pi, n), Measured: fmt.Sprintf("%.5f ± %.5f bits/example", meas, se),
			Predicted: fmt.Sprintf("%.5f bits/example (λ = %.4f)", pred, lambda), Criterion: "within 10%", Pass: math.Abs(meas-pred) <= 0.1*pred})
		xs, ys, preds = append(xs, pi), append(ys, meas), append(preds, pred)
	}
	slope, icept, r2 := Linfit(xs, ys)
	r.Checks = append(r.Checks, Check{Name: "EDL/n linear in π", Measured: fmt.Sprintf("slope %.4f bits, intercept %.5f, R² = %.5f", slope, icept, r2),
		Predicted: fmt.Sprintf("slope δ·λ = %.4f bits", delta*lambda), Criterion: "R² > 0.99", Pass: r2 > 0.99})
	r.Figures = []Figure{{Name: "analytic", Title: "rare inputs: EDL/n against π (n = " + fmt.Sprint(n) + ")", XLabel: "π (probability of the rare region)",
		YLabel: "EDL/n (bits/example)", Series: []Series{
			{Name: fmt.Sprintf("measured (ideal code, mean of %d seeds)", seeds), X: xs, Y: ys, Points: true},
			{Name: "analytic π·δ·λ + δ·c/n", X: xs, Y: preds, Dashed: true, Reference: true},
		}}}
	return r, nil
}

// ---------------------------------------------------------------- coupon collector

// couponGrid is a log grid of about points values up to n, made dense
// (every step) over [lo, hi]: the whole curve, and its peak finely.
func couponGrid(n int64, points int, lo, hi, step int64) []int64 {
	set := map[int64]bool{}
	for _, v := range curve.LogGrid(n, 1, points) {
		set[v] = true
	}
	for v := lo; v <= hi; v += step {
		set[v] = true
	}
	var grid []int64
	for v := int64(1); v <= n; v++ {
		if set[v] {
			grid = append(grid, v)
		}
	}
	return grid
}

// PeakArgmax refines the argmax of y over x > 0 by a parabola in log x (on
// the coupon curve, where the peak is nearly symmetric in log n, it finds
// 176.7 for the true 177) through the points within ±25% of the raw
// argmax. It returns the raw argmax's index, the refined argmax and peak,
// and how many points the parabola went through.
func PeakArgmax(x, y []float64) (raw int, argmax, peak float64, points int) {
	for k := range y {
		if y[k] > y[raw] {
			raw = k
		}
	}
	var px, py []float64
	for k := range x {
		if x[k] >= 0.75*x[raw] && x[k] <= 1.25*x[raw] {
			px, py = append(px, detmath.Log(x[k])), append(py, y[k])
		}
	}
	logArgmax, peak := ParabolaMax(px, py)
	return raw, detmath.Exp(logArgmax), peak, len(px)
}

func toyCoupon(o ToyOptions) (*ToyResult, error) {
	const keys, classes = 100, 16
	delta := detmath.Log2(classes)
	s := spec.Default()
	s.Task, s.Model = spec.TaskCoupon, spec.ModelTable
	s.Keys, s.Classes, s.Dim, s.Alpha, s.Batch = keys, classes, 1, 1e-6, 1
	s.N = pick[int64](o, 5000, 1000)
	s.Test = pick[int64](o, 4000, 2000)
	seeds := pick(o, 400, 200)
	// A log grid for the whole curve, dense around the peak (1.2K..2.6K).
	grid := couponGrid(s.N, 30, 120, 260, pick[int64](o, 2, 4))
	res, err := curve.Measure(curve.Config{Spec: s, Grid: grid, Seeds: curve.SeedRange(1, seeds), Workers: o.Workers, Progress: o.progress("toy coupon")})
	if err != nil {
		return nil, err
	}
	r := &ToyResult{Design: fmt.Sprintf("coupon task: K = %d keys, uniform, each with a hidden label in %d classes (Δ = %g bits once seen); table learner, α = 1e-6;\n"+
		"n up to %d, %d test, %d seeds. Prediction: E[EDL] = KΔ[1 − (1+u)e^{−u}], u = n/K: EDL/n peaks at n ≈ 1.79K = 179 with 0.298Δ = %.4f bits\n"+
		"(discrete: Δ[K(1−(1−1/K)ⁿ) − n(1−1/K)ⁿ], peak 0.301Δ at n = 177). Argmax of the seed-mean EDL/n refined by a parabola in log n through the grid points within ±25%%. Ideal code.",
		keys, classes, delta, s.N, s.Test, seeds, 0.298*delta)}
	var x, meas, cont, disc []float64
	for _, st := range res.Summary {
		n := float64(st.N)
		x = append(x, n)
		meas = append(meas, st.EDLIdealPerN.Mean)
		cont = append(cont, CouponEDL(keys, delta, n)/n)
		disc = append(disc, CouponEDLDiscrete(keys, delta, st.N)/n)
	}
	bestK, argmax, peak, fitted := PeakArgmax(x, meas)
	r.Table = append(r.Table, fmt.Sprintf("%8s %12s %10s %14s %14s", "n", "EDL/n", "±sd/√s", "KΔ[…]/n", "discrete/n"))
	for k := range x {
		if k%pick(o, 4, 3) == 0 || k == bestK {
			st := res.Summary[k]
			r.Table = append(r.Table, fmt.Sprintf("%8.0f %12.5f %10.5f %14.5f %14.5f", x[k], meas[k], st.EDLIdealPerN.SD/math.Sqrt(float64(seeds)), cont[k], disc[k]))
		}
	}
	r.Table = append(r.Table, fmt.Sprintf("raw argmax n = %.0f (EDL/n %.5f); parabola over %d points: argmax %.1f, peak %.5f bits = %.4fΔ", x[bestK], meas[bestK], fitted, argmax, peak, peak/delta))
	r.Checks = append(r.Checks, Check{Name: "argmax of EDL/n", Measured: fmt.Sprintf("n = %.1f (%.3fK)", argmax, argmax/keys), Predicted: "1.79K = 179",
		Criterion: "within ±5% (170.1 … 187.9)", Pass: math.Abs(argmax-179) <= 0.05*179})
	r.Checks = append(r.Checks, Check{Name: "peak of EDL/n", Measured: fmt.Sprintf("%.5f bits = %.4fΔ", peak, peak/delta), Predicted: fmt.Sprintf("0.298Δ = %.4f bits", 0.298*delta),
		Criterion: "within ±5%", Pass: math.Abs(peak-float64(0.298*delta)) <= 0.05*0.298*delta})
	var lo, hi, cm, cc []float64
	for k, st := range res.Summary {
		lo, hi = append(lo, st.EDLIdealPerN.Min), append(hi, st.EDLIdealPerN.Max)
		cm, cc = append(cm, meas[k]*x[k]), append(cc, cont[k]*x[k])
	}
	r.Figures = []Figure{{Name: "analytic", Title: fmt.Sprintf("coupon collector (K = %d, %d seeds): EDL/n", keys, seeds), XLabel: "n (examples, log scale)",
		YLabel: "EDL/n (bits/example)", LogX: true, Series: []Series{
			{Name: "measured (ideal code, mean; band min–max over seeds)", X: x, Y: meas, Lo: lo, Hi: hi},
			{Name: "analytic KΔ[1 − (1+u)e^{−u}] / n", X: x, Y: cont, Dashed: true, Reference: true},
		}}, {Name: "analytic_cumulative", Title: "coupon collector: cumulative EDL (inflection at n ≈ K)", XLabel: "n (examples)",
		YLabel: "EDL (bits)", Series: []Series{
			{Name: "measured (ideal code, mean)", X: x, Y: cm},
			{Name: "analytic KΔ[1 − (1+u)e^{−u}]", X: x, Y: cc, Dashed: true, Reference: true},
		}}}
	return r, nil
}

// ---------------------------------------------------------------- format

func toyFormat(o ToyOptions) (*ToyResult, error) {
	const answers, classes, alpha, pi = 100, 16, 1.0, 0.5
	s := spec.Default()
	s.Task, s.Model = spec.TaskCoupon, spec.ModelTable
	s.Keys, s.RareWeight, s.Classes, s.Dim, s.Alpha, s.Batch = answers+1, pi, classes, 1, alpha, 1
	s.N = pick[int64](o, 1000, 400)
	s.Test = pick[int64](o, 4000, 2000)
	seeds := pick(o, 400, 150)
	const window = 150 // the early range: answer u = n·π/K ≤ 0.75
	grid := curve.LogGrid(s.N, 1, pick(o, 40, 30))
	isAnswer := func(x []float64) bool { return x[0] != 0 }
	all, err := curve.Measure(curve.Config{Spec: s, Grid: grid, Seeds: curve.SeedRange(1, seeds), Workers: o.Workers, Progress: o.progress("toy format (all scored)")})
	if err != nil {
		return nil, err
	}
	ans, err := curve.Measure(curve.Config{Spec: s, Grid: grid, Seeds: curve.SeedRange(1, seeds), Workers: o.Workers, Scored: isAnswer, Progress: o.progress("toy format (answers scored)")})
	if err != nil {
		return nil, err
	}
	fmtKey := DirichletKeyEDL(1-pi, alpha, classes, s.N)
	ansKey := DirichletKeyEDL(pi/answers, alpha, classes, s.N)
	r := &ToyResult{Design: fmt.Sprintf("format task (coupon task with a common key): each example is a template token (key 0, probability 1−π = %g, one hidden symbol: the format)\n"+
		"or an answer token (one of %d facts, probability π/%d each, each a hidden symbol: the capability), %d classes. Laplace table learner (α = 1): the template\n"+
		"recurs every other token and is learned fast, each fact recurs every %d tokens and is learned slowly. Scored: all tokens, or answer tokens only\n"+
		"(every token is still coded and learned). n up to %d, %d test, %d seeds. Prediction: exact expectations (binomial key counts, Dirichlet code lengths).\n"+
		"Early bump: within n ≤ %d, EDL/n has an interior maximum and then falls by ≥ 10%%; ideal code, per example.",
		1-pi, answers, answers, classes, int(answers/pi), s.N, s.Test, seeds, window)}
	var x, mAll, mAns, pAll, pAns []float64
	for k, n := range grid {
		x = append(x, float64(n))
		mAll = append(mAll, all.Summary[k].EDLIdealPerN.Mean)
		mAns = append(mAns, ans.Summary[k].EDLIdealPerN.Mean)
		pAll = append(pAll, (fmtKey[n]+float64(answers*ansKey[n]))/float64(n))
		pAns = append(pAns, answers*ansKey[n]/float64(n))
	}
	r.Table = append(r.Table, fmt.Sprintf("%6s %12s %12s %14s %14s", "n", "all: EDL/n", "predicted", "answers: EDL/n", "predicted"))
	for k := range x {
		if k%2 == 0 || k == len(x)-1 {
			r.Table = append(r.Table, fmt.Sprintf("%6.0f %12.5f %12.5f %14.5f %14.5f", x[k], mAll[k], pAll[k], mAns[k], pAns[k]))
		}
	}
	bump := func(v []float64) (float64, float64, float64, bool) { return Bump(x, v, window) }
	pn, pv, pd, pok := bump(pAll)
	mn, mv, md, mok := bump(mAll)
	r.Checks = append(r.Checks, Check{Name: "template and answers scored: early bump in EDL/n",
		Measured:  fmt.Sprintf("max %.4f bits/example at n = %.0f, then −%.0f%%", mv, mn, 100*md),
		Predicted: fmt.Sprintf("max %.4f at n = %.0f, then −%.0f%%", pv, pn, 100*pd), Criterion: "a bump (interior max, fall ≥ 10%) within n ≤ 150", Pass: mok && pok})
	an, av, ad, aok := bump(mAns)
	qn, qv, qd, qok := bump(pAns)
	r.Checks = append(r.Checks, Check{Name: "answers only scored: no early bump",
		Measured:  fmt.Sprintf("max %.4f at n = %.0f, fall after it %.0f%%", av, an, 100*ad),
		Predicted: fmt.Sprintf("max %.4f at n = %.0f, fall %.0f%%", qv, qn, 100*qd), Criterion: "no bump within n ≤ 150", Pass: !aok && !qok})
	r.Figures = []Figure{{Name: "analytic", Title: "format learning: EDL/n with and without the template scored", XLabel: "n (examples, log scale)",
		YLabel: "EDL/n (bits/example)", LogX: true, Series: []Series{
			{Name: fmt.Sprintf("template + answers scored (mean of %d seeds)", seeds), Key: "all", X: x, Y: mAll, Points: true},
			{Name: "template + answers: analytic", Key: "all", X: x, Y: pAll, Dashed: true},
			{Name: "answers only scored", Key: "answers", X: x, Y: mAns, Points: true},
			{Name: "answers only: analytic", Key: "answers", X: x, Y: pAns, Dashed: true},
		}}}
	return r, nil
}
