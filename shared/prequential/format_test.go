package prequential

import (
	"encoding/hex"
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/spec"
)

func formatSpec() spec.Spec {
	s := spec.Default()
	s.Task, s.Classes, s.Keys, s.Answers, s.Dim, s.Score = spec.TaskFormat, 256, 16, 8, 16, spec.ScoreAnswers
	s.N, s.Test, s.Batch, s.CheckpointEvery = 2000, 300, 1, 500
	return s
}

// lgamma2 is log₂ Γ(x).
func lgamma2(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v / math.Ln2
}

// dirichletBits is −log₂ of the Dirichlet(½)-multinomial probability of a
// sequence with these counts over k symbols: the KT code length.
func dirichletBits(counts map[int]int, k int) float64 {
	n := 0
	bits := lgamma2(0.5*float64(k)) * -1
	for _, c := range counts {
		n += c
		bits -= lgamma2(float64(c)+0.5) - lgamma2(0.5)
	}
	return bits + lgamma2(float64(n)+0.5*float64(k))
}

// With the KT learner every label in S, p(y | y ∈ S) is the KT estimator
// over the |S| answers alone: the answers-scored code length is the
// Dirichlet(½)-multinomial code over |S| symbols, the full one the same over
// the V symbols, and their difference is Σ −log₂ p(S) with p(S) = (t +
// |S|/2)/(t + V/2) at step t.
func TestFormatScoredKTClosedForm(t *testing.T) {
	sp := formatSpec()
	sp.Model, sp.Noise = spec.ModelKT, 0.2
	a, _, _, _, lab := heldOutRun(t, sp, 1<<20)
	acct := a.Accounting()
	counts := map[int]int{}
	for _, y := range lab.Train {
		counts[y]++
	}
	v, na := float64(sp.Classes), float64(sp.Answers)
	full, scored := dirichletBits(counts, int(sp.Classes)), dirichletBits(counts, int(sp.Answers))
	mass := 0.0 // Σ −log₂ p(S)
	for t := range lab.Train {
		mass -= math.Log2((float64(t) + na/2) / (float64(t) + v/2))
	}
	tol := 1e-9 * full
	if d := acct.IdealBits - full; math.Abs(d) > tol {
		t.Errorf("full ideal %.9f bits, Dirichlet-multinomial over V %.9f (diff %g)", acct.IdealBits, full, d)
	}
	if d := acct.ScoredIdealBits - scored; math.Abs(d) > tol {
		t.Errorf("scored ideal %.9f bits, Dirichlet-multinomial over S %.9f (diff %g)", acct.ScoredIdealBits, scored, d)
	}
	if d := acct.IdealBits - mass - acct.ScoredIdealBits; math.Abs(d) > tol {
		t.Errorf("full − Σ −log₂ p(S) = %.9f, scored %.9f (diff %g)", acct.IdealBits-mass, acct.ScoredIdealBits, d)
	}
	if d := acct.ScoredQuantizedBits - acct.ScoredIdealBits; math.Abs(d) > 1e-3*acct.ScoredIdealBits {
		t.Errorf("scored quantized %.3f bits far from scored ideal %.3f", acct.ScoredQuantizedBits, acct.ScoredIdealBits)
	}
}

// A spec that scores all labels computes no scored figures.
func TestScoreAllHasNoScoredFigures(t *testing.T) {
	sp := formatSpec()
	sp.Score, sp.Model = spec.ScoreAll, spec.ModelKT
	a, _, _, _, _ := heldOutRun(t, sp, 1<<20)
	if acct, h := a.Accounting(), a.HeldOut(); acct.ScoredIdealBits != 0 || acct.ScoredQuantizedBits != 0 || h.TestScoredLossBits != 0 || a.Answers() != nil {
		t.Fatalf("score all: scored figures %+v, %v, S %v", acct, h.TestScoredLossBits, a.Answers())
	}
}

// Golden: the format task with an mlp, answers scored, held-out coding and
// θ* after two epochs: the fingerprint, the stream and the scored figures'
// bits must be the same on every architecture, and Bob's scored figures
// Alice's to the bit. θ*'s scored test loss is the mean of
// edl.ConditionalBits over the test labels in order.
func TestGoldenFormatScored(t *testing.T) {
	sp := formatSpec()
	sp.N, sp.Test, sp.Validation, sp.Epochs, sp.Patience = 600, 200, 100, 2, 1
	sp.Model, sp.Hidden, sp.Init, sp.InitScale, sp.LR, sp.Batch = spec.ModelMLP, []int64{12}, spec.InitNormal, 0.1, 0.2, 4
	a, b, stream, _, lab := heldOutRun(t, sp, 37)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"scored ideal bits", b.Accounting().ScoredIdealBits, a.Accounting().ScoredIdealBits},
		{"scored quantized bits", b.Accounting().ScoredQuantizedBits, a.Accounting().ScoredQuantizedBits},
		{"scored test loss", b.HeldOut().TestScoredLossBits, a.HeldOut().TestScoredLossBits},
	} {
		if math.Float64bits(c.got) != math.Float64bits(c.want) {
			t.Errorf("%s: bob %v, alice %v", c.name, c.got, c.want)
		}
	}
	probs := make([]float64, sp.Classes)
	sum := 0.0
	for i, y := range lab.Test {
		a.Model().Probs(probs, a.Inputs().Test.Row(i))
		sum += edl.ConditionalBits(probs, y, a.Answers())
	}
	if want := sum / float64(len(lab.Test)); math.Float64bits(a.HeldOut().TestScoredLossBits) != math.Float64bits(want) {
		t.Errorf("θ*'s scored test loss %v, recomputed %v", a.HeldOut().TestScoredLossBits, want)
	}
	fp := a.LastCheckpoint().Fingerprint
	got := struct{ fingerprint, stream, ideal, loss string }{
		hex.EncodeToString(fp[:]), sha256hex(stream),
		hex.EncodeToString(u64(math.Float64bits(a.Accounting().ScoredIdealBits))),
		hex.EncodeToString(u64(math.Float64bits(a.HeldOut().TestScoredLossBits))),
	}
	want := struct{ fingerprint, stream, ideal, loss string }{
		"b52e18866d6a0b46b6a2cdd3e472daca58e56f8601d3ae8a1178749558167b66",
		"03d9b52e803cac35f54cc0cb6d87440be10f834e399fe8c0204ac850c87669c1",
		"40969c8d3841b3e4", "3fa47a635b829f4c",
	}
	if got != want {
		t.Errorf("golden changed:\n  fingerprint %s (want %s)\n  stream      %s (want %s)\n  scored ideal bits %s (want %s)\n  scored test loss  %s (want %s)",
			got.fingerprint, want.fingerprint, got.stream, want.stream, got.ideal, want.ideal, got.loss, want.loss)
	}
	t.Logf("full ideal %.1f bits, scored ideal %.1f bits, θ* test loss %.4f, scored %.4f bits/example",
		a.Accounting().IdealBits, a.Accounting().ScoredIdealBits, a.HeldOut().TestLossBits, a.HeldOut().TestScoredLossBits)
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b
}
