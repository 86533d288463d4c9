package prequential

import (
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/model"
)

// mixture is the blockwise code's Bayesian mixture (spec.BlockMix) of the
// block's model and the previous block's (prev; nil: the uniform
// distribution), prior ½ each: before each label the weights are the
// posterior given the block's labels so far, w_j ∝ Π p_j(y), and the label
// is coded with w_prev·p_prev + w_new·p_new. Both sides hold the same
// labels, so they compute the same weights.
type mixture struct {
	on     bool
	prev   model.Differentiable
	temper float64     // prev's tempering exponent (0 or 1: none)
	prevP  [][]float64 // prev's distributions for the batch
	logW   [2]float64  // ln Π p_j(y) over the block so far: prev, new
	out    []float64
}

// start begins a block: prev is the model that coded the block before
// (nil for the uniform distribution), tempered by t.
func (x *mixture) start(prev model.Differentiable, t float64, batch, k int) {
	x.on, x.prev, x.temper, x.logW = true, prev, t, [2]float64{}
	if x.prevP == nil {
		x.prevP = make([][]float64, batch)
		for j := range x.prevP {
			x.prevP[j] = make([]float64, k)
		}
		x.out = make([]float64, k)
	}
}

// predict computes prev's distributions for the batch xs.
func (x *mixture) predict(xs [][]float64, k int) {
	if x.prev == nil {
		for j := range xs {
			for c := range x.prevP[j] {
				x.prevP[j][c] = 1 / float64(k)
			}
		}
		return
	}
	x.prev.Forward(x.prevP[:len(xs)], xs)
	if x.temper != 0 && x.temper != 1 {
		for j := range xs {
			temper(x.prevP[j], x.prevP[j], x.temper)
		}
	}
}

// weight is the new model's posterior weight.
func (x *mixture) weight() float64 {
	a, b := x.logW[0], x.logW[1]
	if !(a > -1e308 || b > -1e308) {
		return 0.5 // both ruled out (or NaN): back to the prior
	}
	m := max(a, b)
	ea, eb := detmath.Exp(a-m), detmath.Exp(b-m)
	return eb / (ea + eb)
}

// probs is the mixture for example j of the batch, given the new model's
// distribution pNew.
func (x *mixture) probs(j int, pNew []float64) []float64 {
	w := x.weight()
	v := 1 - w
	for c := range x.out {
		x.out[c] = float64(v*x.prevP[j][c]) + float64(w*pNew[c])
	}
	return x.out
}

// observe updates the weights with the label of example j of the batch.
func (x *mixture) observe(j int, pNew []float64, label int) {
	x.logW[0] += detmath.Log(x.prevP[j][label])
	x.logW[1] += detmath.Log(pNew[label])
}
