package experiment

// Elicitation versus teaching on one target task, and the causal
// intervention (EDL.md, "Elicitation versus teaching").
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
	"fmt"
	"strconv"
	"strings"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Options sizes the experiment.
type Options struct {
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
	// Workers changes speed, never results: it is not part of the
	// reports, so a sweep merged elsewhere writes the same bytes.
	Workers int `json:"-"`
}

func Defaults(quick bool) Options {
	if quick {
		return Options{Target: spec.NotationAnswersPermuted, P: 23, Hidden: 64, Layers: 1, LR: 0.02, Batch: 8, N: 6000, PretrainN: 12000, Test: 1000, GridPoints: 9, Seeds: 3, BaseSeed: 100}
	}
	return Options{Target: spec.NotationAnswersPermuted, P: 59, Hidden: 160, Layers: 1, LR: 0.015, Batch: 8, N: 50000, PretrainN: 60000, Test: 2000, GridPoints: 14, Seeds: 3, BaseSeed: 100}
}

// θ*ₙ's early stopping wherever it trains past the pass: patience in
// epochs and validation examples.
const ThetaPatience, ThetaValidation = 3, 1000

// LatentDefaults size the untagged target: two hidden layers of 64 (one
// layer, or wider ones, learn the script from a few examples far less
// well), a smaller rate (Adam at 0.015 diverges once the target is learned)
// and the protocol's θ*ₙ, trained to validation convergence.
func LatentDefaults(quick bool) Options {
	o := Options{Target: spec.NotationUntagged, P: 23, Hidden: 64, Layers: 2, Scripts: 4, LR: 0.005, Batch: 8, N: 20000,
		Epochs: 20, Patience: ThetaPatience, Validation: ThetaValidation, PretrainN: 60000, Test: 2000, GridPoints: 12, Seeds: 3, BaseSeed: 100}
	if quick {
		o.N, o.Test, o.GridPoints = 3000, 1000, 8
	}
	return o
}

// Latent reports whether the target is the untagged one.
func (o Options) Latent() bool { return o.Target == spec.NotationUntagged }

// BaseNotation is the notation the bases pre-train in.
func (o Options) BaseNotation() string {
	if o.Latent() {
		return spec.NotationTagged
	}
	return spec.NotationOneHot
}

// BaseFile is a base's checkpoint file name: its operation, its notation,
// and whether its labels are random, e.g. add-onehot.ckpt.
func (o Options) BaseFile(b *Base) string {
	name := b.Op + "-" + o.BaseNotation()
	if b.RandomLabels {
		name += "-random-labels"
	}
	return name + ".ckpt"
}

// BaseSpec is a base's pre-training: its task in the base notation, the
// model after one pass over PretrainN examples (no epochs).
func (o Options) BaseSpec(b *Base) spec.Spec {
	bs := o.Spec(o.BaseNotation(), b.Op)
	bs.N, bs.Seed, bs.RandomLabels = o.PretrainN, o.BaseSeed, b.RandomLabels
	bs.Epochs, bs.Patience, bs.Validation = 0, 0, 0
	return bs
}

// Pretrain builds a base: its pre-training task's examples, then one pass
// (curve.Pretrain), as a checkpoint file.
func (o Options) Pretrain(b *Base) ([]byte, error) {
	bs := o.BaseSpec(b)
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
		return nil, fmt.Errorf("experiment: pre-train %s: %w", o.BaseFile(b), err)
	}
	return file, nil
}

// FromBase sets a target spec to start from a base: the answers-permuted
// target resets the base's head (a new answer notation), the untagged one
// keeps it (its scripts are the base's own).
func (o Options) FromBase(s *spec.Spec, file []byte, name string) {
	s.Base, s.BaseName, s.ResetHead = checkpoint.Hash(file), name, !o.Latent()
}

// Spec is the experiment's spec on the modular task in a notation.
func (o Options) Spec(notation, op string) spec.Spec {
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

// Base is a pre-training: the operation, notation A, and whether its
// labels are random (format only).
type Base struct {
	Name         string `json:"name"`
	Op           string `json:"op"`
	RandomLabels bool   `json:"random_labels"`
}

// Arm is one arm: the target (answers-permuted addition) from a base
// with its head reset, or from random initialization (Base nil).
type Arm struct {
	Name string `json:"name"`
	What string `json:"what"`
	Base *Base  `json:"base,omitempty"`
}

// The bases and arms of edl elicit, edl intervene and edl capacity.
var (
	BaseCorrect   = &Base{Name: "add", Op: spec.OpAdd}
	BasePermuted  = &Base{Name: "add-random-labels", Op: spec.OpAdd, RandomLabels: true}
	BaseUnrelated = &Base{Name: "mul", Op: spec.OpMul}

	ArmElicit    = Arm{Name: "elicitation", What: "pre-trained on a+b mod p in the base notation (onehot; untagged target: tagged scripts), fine-tuned on the target (answers-permuted: head reset first)", Base: BaseCorrect}
	ArmTeach     = Arm{Name: "teaching", What: "same architecture from random initialization, trained on the target"}
	ArmPermuted  = Arm{Name: "pretrain-random-labels", What: "pre-trained on the base notation's inputs and answer alphabet with random labels (format only)", Base: BasePermuted}
	ArmUnrelated = Arm{Name: "pretrain-unrelated-op", What: "pre-trained on a·b mod p (unrelated operation) in the base notation", Base: BaseUnrelated}
)

// RunSummary is one seed of one arm.
type RunSummary struct {
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

// ArmResult is one arm's measurement.
type ArmResult struct {
	Arm       Arm          `json:"arm"`
	Signature curve.Regime `json:"signature"`
	PeakShape string       `json:"peak_signature"` // the runs' peak shape when they all agree, else undetermined
	Runs      []RunSummary `json:"runs"`
	MeanEDL   float64      `json:"mean_edl_bits"`
	MeanPeakN float64      `json:"mean_peak_n"`
	Dir       string       `json:"dir"`
}

// Ratio is teaching's EDL over an arm's at the largest n, per seed and
// of the means, with its verdict (Compare).
type Ratio struct {
	Arm     string    `json:"arm"`
	PerSeed []float64 `json:"per_seed"`
	Mean    float64   `json:"ratio_of_means"`
	Verdict string    `json:"verdict"`
}

// Why is the report's account of the task pair.
func (o Options) Why() string {
	if o.Latent() {
		return fmt.Sprintf("skill: a+b mod p written in %d scripts (script t writes y as t·p+y). Base notation (tagged): a one-hot tag names the script; one prompt in %d shows no tag and is answered in a script drawn uniformly. "+
			"Target (untagged): no tag, every answer in the last script. The pre-trained model writes the target's answers already when the tag names that script and spreads over the %d scripts without it: "+
			"about log₂%d = %.0f bits point to the capability. The elicitation arm fine-tunes that model (head kept), the teaching arm the same architecture from random initialization.",
			o.Scripts, o.Scripts+1, o.Scripts, o.Scripts, detmath.Log2(float64(o.Scripts)))
	}
	return "skill: a+b mod p; notation A: the answer itself, notation B: the answer through a fixed permutation σ of the p symbols (answers-permuted, σ independent of the seed). " +
		"The hidden layers hold the skill, the output layer the notation: the elicitation arm keeps a body pre-trained on A and resets its output layer to zero (uniform start), the teaching arm starts from random initialization."
}

// Describe names the target task and model in one line.
func (o Options) Describe(t spec.Spec) string {
	layers := make([]string, 0, len(t.Hidden)+2)
	layers = append(layers, strconv.FormatInt(t.Dim, 10))
	for _, h := range t.Hidden {
		layers = append(layers, strconv.FormatInt(h, 10))
	}
	layers = append(layers, strconv.FormatInt(t.Classes, 10))
	what := "onehot inputs, answers σ(a+b)"
	if o.Latent() {
		what = fmt.Sprintf("onehot a, b, no tag; answers in script %d of %d", o.Scripts-1, o.Scripts)
	}
	return fmt.Sprintf("modular a+b mod %d, notation %s (%s), mlp %s relu, adam lr %g, batch %d", o.P, o.Target, what, strings.Join(layers, "-"), o.LR, o.Batch)
}

// AllAtLeast reports whether v is not empty and every value is at least x
// (NaN is not).
func AllAtLeast(v []float64, x float64) bool {
	for _, r := range v {
		if !(r >= x) {
			return false
		}
	}
	return len(v) > 0
}

// SummarizeRun reads one run's curve: shapes, peak, the values at the
// largest n.
func SummarizeRun(r curve.Run) RunSummary {
	pts := r.Points
	last := pts[len(pts)-1]
	rs := RunSummary{Seed: r.Seed, Shape: string(r.Shape), EDL: last.EDL, EDLIdeal: last.EDLIdeal, TestLoss: last.TestLoss,
		FirstEDLPerN: pts[0].PerN(pts[0].EDLIdeal)}
	// The peak shape: is the maximum of EDL/n at the first grid point
	// (falling), inside the grid and clearly above both ends (rising-
	// falling), or at the end (rising)? curve.PeakOf says.
	peak, shape := curve.PeakOf(pts)
	rs.PeakN, rs.PeakEDLPerN, rs.PeakShape = pts[peak].N, pts[peak].PerN(pts[peak].EDLIdeal), string(shape)
	return rs
}

// The verdicts on Ratio, by the EDL ratio teaching/arm in every seed.
const (
	VerdictNotLearned = "not learned: test accuracy below 0.5 at the largest n in some seed, so the small EDL is no elicitation"
	VerdictFlipped    = "flipped: learned, with EDL at least 10× below teaching in every seed"
	VerdictPartly     = "partly: learned, with EDL 3–10× below teaching in every seed"
	VerdictNotFlipped = "not flipped: EDL within 3× of teaching"
)

// Learned is the accuracy θ*ₙ must reach at the largest n in every seed for
// an arm's small EDL to count as elicitation.
const Learned = 0.5

// Compare sets an arm against the teaching arm, seed by seed (the runs in
// the same seed order): the EDL ratio teaching/arm per seed and of the
// means, and the verdict: not learned (some seed below Learned accuracy: a
// small EDL with nothing learned is not elicitation, the model was told
// nothing it generalizes), flipped (ratio ≥ 10 in every seed), partly (≥ 3
// in every seed) or not flipped.
func Compare(teach, arm ArmResult) Ratio {
	r := Ratio{Arm: arm.Arm.Name, Mean: teach.MeanEDL / arm.MeanEDL}
	for i := range arm.Runs {
		r.PerSeed = append(r.PerSeed, teach.Runs[i].EDL/arm.Runs[i].EDL)
	}
	learned := true
	for _, rs := range arm.Runs {
		learned = learned && rs.AccFinal >= Learned
	}
	switch {
	case !learned:
		r.Verdict = VerdictNotLearned
	case AllAtLeast(r.PerSeed, 10):
		r.Verdict = VerdictFlipped
	case AllAtLeast(r.PerSeed, 3):
		r.Verdict = VerdictPartly
	default:
		r.Verdict = VerdictNotFlipped
	}
	return r
}

// Tally sets the arm's means over its runs (EDL at the largest n, peak n)
// and its peak signature: the runs' peak shape when they all agree,
// undetermined otherwise.
func (a *ArmResult) Tally() {
	a.MeanEDL, a.MeanPeakN = 0, 0
	shapes := map[string]bool{}
	for _, rs := range a.Runs {
		a.MeanEDL += rs.EDL / float64(len(a.Runs))
		a.MeanPeakN += float64(rs.PeakN) / float64(len(a.Runs))
		shapes[rs.PeakShape] = true
	}
	a.PeakShape = string(curve.Undetermined)
	if len(shapes) == 1 {
		a.PeakShape = a.Runs[0].PeakShape
	}
}
