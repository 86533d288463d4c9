package model

import "fmt"

// Dirichlet is the sequential Bayesian estimator of a categorical label
// distribution under a symmetric Dirichlet(α) prior, ignoring the inputs:
// p(y = k) = (c_k + α) / (n + Kα). α = ½ is the Krichevsky–Trofimov
// estimator, α = 1 Laplace's. Its prequential code length for a sequence is
// −log₂ of the Dirichlet-multinomial probability of the label counts,
// whatever their order: the closed form the coder is checked against.
//
// Parameters: the K counts (exact integers in float64 up to 2^53).
type Dirichlet struct {
	kind   string
	alpha  float64
	counts []float64
	total  float64
}

// NewDirichlet returns an estimator with no observations.
func NewDirichlet(kind string, k int, alpha float64) *Dirichlet {
	if k < 2 || !(alpha > 0) {
		panic(fmt.Sprintf("model: dirichlet needs k >= 2 and alpha > 0, got %d, %v", k, alpha))
	}
	return &Dirichlet{kind: kind, alpha: alpha, counts: make([]float64, k)}
}

func (m *Dirichlet) Kind() string      { return m.kind }
func (m *Dirichlet) Shape() []int64    { return []int64{int64(len(m.counts))} }
func (m *Dirichlet) NumClasses() int   { return len(m.counts) }
func (m *Dirichlet) InputDim() int     { return 0 }
func (m *Dirichlet) Params() []float64 { return m.counts }

// Probs ignores x. Each probability is one correctly rounded division.
func (m *Dirichlet) Probs(dst, _ []float64) {
	if len(dst) != len(m.counts) {
		panic(fmt.Sprintf("model: dirichlet: dst %d, want %d", len(dst), len(m.counts)))
	}
	den := m.total + float64(float64(len(m.counts))*m.alpha)
	for k, c := range m.counts {
		dst[k] = (c + m.alpha) / den
	}
}

// Observe counts one label.
func (m *Dirichlet) Observe(_ []float64, label int) {
	m.counts[label]++
	m.total++
}
