package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// refPass is a deliberately naive MLP forward and backward pass that follows
// the summation order documented on MLP one number at a time, with the
// one-vector kernels detmath.Dot and detmath.Axpy: no tiles, no blocks, no
// lists, no workers. It returns the probabilities, the gradient and ∂/∂x.
func refPass(m *MLP, xs [][]float64, labels []int) (probs [][]float64, grad []float64, dIn [][]float64) {
	L, B := m.layers(), len(xs)
	acts := make([][][]float64, L+1)
	pre := make([][][]float64, L+1)
	acts[0] = xs
	for l := range L {
		W, bias, nin, nout := m.weights(l), m.biases(l), m.sizes[l], m.sizes[l+1]
		acts[l+1], pre[l+1] = make([][]float64, B), make([][]float64, B)
		for b := range B {
			a, z := make([]float64, nout), make([]float64, nout)
			for o := range nout {
				z[o] = detmath.Dot(W[o*nin:(o+1)*nin], acts[l][b]) + bias[o]
				a[o] = z[o]
				if l < L-1 {
					a[o] = m.activate(z[o])
				}
			}
			acts[l+1][b], pre[l+1][b] = a, z
		}
	}
	probs = make([][]float64, B)
	delta := make([][]float64, B)
	for b := range B {
		probs[b] = make([]float64, m.NumClasses())
		detmath.Softmax(probs[b], acts[L][b])
		delta[b] = append([]float64(nil), probs[b]...)
		delta[b][labels[b]] -= 1
	}
	grad = make([]float64, len(m.params))
	for l := L - 1; l >= 0; l-- {
		nin, nout := m.sizes[l], m.sizes[l+1]
		W := m.weights(l)
		gW, gb := grad[m.wOff[l]:m.wOff[l]+nout*nin], grad[m.bOff[l]:m.bOff[l]+nout]
		for o := range nout {
			for b := range B {
				if d := delta[b][o]; d != 0 {
					gb[o] += d
					detmath.Axpy(gW[o*nin:(o+1)*nin], d, acts[l][b])
				}
			}
		}
		if l == 0 && !m.inputGrad {
			break
		}
		prev := make([][]float64, B)
		for b := range B {
			prev[b] = make([]float64, nin)
			for o := range nout {
				if d := delta[b][o]; d != 0 {
					detmath.Axpy(prev[b], d, W[o*nin:(o+1)*nin])
				}
			}
			if l == 0 {
				continue
			}
			for i := range prev[b] {
				if m.act == spec.ActGELU {
					prev[b][i] = float64(prev[b][i] * geluDerivative(pre[l][b][i]))
				} else {
					prev[b][i] = float64(prev[b][i] * m.derivative(acts[l][b][i]))
				}
			}
		}
		if l == 0 {
			dIn = prev
		}
		delta = prev
	}
	return probs, grad, dIn
}

// TestMLPMatchesNaiveOrder checks Forward and Backward against refPass bit
// for bit on random shapes: widths across the kernels' tiles and the cache
// blocks (ragged ends included), every activation, batches 1 to 33, one
// and two workers, inputs with exact zeros and inactive relu units.
func TestMLPMatchesNaiveOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 18))
	widths := []int{1, 2, 3, 5, 8, 13, 31, 64, 67, 130, 200}
	trials := 40
	if testing.Short() {
		trials = 10
	}
	for trial := range trials {
		act := []string{spec.ActReLU, spec.ActTanh, spec.ActGELU}[trial%3]
		sizes := []int{widths[r.IntN(len(widths))]}
		for range r.IntN(3) {
			sizes = append(sizes, widths[r.IntN(len(widths))])
		}
		sizes = append(sizes, 2+r.IntN(11))
		B := 1 + r.IntN(33)
		workers := 1 + trial%2
		if trial < 3 { // large enough for the split across workers (parallelMin)
			sizes, B, workers = []int{130, 300, 200, 9}, 33, 2+trial%2
		}
		name := fmt.Sprintf("%v/%s/batch=%d/workers=%d", sizes, act, B, workers)
		m := NewMLP(sizes, act)
		m.inputGrad = trial%4 == 3
		m.SetWorkers(workers)
		for i := range m.params {
			m.params[i] = 0.3 * (2*r.Float64() - 1)
			if r.IntN(10) == 0 {
				m.params[i] = 0
			}
		}
		xs, labels := make([][]float64, B), make([]int, B)
		for b := range B {
			xs[b] = make([]float64, sizes[0])
			for i := range xs[b] {
				if r.IntN(5) > 0 {
					xs[b][i] = (2*r.Float64() - 1) * math.Ldexp(1, r.IntN(8)-4)
				}
			}
			labels[b] = r.IntN(m.NumClasses())
		}
		wantP, wantG, wantIn := refPass(m, xs, labels)
		probs := make([][]float64, B)
		for b := range probs {
			probs[b] = make([]float64, m.NumClasses())
		}
		m.Forward(probs, xs)
		grad := make([]float64, len(m.params))
		m.Backward(grad, labels)
		for b := range B {
			for k, p := range probs[b] {
				if math.Float64bits(p) != math.Float64bits(wantP[b][k]) {
					t.Fatalf("%s: p[%d][%d] = %v, reference %v", name, b, k, p, wantP[b][k])
				}
			}
		}
		for i, g := range grad {
			if math.Float64bits(g) != math.Float64bits(wantG[i]) {
				t.Fatalf("%s: grad[%d] = %v, reference %v", name, i, g, wantG[i])
			}
		}
		if m.inputGrad {
			for b := range B {
				for i, g := range m.dIn[b] {
					if math.Float64bits(g) != math.Float64bits(wantIn[b][i]) {
						t.Fatalf("%s: dIn[%d][%d] = %v, reference %v", name, b, i, g, wantIn[b][i])
					}
				}
			}
		}
	}
}
