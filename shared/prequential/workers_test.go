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
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
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
	return s.LastCheckpoint(), append(out, enc.Finish()...)
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
