package main

// edl elicit and edl intervene: elicitation versus teaching on one target
// task, and the causal intervention. The design (the task pair, its arms
// and bases, the verdicts) is in shared/experiment; here are the flags,
// the runs, the files and the figures.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/experiment"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// optsFor are the defaults of a target.
func optsFor(target string, quick bool) (experiment.Options, error) {
	switch target {
	case spec.NotationAnswersPermuted:
		return experiment.Defaults(quick), nil
	case spec.NotationUntagged:
		return experiment.LatentDefaults(quick), nil
	}
	return experiment.Options{}, fmt.Errorf("edl: --target %q: known targets are %s and %s", target, spec.NotationAnswersPermuted, spec.NotationUntagged)
}

// elicitReport is elicit.json.
type elicitReport struct {
	Command   string                 `json:"command"`
	Mode      string                 `json:"mode"`
	Why       string                 `json:"why"`
	Units     string                 `json:"units"`
	Options   experiment.Options     `json:"options"`
	Target    string                 `json:"target"`
	Grid      []int64                `json:"grid"`
	Arms      []experiment.ArmResult `json:"arms"`
	Ratios    []experiment.Ratio     `json:"ratios"` // teaching EDL / arm EDL at matched n (the largest)
	BasesNote string                 `json:"bases_note"`
}

func cmdElicit(args []string, stdout, stderr io.Writer) int {
	return elicitMain("elicit", args, stdout, stderr)
}

func cmdIntervene(args []string, stdout, stderr io.Writer) int {
	return elicitMain("intervene", args, stdout, stderr)
}

func elicitMain(mode string, args []string, stdout, stderr io.Writer) int {
	o, out, plan, err := parseElicitFlags(mode, args, stderr)
	if err != nil {
		return 2
	}
	arms := elicitArms(mode)
	if plan != "" {
		units := (&elicitRun{o: o, arms: arms}).units()
		jobs := make([]any, len(units))
		for i, u := range units {
			jobs[i] = u
		}
		return planned(stdout, stderr, plan, mode, args, elicitPlanConfig(mode, o, arms), jobs)
	}
	start := time.Now()
	rep, err := runElicit(o, mode, arms, out, "edl "+mode+" "+strings.Join(args, " "), newProgress(stderr, "edl "+mode).Update)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, elicitTable(rep))
	fmt.Fprintf(stdout, "%.1f s\n", time.Since(start).Seconds())
	return 0
}

// elicitArms are the arms of edl elicit or edl intervene.
func elicitArms(mode string) []experiment.Arm {
	if mode == "intervene" {
		return []experiment.Arm{experiment.ArmTeach, experiment.ArmElicit, experiment.ArmPermuted, experiment.ArmUnrelated}
	}
	return []experiment.Arm{experiment.ArmElicit, experiment.ArmTeach}
}

// parseElicitFlags reads edl elicit's (or intervene's) command line: the
// target's defaults with exactly the flags given applied over them, and the
// output directory. Every error is written to stderr (a usage error: exit 2).
func parseElicitFlags(mode string, args []string, stderr io.Writer) (o experiment.Options, out, plan string, err error) {
	fs := flag.NewFlagSet("edl "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the reduced size the tests run")
	fs.StringVar(&out, "out", "", "directory for elicit.json, elicit.csv, the plots and one curve directory per arm (this or --plan)")
	fs.StringVar(&plan, "plan", "", "write a sweep plan into this directory instead of running: one shard per coded pass, θ*ₙ run or single-example test (edl submit, edl shard, edl merge)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "jobs at once (changes speed, never results)")
	var ov experiment.Options
	target := fs.String("target", spec.NotationAnswersPermuted, "the task pair: answers-permuted (a new answer alphabet; the elicitation arm's head is reset) or untagged (the base knows every script when a tag names it; the target leaves the tag out)")
	fs.IntVar(&ov.Seeds, "seeds", 0, "seeds per arm (default 3)")
	fs.Int64Var(&ov.P, "p", 0, "modulus p (default 59, untagged 23; --quick 23)")
	fs.Int64Var(&ov.Hidden, "hidden", 0, "hidden width (default 160, untagged 64; --quick 64)")
	fs.IntVar(&ov.Layers, "layers", 0, "hidden layers (default 1; untagged 2)")
	fs.Int64Var(&ov.Scripts, "scripts", 0, "untagged target only: scripts the base knows (default 4)")
	fs.Float64Var(&ov.LR, "lr", 0, "adam learning rate of every run (default 0.015, --quick 0.02; untagged 0.005)")
	fs.Int64Var(&ov.Batch, "batch", 0, "minibatch (default 8)")
	fs.Int64Var(&ov.N, "n", 0, "target examples, the largest n (default 50000, untagged 20000; --quick 6000, untagged 3000)")
	fs.Int64Var(&ov.PretrainN, "pretrain-n", 0, "pre-training examples (default 60000, --quick 12000; untagged 60000)")
	fs.IntVar(&ov.GridPoints, "grid-points", 0, "log-grid points (default 14, untagged 12; --quick 9, untagged 8)")
	fs.Int64Var(&ov.Epochs, "epochs", 0, "θ*ₙ: epochs past the pass, early-stopped on --validation (default 0: θ*ₙ is the pass model; untagged 20)")
	fs.Int64Var(&ov.Patience, "patience", 0, "θ*ₙ: early-stopping patience in epochs (default 3 when epochs > 0, at most epochs; 0 when epochs is 0)")
	fs.Int64Var(&ov.Validation, "validation", 0, "θ*ₙ: validation examples (default 1000 when epochs > 0; 0 when epochs is 0)")
	if err := fs.Parse(args); err != nil {
		return experiment.Options{}, "", "", err
	}
	fail := func(format string, a ...any) (experiment.Options, string, string, error) {
		err := fmt.Errorf("edl "+mode+": "+format, a...)
		fmt.Fprintln(stderr, err)
		return experiment.Options{}, "", "", err
	}
	if fs.NArg() > 0 || (out == "") == (plan == "") {
		return fail("one of --out DIR and --plan DIR is required, no positional arguments")
	}
	o, err = optsFor(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return experiment.Options{}, "", "", err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range []string{"seeds", "p", "hidden", "layers", "scripts", "lr", "batch", "n", "pretrain-n", "grid-points"} {
		if v, _ := strconv.ParseFloat(fs.Lookup(name).Value.String(), 64); given[name] && !(v > 0) {
			return fail("--%s must be positive, got %s", name, fs.Lookup(name).Value)
		}
	}
	if given["scripts"] && !o.Latent() {
		return fail("--scripts: only the %s target has scripts (target %s)", spec.NotationUntagged, o.Target)
	}
	override(&o, ov, given)
	o.Workers = max(1, *workers)
	if err := o.Spec(o.Target, spec.OpAdd).Validate(); err != nil {
		return fail("%v", err)
	}
	return o, out, plan, nil
}

// runElicit measures every arm's curves and its single-example test and
// writes everything into dir: units → run → assemble, the bases
// pre-trained here.
func runElicit(o experiment.Options, mode string, arms []experiment.Arm, dir, command string, progress func(done, total int)) (*elicitReport, error) {
	e := &elicitRun{o: o, mode: mode, arms: arms, base: pretrainHere(o)}
	units := e.units()
	results := make([]elicitUnitResult, len(units))
	err := runEach(len(units), o.Workers, progress, func(i int) (err error) {
		results[i], err = e.runUnit(units[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.assemble(results, dir, command)
}

// elicitRun is edl elicit's or intervene's measurement as units: for each
// arm, its curve's units (curve.Config.Units: every seed's and control's
// coded pass and θ*ₙ runs) and each seed's single-example test.
type elicitRun struct {
	o    experiment.Options
	mode string
	arms []experiment.Arm
	base pretrainer
}

// elicitUnit is one unit: arm Arm's curve unit Curve, or else the
// single-example test of seed Single.
type elicitUnit struct {
	Arm    int         `json:"arm"`
	Curve  *curve.Unit `json:"curve,omitempty"`
	Single uint64      `json:"single_example_seed,omitempty"`
}

// elicitUnitResult is a unit's result. Its JSON reads back as the same
// float64s (encoding/json writes the shortest exact decimal), so stored
// results assemble into the same files as in-memory ones.
type elicitUnitResult struct {
	Curve  *curve.UnitResult `json:"curve,omitempty"`
	Single *singleResult     `json:"single,omitempty"`
}

// singleResult is the single-example test (singleExample).
type singleResult struct {
	Before float64 `json:"accuracy_before"`
	After  float64 `json:"accuracy_after"`
	Loss   float64 `json:"test_loss_bits"`
}

func (e *elicitRun) grid() []int64   { return curve.LogGrid(e.o.N, e.o.Batch, e.o.GridPoints) }
func (e *elicitRun) seeds() []uint64 { return seedList(1, e.o.Seeds) }

// units lists the units, arm by arm: the curve's in curve order, then the
// single-example tests by seed. It needs no base: curve units depend on
// the grid, seeds and control only.
func (e *elicitRun) units() []elicitUnit {
	var out []elicitUnit
	for ai := range e.arms {
		cfg := curve.Config{Grid: e.grid(), Seeds: e.seeds(), Control: true}
		for _, u := range cfg.Units() {
			out = append(out, elicitUnit{Arm: ai, Curve: &u})
		}
		for _, seed := range e.seeds() {
			out = append(out, elicitUnit{Arm: ai, Single: seed})
		}
	}
	return out
}

// config is an arm's curve configuration and its base's file (nil for
// random initialization).
func (e *elicitRun) config(a experiment.Arm) (curve.Config, []byte, error) {
	s := e.o.Spec(e.o.Target, spec.OpAdd)
	var file []byte
	if a.Base != nil {
		var err error
		if file, err = e.base(a.Base); err != nil {
			return curve.Config{}, nil, err
		}
		e.o.FromBase(&s, file, e.o.BaseFile(a.Base))
	}
	return curve.Config{Spec: s, Grid: e.grid(), Seeds: e.seeds(), Control: true, Workers: 1, Base: file, KeepLosses: true}, file, nil
}

func (e *elicitRun) runUnit(u elicitUnit) (elicitUnitResult, error) {
	if u.Arm < 0 || u.Arm >= len(e.arms) {
		return elicitUnitResult{}, fmt.Errorf("edl: unit of arm %d: there are %d arms", u.Arm, len(e.arms))
	}
	a := e.arms[u.Arm]
	cfg, file, err := e.config(a)
	if err != nil {
		return elicitUnitResult{}, err
	}
	if u.Curve != nil {
		r, err := curve.RunUnit(cfg, *u.Curve)
		if err != nil {
			return elicitUnitResult{}, fmt.Errorf("edl: arm %s: %w", a.Name, err)
		}
		return elicitUnitResult{Curve: &r}, nil
	}
	var r singleResult
	r.Before, r.After, r.Loss, err = singleExample(cfg.Spec, u.Single, file)
	if err != nil {
		return elicitUnitResult{}, fmt.Errorf("edl: arm %s: seed %d: single example: %w", a.Name, u.Single, err)
	}
	return elicitUnitResult{Single: &r}, nil
}

// assemble writes the bases, every arm's curve directory, elicit.json,
// elicit.csv and the figures into dir from the units' results in units
// order.
func (e *elicitRun) assemble(results []elicitUnitResult, dir, command string) (*elicitReport, error) {
	units := e.units()
	if len(results) != len(units) {
		return nil, fmt.Errorf("edl: %d unit results for %d units", len(results), len(units))
	}
	if err := os.MkdirAll(filepath.Join(dir, "bases"), 0o755); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	o, grid := e.o, e.grid()
	target := o.Spec(o.Target, spec.OpAdd)
	rep := &elicitReport{Command: command, Mode: e.mode, Why: o.Why(), Options: o, Grid: grid,
		Units:     "bits; *_per_example in bits/example; accuracies are fractions of the test set",
		Target:    o.Describe(target),
		BasesNote: fmt.Sprintf("each base: %d examples of its pre-training task from seed %d, one pass then θ* (the pass model), saved under bases/", o.PretrainN, o.BaseSeed)}
	for _, a := range e.arms {
		if a.Base == nil {
			continue
		}
		file, err := e.base(a.Base)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "bases", o.BaseFile(a.Base)), file, 0o644); err != nil {
			return nil, fmt.Errorf("edl: %w", err)
		}
	}
	for ai, a := range e.arms {
		cfg, _, err := e.config(a)
		if err != nil {
			return nil, err
		}
		var curveResults []curve.UnitResult
		singles := map[uint64]*singleResult{}
		for i, u := range units {
			switch {
			case u.Arm != ai:
			case u.Curve != nil && results[i].Curve != nil:
				curveResults = append(curveResults, *results[i].Curve)
			case u.Curve == nil && results[i].Single != nil:
				singles[u.Single] = results[i].Single
			default:
				return nil, fmt.Errorf("edl: unit %d's result is not of its kind", i)
			}
		}
		res, err := curve.Assemble(cfg, curveResults)
		if err != nil {
			return nil, fmt.Errorf("edl: arm %s: %w", a.Name, err)
		}
		ar := experiment.ArmResult{Arm: a, Signature: res.Signature, Dir: a.Name}
		if _, err := writeCurve(res, filepath.Join(dir, a.Name), command+" (arm "+a.Name+")"); err != nil {
			return nil, err
		}
		for i, r := range res.Runs {
			rs := experiment.SummarizeRun(r)
			rs.ControlEDL = res.Controls[i].Points[len(grid)-1].EDLIdeal
			one := singles[r.Seed]
			rs.AccBefore, rs.AccAfter, rs.LossAfterOne = one.Before, one.After, one.Loss
			rs.AccFinal = r.Points[len(r.Points)-1].TestAccuracy
			ar.Runs = append(ar.Runs, rs)
		}
		ar.Tally()
		rep.Arms = append(rep.Arms, ar)
	}
	var teach *experiment.ArmResult
	for i := range rep.Arms {
		if rep.Arms[i].Arm.Name == experiment.ArmTeach.Name {
			teach = &rep.Arms[i]
		}
	}
	for _, ar := range rep.Arms {
		if teach == nil || ar.Arm.Name == experiment.ArmTeach.Name {
			continue
		}
		rep.Ratios = append(rep.Ratios, experiment.Compare(*teach, ar))
	}
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "elicit.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	if err := writeElicitCSV(rep, filepath.Join(dir, "elicit.csv")); err != nil {
		return nil, err
	}
	if err := elicitPlot(rep, dir); err != nil {
		return nil, err
	}
	return rep, nil
}

// elicitPlanConfig is an elicit or intervene plan's configuration in
// plan.json: what a shard's own parse of the arguments must reproduce.
func elicitPlanConfig(mode string, o experiment.Options, arms []experiment.Arm) any {
	return struct {
		Mode    string             `json:"mode"`
		Options experiment.Options `json:"options"`
		Arms    []experiment.Arm   `json:"arms"`
	}{mode, o, arms}
}

// elicitKind runs edl elicit's (mode "elicit") or intervene's units as
// shards and merges them; the bases come from the plan's cache.
func elicitKind(mode string) sweep.Kind {
	parse := func(args []string, stderr io.Writer) (experiment.Options, any, bool) {
		o, _, _, err := parseElicitFlags(mode, args, stderr)
		return o, elicitPlanConfig(mode, o, elicitArms(mode)), err == nil
	}
	open := func(p *sweep.Plan) (*elicitRun, error) {
		o, err := replan(p, parse)
		if err != nil {
			return nil, err
		}
		return &elicitRun{o: o, mode: mode, arms: elicitArms(mode), base: planBase(p, o)}, nil
	}
	return unitKind(mode, open, (*elicitRun).runUnit,
		func(e *elicitRun, results []elicitUnitResult, out, command string) (string, error) {
			rep, err := e.assemble(results, out, command)
			if err != nil {
				return "", err
			}
			return elicitTable(rep), nil
		})
}

// override sets in o exactly the sizes the command line gave (given, by flag
// name; zero included). Epochs given bring their early stopping unless
// --patience and --validation are given too: none with 0 epochs, else the
// target's (patience at most epochs), or experiment.ThetaPatience and experiment.ThetaValidation
// where the target's defaults have none.
func override(o *experiment.Options, ov experiment.Options, given map[string]bool) {
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
			o.Patience, o.Validation = experiment.ThetaPatience, experiment.ThetaValidation
		}
		o.Patience = min(o.Patience, o.Epochs)
	}
	setGiven(given, "patience", &o.Patience, ov.Patience)
	setGiven(given, "validation", &o.Validation, ov.Validation)
}

// setGiven sets *dst to v when the flag name was given.
func setGiven[T any](given map[string]bool, name string, dst *T, v T) {
	if given[name] {
		*dst = v
	}
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

// singleExample is the single-example test: test accuracy of the starting
// model, and of θ*₁, the model trained on exactly one example (the seed's
// first: one optimizer step, then, with epochs, further epochs on it to
// validation convergence, as every θ*ₙ), with θ*₁'s test loss.
func singleExample(s spec.Spec, seed uint64, base []byte) (before, after, loss float64, err error) {
	sess, in, labels, err := armSession(s, seed, 1, base)
	if err != nil {
		return 0, 0, 0, err
	}
	before = curve.Accuracy(sess.Model(), &in.Test, labels.Test)
	if err := thetaStar(sess, labels); err != nil {
		return 0, 0, 0, err
	}
	after = curve.Accuracy(sess.Model(), &in.Test, labels.Test)
	loss, _, _, err = curve.TestLoss(sess, &in.Test, labels.Test, nil)
	return before, after, loss, err
}

// thetaStar runs the session's pass over its training labels, then, with
// epochs in its spec, continues to validation convergence.
func thetaStar(sess *prequential.Session, labels *task.Labels) error {
	if err := transmit.Train(sess, labels.Train, sess.Spec().N); err != nil {
		return err
	}
	if sess.Spec().Epochs == 0 {
		return nil
	}
	_, err := sess.Converge(labels.Train, labels.Valid)
	return err
}

func writeElicitCSV(rep *elicitReport, path string) error {
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
	return writeCSV(path, rows)
}

// elicitPlot draws every arm's mean EDL/n (min–max band over seeds) and
// its random-label control into one figure, and the cumulative EDL.
func elicitPlot(rep *elicitReport, dir string) error {
	var per, cum []series
	for _, ar := range rep.Arms {
		b, err := os.ReadFile(filepath.Join(dir, ar.Dir, "curve.json"))
		if err != nil {
			return fmt.Errorf("edl: %w", err)
		}
		var cj curveJSON
		if err := json.Unmarshal(b, &cj); err != nil {
			return fmt.Errorf("edl: %w", err)
		}
		per = append(per, statSeries(ar.Arm.Name, ar.Arm.Name, cj.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, false))
		per = append(per, statSeries(ar.Arm.Name+" random-label control", ar.Arm.Name, cj.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, true))
		cum = append(cum, statSeries(ar.Arm.Name, ar.Arm.Name, cj.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, false))
	}
	for i := range per {
		per[i].points = false
	}
	p, err := newPlot(fmt.Sprintf("edl %s: EDL(n)/n per arm, p=%d", rep.Mode, rep.Options.P), "n (examples, log scale)", "EDL/n (bits/example)", true, per)
	if err != nil {
		return err
	}
	if _, err := save(p, dir, "edl_per_example_arms"); err != nil {
		return err
	}
	p, err = newPlot(fmt.Sprintf("edl %s: cumulative EDL(n) per arm", rep.Mode), "n (examples, log scale)", "EDL (bits)", true, cum)
	if err != nil {
		return err
	}
	_, err = save(p, dir, "edl_cumulative_arms")
	return err
}

// elicitTable is the signature table printed on stdout.
func elicitTable(rep *elicitReport) string {
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
