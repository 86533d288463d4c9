package main

// edl elicit and edl intervene: elicitation versus teaching on one target
// task, and the causal intervention (EDL.md, "Elicitation versus teaching").
//
// Why this task pair is genuine. The SKILL is modular addition mod p: the
// table (a, b) → a + b mod p, p² entries that a network must be shown
// entry by entry when it starts from nothing. The NOTATION is the alphabet
// the answer is written in. Notation A writes the number itself (task
// modular, notation onehot); notation B writes it through a fixed
// permutation σ of the p answer symbols (notation answers-permuted: same
// inputs, label σ(a + b)), σ a function of p only, never of the seed. The
// two share the skill exactly (B's labels are a bijection of A's), and
// differ only in the notation: no label of B is correct under A except by
// σ's fixed points. In an MLP the hidden layers compute the skill and the
// output layer writes it in a notation, so the elicitation arm is a body
// pre-trained on A with its output layer reset to zero (reset_head: it
// starts at the uniform distribution, exactly where the teaching arm
// starts) and fine-tuned on B: it has to learn σ, log₂ p! bits, through a
// p×hidden head. The teaching arm is the same architecture from random
// initialization, fine-tuned on B with the same hyperparameters: it has to
// learn the whole table.
//
// Changing the INPUT notation instead does not transfer with SGD on these
// small nets (measured: fine-tuning a pre-trained body on inputs in a
// second alphabet learns no faster than from scratch), which is why the
// notation change sits on the answer side.
//
// The intervention controls pre-train the teaching arm's model (then reset
// its head, like the elicitation arm) on (1) the skill in notation A with
// correct labels, (2) the same inputs and answer alphabet with random
// labels (format only: no skill), (3) an unrelated operation (mul mod p)
// in notation A.

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

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// elicitOpts sizes the experiment.
type elicitOpts struct {
	// Target names the task pair: answers-permuted (notation A onehot,
	// notation B the answers through σ; the elicitation arm's head is reset)
	// or untagged (pre-training on the skill in Scripts scripts named by a
	// tag, the target the same prompts without the tag, answered in the
	// last script; the elicitation arm keeps its head).
	Target    string
	P, Hidden int64   // modulus, hidden width
	Layers    int     // hidden layers of that width
	Scripts   int64   // untagged target: the scripts (tagged notation's Notations)
	LR        float64 // adam, both arms and the pre-training
	Batch     int64
	N         int64 // target examples (the curves' largest n)
	// Epochs, Patience and Validation make θ*ₙ the protocol's: trained on
	// the n examples to validation convergence (0 epochs: θ*ₙ is the model
	// after the pass).
	Epochs, Patience, Validation int64
	PretrainN                    int64 // pre-training examples
	Test                         int64
	GridPoints                   int
	Seeds                        int
	BaseSeed                     uint64 // the pre-training runs' seed (the curves use 1…Seeds)
	Workers                      int
}

func elicitDefaults(quick bool) elicitOpts {
	if quick {
		return elicitOpts{Target: spec.NotationAnswersPermuted, P: 23, Hidden: 64, Layers: 1, LR: 0.02, Batch: 8, N: 6000, PretrainN: 12000, Test: 1000, GridPoints: 9, Seeds: 3, BaseSeed: 100}
	}
	return elicitOpts{Target: spec.NotationAnswersPermuted, P: 59, Hidden: 160, Layers: 1, LR: 0.015, Batch: 8, N: 50000, PretrainN: 60000, Test: 2000, GridPoints: 14, Seeds: 3, BaseSeed: 100}
}

// θ*ₙ's early stopping wherever it trains past the pass: patience in
// epochs and validation examples.
const thetaPatience, thetaValidation = 3, 1000

// latentDefaults size the untagged target: two hidden layers of 64 (one
// layer, or wider ones, learn the script from a few examples far less
// well), a smaller rate (Adam at 0.015 diverges once the target is learned)
// and the protocol's θ*ₙ, trained to validation convergence.
func latentDefaults(quick bool) elicitOpts {
	o := elicitOpts{Target: spec.NotationUntagged, P: 23, Hidden: 64, Layers: 2, Scripts: 4, LR: 0.005, Batch: 8, N: 20000,
		Epochs: 20, Patience: thetaPatience, Validation: thetaValidation, PretrainN: 60000, Test: 2000, GridPoints: 12, Seeds: 3, BaseSeed: 100}
	if quick {
		o.N, o.Test, o.GridPoints = 3000, 1000, 8
	}
	return o
}

// optsFor are the defaults of a target.
func optsFor(target string, quick bool) (elicitOpts, error) {
	switch target {
	case spec.NotationAnswersPermuted:
		return elicitDefaults(quick), nil
	case spec.NotationUntagged:
		return latentDefaults(quick), nil
	}
	return elicitOpts{}, fmt.Errorf("edl: --target %q: known targets are %s and %s", target, spec.NotationAnswersPermuted, spec.NotationUntagged)
}

// latent reports whether the target is the untagged one.
func (o elicitOpts) latent() bool { return o.Target == spec.NotationUntagged }

// baseNotation is the notation the bases pre-train in.
func (o elicitOpts) baseNotation() string {
	if o.latent() {
		return spec.NotationTagged
	}
	return spec.NotationOneHot
}

// baseFile is a base's checkpoint file name: its operation, its notation,
// and whether its labels are random, e.g. add-onehot.ckpt.
func (o elicitOpts) baseFile(b *baseDef) string {
	name := b.Op + "-" + o.baseNotation()
	if b.RandomLabels {
		name += "-random-labels"
	}
	return name + ".ckpt"
}

// baseSpec is a base's pre-training: its task in the base notation, the
// model after one pass over PretrainN examples (no epochs).
func (o elicitOpts) baseSpec(b *baseDef) spec.Spec {
	bs := o.spec(o.baseNotation(), b.Op)
	bs.N, bs.Seed, bs.RandomLabels = o.PretrainN, o.BaseSeed, b.RandomLabels
	bs.Epochs, bs.Patience, bs.Validation = 0, 0, 0
	return bs
}

// pretrain builds a base: its pre-training task's examples, then one pass
// (curve.Pretrain), as a checkpoint file.
func (o elicitOpts) pretrain(b *baseDef) ([]byte, error) {
	bs := o.baseSpec(b)
	in, err := task.NewInputs(bs)
	if err != nil {
		return nil, err
	}
	labels, err := task.NewLabels(bs, in)
	if err != nil {
		return nil, err
	}
	file, err := curve.Pretrain(bs, nil, in, labels, o.Workers)
	if err != nil {
		return nil, fmt.Errorf("edl: pre-train %s: %w", o.baseFile(b), err)
	}
	return file, nil
}

// fromBase sets a target spec to start from a base: the answers-permuted
// target resets the base's head (a new answer notation), the untagged one
// keeps it (its scripts are the base's own).
func (o elicitOpts) fromBase(s *spec.Spec, file []byte, name string) {
	s.Base, s.BaseName, s.ResetHead = checkpoint.Hash(file), name, !o.latent()
}

// spec is the experiment's spec on the modular task in a notation.
func (o elicitOpts) spec(notation, op string) spec.Spec {
	s := spec.Default()
	s.Task, s.Classes, s.Dim, s.Op, s.Notation = spec.TaskModular, o.P, 2*o.P, op, notation
	if spec.TaggedNotation(notation) {
		s.Classes, s.Dim, s.Notations = o.Scripts*o.P, 2*o.P+o.Scripts, o.Scripts
	}
	s.Model, s.Activation, s.Init, s.InitScale = spec.ModelMLP, spec.ActReLU, spec.InitNormal, 0.1
	for range max(1, o.Layers) {
		s.Hidden = append(s.Hidden, o.Hidden)
	}
	s.Optimizer, s.LR, s.Beta1, s.Beta2, s.AdamEps = spec.OptimizerAdam, o.LR, 0.9, 0.999, 1e-8
	s.Batch, s.N, s.Test = o.Batch, o.N, o.Test
	s.Epochs, s.Patience, s.Validation = o.Epochs, o.Patience, o.Validation
	return s
}

// baseDef is a pre-training: the operation, notation A, and whether its
// labels are random (format only).
type baseDef struct {
	Name         string `json:"name"`
	Op           string `json:"op"`
	RandomLabels bool   `json:"random_labels"`
}

// armDef is one arm: the target (answers-permuted addition) from a base
// with its head reset, or from random initialization (Base nil).
type armDef struct {
	Name string   `json:"name"`
	What string   `json:"what"`
	Base *baseDef `json:"base,omitempty"`
}

var (
	baseCorrect   = &baseDef{Name: "add", Op: spec.OpAdd}
	basePermuted  = &baseDef{Name: "add-random-labels", Op: spec.OpAdd, RandomLabels: true}
	baseUnrelated = &baseDef{Name: "mul", Op: spec.OpMul}

	armElicit    = armDef{Name: "elicitation", What: "pre-trained on a+b mod p in the base notation (onehot; untagged target: tagged scripts), fine-tuned on the target (answers-permuted: head reset first)", Base: baseCorrect}
	armTeach     = armDef{Name: "teaching", What: "same architecture from random initialization, trained on the target"}
	armPermuted  = armDef{Name: "pretrain-random-labels", What: "pre-trained on the base notation's inputs and answer alphabet with random labels (format only)", Base: basePermuted}
	armUnrelated = armDef{Name: "pretrain-unrelated-op", What: "pre-trained on a·b mod p (unrelated operation) in the base notation", Base: baseUnrelated}
)

// runSummary is one seed of one arm.
type runSummary struct {
	Seed          uint64  `json:"seed"`
	Shape         string  `json:"shape"`      // curve.ShapeOf (steps beyond 2 standard errors of the test term)
	PeakShape     string  `json:"peak_shape"` // falling: the peak is the first grid point; rising-falling: an interior peak
	PeakN         int64   `json:"peak_n"`
	PeakEDLPerN   float64 `json:"peak_edl_per_example_bits"`
	FirstEDLPerN  float64 `json:"first_edl_per_example_bits"`
	EDL           float64 `json:"edl_bits"`       // at the largest n (coded)
	EDLIdeal      float64 `json:"edl_ideal_bits"` // at the largest n (ideal code)
	TestLoss      float64 `json:"test_loss_bits"` // θ*ₙ at the largest n
	ControlEDL    float64 `json:"control_edl_bits"`
	AccBefore     float64 `json:"single_example_accuracy_before"` // test accuracy of the starting model
	AccAfter      float64 `json:"single_example_accuracy_after"`  // after training on exactly one example
	LossAfterOne  float64 `json:"single_example_test_loss_bits"`
	AccFinal      float64 `json:"final_accuracy"` // θ*ₙ at the largest n
	ElapsedSecond float64 `json:"-"`
}

// armResult is one arm's measurement.
type armResult struct {
	Arm       armDef       `json:"arm"`
	Signature curve.Regime `json:"signature"`
	PeakShape string       `json:"peak_signature"` // the runs' peak shape when they all agree, else undetermined
	Runs      []runSummary `json:"runs"`
	MeanEDL   float64      `json:"mean_edl_bits"`
	MeanPeakN float64      `json:"mean_peak_n"`
	Dir       string       `json:"dir"`
	Seconds   float64      `json:"elapsed_seconds"`
}

// elicitReport is elicit.json.
type elicitReport struct {
	Command   string      `json:"command"`
	Mode      string      `json:"mode"`
	Why       string      `json:"why"`
	Units     string      `json:"units"`
	Options   elicitOpts  `json:"options"`
	Target    string      `json:"target"`
	Grid      []int64     `json:"grid"`
	Arms      []armResult `json:"arms"`
	Ratios    []ratio     `json:"ratios"` // teaching EDL / arm EDL at matched n (the largest)
	Seconds   float64     `json:"elapsed_seconds"`
	BasesNote string      `json:"bases_note"`
}

type ratio struct {
	Arm     string    `json:"arm"`
	PerSeed []float64 `json:"per_seed"`
	Mean    float64   `json:"ratio_of_means"`
	Verdict string    `json:"verdict"`
}

// why is the report's account of the task pair.
func (o elicitOpts) why() string {
	if o.latent() {
		return fmt.Sprintf("skill: a+b mod p written in %d scripts (script t writes y as t·p+y). Base notation (tagged): a one-hot tag names the script; one prompt in %d shows no tag and is answered in a script drawn uniformly. "+
			"Target (untagged): no tag, every answer in the last script. The pre-trained model writes the target's answers already when the tag names that script and spreads over the %d scripts without it: "+
			"about log₂%d = %.0f bits point to the capability. The elicitation arm fine-tunes that model (head kept), the teaching arm the same architecture from random initialization.",
			o.Scripts, o.Scripts+1, o.Scripts, o.Scripts, detmath.Log2(float64(o.Scripts)))
	}
	return "skill: a+b mod p; notation A: the answer itself, notation B: the answer through a fixed permutation σ of the p symbols (answers-permuted, σ independent of the seed). " +
		"The hidden layers hold the skill, the output layer the notation: the elicitation arm keeps a body pre-trained on A and resets its output layer to zero (uniform start), the teaching arm starts from random initialization."
}

// describe names the target task and model in one line.
func (o elicitOpts) describe(t spec.Spec) string {
	layers := make([]string, 0, len(t.Hidden)+2)
	layers = append(layers, strconv.FormatInt(t.Dim, 10))
	for _, h := range t.Hidden {
		layers = append(layers, strconv.FormatInt(h, 10))
	}
	layers = append(layers, strconv.FormatInt(t.Classes, 10))
	what := "onehot inputs, answers σ(a+b)"
	if o.latent() {
		what = fmt.Sprintf("onehot a, b, no tag; answers in script %d of %d", o.Scripts-1, o.Scripts)
	}
	return fmt.Sprintf("modular a+b mod %d, notation %s (%s), mlp %s relu, adam lr %g, batch %d", o.P, o.Target, what, strings.Join(layers, "-"), o.LR, o.Batch)
}

func cmdElicit(args []string, stdout, stderr io.Writer) int {
	return elicitMain("elicit", args, stdout, stderr)
}

func cmdIntervene(args []string, stdout, stderr io.Writer) int {
	return elicitMain("intervene", args, stdout, stderr)
}

func elicitMain(mode string, args []string, stdout, stderr io.Writer) int {
	o, out, err := parseElicitFlags(mode, args, stderr)
	if err != nil {
		return 2
	}
	arms := []armDef{armElicit, armTeach}
	if mode == "intervene" {
		arms = []armDef{armTeach, armElicit, armPermuted, armUnrelated}
	}
	rep, err := runElicit(o, mode, arms, out, "edl "+mode+" "+strings.Join(args, " "), newProgress(stderr, "edl "+mode).Update)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, elicitTable(rep))
	return 0
}

// parseElicitFlags reads edl elicit's (or intervene's) command line: the
// target's defaults with exactly the flags given applied over them, and the
// output directory. Every error is written to stderr (a usage error: exit 2).
func parseElicitFlags(mode string, args []string, stderr io.Writer) (elicitOpts, string, error) {
	fs := flag.NewFlagSet("edl "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the reduced size the tests run")
	out := fs.String("out", "", "directory for elicit.json, elicit.csv, the plots and one curve directory per arm (required)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "jobs at once (changes speed, never results)")
	var ov elicitOpts
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
		return elicitOpts{}, "", err
	}
	fail := func(format string, a ...any) (elicitOpts, string, error) {
		err := fmt.Errorf("edl "+mode+": "+format, a...)
		fmt.Fprintln(stderr, err)
		return elicitOpts{}, "", err
	}
	if fs.NArg() > 0 || *out == "" {
		return fail("--out DIR is required, no positional arguments")
	}
	o, err := optsFor(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return elicitOpts{}, "", err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range []string{"seeds", "p", "hidden", "layers", "scripts", "lr", "batch", "n", "pretrain-n", "grid-points"} {
		if v, _ := strconv.ParseFloat(fs.Lookup(name).Value.String(), 64); given[name] && !(v > 0) {
			return fail("--%s must be positive, got %s", name, fs.Lookup(name).Value)
		}
	}
	if given["scripts"] && !o.latent() {
		return fail("--scripts: only the %s target has scripts (target %s)", spec.NotationUntagged, o.Target)
	}
	o.override(ov, given)
	o.Workers = max(1, *workers)
	if err := o.spec(o.Target, spec.OpAdd).Validate(); err != nil {
		return fail("%v", err)
	}
	return o, *out, nil
}

// runElicit pre-trains the bases, measures every arm's curves and its
// single-example test, and writes everything into dir.
func runElicit(o elicitOpts, mode string, arms []armDef, dir, command string, progress func(done, total int)) (*elicitReport, error) {
	start := time.Now()
	if err := os.MkdirAll(filepath.Join(dir, "bases"), 0o755); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	target := o.spec(o.Target, spec.OpAdd)
	grid := curve.LogGrid(o.N, o.Batch, o.GridPoints)
	rep := &elicitReport{Command: command, Mode: mode, Why: o.why(), Options: o, Grid: grid,
		Units:     "bits; *_per_example in bits/example; accuracies are fractions of the test set",
		Target:    o.describe(target),
		BasesNote: fmt.Sprintf("each base: %d examples of its pre-training task from seed %d, one pass then θ* (the pass model), saved under bases/", o.PretrainN, o.BaseSeed)}
	files := map[string][]byte{}
	for _, a := range arms {
		if a.Base == nil || files[o.baseFile(a.Base)] != nil {
			continue
		}
		file, err := o.pretrain(a.Base)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "bases", o.baseFile(a.Base)), file, 0o644); err != nil {
			return nil, fmt.Errorf("edl: %w", err)
		}
		files[o.baseFile(a.Base)] = file
	}
	for ai, a := range arms {
		t0 := time.Now()
		s := target
		var file []byte
		if a.Base != nil {
			file = files[o.baseFile(a.Base)]
			o.fromBase(&s, file, o.baseFile(a.Base))
		}
		seeds := seedList(1, o.Seeds)
		cfg := curve.Config{Spec: s, Grid: grid, Seeds: seeds, Control: true, Workers: o.Workers, Base: file, KeepLosses: true}
		if progress != nil {
			cfg.Progress = func(done, total int) { progress(ai*total+done, len(arms)*total) }
		}
		res, err := curve.Measure(cfg)
		if err != nil {
			return nil, fmt.Errorf("edl: arm %s: %w", a.Name, err)
		}
		ar := armResult{Arm: a, Signature: res.Signature, Dir: a.Name}
		if _, err := writeCurve(res, filepath.Join(dir, a.Name), command+" (arm "+a.Name+")"); err != nil {
			return nil, err
		}
		peakShapes := map[string]bool{}
		for i, r := range res.Runs {
			rs := summarizeRun(r)
			rs.ControlEDL = res.Controls[i].Points[len(grid)-1].EDLIdeal
			rs.AccBefore, rs.AccAfter, rs.LossAfterOne, err = singleExample(s, r.Seed, file)
			if err != nil {
				return nil, err
			}
			rs.AccFinal = r.Points[len(r.Points)-1].TestAccuracy
			peakShapes[rs.PeakShape] = true
			ar.Runs = append(ar.Runs, rs)
			ar.MeanEDL += rs.EDL / float64(len(res.Runs))
			ar.MeanPeakN += float64(rs.PeakN) / float64(len(res.Runs))
		}
		ar.PeakShape = string(curve.Undetermined)
		if len(peakShapes) == 1 {
			for k := range peakShapes {
				ar.PeakShape = k
			}
		}
		ar.Seconds = time.Since(t0).Seconds()
		rep.Arms = append(rep.Arms, ar)
	}
	var teach *armResult
	for i := range rep.Arms {
		if rep.Arms[i].Arm.Name == armTeach.Name {
			teach = &rep.Arms[i]
		}
	}
	for _, ar := range rep.Arms {
		if teach == nil || ar.Arm.Name == armTeach.Name {
			continue
		}
		r := ratio{Arm: ar.Arm.Name, Mean: teach.MeanEDL / ar.MeanEDL}
		for i := range ar.Runs {
			r.PerSeed = append(r.PerSeed, teach.Runs[i].EDL/ar.Runs[i].EDL)
		}
		learned := true
		for _, rs := range ar.Runs {
			learned = learned && rs.AccFinal >= 0.5
		}
		switch {
		case !learned:
			// A small EDL with nothing learned is not elicitation: the
			// model was told nothing it generalizes.
			r.Verdict = "not learned: test accuracy below 0.5 at the largest n in some seed, so the small EDL is no elicitation"
		case allAtLeast(r.PerSeed, 10):
			r.Verdict = "flipped: learned, with EDL at least 10× below teaching in every seed"
		case allAtLeast(r.PerSeed, 3):
			r.Verdict = "partly: learned, with EDL 3–10× below teaching in every seed"
		default:
			r.Verdict = "not flipped: EDL within 3× of teaching"
		}
		rep.Ratios = append(rep.Ratios, r)
	}
	rep.Seconds = time.Since(start).Seconds()
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

// override takes exactly the sizes the command line gave (given, by flag
// name; zero included). Epochs given bring their early stopping unless
// --patience and --validation are given too: none with 0 epochs, else the
// target's (patience at most epochs), or thetaPatience and thetaValidation
// where the target's defaults have none.
func (o *elicitOpts) override(ov elicitOpts, given map[string]bool) {
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
			o.Patience, o.Validation = thetaPatience, thetaValidation
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

func allAtLeast(v []float64, x float64) bool {
	for _, r := range v {
		if !(r >= x) {
			return false
		}
	}
	return len(v) > 0
}

// summarizeRun reads one run's curve: shapes, peak, the values at the
// largest n.
func summarizeRun(r curve.Run) runSummary {
	pts := r.Points
	last := pts[len(pts)-1]
	rs := runSummary{Seed: r.Seed, Shape: string(r.Shape), EDL: last.EDL, EDLIdeal: last.EDLIdeal, TestLoss: last.TestLoss,
		FirstEDLPerN: pts[0].PerN(pts[0].EDLIdeal)}
	peak := 0
	for k, p := range pts {
		if p.PerN(p.EDLIdeal) > pts[peak].PerN(pts[peak].EDLIdeal) {
			peak = k
		}
	}
	rs.PeakN, rs.PeakEDLPerN = pts[peak].N, pts[peak].PerN(pts[peak].EDLIdeal)
	// The peak shape: is the maximum of EDL/n at the first grid point
	// (falling), inside the grid and clearly above both ends (rising-
	// falling), or at the end (rising)? "Clearly": by more than 0.05
	// bits/example and twice the test term's standard error there.
	tol := func(k int) float64 { return max(0.05, 2*pts[k].PerN(pts[k].EDLSE)) }
	switch {
	case peak == 0 || rs.PeakEDLPerN-rs.FirstEDLPerN <= tol(peak):
		rs.PeakShape = string(curve.ShapeFalling)
		if last.PerN(last.EDLIdeal) >= rs.FirstEDLPerN-tol(0) {
			rs.PeakShape = string(curve.ShapeFlat)
		}
	case peak == len(pts)-1 || rs.PeakEDLPerN-last.PerN(last.EDLIdeal) <= tol(peak):
		rs.PeakShape = string(curve.ShapeRising)
	default:
		rs.PeakShape = string(curve.ShapeRisingFalling)
	}
	return rs
}

// armSession builds a session of the arm's spec with the given seed and n.
func armSession(s spec.Spec, seed uint64, n int64, base []byte) (*prequential.Session, *task.Inputs, *task.Labels, error) {
	s.Seed, s.N = seed, n
	in, err := task.NewInputs(s)
	if err != nil {
		return nil, nil, nil, err
	}
	labels, err := task.NewLabels(s, in)
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
	for !sess.Done() {
		if _, err := sess.Step(replayLabels(labels.Train)); err != nil {
			return err
		}
	}
	if sess.Spec().Epochs == 0 {
		return nil
	}
	_, err := sess.Converge(labels.Train, labels.Valid)
	return err
}

// replayLabels hands a session the true labels.
type replayLabels []int

func (r replayLabels) CodeSymbol(i int64, _ []uint32) (int, error) { return r[i], nil }

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
		per = append(per, statSeries(ar.Arm.Name, cj.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, false))
		per = append(per, statSeries(ar.Arm.Name+" random-label control", cj.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, true))
		cum = append(cum, statSeries(ar.Arm.Name, cj.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, false))
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
		fmt.Fprintf(&b, "%-24s  signature %s, peak signature %s, mean EDL %.1f bits, mean peak n %.0f (%.1f s)\n", ar.Arm.Name, ar.Signature, ar.PeakShape, ar.MeanEDL, ar.MeanPeakN, ar.Seconds)
	}
	for _, r := range rep.Ratios {
		fmt.Fprintf(&b, "EDL(teaching)/EDL(%s) at n=%d: %.2f (per seed", r.Arm, n, r.Mean)
		for _, v := range r.PerSeed {
			fmt.Fprintf(&b, " %.2f", v)
		}
		fmt.Fprintf(&b, "): %s\n", r.Verdict)
	}
	fmt.Fprintf(&b, "%.1f s\n", rep.Seconds)
	return b.String()
}
