package model

import (
	"fmt"
	"sync"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// MLP is a multilayer perceptron: hidden layers a = act(Wa' + b), then
// logits = Wa + b and p = softmax(logits). With no hidden layers it is
// softmax regression (multinomial logistic regression), the Softmax model.
//
// Canonical layout: for each layer from the input side, W row-major (out
// rows of in), then b (out).
//
// Summation order, fixed whatever the partition across goroutines:
//   - a pre-activation is detmath.Dot(W row, input) + b: four lanes, fixed tree;
//   - a weight's gradient sums float64(δ·a) over the batch in example order,
//     then its bias the δ in example order;
//   - a back-propagated δ sums float64(δ_o·W[o][i]) over output units o in
//     increasing order, then multiplies by the activation's derivative.
//
// Parallel work is split by output units (forward and weight gradients) or
// input units (back-propagation), never by examples, so every number is
// computed by the same sequence of operations on any number of workers.
type MLP struct {
	sizes  []int // input, hidden..., classes
	act    string
	params []float64
	wOff   []int // offset of each layer's W in params
	bOff   []int // offset of each layer's b

	workers int

	// Batch buffers, grown on demand and reused: no allocation per step.
	batch int
	acts  [][][]float64 // acts[l][b]: layer l's output (acts[0] aliases the inputs)
	delta [][][]float64 // delta[l][b]: ∂loss/∂pre-activation of layer l+1's units
	probs [][]float64
	one   [][]float64
}

// Softmax is the MLP without hidden layers: logits = Wx + b.
type Softmax = MLP

// NewSoftmax returns a zero-initialized K-class softmax regression on
// D-dimensional inputs.
func NewSoftmax(k, d int) *MLP { return NewMLP([]int{d, k}, spec.ActReLU) }

// NewMLP returns a zero-initialized network with the given layer sizes
// (input first, classes last).
func NewMLP(sizes []int, act string) *MLP {
	if len(sizes) < 2 || sizes[len(sizes)-1] < 2 || sizes[0] < 0 {
		panic(fmt.Sprintf("model: mlp needs sizes [in, ..., classes >= 2], got %v", sizes))
	}
	m := &MLP{sizes: append([]int(nil), sizes...), act: act, workers: 1}
	n := 0
	for l := 1; l < len(sizes); l++ {
		if sizes[l] < 1 {
			panic(fmt.Sprintf("model: mlp layer %d has width %d", l, sizes[l]))
		}
		m.wOff = append(m.wOff, n)
		n += sizes[l] * sizes[l-1]
		m.bOff = append(m.bOff, n)
		n += sizes[l]
	}
	m.params = make([]float64, n)
	return m
}

// Kind is "softmax" without hidden layers, "mlp" otherwise.
func (m *MLP) Kind() string {
	if len(m.sizes) == 2 {
		return spec.ModelSoftmax
	}
	return spec.ModelMLP
}

// Shape is the layer sizes, then 0 for relu or 1 for tanh when hidden
// layers exist; softmax regression's shape is [K, D] as in version 1.
func (m *MLP) Shape() []int64 {
	if len(m.sizes) == 2 {
		return []int64{int64(m.sizes[1]), int64(m.sizes[0])}
	}
	out := make([]int64, 0, len(m.sizes)+1)
	for _, s := range m.sizes {
		out = append(out, int64(s))
	}
	act := int64(0)
	if m.act == spec.ActTanh {
		act = 1
	}
	return append(out, act)
}

func (m *MLP) NumClasses() int   { return m.sizes[len(m.sizes)-1] }
func (m *MLP) InputDim() int     { return m.sizes[0] }
func (m *MLP) Params() []float64 { return m.params }

// SetWorkers sets how many goroutines large layers are split across. It
// changes speed only, never a bit of the results.
func (m *MLP) SetWorkers(n int) { m.workers = max(1, n) }

func (m *MLP) layers() int { return len(m.sizes) - 1 }

func (m *MLP) weights(l int) []float64 {
	return m.params[m.wOff[l] : m.wOff[l]+m.sizes[l+1]*m.sizes[l]]
}

func (m *MLP) biases(l int) []float64 { return m.params[m.bOff[l] : m.bOff[l]+m.sizes[l+1]] }

// grow makes the batch buffers hold at least b examples.
func (m *MLP) grow(b int) {
	if b <= m.batch {
		return
	}
	L := m.layers()
	m.acts = make([][][]float64, L+1)
	m.delta = make([][][]float64, L)
	for l := 0; l <= L; l++ {
		m.acts[l] = make([][]float64, b)
		if l > 0 {
			for i := range m.acts[l] {
				m.acts[l][i] = make([]float64, m.sizes[l])
			}
		}
		if l < L {
			m.delta[l] = make([][]float64, b)
			for i := range m.delta[l] {
				m.delta[l][i] = make([]float64, m.sizes[l+1])
			}
		}
	}
	m.probs = make([][]float64, b)
	m.batch = b
}

// parallel runs work over [0, n) split into contiguous ranges, one per
// worker, when the job is large enough to pay for the goroutines. The
// results never depend on the split: callers give each index its own
// outputs and a fixed order of operations.
func (m *MLP) parallel(n, costPerIndex int, work func(lo, hi int)) {
	w := m.workers
	if w > n {
		w = n
	}
	if w <= 1 || n*costPerIndex < 1<<15 {
		work(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		lo, hi := k*n/w, (k+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(lo, hi)
		}()
	}
	work(0, n/w)
	wg.Wait()
}

// Probs computes p(·|x) into dst.
func (m *MLP) Probs(dst, x []float64) {
	if m.one == nil {
		m.one = make([][]float64, 1)
	}
	m.one[0] = x
	tmp := [1][]float64{dst}
	m.Forward(tmp[:], m.one)
}

// Forward computes p(·|x_b) into probs[b] for a batch, keeping the
// activations Backward needs.
func (m *MLP) Forward(probs, xs [][]float64) {
	B := len(xs)
	if len(probs) != B {
		panic(fmt.Sprintf("model: mlp forward: %d outputs for %d inputs", len(probs), B))
	}
	m.grow(B)
	for b, x := range xs {
		if len(x) != m.sizes[0] || len(probs[b]) != m.NumClasses() {
			panic(fmt.Sprintf("model: mlp shape mismatch: x %d (want %d), dst %d (want %d)", len(x), m.sizes[0], len(probs[b]), m.NumClasses()))
		}
		m.acts[0][b] = x
		m.probs[b] = probs[b]
	}
	L := m.layers()
	for l := 0; l < L; l++ {
		in, out := m.acts[l][:B], m.acts[l+1][:B]
		if l == L-1 {
			out = m.probs[:B]
		}
		W, bias, nin := m.weights(l), m.biases(l), m.sizes[l]
		hidden := l < L-1
		m.parallel(m.sizes[l+1], B*nin, func(lo, hi int) {
			for b := 0; b < B; b++ {
				a, z := in[b], out[b]
				for o := lo; o < hi; o++ {
					v := detmath.Dot(W[o*nin:(o+1)*nin], a) + bias[o]
					if hidden {
						v = m.activate(v)
					}
					z[o] = v
				}
			}
		})
	}
	for b := 0; b < B; b++ {
		detmath.Softmax(probs[b], probs[b])
	}
}

func (m *MLP) activate(z float64) float64 {
	if m.act == spec.ActTanh {
		return detmath.Tanh(z)
	}
	if z > 0 {
		return z
	}
	return 0
}

// derivative is act'(z) written in terms of the activation a = act(z).
func (m *MLP) derivative(a float64) float64 {
	if m.act == spec.ActTanh {
		return 1 - float64(a*a)
	}
	if a > 0 {
		return 1
	}
	return 0
}

// Backward adds Σ_b ∇θ −ln p(labels[b]|x_b) into grad for the batch of the
// last Forward, whose probabilities it reads from that call's outputs.
func (m *MLP) Backward(grad []float64, labels []int) {
	B := len(labels)
	L := m.layers()
	K := m.NumClasses()
	for b := 0; b < B; b++ {
		d, p := m.delta[L-1][b], m.probs[b]
		copy(d, p[:K])
		d[labels[b]] -= 1
	}
	for l := L - 1; l >= 0; l-- {
		nin, nout := m.sizes[l], m.sizes[l+1]
		in, dl := m.acts[l][:B], m.delta[l][:B]
		gW := grad[m.wOff[l] : m.wOff[l]+nout*nin]
		gb := grad[m.bOff[l] : m.bOff[l]+nout]
		m.parallel(nout, B*nin, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				row := gW[o*nin : (o+1)*nin]
				for b := 0; b < B; b++ {
					detmath.Axpy(row, dl[b][o], in[b])
					gb[o] += dl[b][o]
				}
			}
		})
		if l == 0 {
			break
		}
		W, prev := m.weights(l), m.delta[l-1][:B]
		m.parallel(nin, B*nout, func(lo, hi int) {
			for b := 0; b < B; b++ {
				dp, a := prev[b][lo:hi], in[b][lo:hi]
				clear(dp)
				for o := 0; o < nout; o++ {
					detmath.Axpy(dp, dl[b][o], W[o*nin+lo:o*nin+hi])
				}
				for i := range dp {
					dp[i] = float64(dp[i] * m.derivative(a[i]))
				}
			}
		})
	}
}

// AddGrad adds the gradient of −ln p(label|x) for one example into grad.
// probs must be Probs(x) under the current parameters.
func (m *MLP) AddGrad(grad, x, probs []float64, label int) {
	m.Probs(probs, x)
	m.Backward(grad, []int{label})
}
