package prequential

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
)

// Converged describes θ*, the model after training continued past the coded
// pass (EDL.md: "θ* ... may be trained further, for several epochs with early
// stopping, on the same n examples").
type Converged struct {
	Epochs    int64   // epochs run after the pass
	BestEpoch int64   // the epoch whose parameters θ* holds (0: the model after the pass)
	ValidBits float64 // θ*'s mean validation loss, bits per example
	PassValid float64 // the pass model's mean validation loss, bits per example
}

// Converge turns the session's model into θ*: up to spec.Epochs more epochs
// over the examples coded so far, in coding order, in minibatches of
// spec.Batch, with the session's optimizer (its state carries over from the
// pass). After every epoch the mean validation loss is measured on the
// spec's validation split; the parameters with the lowest loss so far are
// kept (ties keep the earlier), and training stops after spec.Patience epochs
// without a strict improvement. The kept parameters are restored into the
// model, so Fingerprint and Model then describe θ*.
//
// labels are the labels of the coded examples, in order (Alice's own, or the
// ones Bob decoded); validLabels are the validation split's. Both sides run
// the same arithmetic, so their θ* fingerprints agree. With Epochs = 0 or a
// counting model (exact after the pass), θ* is the pass model. Converge ends
// the session: Step returns ErrDone afterwards.
func (s *Session) Converge(labels, validLabels []int) (Converged, error) {
	n := int(s.step)
	if len(labels) < n {
		return Converged{}, fmt.Errorf("prequential: converge: %d labels for %d coded examples", len(labels), n)
	}
	if s.in.Valid.Rows != len(validLabels) {
		return Converged{}, fmt.Errorf("prequential: converge: %d validation inputs, %d labels", s.in.Valid.Rows, len(validLabels))
	}
	if s.batchFill != 0 {
		return Converged{}, fmt.Errorf("prequential: converge: a minibatch is half coded (example %d)", n)
	}
	s.ended = true // no more coding: the model is no longer the pass's
	var out Converged
	var err error
	if out.PassValid, err = edl.TestLossBits(s.model, &s.in.Valid, validLabels); err != nil {
		return Converged{}, fmt.Errorf("prequential: converge: %w", err)
	}
	out.ValidBits = out.PassValid
	m, ok := s.model.(model.Differentiable)
	if !ok || s.spec.Epochs == 0 || n == 0 {
		return out, nil
	}
	best := append([]float64(nil), m.Params()...)
	bestState := s.opt.State()
	batch := int(s.spec.Batch)
	for epoch := int64(1); epoch <= s.spec.Epochs; epoch++ {
		for start := 0; start < n; start += batch {
			rows := min(batch, n-start)
			for j := range rows {
				s.batchX[j] = s.in.Train.Row(start + j)
				if s.batchP[j] == nil {
					s.batchP[j] = make([]float64, m.NumClasses())
				}
			}
			m.Forward(s.batchP[:rows], s.batchX[:rows])
			m.Backward(s.grad, labels[start:start+rows])
			s.opt.Step(m.Params(), s.grad, rows)
			clear(s.grad)
		}
		out.Epochs = epoch
		v, err := edl.TestLossBits(m, &s.in.Valid, validLabels)
		if err != nil {
			return Converged{}, fmt.Errorf("prequential: converge: %w", err)
		}
		if v < out.ValidBits {
			out.ValidBits, out.BestEpoch = v, epoch
			copy(best, m.Params())
			bestState = s.opt.State()
		} else if epoch-out.BestEpoch >= s.spec.Patience {
			break
		}
	}
	copy(m.Params(), best)
	if err := s.opt.SetState(bestState); err != nil {
		return Converged{}, fmt.Errorf("prequential: converge: %w", err)
	}
	s.predicted = -1
	return out, nil
}
