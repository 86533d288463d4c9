package transmit

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// With the blockwise code θ* is the last block's model, the one that coded
// the pass's last block, tempered when calibrated: the pass model's test
// loss is θ*'s, not that of the untempered parameters.
func TestBlocksPassTestLossIsThetaStars(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Batch, sp.Test = 512, 16, 2000
	sp.Blocks, sp.BlockEpochs, sp.BlockPatience, sp.BlockValid, sp.BlockCalibrate = []int64{64, 128, 256}, 10, 3, 10, true
	_, lab, newSess := build(t, sp)
	p, err := Pipe(newSess(), newSess(), lab, PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	last := p.Figures.Blocks[len(p.Figures.Blocks)-1]
	if last.Temperature == 1 {
		t.Fatalf("the last block kept temperature 1: the spec does not exercise the tempering")
	}
	pass, theta := p.Sender.PassTestLoss(), p.Figures.TestLossBits
	if math.Float64bits(pass) != math.Float64bits(theta) || theta <= 0 {
		t.Errorf("pass test loss %v bits/example, θ* (the same model, temperature %v) %v", pass, last.Temperature, theta)
	}
}
