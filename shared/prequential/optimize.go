package prequential

import (
	"sync"

	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/train"
)

// parallelParams is the number of parameters below which the optimizer's
// update runs on the calling goroutine alone: an update streams about 24
// bytes per parameter (parameter, gradient, the cleared gradient), and
// below 2^17 parameters (about 3 MB, 0.1 ms) a second goroutine costs more
// than it saves.
const parallelParams = 1 << 17

// backwardStep runs the backward pass of the batch the model last
// predicted (labels) and the optimizer's step on its summed gradient, and
// leaves the gradient cleared. With several workers, an elementwise rule
// and a model that fuses the update into its backward pass (the MLP), each
// worker updates the parameters whose gradient it has just computed, while
// they are in its core's caches, with the bits of Backward then Step
// (model.StepFuser); otherwise optimize follows Backward.
func (s *Session) backwardStep(m model.Differentiable, labels []int) {
	if f, ok := m.(model.StepFuser); ok && s.workers > 1 {
		if e, ok := s.opt.(train.Elementwise); ok {
			e.BeginStep(f.Params(), s.grad, len(labels))
			f.BackwardStep(s.grad, labels, e, len(labels))
			return
		}
	}
	m.Backward(s.grad, labels)
	s.optimize(model.Trainable(m), len(labels))
}

// optimize applies the optimizer to the batch's summed gradient (batch
// examples) and clears the gradient for the next batch, for the models
// that do not fuse the update into their backward pass. With several
// workers, a large model and an elementwise rule, the parameters are split
// into contiguous ranges updated and cleared on separate goroutines: each
// parameter's update is the same sequence of operations whatever the split
// (train.Elementwise), so the bits do not depend on the number of workers.
// Without the split the update and the clear would be the serial part of
// a step that the layers' workers cannot shorten.
func (s *Session) optimize(params []float64, batch int) {
	w := s.workers
	e, ok := s.opt.(train.Elementwise)
	if w <= 1 || !ok || len(params) < parallelParams {
		s.opt.Step(params, s.grad, batch)
		clear(s.grad)
		return
	}
	e.BeginStep(params, s.grad, batch)
	n := len(params)
	part := func(k int) {
		lo, hi := k*n/w, (k+1)*n/w
		e.StepRange(params, s.grad, batch, lo, hi)
		clear(s.grad[lo:hi])
	}
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		wg.Go(func() { part(k) })
	}
	part(0)
	wg.Wait()
}
