package train

import (
	"slices"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// WithLR changes the rate and nothing else: after it, each rule steps as a
// fresh rule with the new rate and the old state would.
func TestWithLR(t *testing.T) {
	for _, name := range []string{spec.OptimizerSGD, OptimizerMomentum, OptimizerAdam} {
		a, err := NewByName(name, 3, 0.1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := []float64{1, -2, 0.5}
		a.Step(p, []float64{0.3, -0.1, 2}, 2)
		b, err := NewByName(name, 3, 0.025, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.SetState(a.State()); err != nil {
			t.Fatal(err)
		}
		a = WithLR(a, 0.025)
		q := slices.Clone(p)
		g := []float64{-1, 0.25, 0.125}
		a.Step(p, g, 2)
		b.Step(q, g, 2)
		if !slices.Equal(p, q) || !slices.Equal(a.State(), b.State()) {
			t.Fatalf("%s: after WithLR %v %v, a fresh rule at that rate %v %v", name, p, a.State(), q, b.State())
		}
	}
}
