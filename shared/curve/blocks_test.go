package curve

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// With the calibrated blockwise code, θ* is the last block model tempered
// (spec.BlockCalibrate): its test loss here is the one a held-out run codes
// the test labels at, to the bit, not the untempered parameters'.
func TestLossOfCalibratedBlocksIsTheCodedOne(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Batch, sp.Test = 512, 16, 2000
	sp.Blocks, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid, sp.BlockCalibrate = []int64{64, 128, 256}, 10, 3, 10, true
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	newSess := func(held bool) *prequential.Session {
		s, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: held})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	p, err := transmit.Pipe(newSess(true), newSess(true), lab, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Figures.Blocks[len(p.Figures.Blocks)-1]; b.Temperature == 1 {
		t.Fatalf("the last block kept temperature 1: the spec does not exercise the tempering")
	}
	sess := newSess(false)
	if err := transmit.Train(sess, lab.Train, sp.N); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Converge(lab.Train, lab.Valid); err != nil {
		t.Fatal(err)
	}
	got, _, _, err := TestLoss(sess, &in.Test, lab.Test, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Figures.TestLossBits; math.Float64bits(got) != math.Float64bits(want) {
		t.Errorf("θ*'s test loss %v bits/example, the held-out run coded it at %v", got, want)
	}
}
