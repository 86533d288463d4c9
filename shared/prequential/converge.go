package prequential

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/detmath"
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
// the session: Next offers OfferDone afterwards.
func (s *Session) Converge(labels, validLabels []int) (Converged, error) {
	if s.heldOut {
		return Converged{}, fmt.Errorf("prequential: converge: a session with held-out coding reaches θ* by itself")
	}
	out, err := s.converge(func(i int) int { return labels[i] }, len(labels), validLabels)
	s.ended = true // no more coding: the model is no longer the pass's
	return out, err
}

// converge reaches θ* from the count labels of the coded examples, read
// by label (the caller's slice, or the session's compact copy).
func (s *Session) converge(label func(i int) int, count int, validLabels []int) (Converged, error) {
	n := int(min(s.step, s.spec.N)) // training examples coded
	if s.spec.Epochs > 0 && count < n {
		return Converged{}, fmt.Errorf("prequential: converge: %d labels for %d coded examples", count, n)
	}
	if s.in.Valid.Rows != len(validLabels) {
		return Converged{}, fmt.Errorf("prequential: converge: %d validation inputs, %d labels", s.in.Valid.Rows, len(validLabels))
	}
	if s.batchFill != 0 {
		return Converged{}, fmt.Errorf("prequential: converge: a minibatch is half coded (example %d)", n)
	}
	var out Converged
	var err error
	if s.ext != nil {
		// θ* is the pass model (the spec refuses epochs for an external
		// learner); its validation loss is that of the labels just coded
		// against it.
		if v := len(validLabels); v > 0 {
			out.PassValid = s.held.ValidIdealBits / float64(v)
		}
		out.ValidBits = out.PassValid
		return out, nil
	}
	if out.PassValid, err = edl.TestLossBits(s.Predictive(), &s.in.Valid, validLabels); err != nil {
		return Converged{}, fmt.Errorf("prequential: converge: %w", err)
	}
	out.ValidBits = out.PassValid
	m, ok := s.model.(model.Differentiable)
	if !ok || s.spec.Epochs == 0 || n == 0 {
		return out, nil
	}
	best := append([]float64(nil), model.Trainable(m)...)
	bestState := s.opt.State()
	batch := int(s.spec.Batch)
	ys := make([]int, batch) // a minibatch's labels
	for epoch := int64(1); epoch <= s.spec.Epochs; epoch++ {
		for start := 0; start < n; start += batch {
			rows := min(batch, n-start)
			for j := range rows {
				s.batchX[j] = s.in.Train.Row(start + j)
				if s.batchP[j] == nil {
					s.batchP[j] = make([]float64, m.NumClasses())
				}
				ys[j] = label(start + j)
			}
			m.Forward(s.batchP[:rows], s.batchX[:rows])
			s.backwardStep(m, ys[:rows])
		}
		out.Epochs = epoch
		v, err := edl.TestLossBits(m, &s.in.Valid, validLabels)
		if err != nil {
			return Converged{}, fmt.Errorf("prequential: converge: %w", err)
		}
		if v < out.ValidBits {
			out.ValidBits, out.BestEpoch = v, epoch
			copy(best, model.Trainable(m))
			bestState = s.opt.State()
		} else if epoch-out.BestEpoch >= s.spec.Patience {
			break
		}
	}
	copy(model.Trainable(m), best)
	if err := s.opt.SetState(bestState); err != nil {
		return Converged{}, fmt.Errorf("prequential: converge: %w", err)
	}
	s.predicted = -1
	return out, nil
}

// heldProbs is the frozen model's distribution for held-out example i
// (per-example Probs, exactly as edl.TestLossBits evaluates it). An
// external learner is asked for a chunk at a time (heldExternal).
func (s *Session) heldProbs(i int64) ([]float64, error) {
	if s.ext != nil {
		return s.heldExternal(i)
	}
	n, v := s.spec.N, s.spec.Validation
	var x []float64
	if i < n+v {
		x = s.in.Valid.Row(int(i - n))
	} else {
		x = s.in.Test.Row(int(i - n - v))
	}
	if s.heldP == nil {
		s.heldP = make([]float64, s.model.NumClasses())
	}
	s.model.Probs(s.heldP, x)
	if s.temper != 0 && s.temper != 1 {
		temper(s.heldP, s.heldP, s.temper) // the last block's calibrated model
	}
	return s.heldP, nil
}

// heldExternal is an external learner's distribution for held-out example
// i. The model is frozen through a held-out phase, so one Predict serves a
// chunk of spec.Batch examples, counted from the phase's first: a plugin's
// cost is per call, and the chunks, fixed by the spec, are the same on both
// sides (a plugin's answer for a row may depend on the batch around it).
func (s *Session) heldExternal(i int64) ([]float64, error) {
	n, v := s.spec.N, s.spec.Validation
	first, end, m := n, n+v, &s.in.Valid // the phase of i: its first example, its end, its inputs
	if i >= n+v {
		first, end, m = n+v, s.Total(), &s.in.Test
	}
	start := first + (i-first)/s.spec.Batch*s.spec.Batch
	if s.heldStart != start || s.heldRows == nil {
		rows := int(min(s.spec.Batch, end-start))
		k := int(s.spec.Classes)
		if s.heldRows == nil {
			s.heldRows = make([][]float64, s.spec.Batch)
			for j := range s.heldRows {
				s.heldRows[j] = make([]float64, k)
			}
		}
		for j := range rows {
			s.batchX[j] = m.Row(int(start-first) + j)
		}
		if err := s.ext.Predict(start, s.heldRows[:rows], s.batchX[:rows]); err != nil {
			s.heldStart = -1
			return nil, fmt.Errorf("prequential: %w", err)
		}
		s.heldStart = start
	}
	s.heldP = s.heldRows[i-start]
	return s.heldP, nil
}

// applyHeldOut takes a validation or test label, coded against the frozen
// model, with no learning. The last validation label triggers θ*.
func (s *Session) applyHeldOut(i int64, label int) error {
	n, v := s.spec.N, s.spec.Validation
	valid := i < n+v
	quantized := float64(s.precision) - detmath.Log2(float64(s.freqs[label]))
	if valid {
		s.held.ValidIdealBits -= detmath.Log2(s.heldP[label])
		s.held.ValidQuantizedBits += quantized
		s.validY = append(s.validY, label)
	} else {
		s.testSum -= detmath.Log2(s.heldP[label])
		s.held.TestIdealBits = s.testSum
		s.held.TestQuantizedBits += quantized
		s.held.TestLossBits = s.testSum / float64(i-n-v+1)
		if s.answers != nil {
			s.testScored += edl.ConditionalBits(s.heldP, label, s.answers)
			s.held.TestScoredLossBits = s.testScored / float64(i-n-v+1)
		}
	}
	s.record(i, label)
	s.step++
	switch {
	case valid && s.step == n+v:
		conv, err := s.converge(func(i int) int { return int(s.trainY[i]) }, len(s.trainY), s.validY)
		if err != nil {
			return err
		}
		s.held.Converged = conv
		s.pendingPhase, s.endedPhase = true, PhaseValidation
	case s.step == s.Total():
		s.pendingPhase, s.endedPhase = true, PhaseTest
	default:
		return nil
	}
	return s.checkpoint()
}
