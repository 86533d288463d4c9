package experiment

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/spec"
)

func arm(name string, edl []float64, acc float64) ArmResult {
	a := ArmResult{Arm: Arm{Name: name}}
	for i, e := range edl {
		a.Runs = append(a.Runs, RunSummary{Seed: uint64(i + 1), EDL: e, AccFinal: acc, PeakShape: "falling"})
	}
	a.Tally()
	return a
}

// The verdicts by the ratio teaching/arm in every seed.
func TestCompare(t *testing.T) {
	teach := arm("teaching", []float64{1000, 1200, 900}, 0.99)
	for _, c := range []struct {
		edl  []float64
		acc  float64
		want string
	}{
		{[]float64{50, 100, 90}, 0.99, VerdictFlipped},       // ratios 20, 12, 10
		{[]float64{50, 200, 90}, 0.99, VerdictPartly},        // 20, 6, 10
		{[]float64{50, 500, 90}, 0.99, VerdictNotFlipped},    // 20, 2.4, 10
		{[]float64{50, 100, 90}, 0.49, VerdictNotLearned},    // cheap, but nothing learned
		{[]float64{-5, 100, 90}, 0.99, VerdictNotFlipped},    // a negative ratio is no flip
		{[]float64{0, 100, 90}, 0.99, VerdictFlipped},        // EDL 0: ratio +Inf
		{[]float64{1000, 1200, 900}, 0.5, VerdictNotFlipped}, // exactly Learned counts as learned
	} {
		r := Compare(teach, arm("x", c.edl, c.acc))
		if r.Verdict != c.want {
			t.Errorf("EDL %v, accuracy %g: %q (ratios %v), want %q", c.edl, c.acc, r.Verdict, r.PerSeed, c.want)
		}
	}
	r := Compare(teach, arm("x", []float64{100, 100, 100}, 1))
	// Ratio of means: (1000+1200+900)/3 over 100 = 10.33…; per seed 10, 12, 9.
	if math.Abs(r.Mean-3100.0/300) > 1e-12 || r.PerSeed[0] != 10 || r.PerSeed[1] != 12 || r.PerSeed[2] != 9 || r.Arm != "x" {
		t.Errorf("ratio %+v", r)
	}
	if AllAtLeast(nil, 0) || !AllAtLeast([]float64{3, 4}, 3) || AllAtLeast([]float64{math.NaN()}, 0) {
		t.Error("AllAtLeast: want false for no values and for NaN")
	}
}

// Tally: the means over the runs and the agreed peak shape.
func TestTally(t *testing.T) {
	a := ArmResult{Runs: []RunSummary{{EDL: 10, PeakN: 8, PeakShape: "falling"}, {EDL: 20, PeakN: 16, PeakShape: "falling"}}}
	a.Tally()
	if a.MeanEDL != 15 || a.MeanPeakN != 12 || a.PeakShape != "falling" {
		t.Errorf("%+v", a)
	}
	a.Runs[1].PeakShape = "rising-falling"
	a.Tally()
	if a.PeakShape != string(curve.Undetermined) || a.MeanEDL != 15 {
		t.Errorf("disagreeing seeds: %+v", a)
	}
}

// SummarizeRun reads the first point, the peak and the last.
func TestSummarizeRun(t *testing.T) {
	r := curve.Run{Seed: 3, Shape: curve.ShapeRisingFalling, Points: []curve.Point{
		{N: 8, EDLIdeal: 8}, {N: 64, EDLIdeal: 192, EDL: 200}, {N: 512, EDLIdeal: 256, EDL: 270, TestLoss: 0.1},
	}}
	rs := SummarizeRun(r)
	// EDL/n: 1, 3, 0.5: the peak at n = 64, rising then falling.
	if rs.Seed != 3 || rs.Shape != "rising-falling" || rs.PeakN != 64 || rs.PeakEDLPerN != 3 || rs.FirstEDLPerN != 1 ||
		rs.PeakShape != "rising-falling" || rs.EDL != 270 || rs.EDLIdeal != 256 || rs.TestLoss != 0.1 {
		t.Errorf("%+v", rs)
	}
}

// The arms' specs: both targets' defaults validate; the target's shape and
// the base file names follow from p, the scripts and the notation.
func TestOptions(t *testing.T) {
	for _, o := range []Options{Defaults(true), Defaults(false), LatentDefaults(true), LatentDefaults(false)} {
		s := o.Spec(o.Target, spec.OpAdd)
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", o.Target, err)
		}
		if b := o.BaseSpec(BaseCorrect); b.N != o.PretrainN || b.Seed != o.BaseSeed || b.Notation != o.BaseNotation() || b.Epochs != 0 {
			t.Errorf("%s: base spec %+v", o.Target, b)
		}
	}
	o := Defaults(true)
	// p = 23: inputs two one-hot blocks of 23, one hidden layer of 64, 23
	// answers.
	if got, want := o.Describe(o.Spec(o.Target, spec.OpAdd)), "modular a+b mod 23, notation answers-permuted (onehot inputs, answers σ(a+b)), mlp 46-64-23 relu, adam lr 0.02, batch 8"; got != want {
		t.Errorf("Describe:\n got %s\nwant %s", got, want)
	}
	l := LatentDefaults(true)
	// 4 scripts: a tag of 4 beside the inputs (2·23 + 4 = 50), answers
	// 4·23 = 92, two hidden layers of 64.
	s := l.Spec(l.Target, spec.OpAdd)
	if s.Dim != 50 || s.Classes != 92 || len(s.Hidden) != 2 {
		t.Errorf("untagged target: dim %d, classes %d, hidden %v", s.Dim, s.Classes, s.Hidden)
	}
	for _, c := range []struct {
		o    Options
		b    *Base
		want string
	}{{o, BaseCorrect, "add-onehot.ckpt"}, {o, BasePermuted, "add-onehot-random-labels.ckpt"}, {l, BaseUnrelated, "mul-tagged.ckpt"}} {
		if got := c.o.BaseFile(c.b); got != c.want {
			t.Errorf("BaseFile %s", got)
		}
	}
}
