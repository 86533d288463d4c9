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

// Elementwise is an Optimizer whose update treats every coordinate on its
// own once the per-step scalars are set (Adam's step count and bias
// corrections), so that disjoint ranges of the parameters can be updated
// on separate goroutines with the bits of one Step. BeginStep checks the
// shapes and does the once-per-step work, without reading the gradient's
// values (a model that fuses the update into its backward pass,
// model.StepFuser, calls it before the gradient exists); StepRange then
// updates [lo, hi), and the ranges of one step must cover the parameters
// exactly once, after BeginStep and before the next. Every rule here is Elementwise, and its
// Step is BeginStep followed by StepRange over all parameters, so the two
// ways cannot drift apart.
type Elementwise interface {
	Optimizer
	BeginStep(params, gradSum []float64, batchSize int)
	StepRange(params, gradSum []float64, batchSize, lo, hi int)
}

// SGD is plain stochastic gradient descent with a constant learning rate on
// the minibatch's mean gradient: θ ← θ − lr·(Σg / B).
type SGD struct {
	LR float64
}

// Step applies one update.
func (o SGD) Step(params, gradSum []float64, batchSize int) {
	o.BeginStep(params, gradSum, batchSize)
	o.StepRange(params, gradSum, batchSize, 0, len(params))
}

// BeginStep checks the shapes; SGD has no per-step scalars.
func (o SGD) BeginStep(params, gradSum []float64, batchSize int) {
	if len(params) != len(gradSum) || batchSize < 1 {
		panic(fmt.Sprintf("train: sgd: %d params, %d grads, batch %d", len(params), len(gradSum), batchSize))
	}
}

// StepRange updates params[lo:hi]: params[i] -= float64(o.LR * (gradSum[i] / B)).
func (o SGD) StepRange(params, gradSum []float64, batchSize, lo, hi int) {
	detmath.SubScaledQuotient(params[lo:hi], o.LR, gradSum[lo:hi], float64(batchSize))
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

// WithLR returns o with its learning rate set to lr and its state kept
// (SGD is a value: the new value is returned; Momentum and AdamW are
// changed in place). A schedule uses it between steps.
func WithLR(o Optimizer, lr float64) Optimizer {
	switch r := o.(type) {
	case SGD:
		r.LR = lr
		return r
	case *Momentum:
		r.LR = lr
	case *AdamW:
		r.LR = lr
	default:
		panic(fmt.Sprintf("train: WithLR: unknown rule %T", o))
	}
	return o
}
