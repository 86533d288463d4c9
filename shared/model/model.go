package model

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Model is a probabilistic classifier with flat parameters.
type Model interface {
	// Kind names the family, as in spec.Model.
	Kind() string
	// Shape lists the dimensions that determine the parameter layout.
	Shape() []int64
	// NumClasses is K.
	NumClasses() int
	// InputDim is the length of an input vector.
	InputDim() int
	// Params is the live parameter vector in canonical order.
	Params() []float64
	// Probs writes the predictive distribution p(·|x) into dst (len K).
	Probs(dst, x []float64)
}

// Differentiable models learn by gradient steps of an optimizer. They work
// a minibatch at a time: every example of a batch is predicted with the same
// parameters, so the forward pass of the whole batch runs before its labels
// are coded.
type Differentiable interface {
	Model
	// Forward computes p(·|x_b) into probs[b] for a batch and keeps what
	// Backward needs.
	Forward(probs, xs [][]float64)
	// Backward adds Σ_b ∇θ −ln p(labels[b]|x_b) into grad for the batch of
	// the last Forward (len(labels) ≤ that batch).
	Backward(grad []float64, labels []int)
	// SetWorkers sets how many goroutines may share large layers; the
	// results are the same bits for any value.
	SetWorkers(n int)
}

// Counting models are exact Bayesian learners that update by counting; the
// session calls Observe for every example of a minibatch, in order, once the
// whole minibatch has been coded.
type Counting interface {
	Model
	Observe(x []float64, label int)
}

// ErrNotFinite reports a NaN or Inf parameter: a diverged model is an error,
// never data.
var ErrNotFinite = errors.New("model: parameter is not finite")

// New builds the model a spec names, initialized from the spec's seed.
func New(s spec.Spec) (Model, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	switch s.Model {
	case spec.ModelSoftmax, spec.ModelMLP:
		sizes := []int{int(s.Dim)}
		for _, h := range s.Hidden {
			sizes = append(sizes, int(h))
		}
		m := NewMLP(append(sizes, int(s.Classes)), s.Activation)
		if s.Init == spec.InitNormal {
			src := rng.New(rng.Derive(s.Seed, "init"), 0)
			p := m.Params()
			for i := range p {
				p[i] = float64(s.InitScale * src.Normal())
			}
		}
		return m, nil
	case spec.ModelKT:
		return NewDirichlet(spec.ModelKT, int(s.Classes), 0.5), nil
	case spec.ModelLaplace:
		return NewDirichlet(spec.ModelLaplace, int(s.Classes), 1), nil
	case spec.ModelHypothesis:
		return NewHypothesis(int(s.Classes), int(s.Hypotheses), s.ModelNoise), nil
	case spec.ModelTable:
		return NewTable(int(s.Keys), int(s.Classes), s.Alpha), nil
	}
	return nil, fmt.Errorf("model: unknown model %q", s.Model)
}

// encodingVersion heads the canonical parameter encoding.
const encodingVersion = "edlwire-params-v1"

// Encode returns the canonical encoding of m's parameters: the version and
// kind as length-prefixed strings, the shape as int64s, the parameter count,
// then every parameter's IEEE-754 bits, all little-endian.
func Encode(m Model) ([]byte, error) {
	p := m.Params()
	shape := m.Shape()
	out := make([]byte, 0, 64+8*len(shape)+8*len(p))
	putString := func(s string) {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	putString(encodingVersion)
	putString(m.Kind())
	out = binary.LittleEndian.AppendUint32(out, uint32(len(shape)))
	for _, d := range shape {
		out = binary.LittleEndian.AppendUint64(out, uint64(d))
	}
	out = binary.LittleEndian.AppendUint64(out, uint64(len(p)))
	for i, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: index %d is %v", ErrNotFinite, i, v)
		}
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return out, nil
}

// Fingerprint is the SHA-256 of the canonical encoding.
func Fingerprint(m Model) ([32]byte, error) {
	b, err := Encode(m)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}
