package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"
)

// TestWorkersMatchOneWorker runs a few training steps of random MLPs on 1 to
// 4 workers, with every layer split however small (parallelMin 0: ragged
// shares, shares of no unit when a layer is narrower than the team, a
// back-propagation pipelined across up to 4 stages) and compares every bit
// with one worker: the probabilities, the gradient and ∂loss/∂x of every
// step, and for BackwardStep (the optimizer's update fused into the
// backward pass) the parameters, the optimizer's state and the cleared
// gradient after every step, against Backward, Step, clear on one worker.
func TestWorkersMatchOneWorker(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 4))
	widths := []int{1, 3, 4, 7, 8, 13, 64, 67, 130, 200}
	trials := 24
	if testing.Short() {
		trials = 8
	}
	for trial := range trials {
		act := []string{spec.ActReLU, spec.ActTanh, spec.ActGELU}[trial%3]
		opt := []string{"sgd", "momentum", "adamw"}[trial/3%3]
		sizes := []int{widths[r.IntN(len(widths))]}
		for range 1 + r.IntN(3) {
			sizes = append(sizes, widths[r.IntN(len(widths))])
		}
		sizes = append(sizes, 2+r.IntN(11))
		B := 1 + r.IntN(33)
		inputGrad := trial%4 == 3
		init := make([]float64, len(NewMLP(sizes, act).Params()))
		for i := range init {
			init[i] = 0.3 * (2*r.Float64() - 1)
			if r.IntN(10) == 0 {
				init[i] = 0
			}
		}
		const steps = 3
		xs, labels := make([][][]float64, steps), make([][]int, steps)
		for s := range steps {
			xs[s], labels[s] = make([][]float64, B), make([]int, B)
			for b := range B {
				xs[s][b] = make([]float64, sizes[0])
				for i := range xs[s][b] {
					if r.IntN(5) > 0 {
						xs[s][b][i] = (2*r.Float64() - 1) * math.Ldexp(1, r.IntN(8)-4)
					}
				}
				labels[s][b] = r.IntN(sizes[len(sizes)-1])
			}
		}
		// run trains a copy with the given workers, fused or not, and
		// returns, per step, the probabilities, ∂loss/∂x and the
		// gradient, then the final parameters and optimizer state.
		run := func(workers int, fused bool) (out [][]float64) {
			m := NewMLP(sizes, act)
			m.inputGrad, m.parallelMin = inputGrad, 0
			m.SetWorkers(workers)
			copy(m.params, init)
			o, err := train.NewByName(opt, len(m.params), 0.05, train.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e := o.(train.Elementwise)
			grad := make([]float64, len(m.params))
			probs := make([][]float64, B)
			for b := range probs {
				probs[b] = make([]float64, m.NumClasses())
			}
			for s := range steps {
				m.Forward(probs, xs[s])
				for _, p := range probs {
					out = append(out, append([]float64(nil), p...))
				}
				if fused {
					e.BeginStep(m.params, grad, B)
					m.BackwardStep(grad, labels[s], e, B)
				} else {
					m.Backward(grad, labels[s])
					out = append(out, append([]float64(nil), grad...))
					o.Step(m.params, grad, B)
					clear(grad)
				}
				if inputGrad {
					for _, d := range m.dIn[:B] {
						out = append(out, append([]float64(nil), d...))
					}
				}
				out = append(out, append([]float64(nil), m.params...), o.State(), append([]float64(nil), grad...))
			}
			return out
		}
		want := run(1, false)
		wantFused := dropGradients(want, B, steps, inputGrad)
		for workers := 1; workers <= 4; workers++ {
			for _, fused := range []bool{false, true} {
				if workers == 1 && !fused {
					continue
				}
				name := fmt.Sprintf("%v/%s/%s/batch=%d/inputGrad=%v/workers=%d/fused=%v", sizes, act, opt, B, inputGrad, workers, fused)
				got, ref := run(workers, fused), want
				if fused {
					ref = wantFused
				}
				if len(got) != len(ref) {
					t.Fatalf("%s: %d vectors, want %d", name, len(got), len(ref))
				}
				for v := range ref {
					if len(got[v]) != len(ref[v]) {
						t.Fatalf("%s: vector %d has %d entries, want %d", name, v, len(got[v]), len(ref[v]))
					}
					for i := range ref[v] {
						if math.Float64bits(got[v][i]) != math.Float64bits(ref[v][i]) {
							t.Fatalf("%s: vector %d entry %d = %v, one worker %v", name, v, i, got[v][i], ref[v][i])
						}
					}
				}
			}
		}
	}
}

// dropGradients removes the gradient vectors from run's output without
// fusion (B probabilities, the gradient, B input gradients with inputGrad,
// parameters, state, cleared gradient per step): the fused run never holds
// the whole gradient at once.
func dropGradients(v [][]float64, B, steps int, inputGrad bool) [][]float64 {
	var out [][]float64
	for range steps {
		out = append(out, v[:B]...)
		v = v[B+1:] // the gradient
		n := 3
		if inputGrad {
			n += B
		}
		out = append(out, v[:n]...)
		v = v[n:]
	}
	return out
}
