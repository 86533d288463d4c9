package curve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Config is one curve measurement.
type Config struct {
	// Spec is the experiment; its Seed is replaced by each of Seeds. Its N
	// bounds the grid: the pass codes the first Grid[len(Grid)-1] examples.
	Spec spec.Spec
	// Grid lists the prefix sizes n, strictly increasing, each in [1, N]
	// and a multiple of Spec.Batch (or N itself), so that every prefix ends
	// at a minibatch boundary. See LogGrid.
	Grid []int64
	// Seeds are the runs' seeds, distinct; at least one.
	Seeds []uint64
	// Control adds, for every seed, the random-label control run.
	Control bool
	// Workers is how many jobs (coded passes and θ*ₙ runs) run at once;
	// values below 1 mean 1. The result is the same for every value.
	Workers int
	// Build makes a spec's inputs and labels; nil means the built-in seeded
	// tasks (task.NewInputs, task.NewLabels). It is called once per run,
	// from the calling goroutine.
	Build func(s spec.Spec) (*task.Inputs, *task.Labels, error)
	// Scored, if set, selects the examples whose labels count (by input):
	// MDL(n) sums the ideal and quantized code lengths of the scored examples
	// among the first n, L_test averages over the scored test examples, and
	// EDL(n) = MDL_scored(n) − n_scored·L_test. Every label is still coded
	// and learned; CodedBits stays the whole stream's length, and EDL (coded)
	// is not reported (NaN). Nil scores every example.
	//
	// Independently of it, a spec with score = answers (the format task)
	// scores the capability part of every label: each scored label costs
	// −log₂ p(y | y ∈ S) (edl.ConditionalBits) in IdealBits, QuantizedBits
	// and TestLoss, so EDLIdeal is the answers-scored EDL; EDL (coded) is
	// then NaN, as the coded stream is the full label code.
	Scored func(x []float64) bool
	// KeepLosses keeps each real-label run's per-example ideal code lengths
	// (bits) of the pass, for plots of the prequential loss.
	KeepLosses bool
	// Base is the base checkpoint file the spec names (base_sha256), read by
	// the caller; every coded pass and θ*ₙ run starts from it
	// (prequential.NewFromBase). Nil for a spec without a base.
	Base []byte
	// Progress, if set, is called from the calling goroutine after every
	// finished job, with the jobs done and the total.
	Progress func(done, total int)
}

// Point is one grid point of one run. Code lengths and losses are in bits.
type Point struct {
	N             int64   `json:"n"`              // prefix size: the first N training examples
	Scored        int64   `json:"scored"`         // scored examples among them (N without Config.Scored)
	CodedBits     int64   `json:"coded_bits"`     // exact length of the coded stream of the first N labels, ended there
	QuantizedBits float64 `json:"quantized_bits"` // Σ −log₂(f_y/2^P) over the scored examples
	IdealBits     float64 `json:"ideal_bits"`     // Σ −log₂ p(y) over the scored examples
	TestLoss      float64 `json:"test_loss_bits"` // L_test(θ*ₙ): mean −log₂ p(y|x) over the scored test examples, bits/example
	TestSE        float64 `json:"test_se_bits"`   // σ/√n_test of that mean, bits/example
	TestAccuracy  float64 `json:"test_accuracy"`  // θ*ₙ's accuracy on the whole test set (most probable class, lowest on ties)
	ValidBits     float64 `json:"valid_bits"`     // θ*ₙ's mean validation loss (0 without a validation split)
	Epochs        int64   `json:"epochs"`         // epochs run after the pass to reach θ*ₙ
	BestEpoch     int64   `json:"best_epoch"`     // the epoch θ*ₙ holds (0: the model after the pass)
	EDL           float64 `json:"edl_bits"`       // CodedBits − Scored·TestLoss (NaN with Config.Scored)
	EDLIdeal      float64 `json:"edl_ideal_bits"` // IdealBits − Scored·TestLoss
	EDLSE         float64 `json:"edl_se_bits"`    // Scored·TestSE: the test term's standard error
}

// PerN is v/N: a code length or EDL per example of the prefix.
func (p Point) PerN(v float64) float64 { return v / float64(p.N) }

// Run is one seed's curve, with real or random labels.
type Run struct {
	Seed         uint64    `json:"seed"`
	RandomLabels bool      `json:"random_labels"`
	SpecHash     string    `json:"spec_hash"`   // hex SHA-256 of the run's canonical spec
	TestN        int64     `json:"test_scored"` // scored test examples
	Points       []Point   `json:"points"`
	Losses       []float64 `json:"-"` // per-example ideal bits of the pass (Config.KeepLosses, real runs)
	Shape        Shape     `json:"shape"`
}

// Spread summarizes one quantity over the seeds: mean, sample standard
// deviation (0 for one seed), minimum and maximum.
type Spread struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Stat is one grid point summarized over the seeds.
type Stat struct {
	N            int64  `json:"n"`
	CodedBits    Spread `json:"coded_bits"`
	IdealBits    Spread `json:"ideal_bits"`
	TestLoss     Spread `json:"test_loss_bits"`
	TestSE       Spread `json:"test_se_bits"`
	EDL          Spread `json:"edl_bits"`
	EDLIdeal     Spread `json:"edl_ideal_bits"`
	EDLPerN      Spread `json:"edl_per_example_bits"`
	EDLIdealPerN Spread `json:"edl_ideal_per_example_bits"`
	EDLSE        Spread `json:"edl_se_bits"`
}

// Result is a measured curve.
type Result struct {
	Spec             spec.Spec `json:"-"`
	Grid             []int64   `json:"grid"`
	Runs             []Run     `json:"runs"`     // real labels, in Config.Seeds order
	Controls         []Run     `json:"controls"` // random labels, same order (empty without Config.Control)
	Summary          []Stat    `json:"summary"`
	ControlSummary   []Stat    `json:"control_summary"`
	Signature        Regime    `json:"signature"`
	ControlSignature Regime    `json:"control_signature"`
}

// LogGrid returns about points prefix sizes spaced evenly in log n from
// the smallest to n, each rounded to a multiple of batch, deduplicated,
// always ending at n. It suits Config.Grid for a spec with N = n.
func LogGrid(n, batch int64, points int) []int64 {
	if n < 1 || batch < 1 || points < 1 {
		return nil
	}
	lo := min(batch, n)
	var out []int64
	add := func(v int64) {
		if v%batch != 0 && v != n {
			v = max(batch, v/batch*batch)
		}
		v = min(max(v, lo), n)
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	if points == 1 || n == lo {
		add(n)
		return out
	}
	ratio := detmath.Log(float64(n)/float64(lo)) / float64(points-1)
	for i := 0; i < points; i++ {
		v := float64(float64(lo) * detmath.Exp(float64(float64(i)*ratio)))
		add(int64(v + 0.5))
	}
	add(n)
	return out
}

// SeedRange is the k seeds first, first+1, …: a Config's Seeds.
func SeedRange(first uint64, k int) []uint64 {
	out := make([]uint64, k)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// RunEach runs do(0), …, do(n−1) on up to workers goroutines (workers ≤ 1:
// in order on the caller's), calling progress, if not nil, after each with
// the count finished; it returns the error of the first failed index. do
// stores its result by index, so no result depends on the schedule: the
// pool that measures a curve's units, and an experiment's.
func RunEach(n, workers int, progress func(done, total int), do func(i int) error) error {
	errs := make([]error, n)
	workers = max(1, min(workers, n))
	if workers == 1 {
		for i := range n {
			errs[i] = do(i)
			if progress != nil {
				progress(i+1, n)
			}
		}
		return firstErr(errs)
	}
	work := make(chan int)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = do(i)
				done <- struct{}{}
			}
		}()
	}
	go func() {
		for i := range n {
			work <- i
		}
		close(work)
	}()
	for finished := 1; finished <= n; finished++ {
		<-done
		if progress != nil {
			progress(finished, n)
		}
	}
	wg.Wait()
	return firstErr(errs)
}

// firstErr is the first non-nil error of errs, by index.
func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if err := c.Spec.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("curve: %w", err))
	}
	if len(c.Grid) == 0 {
		errs = append(errs, errors.New("curve: empty grid"))
	}
	for i, n := range c.Grid {
		switch {
		case n < 1 || n > c.Spec.N:
			errs = append(errs, fmt.Errorf("curve: grid point %d outside [1, n=%d]", n, c.Spec.N))
		case i > 0 && n <= c.Grid[i-1]:
			errs = append(errs, fmt.Errorf("curve: grid not strictly increasing at %d", n))
		case c.Spec.Batch > 0 && n%c.Spec.Batch != 0 && n != c.Spec.N:
			errs = append(errs, fmt.Errorf("curve: grid point %d is not a multiple of the batch %d", n, c.Spec.Batch))
		}
	}
	if (c.Spec.Base == "") != (c.Base == nil) {
		errs = append(errs, errors.New("curve: a spec with base_sha256 needs the base checkpoint file (Config.Base), and only such a spec takes one"))
	}
	if len(c.Seeds) == 0 {
		errs = append(errs, errors.New("curve: no seeds"))
	}
	seen := map[uint64]bool{}
	for _, s := range c.Seeds {
		if seen[s] {
			errs = append(errs, fmt.Errorf("curve: seed %d given twice", s))
		}
		seen[s] = true
	}
	return errors.Join(errs...)
}

// runData is what one run's jobs share (read only).
type runData struct {
	spec   spec.Spec
	base   []byte
	in     *task.Inputs
	labels *task.Labels
}

// passOut is a coded pass's result.
type passOut struct {
	coded  []int64
	quant  []float64
	ideal  []float64
	scored []int64
	losses []float64
	err    error
}

// thetaOut is a θ*ₙ run's result.
type thetaOut struct {
	loss, se, valid   float64
	accuracy          float64
	epochs, bestEpoch int64
	testN             int64
	err               error
}

// Measure runs the configuration and returns the curves: its units
// (Config.Units) run on Config.Workers goroutines, then Assemble. It is
// exactly what running every unit with RunUnit anywhere and assembling
// their results gives.
func Measure(cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	runs, err := cfg.runs()
	if err != nil {
		return nil, err
	}
	units := cfg.Units()
	results := make([]UnitResult, len(units))
	// Each run's data is built once and shared, read only, by its units,
	// which follow it in Units order.
	per := 1 + len(cfg.Grid)
	err = RunEach(len(units), cfg.Workers, cfg.Progress, func(j int) (err error) {
		results[j], err = cfg.runUnit(&runs[j/per], units[j])
		return err
	})
	if err != nil {
		return nil, err
	}
	return Assemble(cfg, results)
}

// codedPass codes the first Grid[last] labels once and records the partial
// sums at every grid point.
func codedPass(rd *runData, grid []int64, scored func([]float64) bool, keep bool) passOut {
	var out passOut
	sess, err := prequential.NewFromBase(rd.spec, rd.in, rd.base, prequential.Options{Workers: 1})
	if err != nil {
		out.err = err
		return out
	}
	snd, err := transmit.NewSender(sess, rd.labels)
	if err != nil {
		out.err = err
		return out
	}
	precision := float64(rd.spec.Precision)
	last := grid[len(grid)-1]
	if keep {
		out.losses = make([]float64, last)
	}
	var ideal, quant float64
	var nScored int64
	conditional := rd.spec.Score == spec.ScoreAnswers
	k := 0
	for i := int64(0); i < last; i++ {
		// The figures this pass scores: the whole label, or (score =
		// answers) its capability part alone.
		ideal0, quant0 := scoredBits(sess.Accounting(), conditional)
		ex, err := snd.Step()
		if err != nil {
			out.err = err
			return out
		}
		ideal1, quant1 := scoredBits(sess.Accounting(), conditional)
		bits := ideal1 - ideal0
		if keep {
			out.losses[i] = bits
		}
		if scored == nil {
			nScored++
		} else if scored(rd.in.Train.Row(int(i))) {
			nScored++
			ideal += bits
			if conditional {
				quant += quant1 - quant0
			} else {
				quant += precision - detmath.Log2(float64(ex.Freqs[ex.Label]))
			}
		}
		if i+1 == grid[k] {
			if scored == nil {
				ideal, quant = ideal1, quant1
			}
			out.coded = append(out.coded, 8*snd.EndedLen())
			out.ideal = append(out.ideal, ideal)
			out.quant = append(out.quant, quant)
			out.scored = append(out.scored, nScored)
			k++
		}
	}
	return out
}

// scoredBits is the pass's ideal and quantized code lengths so far: the
// whole labels', or with conditional (score = answers) their capability
// parts'.
func scoredBits(a prequential.Accounting, conditional bool) (ideal, quant float64) {
	if conditional {
		return a.ScoredIdealBits, a.ScoredQuantizedBits
	}
	return a.IdealBits, a.QuantizedIdealBits
}

// Pretrain trains a learner of spec s from scratch (or from base, the file
// s names) on its n training examples, in one pass, then to θ* (Converge,
// with s's epochs and validation split), and returns its checkpoint file:
// the base of a later run (--base). in and labels are s's task.
func Pretrain(s spec.Spec, base []byte, in *task.Inputs, labels *task.Labels, workers int) ([]byte, error) {
	sess, err := prequential.NewFromBase(s, in, base, prequential.Options{Workers: max(1, workers)})
	if err != nil {
		return nil, err
	}
	if err := transmit.Train(sess, labels.Train, s.N); err != nil {
		return nil, err
	}
	if _, err := sess.Converge(labels.Train[:s.N], labels.Valid); err != nil {
		return nil, err
	}
	return sess.Save()
}

// thetaStar trains a fresh session on the first n examples, turns it into
// θ*ₙ (Converge) and measures its test loss and standard error.
func thetaStar(rd *runData, n int64, scored func([]float64) bool) thetaOut {
	var out thetaOut
	sess, err := prequential.NewFromBase(rd.spec, rd.in, rd.base, prequential.Options{Workers: 1})
	if err != nil {
		out.err = err
		return out
	}
	// Their code lengths are the pass's: the labels are learned, not coded.
	if err := transmit.Train(sess, rd.labels.Train, n); err != nil {
		out.err = err
		return out
	}
	conv, err := sess.Converge(rd.labels.Train[:n], rd.labels.Valid)
	if err != nil {
		out.err = err
		return out
	}
	out.valid, out.epochs, out.bestEpoch = conv.ValidBits, conv.Epochs, conv.BestEpoch
	out.accuracy = Accuracy(sess.Model(), &rd.in.Test, rd.labels.Test)
	out.loss, out.se, out.testN, out.err = TestLoss(sess, &rd.in.Test, rd.labels.Test, scored)
	return out
}

// Accuracy is the fraction of x's rows whose most probable class under m
// (the lowest index on ties) is the label.
func Accuracy(m model.Model, x *task.Matrix, labels []int) float64 {
	if x.Rows == 0 {
		return 0
	}
	probs := make([]float64, m.NumClasses())
	hits := 0
	for i := 0; i < x.Rows; i++ {
		m.Probs(probs, x.Row(i))
		best := 0
		for k, p := range probs {
			if p > probs[best] {
				best = k
			}
		}
		if best == labels[i] {
			hits++
		}
	}
	return float64(hits) / float64(x.Rows)
}

// TestLoss is the session model's edl.TestLoss over the (scored) rows of
// x, each −log₂ p(y | y ∈ S) when the session's spec scores answers; a
// probability that gives a NaN or infinite loss is an error here (a curve
// point cannot average it).
func TestLoss(sess *prequential.Session, x *task.Matrix, labels []int, scored func([]float64) bool) (mean, se float64, count int64, err error) {
	mean, se, count, err = edl.TestLoss(sess.Predictive(), x, labels, sess.Answers(), scored)
	if err == nil && (math.IsNaN(mean) || math.IsInf(mean, 0)) {
		err = fmt.Errorf("curve: test loss %v", mean)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("curve: %w", err)
	}
	return mean, se, count, nil
}

// spreadOf summarizes vs (in order).
func spreadOf(vs []float64) Spread {
	if len(vs) == 0 {
		return Spread{}
	}
	s := Spread{Min: vs[0], Max: vs[0]}
	sum := 0.0
	for _, v := range vs {
		sum += v
		s.Min, s.Max = min(s.Min, v), max(s.Max, v)
	}
	s.Mean = sum / float64(len(vs))
	if len(vs) > 1 {
		ss := 0.0
		for _, v := range vs {
			d := v - s.Mean
			ss += float64(d * d)
		}
		s.SD = math.Sqrt(ss / float64(len(vs)-1))
	}
	return s
}

// Summarize reduces runs (all on the same grid) point by point, in run order.
func Summarize(runs []Run) []Stat {
	if len(runs) == 0 {
		return nil
	}
	out := make([]Stat, len(runs[0].Points))
	vals := make([]float64, len(runs))
	over := func(k int, f func(p Point) float64) Spread {
		for r := range runs {
			vals[r] = f(runs[r].Points[k])
		}
		return spreadOf(vals)
	}
	for k := range out {
		out[k] = Stat{
			N:            runs[0].Points[k].N,
			CodedBits:    over(k, func(p Point) float64 { return float64(p.CodedBits) }),
			IdealBits:    over(k, func(p Point) float64 { return p.IdealBits }),
			TestLoss:     over(k, func(p Point) float64 { return p.TestLoss }),
			TestSE:       over(k, func(p Point) float64 { return p.TestSE }),
			EDL:          over(k, func(p Point) float64 { return p.EDL }),
			EDLIdeal:     over(k, func(p Point) float64 { return p.EDLIdeal }),
			EDLPerN:      over(k, func(p Point) float64 { return p.PerN(p.EDL) }),
			EDLIdealPerN: over(k, func(p Point) float64 { return p.PerN(p.EDLIdeal) }),
			EDLSE:        over(k, func(p Point) float64 { return p.EDLSE }),
		}
	}
	return out
}

// nullNaN is v, or nil for NaN (JSON has no NaN).
func nullNaN(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// MarshalJSON writes a point whose EDL (coded) is NaN, a scored part
// without a coded length of its own, with "edl_bits": null.
func (p Point) MarshalJSON() ([]byte, error) {
	type plain Point
	return json.Marshal(struct {
		plain
		EDL *float64 `json:"edl_bits"`
	}{plain(p), nullNaN(p.EDL)})
}

// MarshalJSON writes NaN figures (the coded EDL of a scored part) as null.
func (s Spread) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Mean *float64 `json:"mean"`
		SD   *float64 `json:"sd"`
		Min  *float64 `json:"min"`
		Max  *float64 `json:"max"`
	}{nullNaN(s.Mean), nullNaN(s.SD), nullNaN(s.Min), nullNaN(s.Max)})
}
