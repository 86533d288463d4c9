package prequential

import (
	"fmt"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// finalCheckpoint runs Alice's loop alone with the given worker count.
func finalCheckpoint(t testing.TB, sp spec.Spec, workers int) (Checkpoint, []byte) {
	t.Helper()
	s, _, out := codedPass(t, sp, workers)
	return s.LastCheckpoint(), out
}

// codedPass runs Alice's loop alone with the given worker count to the
// end of the pass: the session, the labels and the coded bytes.
func codedPass(t testing.TB, sp spec.Spec, workers int) (*Session, *task.Labels, []byte) {
	t.Helper()
	in, lab := taskData(t, sp)
	s, err := NewWithWorkers(sp, in, workers)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := coder.NewEncoder(uint(sp.Precision))
	le := &LabelEncoder{Enc: enc, Labels: lab.Train}
	var out []byte
	for !s.Done() {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
		out = append(out, enc.Take()...)
	}
	return s, lab, append(out, enc.Finish()...)
}

// Splitting layers across goroutines changes nothing: every worker count
// gives the same fingerprint, transcript and bytes. The layers and the batch
// here are large enough that the split really happens (every layer of a full
// batch is at least model's parallelMin, 2^20 multiply-adds).
func TestWorkersDoNotChangeBits(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Test, sp.Dim, sp.Classes, sp.Batch = 400, 0, 64, 10, 64
	sp.Model, sp.Hidden, sp.Init, sp.InitScale, sp.LR = spec.ModelMLP, []int64{256, 96}, spec.InitNormal, 0.05, 0.05
	for _, act := range []string{spec.ActReLU, spec.ActTanh} {
		sp.Activation = act
		ref, refBytes := finalCheckpoint(t, sp, 1)
		for _, w := range []int{2, 3, 7} {
			t.Run(fmt.Sprintf("%s/workers=%d", act, w), func(t *testing.T) {
				got, b := finalCheckpoint(t, sp, w)
				if got != ref || string(b) != string(refBytes) {
					t.Fatalf("workers=%d differs from workers=1", w)
				}
			})
		}
	}
}

// The optimizer's update is split across the workers too (an MLP's
// workers update their own rows inside the backward pass, BackwardStep;
// other models' updates are split by optimize once they have
// parallelParams parameters): with every rule (SGD, momentum, Adam with
// weight decay) the fingerprint, which includes the optimizer's state, the
// transcript and the bytes are those of one worker.
func TestWorkersSplitTheUpdate(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Test, sp.Dim, sp.Classes, sp.Batch = 192, 0, 64, 10, 64
	sp.Model, sp.Hidden, sp.Init, sp.InitScale, sp.LR = spec.ModelMLP, []int64{512, 256}, spec.InitNormal, 0.05, 0.01
	if p := sp.NumParams(); p < parallelParams {
		t.Fatalf("%d parameters: the update would not be split (parallelParams %d)", p, parallelParams)
	}
	for _, opt := range []string{"sgd", "momentum", "adamw"} {
		sp.Optimizer, sp.Beta, sp.Beta1, sp.Beta2, sp.AdamEps, sp.WeightDecay = opt, 0, 0, 0, 0, 0
		switch opt {
		case "momentum":
			sp.Beta = 0.9
		case "adamw":
			sp.Beta1, sp.Beta2, sp.AdamEps, sp.WeightDecay = 0.9, 0.999, 1e-8, 0.01
		}
		ref, refBytes := finalCheckpoint(t, sp, 1)
		for _, w := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", opt, w), func(t *testing.T) {
				got, b := finalCheckpoint(t, sp, w)
				if got != ref || string(b) != string(refBytes) {
					t.Fatalf("workers=%d differs from workers=1", w)
				}
			})
		}
	}
}

// θ*'s epochs (Converge) take the same fused step as the pass: with 2 and 3
// workers and Adam, θ*'s fingerprint and epochs are those of one worker.
func TestWorkersConverge(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Validation, sp.Test, sp.Dim, sp.Classes, sp.Batch = 192, 64, 0, 64, 10, 64
	sp.Model, sp.Hidden, sp.Init, sp.InitScale, sp.LR = spec.ModelMLP, []int64{512, 256}, spec.InitNormal, 0.05, 0.01
	sp.Optimizer, sp.Beta1, sp.Beta2, sp.AdamEps, sp.Epochs, sp.Patience = "adam", 0.9, 0.999, 1e-8, 3, 3
	run := func(workers int) ([32]byte, Converged) {
		s, lab, _ := codedPass(t, sp, workers)
		c, err := s.Converge(lab.Train, lab.Valid)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := s.Fingerprint()
		if err != nil {
			t.Fatal(err)
		}
		return fp, c
	}
	wantFP, want := run(1)
	if want.Epochs == 0 {
		t.Fatal("no epoch ran: the test would compare nothing past the pass")
	}
	for _, w := range []int{2, 3} {
		if fp, c := run(w); fp != wantFP || c != want {
			t.Fatalf("workers=%d: θ* %x %+v, one worker %x %+v", w, fp, c, wantFP, want)
		}
	}
}
