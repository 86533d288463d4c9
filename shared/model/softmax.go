package model

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// Softmax is multinomial logistic regression: logits = Wx + b, p = softmax.
// Canonical layout: W row-major (K rows of D), then b (K).
type Softmax struct {
	k, d   int
	params []float64
	logits []float64
}

// NewSoftmax returns a zero-initialized K-class model on D-dimensional inputs.
func NewSoftmax(k, d int) *Softmax {
	if k < 2 || d < 0 {
		panic(fmt.Sprintf("model: softmax needs k >= 2 and d >= 0, got %d, %d", k, d))
	}
	return &Softmax{k: k, d: d, params: make([]float64, k*d+k), logits: make([]float64, k)}
}

func (m *Softmax) Kind() string        { return spec.ModelSoftmax }
func (m *Softmax) Shape() []int64      { return []int64{int64(m.k), int64(m.d)} }
func (m *Softmax) NumClasses() int     { return m.k }
func (m *Softmax) InputDim() int       { return m.d }
func (m *Softmax) Params() []float64   { return m.params }
func (m *Softmax) row(k int) []float64 { return m.params[k*m.d : (k+1)*m.d] }
func (m *Softmax) bias() []float64     { return m.params[m.k*m.d:] }

// Probs computes softmax(Wx + b) into dst.
func (m *Softmax) Probs(dst, x []float64) {
	if len(x) != m.d || len(dst) != m.k {
		panic(fmt.Sprintf("model: softmax shape mismatch: x %d (want %d), dst %d (want %d)", len(x), m.d, len(dst), m.k))
	}
	b := m.bias()
	for k := 0; k < m.k; k++ {
		m.logits[k] = detmath.Dot(m.row(k), x) + b[k]
	}
	detmath.Softmax(dst, m.logits)
}

// AddGrad adds (p − onehot(label)) xᵀ to the W block and p − onehot to b.
func (m *Softmax) AddGrad(grad, x, probs []float64, label int) {
	gb := grad[m.k*m.d:]
	for k := 0; k < m.k; k++ {
		diff := probs[k]
		if k == label {
			diff -= 1
		}
		detmath.Axpy(grad[k*m.d:(k+1)*m.d], diff, x)
		gb[k] += diff
	}
}
