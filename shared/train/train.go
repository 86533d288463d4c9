package train

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// Optimizer updates params in place from the gradient summed over a batch of
// batchSize examples. It may keep state (velocity, moments, step count); that
// state is part of what Alice and Bob must agree on, so it is exposed as one
// canonical vector that checkpoints and fingerprints can include.
type Optimizer interface {
	// Step applies one update. It panics if len(params) != len(gradSum),
	// if batchSize < 1, or if a sized optimizer gets a different length.
	Step(params, gradSum []float64, batchSize int)
	// State returns a fresh copy of the canonical state vector (layout
	// documented on each rule; empty for SGD). Every entry is finite.
	State() []float64
	// SetState replaces the state with a copy of s, as returned by State of
	// an optimizer with the same hyperparameters. It rejects a vector of
	// the wrong length or with a NaN, Inf or out-of-range entry, leaving the
	// optimizer unchanged. After SetState(o.State()) the optimizer continues
	// bit for bit as o would.
	SetState(s []float64) error
}

// SGD is plain stochastic gradient descent with a constant learning rate on
// the minibatch's mean gradient: θ ← θ − lr·(Σg / B).
type SGD struct {
	LR float64
}

// Step applies one update.
func (o SGD) Step(params, gradSum []float64, batchSize int) {
	if len(params) != len(gradSum) || batchSize < 1 {
		panic(fmt.Sprintf("train: sgd: %d params, %d grads, batch %d", len(params), len(gradSum), batchSize))
	}
	// params[i] -= float64(o.LR * (gradSum[i] / B)), element by element.
	detmath.SubScaledQuotient(params, o.LR, gradSum, float64(batchSize))
}

// State is empty: plain SGD keeps no state.
func (SGD) State() []float64 { return []float64{} }

// SetState accepts only the empty state.
func (SGD) SetState(s []float64) error {
	if len(s) != 0 {
		return fmt.Errorf("train: sgd: state has %d entries, want 0", len(s))
	}
	return nil
}

// New builds the optimizer a spec names for a model of nparams parameters,
// with the spec's resolved hyperparameters (spec.Validate has checked them).
func New(s spec.Spec, nparams int) (Optimizer, error) {
	return NewByName(s.Optimizer, nparams, s.LR, Options{
		Beta: s.Beta, Beta1: s.Beta1, Beta2: s.Beta2, Eps: s.AdamEps, WeightDecay: s.WeightDecay,
	})
}
