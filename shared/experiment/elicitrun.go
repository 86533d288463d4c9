package experiment

// The measurement of edl elicit and edl intervene, as units: for each arm,
// its curve's units (curve.Config.Units: every seed's and control's coded
// pass and θ*ₙ runs) and each seed's single-example test. A one-machine
// run and a sweep's shards run the same units (RunUnit) and Assemble reads
// their results into the same report, so a merged sweep writes the same
// bytes.

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// OptionsFor are the defaults of a target (Defaults or LatentDefaults).
func OptionsFor(target string, quick bool) (Options, error) {
	switch target {
	case spec.NotationAnswersPermuted:
		return Defaults(quick), nil
	case spec.NotationUntagged:
		return LatentDefaults(quick), nil
	}
	return Options{}, fmt.Errorf("edl: --target %q: known targets are %s and %s", target, spec.NotationAnswersPermuted, spec.NotationUntagged)
}

// Override sets in o exactly the sizes given (by flag name, zero
// included) from ov. Epochs given bring their early stopping unless
// patience and validation are given too: none with 0 epochs, else the
// target's (patience at most epochs), or ThetaPatience and ThetaValidation
// where the target's defaults have none.
func (o *Options) Override(ov Options, given map[string]bool) {
	setGiven(given, "seeds", &o.Seeds, ov.Seeds)
	setGiven(given, "p", &o.P, ov.P)
	setGiven(given, "hidden", &o.Hidden, ov.Hidden)
	setGiven(given, "layers", &o.Layers, ov.Layers)
	setGiven(given, "scripts", &o.Scripts, ov.Scripts)
	setGiven(given, "lr", &o.LR, ov.LR)
	setGiven(given, "batch", &o.Batch, ov.Batch)
	setGiven(given, "n", &o.N, ov.N)
	setGiven(given, "pretrain-n", &o.PretrainN, ov.PretrainN)
	setGiven(given, "grid-points", &o.GridPoints, ov.GridPoints)
	if given["epochs"] {
		o.Epochs = ov.Epochs
		switch {
		case o.Epochs == 0:
			o.Patience, o.Validation = 0, 0
		case o.Validation == 0: // the target's defaults stop at the pass
			o.Patience, o.Validation = ThetaPatience, ThetaValidation
		}
		o.Patience = min(o.Patience, o.Epochs)
	}
	setGiven(given, "patience", &o.Patience, ov.Patience)
	setGiven(given, "validation", &o.Validation, ov.Validation)
}

// setGiven sets *dst to v when name was given.
func setGiven[T any](given map[string]bool, name string, dst *T, v T) {
	if given[name] {
		*dst = v
	}
}

// ElicitArms are the arms of edl elicit (mode "elicit") or edl intervene
// (mode "intervene").
func ElicitArms(mode string) []Arm {
	if mode == "intervene" {
		return []Arm{ArmTeach, ArmElicit, ArmPermuted, ArmUnrelated}
	}
	return []Arm{ArmElicit, ArmTeach}
}

// Pretrainer returns a base's checkpoint file.
type Pretrainer func(b *Base) ([]byte, error)

// PretrainHere pre-trains the bases in this process, each once.
func PretrainHere(o Options) Pretrainer {
	var mu sync.Mutex
	files := map[string][]byte{}
	return func(b *Base) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if f, ok := files[o.BaseFile(b)]; ok {
			return f, nil
		}
		f, err := o.Pretrain(b)
		if err != nil {
			return nil, err
		}
		files[o.BaseFile(b)] = f
		return f, nil
	}
}

// ElicitReport is elicit.json (Command is the caller's).
type ElicitReport struct {
	Command   string      `json:"command"`
	Mode      string      `json:"mode"`
	Why       string      `json:"why"`
	Units     string      `json:"units"`
	Options   Options     `json:"options"`
	Target    string      `json:"target"`
	Grid      []int64     `json:"grid"`
	Arms      []ArmResult `json:"arms"`
	Ratios    []Ratio     `json:"ratios"` // teaching EDL / arm EDL at matched n (the largest)
	BasesNote string      `json:"bases_note"`
}

// ElicitRun is edl elicit's or intervene's measurement. Base supplies the
// bases the arms start from (PretrainHere, or a sweep's cache).
type ElicitRun struct {
	Options Options
	Mode    string
	Arms    []Arm
	Base    Pretrainer
}

// ElicitUnit is one unit: arm Arm's curve unit Curve, or else the
// single-example test of seed Single.
type ElicitUnit struct {
	Arm    int         `json:"arm"`
	Curve  *curve.Unit `json:"curve,omitempty"`
	Single uint64      `json:"single_example_seed,omitempty"`
}

// ElicitUnitResult is a unit's result. Its JSON reads back as the same
// float64s (encoding/json writes the shortest exact decimal), so stored
// results assemble into the same report as in-memory ones.
type ElicitUnitResult struct {
	Curve  *curve.UnitResult `json:"curve,omitempty"`
	Single *SingleResult     `json:"single,omitempty"`
}

// SingleResult is the single-example test (SingleExample).
type SingleResult struct {
	Before float64 `json:"accuracy_before"`
	After  float64 `json:"accuracy_after"`
	Loss   float64 `json:"test_loss_bits"`
}

// Grid is the curves' prefix sizes.
func (e *ElicitRun) Grid() []int64 {
	return curve.LogGrid(e.Options.N, e.Options.Batch, e.Options.GridPoints)
}

func (e *ElicitRun) seeds() []uint64 { return curve.SeedRange(1, e.Options.Seeds) }

// Units lists the units, arm by arm: the curve's in curve order, then the
// single-example tests by seed. It needs no base: curve units depend on
// the grid, seeds and control only.
func (e *ElicitRun) Units() []ElicitUnit {
	var out []ElicitUnit
	for ai := range e.Arms {
		cfg := curve.Config{Grid: e.Grid(), Seeds: e.seeds(), Control: true}
		for _, u := range cfg.Units() {
			out = append(out, ElicitUnit{Arm: ai, Curve: &u})
		}
		for _, seed := range e.seeds() {
			out = append(out, ElicitUnit{Arm: ai, Single: seed})
		}
	}
	return out
}

// config is an arm's curve configuration and its base's file (nil for
// random initialization).
func (e *ElicitRun) config(a Arm) (curve.Config, []byte, error) {
	o := e.Options
	s := o.Spec(o.Target, spec.OpAdd)
	var file []byte
	if a.Base != nil {
		var err error
		if file, err = e.Base(a.Base); err != nil {
			return curve.Config{}, nil, err
		}
		o.FromBase(&s, file, o.BaseFile(a.Base))
	}
	return curve.Config{Spec: s, Grid: e.Grid(), Seeds: e.seeds(), Control: true, Workers: 1, Base: file, KeepLosses: true}, file, nil
}

// RunUnit runs one unit.
func (e *ElicitRun) RunUnit(u ElicitUnit) (ElicitUnitResult, error) {
	if u.Arm < 0 || u.Arm >= len(e.Arms) {
		return ElicitUnitResult{}, fmt.Errorf("edl: unit of arm %d: there are %d arms", u.Arm, len(e.Arms))
	}
	a := e.Arms[u.Arm]
	cfg, file, err := e.config(a)
	if err != nil {
		return ElicitUnitResult{}, err
	}
	if u.Curve != nil {
		r, err := curve.RunUnit(cfg, *u.Curve)
		if err != nil {
			return ElicitUnitResult{}, fmt.Errorf("edl: arm %s: %w", a.Name, err)
		}
		return ElicitUnitResult{Curve: &r}, nil
	}
	var r SingleResult
	r.Before, r.After, r.Loss, err = SingleExample(cfg.Spec, u.Single, file)
	if err != nil {
		return ElicitUnitResult{}, fmt.Errorf("edl: arm %s: seed %d: single example: %w", a.Name, u.Single, err)
	}
	return ElicitUnitResult{Single: &r}, nil
}

// Run runs every unit, up to Options.Workers at once, and assembles them.
func (e *ElicitRun) Run(progress func(done, total int)) (*ElicitReport, []*curve.Result, error) {
	units := e.Units()
	results := make([]ElicitUnitResult, len(units))
	err := curve.RunEach(len(units), e.Options.Workers, progress, func(i int) (err error) {
		results[i], err = e.RunUnit(units[i])
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e.Assemble(results)
}

// Assemble reads the units' results (in Units order) into the report and
// each arm's curves, in the order of Arms.
func (e *ElicitRun) Assemble(results []ElicitUnitResult) (*ElicitReport, []*curve.Result, error) {
	units := e.Units()
	if len(results) != len(units) {
		return nil, nil, fmt.Errorf("edl: %d unit results for %d units", len(results), len(units))
	}
	o, grid := e.Options, e.Grid()
	target := o.Spec(o.Target, spec.OpAdd)
	rep := &ElicitReport{Mode: e.Mode, Why: o.Why(), Options: o, Grid: grid,
		Units:     "bits; *_per_example in bits/example; accuracies are fractions of the test set",
		Target:    o.Describe(target),
		BasesNote: fmt.Sprintf("each base: %d examples of its pre-training task from seed %d, one pass then θ* (the pass model), saved under bases/", o.PretrainN, o.BaseSeed)}
	var curves []*curve.Result
	for ai, a := range e.Arms {
		cfg, _, err := e.config(a)
		if err != nil {
			return nil, nil, err
		}
		var curveResults []curve.UnitResult
		singles := map[uint64]*SingleResult{}
		for i, u := range units {
			switch {
			case u.Arm != ai:
			case u.Curve != nil && results[i].Curve != nil:
				curveResults = append(curveResults, *results[i].Curve)
			case u.Curve == nil && results[i].Single != nil:
				singles[u.Single] = results[i].Single
			default:
				return nil, nil, fmt.Errorf("edl: unit %d's result is not of its kind", i)
			}
		}
		res, err := curve.Assemble(cfg, curveResults)
		if err != nil {
			return nil, nil, fmt.Errorf("edl: arm %s: %w", a.Name, err)
		}
		curves = append(curves, res)
		ar := ArmResult{Arm: a, Signature: res.Signature, Dir: a.Name}
		for i, r := range res.Runs {
			rs := SummarizeRun(r)
			rs.ControlEDL = res.Controls[i].Points[len(grid)-1].EDLIdeal
			one := singles[r.Seed]
			rs.AccBefore, rs.AccAfter, rs.LossAfterOne = one.Before, one.After, one.Loss
			rs.AccFinal = r.Points[len(r.Points)-1].TestAccuracy
			ar.Runs = append(ar.Runs, rs)
		}
		ar.Tally()
		rep.Arms = append(rep.Arms, ar)
	}
	var teach *ArmResult
	for i := range rep.Arms {
		if rep.Arms[i].Arm.Name == ArmTeach.Name {
			teach = &rep.Arms[i]
		}
	}
	for _, ar := range rep.Arms {
		if teach == nil || ar.Arm.Name == ArmTeach.Name {
			continue
		}
		rep.Ratios = append(rep.Ratios, Compare(*teach, ar))
	}
	return rep, curves, nil
}

// armSession builds a session of the arm's spec with the given seed and n.
func armSession(s spec.Spec, seed uint64, n int64, base []byte) (*prequential.Session, *task.Inputs, *task.Labels, error) {
	s.Seed, s.N = seed, n
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	sess, err := prequential.NewFromBase(s, in, base, prequential.Options{Workers: 1})
	return sess, in, labels, err
}

// SingleExample is the single-example test: test accuracy of the starting
// model, and of θ*₁, the model trained on exactly one example (the seed's
// first: one optimizer step, then, with epochs, further epochs on it to
// validation convergence, as every θ*ₙ), with θ*₁'s test loss.
func SingleExample(s spec.Spec, seed uint64, base []byte) (before, after, loss float64, err error) {
	sess, in, labels, err := armSession(s, seed, 1, base)
	if err != nil {
		return 0, 0, 0, err
	}
	before = curve.Accuracy(sess.Model(), &in.Test, labels.Test)
	if err := transmit.Train(sess, labels.Train, sess.Spec().N); err != nil {
		return 0, 0, 0, err
	}
	if sess.Spec().Epochs > 0 {
		if _, err := sess.Converge(labels.Train, labels.Valid); err != nil {
			return 0, 0, 0, err
		}
	}
	after = curve.Accuracy(sess.Model(), &in.Test, labels.Test)
	loss, _, _, err = curve.TestLoss(sess, &in.Test, labels.Test, nil)
	return before, after, loss, err
}

// CSV is elicit.csv: one row per arm and seed.
func (rep *ElicitReport) CSV() [][]string {
	rows := [][]string{{"arm", "seed", "shape", "peak_shape", "peak_n", "peak_edl_per_example_bits", "first_edl_per_example_bits",
		"n", "edl_bits", "edl_ideal_bits", "test_loss_bits", "control_edl_ideal_bits", "teaching_over_arm_edl",
		"single_example_accuracy_before", "single_example_accuracy_after", "single_example_test_loss_bits", "final_accuracy"}}
	n := rep.Grid[len(rep.Grid)-1]
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for _, ar := range rep.Arms {
		for i, r := range ar.Runs {
			ratioCell := ""
			for _, rt := range rep.Ratios {
				if rt.Arm == ar.Arm.Name {
					ratioCell = f(rt.PerSeed[i])
				}
			}
			rows = append(rows, []string{ar.Arm.Name, strconv.FormatUint(r.Seed, 10), r.Shape, r.PeakShape, strconv.FormatInt(r.PeakN, 10),
				f(r.PeakEDLPerN), f(r.FirstEDLPerN), strconv.FormatInt(n, 10), f(r.EDL), f(r.EDLIdeal), f(r.TestLoss), f(r.ControlEDL), ratioCell,
				f(r.AccBefore), f(r.AccAfter), f(r.LossAfterOne), f(r.AccFinal)})
		}
	}
	return rows
}

// Table is the signature table edl elicit prints.
func (rep *ElicitReport) Table() string {
	var b strings.Builder
	n := rep.Grid[len(rep.Grid)-1]
	fmt.Fprintf(&b, "target: %s\n", rep.Target)
	fmt.Fprintf(&b, "%-24s %4s %-14s %-14s %8s %10s %11s %9s %10s %9s %9s %9s\n", "arm", "seed", "shape", "peak shape", "peak n", "peak EDL/n",
		fmt.Sprintf("EDL(%d)", n), "L_test", "control", "acc(0)", "acc(1)", "acc(n)")
	fmt.Fprintf(&b, "%-24s %4s %-14s %-14s %8s %10s %11s %9s %10s %9s %9s %9s\n", "", "", "", "", "", "bits/ex", "bits", "bits/ex", "bits", "", "", "")
	for _, ar := range rep.Arms {
		for _, r := range ar.Runs {
			fmt.Fprintf(&b, "%-24s %4d %-14s %-14s %8d %10.3f %11.1f %9.4f %10.1f %9.4f %9.4f %9.4f\n", ar.Arm.Name, r.Seed, r.Shape, r.PeakShape, r.PeakN,
				r.PeakEDLPerN, r.EDL, r.TestLoss, r.ControlEDL, r.AccBefore, r.AccAfter, r.AccFinal)
		}
		fmt.Fprintf(&b, "%-24s  signature %s, peak signature %s, mean EDL %.1f bits, mean peak n %.0f\n", ar.Arm.Name, ar.Signature, ar.PeakShape, ar.MeanEDL, ar.MeanPeakN)
	}
	for _, r := range rep.Ratios {
		fmt.Fprintf(&b, "EDL(teaching)/EDL(%s) at n=%d: %.2f (per seed", r.Arm, n, r.Mean)
		for _, v := range r.PerSeed {
			fmt.Fprintf(&b, " %.2f", v)
		}
		fmt.Fprintf(&b, "): %s\n", r.Verdict)
	}
	return b.String()
}
