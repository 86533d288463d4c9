package train

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/spec"
)

// Optimizer updates params in place from the gradient summed over a batch of
// batchSize examples. It may keep state (later rules have moments).
type Optimizer interface {
	Step(params, gradSum []float64, batchSize int)
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
	inv := float64(batchSize)
	for i, g := range gradSum {
		params[i] -= float64(o.LR * (g / inv))
	}
}

// New builds the optimizer a spec names.
func New(s spec.Spec) (Optimizer, error) {
	switch s.Optimizer {
	case spec.OptimizerSGD:
		return SGD{LR: s.LR}, nil
	}
	return nil, fmt.Errorf("train: unknown optimizer %q", s.Optimizer)
}
