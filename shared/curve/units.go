package curve

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Unit is one independent job of a curve measurement: the coded pass of
// one run (a seed, with the spec's labels or as the random-label control)
// when N is 0, else that run's θ*ₙ at prefix size N. Units need nothing from each other; a sweep runs them
// anywhere and Assemble puts their results together.
type Unit struct {
	Seed    uint64 `json:"seed"`
	Control bool   `json:"control,omitempty"`
	N       int64  `json:"n,omitempty"` // 0: the coded pass
}

// UnitResult is a unit's result: Pass for a pass, Theta for a θ*ₙ run.
// Its JSON round-trips every figure exactly (encoding/json writes the
// shortest decimal that reads back as the same float64), so results
// stored as files assemble into the same Result as in-memory ones.
type UnitResult struct {
	Pass  *PassResult  `json:"pass,omitempty"`
	Theta *ThetaResult `json:"theta,omitempty"`
}

// PassResult is a coded pass's figures at each grid point.
type PassResult struct {
	CodedBits     []int64   `json:"coded_bits"`
	QuantizedBits []float64 `json:"quantized_bits"`
	IdealBits     []float64 `json:"ideal_bits"`
	Scored        []int64   `json:"scored"`
	// Losses are the per-example ideal bits of a real-label pass with
	// Config.KeepLosses.
	Losses []float64 `json:"losses,omitempty"`
}

// ThetaResult is a θ*ₙ run's figures (bits, bits/example).
type ThetaResult struct {
	TestLoss  float64 `json:"test_loss_bits"`
	TestSE    float64 `json:"test_se_bits"`
	ValidBits float64 `json:"valid_bits"`
	Accuracy  float64 `json:"test_accuracy"`
	Epochs    int64   `json:"epochs"`
	BestEpoch int64   `json:"best_epoch"`
	TestN     int64   `json:"test_scored"`
}

// runSpec is one run: its spec and its unit with N = 0.
type runSpec struct {
	spec spec.Spec
	unit Unit
}

// runSpecs are the runs in Result order: every seed with the spec's
// labels, then (Control) every seed with random labels.
func (c *Config) runSpecs() []runSpec {
	var out []runSpec
	for _, control := range []bool{false, true} {
		if control && !c.Control {
			continue
		}
		for _, seed := range c.Seeds {
			s := c.Spec
			s.Seed = seed
			s.RandomLabels = s.RandomLabels || control
			out = append(out, runSpec{s, Unit{Seed: seed, Control: control}})
		}
	}
	return out
}

// Units lists the configuration's units in a fixed order: each run's pass,
// then its θ*ₙ runs along the grid; runs in Result order.
func (c *Config) Units() []Unit {
	var out []Unit
	for _, r := range c.runSpecs() {
		out = append(out, r.unit)
		for _, n := range c.Grid {
			u := r.unit
			u.N = n
			out = append(out, u)
		}
	}
	return out
}

// build makes one run's data.
func (c *Config) build(s spec.Spec) (runData, error) {
	build := c.Build
	if build == nil {
		build = func(s spec.Spec) (*task.Inputs, *task.Labels, error) { return task.Build(s, nil, nil) }
	}
	in, labels, err := build(s)
	if err != nil {
		return runData{}, fmt.Errorf("curve: seed %d: %w", s.Seed, err)
	}
	if in.Train.Rows < int(s.N) || len(labels.Train) < int(s.N) || len(labels.Test) != in.Test.Rows || len(labels.Valid) != in.Valid.Rows {
		return runData{}, fmt.Errorf("curve: seed %d: inputs and labels do not match the spec", s.Seed)
	}
	return runData{spec: s, base: c.Base, in: in, labels: labels}, nil
}

// runs builds every run's data, in Result order.
func (c *Config) runs() ([]runData, error) {
	var out []runData
	for _, r := range c.runSpecs() {
		rd, err := c.build(r.spec)
		if err != nil {
			return nil, err
		}
		out = append(out, rd)
	}
	return out, nil
}

// findRun is the spec of u's run, if the configuration has it.
func (c *Config) findRun(u Unit) (spec.Spec, bool) {
	for _, r := range c.runSpecs() {
		if r.unit.Seed == u.Seed && r.unit.Control == u.Control {
			return r.spec, true
		}
	}
	return spec.Spec{}, false
}

// RunUnit runs one unit of the configuration by itself: it builds the
// unit's run data and runs its pass or θ*ₙ. Workers and Progress do not
// apply.
func RunUnit(cfg Config, u Unit) (UnitResult, error) {
	if err := cfg.Validate(); err != nil {
		return UnitResult{}, err
	}
	s, ok := cfg.findRun(u)
	if !ok {
		return UnitResult{}, fmt.Errorf("curve: no run with seed %d (control %v) in the configuration", u.Seed, u.Control)
	}
	if u.N != 0 && !containsN(cfg.Grid, u.N) {
		return UnitResult{}, fmt.Errorf("curve: %d is not on the grid", u.N)
	}
	rd, err := cfg.build(s)
	if err != nil {
		return UnitResult{}, err
	}
	return cfg.runUnit(&rd, u)
}

func containsN(grid []int64, n int64) bool {
	for _, g := range grid {
		if g == n {
			return true
		}
	}
	return false
}

// runUnit runs u on its run's data.
func (c *Config) runUnit(rd *runData, u Unit) (UnitResult, error) {
	if u.N == 0 {
		// Losses are kept for the spec's own runs only: the plots draw those.
		p := codedPass(rd, c.Grid, c.Scored, c.KeepLosses && !u.Control)
		if p.err != nil {
			return UnitResult{}, fmt.Errorf("curve: seed %d: pass: %w", u.Seed, p.err)
		}
		return UnitResult{Pass: &PassResult{CodedBits: p.coded, QuantizedBits: p.quant, IdealBits: p.ideal, Scored: p.scored, Losses: p.losses}}, nil
	}
	th := thetaStar(rd, u.N, c.Scored)
	if th.err != nil {
		return UnitResult{}, fmt.Errorf("curve: seed %d: θ* at n=%d: %w", u.Seed, u.N, th.err)
	}
	return UnitResult{Theta: &ThetaResult{TestLoss: th.loss, TestSE: th.se, ValidBits: th.valid, Accuracy: th.accuracy,
		Epochs: th.epochs, BestEpoch: th.bestEpoch, TestN: th.testN}}, nil
}

// Assemble puts the results of the configuration's units, in Units order,
// together into the measured curves.
func Assemble(cfg Config, results []UnitResult) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	units := cfg.Units()
	if len(results) != len(units) {
		return nil, fmt.Errorf("curve: %d unit results for %d units", len(results), len(units))
	}
	g := len(cfg.Grid)
	nSeeds := len(cfg.Seeds)
	res := &Result{Spec: cfg.Spec, Grid: append([]int64(nil), cfg.Grid...)}
	for r, rs := range cfg.runSpecs() {
		s := rs.spec
		at := r * (1 + g)
		pass := results[at].Pass
		if pass == nil || len(pass.CodedBits) != g || len(pass.QuantizedBits) != g || len(pass.IdealBits) != g || len(pass.Scored) != g {
			return nil, fmt.Errorf("curve: seed %d: unit %d is not a pass over %d grid points", s.Seed, at, g)
		}
		h := s.Hash()
		run := Run{Seed: s.Seed, RandomLabels: s.RandomLabels, SpecHash: fmt.Sprintf("%x", h[:]), Losses: pass.Losses}
		for k, n := range cfg.Grid {
			th := results[at+1+k].Theta
			if th == nil {
				return nil, fmt.Errorf("curve: seed %d: unit %d is not θ* at n=%d", s.Seed, at+1+k, n)
			}
			p := Point{
				N:             n,
				Scored:        pass.Scored[k],
				CodedBits:     pass.CodedBits[k],
				QuantizedBits: pass.QuantizedBits[k],
				IdealBits:     pass.IdealBits[k],
				TestLoss:      th.TestLoss,
				TestAccuracy:  th.Accuracy,
				TestSE:        th.TestSE,
				ValidBits:     th.ValidBits,
				Epochs:        th.Epochs,
				BestEpoch:     th.BestEpoch,
			}
			nl := float64(float64(p.Scored) * p.TestLoss)
			p.EDLIdeal = p.IdealBits - nl
			p.EDL = math.NaN()
			if cfg.Scored == nil && s.Score != spec.ScoreAnswers {
				p.EDL = float64(p.CodedBits) - nl
			}
			p.EDLSE = float64(float64(p.Scored) * p.TestSE)
			run.TestN = th.TestN
			run.Points = append(run.Points, p)
		}
		run.Shape = ShapeOf(run.Points)
		if r < nSeeds {
			res.Runs = append(res.Runs, run)
		} else {
			res.Controls = append(res.Controls, run)
		}
	}
	res.Summary = Summarize(res.Runs)
	res.ControlSummary = Summarize(res.Controls)
	res.Signature = Classify(res.Runs)
	if len(res.Controls) > 0 {
		res.ControlSignature = Classify(res.Controls)
	}
	return res, nil
}
