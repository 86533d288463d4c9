package train

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/rng"
)

// An elementwise rule updated range by range, over ragged partitions that
// change from step to step, gives the bits of Step: parameters and state.
func TestElementwiseRangesMatchStep(t *testing.T) {
	const n, steps = 103, 6
	src := rng.New(7, 0)
	mk := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = src.Normal()
		}
		return v
	}
	params, grads := mk(), make([][]float64, steps)
	for s := range grads {
		grads[s] = mk()
	}
	rules := map[string]func() Elementwise{
		"sgd":      func() Elementwise { return SGD{LR: 0.1} },
		"momentum": func() Elementwise { return &Momentum{LR: 0.1, Beta: 0.9} },
		"adamw":    func() Elementwise { return &AdamW{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01} },
	}
	cuts := [][]int{{0, n}, {0, 1, 50, n}, {0, 17, 18, 40, 99, n}, {0, 0, n}, {0, 64, n}, {0, 3, 7, 11, 13, n}}
	for name, mkRule := range rules {
		t.Run(name, func(t *testing.T) {
			whole, split := mkRule(), mkRule()
			a, b := append([]float64(nil), params...), append([]float64(nil), params...)
			for s := range steps {
				whole.Step(a, grads[s], 4)
				split.BeginStep(b, grads[s], 4)
				c := cuts[s%len(cuts)]
				for k := len(c) - 2; k >= 0; k-- { // ranges in reverse: order must not matter
					split.StepRange(b, grads[s], 4, c[k], c[k+1])
				}
			}
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					t.Fatalf("param %d: Step %v, ranges %v", i, a[i], b[i])
				}
			}
			sa, sb := whole.State(), split.State()
			for i := range sa {
				if math.Float64bits(sa[i]) != math.Float64bits(sb[i]) {
					t.Fatalf("state %d: Step %v, ranges %v", i, sa[i], sb[i])
				}
			}
		})
	}
}
