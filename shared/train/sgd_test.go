package train_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"
)

func TestSGDStepExact(t *testing.T) {
	for _, tc := range []struct {
		lr    float64
		batch int
		theta []float64
		grad  []float64
		want  []float64
	}{
		// θ − lr·(Σg/B), every value exactly representable.
		{0.5, 1, []float64{1, 2, -3, 0}, []float64{0.5, -1, 2, 0}, []float64{0.75, 2.5, -4, 0}},
		{0.5, 2, []float64{1, 2, -3, 0.5}, []float64{0.5, -1, 2, 0}, []float64{0.875, 2.25, -3.5, 0.5}},
		{0.25, 4, []float64{0, 0, 0}, []float64{8, -16, 1}, []float64{-0.5, 1, -0.0625}},
		{2, 8, []float64{1e3, -1}, []float64{-64, 4}, []float64{1016, -2}},
	} {
		p := append([]float64(nil), tc.theta...)
		g := append([]float64(nil), tc.grad...)
		train.SGD{LR: tc.lr}.Step(p, g, tc.batch)
		for i := range p {
			if p[i] != tc.want[i] {
				t.Errorf("lr %v batch %d: θ[%d] = %v, want %v", tc.lr, tc.batch, i, p[i], tc.want[i])
			}
			if g[i] != tc.grad[i] {
				t.Errorf("Step modified the gradient")
			}
		}
	}
}

// For arbitrary values the step is the correctly rounded sequence
// θ − round(lr·round(g/B)): within an ulp or two of the real-number update.
func TestSGDStepRandomWithinRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 1000; trial++ {
		lr := r.Float64() * 2
		b := 1 + r.IntN(64)
		theta, g := r.NormFloat64(), r.NormFloat64()*10
		p := []float64{theta}
		train.SGD{LR: lr}.Step(p, []float64{g}, b)
		want := theta - lr*(g/float64(b))
		if math.Abs(p[0]-want) > 4e-16*(math.Abs(theta)+math.Abs(lr*g/float64(b))) {
			t.Fatalf("θ=%v g=%v lr=%v B=%d: %v, want ≈ %v", theta, g, lr, b, p[0], want)
		}
	}
}

func expectPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", name)
			return
		}
		if s, ok := r.(string); !ok || !strings.Contains(s, "sgd") {
			t.Errorf("%s: panic %v does not name sgd", name, r)
		}
	}()
	f()
}

func TestSGDStepPanics(t *testing.T) {
	o := train.SGD{LR: 0.1}
	expectPanic(t, "short gradient", func() { o.Step(make([]float64, 3), make([]float64, 2), 1) })
	expectPanic(t, "long gradient", func() { o.Step(make([]float64, 2), make([]float64, 3), 1) })
	expectPanic(t, "batch 0", func() { o.Step(make([]float64, 2), make([]float64, 2), 0) })
	expectPanic(t, "negative batch", func() { o.Step(make([]float64, 2), make([]float64, 2), -4) })
}

func TestNewOptimizer(t *testing.T) {
	sp := spec.Default()
	sp.LR = 0.125
	o, err := train.New(sp, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := o.(train.SGD); !ok || s.LR != 0.125 {
		t.Fatalf("train.New gave %#v, want SGD{LR: 0.125}", o)
	}
	sp.Optimizer, sp.Beta = spec.OptimizerMomentum, 0.5
	o, err = train.New(sp, 3)
	if m, ok := o.(*train.Momentum); err != nil || !ok || m.Beta != 0.5 || len(m.State()) != 3 {
		t.Fatalf("train.New gave %#v, %v; want momentum β=0.5 sized 3", o, err)
	}
	sp.Optimizer, sp.Beta, sp.Beta1, sp.Beta2, sp.AdamEps, sp.WeightDecay = spec.OptimizerAdamW, 0, 0.8, 0.99, 1e-6, 0.1
	o, err = train.New(sp, 3)
	if a, ok := o.(*train.AdamW); err != nil || !ok || a.Beta1 != 0.8 || a.Beta2 != 0.99 || a.Eps != 1e-6 || a.WeightDecay != 0.1 {
		t.Fatalf("train.New gave %#v, %v; want the spec's AdamW hyperparameters", o, err)
	}
	sp.Optimizer = "adam?"
	if _, err := train.New(sp, 3); err == nil || !strings.Contains(err.Error(), "adam?") {
		t.Fatalf("unknown optimizer: %v", err)
	}
}
