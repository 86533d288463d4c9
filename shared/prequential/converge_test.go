package prequential

import (
	"encoding/hex"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// passThenConverge codes the first n examples and then runs Converge.
func passThenConverge(t *testing.T, sp spec.Spec, n int) (*Session, Converged, *task.Inputs, *task.Labels) {
	t.Helper()
	in, lab := taskData(t, sp)
	s, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := coder.NewEncoder(uint(sp.Precision))
	le := &LabelEncoder{Enc: enc, Labels: lab.Train}
	for s.Index() < int64(n) {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Converge(lab.Train, lab.Valid)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, in, lab
}

const goldenConverged = "987093ab6cbd1b0cf57f2862cacdcbcd4c9a4f72325e25a3d5bb5e980ea39176"

func convergeSpec() spec.Spec {
	sp := smallSpec()
	sp.Model, sp.Hidden, sp.LR, sp.N, sp.Validation, sp.Test = spec.ModelMLP, []int64{16}, 0.1, 600, 300, 300
	sp.Noise, sp.Epochs, sp.Patience = 0.1, 40, 3
	return sp
}

// θ* is deterministic, no worse on validation than the pass model, holds
// the parameters of its best epoch, and stops by the patience rule.
func TestConvergeEarlyStops(t *testing.T) {
	sp := convergeSpec()
	s, c, in, lab := passThenConverge(t, sp, int(sp.N))
	if c.ValidBits > c.PassValid {
		t.Fatalf("θ* validation %v bits worse than the pass model's %v", c.ValidBits, c.PassValid)
	}
	if c.BestEpoch == 0 || c.Epochs > c.BestEpoch+sp.Patience || c.Epochs < c.BestEpoch {
		t.Fatalf("epochs %d, best %d, patience %d", c.Epochs, c.BestEpoch, sp.Patience)
	}
	if c.Epochs < sp.Epochs && c.Epochs != c.BestEpoch+sp.Patience {
		t.Fatalf("stopped at %d, best %d: patience %d not honoured", c.Epochs, c.BestEpoch, sp.Patience)
	}
	v, _ := edl.TestLossBits(s.Model(), &in.Valid, lab.Valid)
	if v != c.ValidBits {
		t.Fatalf("restored model's validation loss %v, reported %v", v, c.ValidBits)
	}
	if !s.Done() {
		t.Fatal("session still codes after Converge")
	}
	s2, c2, _, _ := passThenConverge(t, sp, int(sp.N))
	f1, _ := s.Fingerprint()
	f2, _ := s2.Fingerprint()
	if f1 != f2 || c != c2 {
		t.Fatal("two identical runs reached different θ*")
	}
	// Golden: θ* must be the same on every architecture (the cross-arch
	// pass runs this test under qemu).
	if got := hex.EncodeToString(f1[:]); got != goldenConverged {
		t.Errorf("θ* fingerprint %s, golden %s", got, goldenConverged)
	}
	t.Logf("pass %.4f → θ* %.4f bits/example after %d epochs (best %d)", c.PassValid, c.ValidBits, c.Epochs, c.BestEpoch)
}

// Without epochs, or for an exact counting learner, θ* is the pass model.
func TestConvergeWithoutEpochsKeepsThePassModel(t *testing.T) {
	sp := convergeSpec()
	sp.Epochs, sp.Patience = 0, 0
	in, _ := task.NewInputs(sp)
	lab, _ := task.NewLabels(sp, in)
	o := transmit(t, sp, func() int { return 1 << 20 })
	before := o.alice.LastCheckpoint().Fingerprint
	c, err := o.alice.Converge(lab.Train, lab.Valid)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := o.alice.Fingerprint()
	if after != before || c.Epochs != 0 || c.ValidBits != c.PassValid {
		t.Fatalf("θ* moved without epochs: %+v", c)
	}
}

// A prefix can converge too (edl curve's θ*ₙ), and a label count that does
// not cover the coded examples is refused.
func TestConvergePrefixAndErrors(t *testing.T) {
	sp := convergeSpec()
	_, c, _, _ := passThenConverge(t, sp, 200)
	if c.Epochs == 0 {
		t.Fatal("prefix did not train")
	}
	in, _ := task.NewInputs(sp)
	s, _ := New(sp, in)
	if _, err := s.Converge(nil, make([]int, 3)); err == nil {
		t.Fatal("wrong validation label count accepted")
	}
}
