package curve

import (
	"math"
	"reflect"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

func hypothesisSpec(n int64) spec.Spec {
	s := spec.Default()
	s.Task, s.Model = spec.TaskHypothesis, spec.ModelHypothesis
	s.Classes, s.Hypotheses, s.Dim = 64, 64, 1
	s.N, s.Test, s.Batch = n, 500, 1
	return s
}

func couponSpec(keys, classes, n int64) spec.Spec {
	s := spec.Default()
	s.Task, s.Model = spec.TaskCoupon, spec.ModelTable
	s.Keys, s.Classes, s.Dim, s.Alpha = keys, classes, 1, 1e-6
	s.N, s.Test, s.Batch = n, 2000, 1
	return s
}

func softmaxSpec() spec.Spec {
	s := spec.Default()
	s.N, s.Test, s.Validation = 400, 300, 100
	s.Classes, s.Dim, s.LR, s.Batch = 4, 6, 0.3, 4
	s.Epochs, s.Patience = 6, 2
	return s
}

func measure(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Measure(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Hypothesis collapse (EDL.md): with m = M equally likely hypotheses and the
// exact learner, the first label costs log₂m bits, every later one 0, and
// θ*ₙ predicts every test label with probability 1, so EDL(n) = log₂m = 6
// bits exactly for every n ≥ 1.
func TestHypothesisCollapseExact(t *testing.T) {
	s := hypothesisSpec(3000)
	res := measure(t, Config{Spec: s, Grid: LogGrid(s.N, 1, 15), Seeds: []uint64{1, 2, 3}, Workers: 2})
	for _, r := range res.Runs {
		for _, p := range r.Points {
			if p.EDLIdeal != 6 || p.TestLoss != 0 || p.IdealBits != 6 {
				t.Fatalf("seed %d n=%d: EDL %v, ideal %v, test loss %v; want 6, 6, 0 exactly", r.Seed, p.N, p.EDLIdeal, p.IdealBits, p.TestLoss)
			}
			if q := p.QuantizedBits - 6; q < 0 || q > 1e-5*float64(p.N) {
				t.Errorf("seed %d n=%d: quantized %v bits", r.Seed, p.N, p.QuantizedBits)
			}
		}
	}
	if res.Signature != Elicitation {
		t.Errorf("signature %s, want elicitation (EDL/n = 6/n)", res.Signature)
	}
}

// The coupon collector against its closed form: with key probability q =
// 1/K and Δ = log₂C bits per unseen key (α → 0), E[EDL(n)] =
// Δ[K(1 − (1−q)ⁿ) − n(1−q)ⁿ] ≈ KΔ[1 − (1+u)e^{−u}], u = n/K.
func TestCouponClosedForm(t *testing.T) {
	const keys, classes = 30, 16
	s := couponSpec(keys, classes, 300)
	var seeds []uint64
	for i := range 60 {
		seeds = append(seeds, uint64(100+i))
	}
	grid := []int64{5, 15, 30, 54, 90, 150, 300}
	res := measure(t, Config{Spec: s, Grid: grid, Seeds: seeds, Workers: 2})
	delta := math.Log2(classes)
	for k, st := range res.Summary {
		n := float64(st.N)
		qn := math.Pow(1-1.0/keys, n)
		want := delta * (keys*(1-qn) - n*qn)
		u := n / keys
		cont := keys * delta * (1 - (1+u)*math.Exp(-u))
		se := st.EDLIdeal.SD / math.Sqrt(float64(len(seeds)))
		t.Logf("n=%4.0f EDL %7.2f ± %5.2f bits, exact expectation %7.2f, continuum %7.2f", n, st.EDLIdeal.Mean, se, want, cont)
		if d := math.Abs(st.EDLIdeal.Mean - want); d > 4*se+0.5 {
			t.Errorf("grid point %d: EDL %v, closed form %v (%.1f standard errors)", k, st.EDLIdeal.Mean, want, d/se)
		}
	}
}

// The θ*ₙ runs in parallel give the very bits of a serial run, and each
// seed's curve does not depend on which other seeds ran beside it.
func TestParallelEqualsSerialAndSeedsIndependent(t *testing.T) {
	s := softmaxSpec()
	grid := LogGrid(s.N, s.Batch, 8)
	cfg := Config{Spec: s, Grid: grid, Seeds: []uint64{7, 8, 9}, Control: true, KeepLosses: true}
	serial := measure(t, cfg)
	cfg.Workers = 5
	parallel := measure(t, cfg)
	if !reflect.DeepEqual(serial, parallel) {
		t.Fatal("parallel result differs from the serial one")
	}
	alone := measure(t, Config{Spec: s, Grid: grid, Seeds: []uint64{8}, Control: true, KeepLosses: true})
	if !reflect.DeepEqual(alone.Runs[0], serial.Runs[1]) || !reflect.DeepEqual(alone.Controls[0], serial.Controls[1]) {
		t.Fatal("seed 8 alone differs from seed 8 among others")
	}
	if reflect.DeepEqual(serial.Runs[0].Points, serial.Runs[1].Points) {
		t.Fatal("seeds 7 and 8 gave the same curve")
	}
	for _, r := range serial.Runs {
		for _, p := range r.Points {
			if p.Epochs == 0 {
				t.Errorf("seed %d n=%d: no epochs after the pass", r.Seed, p.N)
			}
		}
	}
	if len(serial.Runs[0].Losses) != int(s.N) {
		t.Errorf("kept %d losses", len(serial.Runs[0].Losses))
	}
}

// Every grid point's coded bits are the length of a stream that codes
// exactly the first n labels and ends; the last one is the whole pass.
func TestCodedBitsArePrefixStreams(t *testing.T) {
	s := softmaxSpec()
	s.Epochs, s.Patience = 0, 0
	grid := []int64{4, 8, 40, 100, 400}
	res := measure(t, Config{Spec: s, Grid: grid, Seeds: []uint64{3}})
	in, _ := task.NewInputs(withSeed(s, 3))
	labels, _ := task.NewLabels(withSeed(s, 3), in)
	for k, n := range grid {
		sess, _ := prequential.New(withSeed(s, 3), in)
		enc, _ := coder.NewEncoder(uint(s.Precision))
		// A reference stream coded by hand, apart from the drivers.
		for sess.Index() < n {
			off, err := sess.Next()
			if err != nil {
				t.Fatal(err)
			}
			if off.Kind != prequential.OfferCode {
				continue
			}
			y := labels.Train[off.Index]
			if err := enc.Encode(off.Freqs, y); err != nil {
				t.Fatal(err)
			}
			if err := sess.Apply(y); err != nil {
				t.Fatal(err)
			}
		}
		enc.Finish()
		if got, want := res.Runs[0].Points[k].CodedBits, 8*enc.Len(); got != want {
			t.Errorf("n=%d: coded %d bits, a stream of the prefix has %d", n, got, want)
		}
		if a := sess.Accounting(); a.IdealBits != res.Runs[0].Points[k].IdealBits || a.QuantizedIdealBits != res.Runs[0].Points[k].QuantizedBits {
			t.Errorf("n=%d: partial sums differ from a run of the prefix", n)
		}
	}
}

func withSeed(s spec.Spec, seed uint64) spec.Spec { s.Seed = seed; return s }

// Scoring a subset: the partial sums of the scored examples add up with the
// unscored ones to the whole.
func TestScoredPartsAddUp(t *testing.T) {
	s := couponSpec(20, 4, 200)
	s.RareWeight = 0.5
	grid := []int64{10, 50, 200}
	all := measure(t, Config{Spec: s, Grid: grid, Seeds: []uint64{1}})
	a := measure(t, Config{Spec: s, Grid: grid, Seeds: []uint64{1}, Scored: func(x []float64) bool { return x[0] == 0 }})
	b := measure(t, Config{Spec: s, Grid: grid, Seeds: []uint64{1}, Scored: func(x []float64) bool { return x[0] != 0 }})
	for k := range grid {
		pa, pb, p := a.Runs[0].Points[k], b.Runs[0].Points[k], all.Runs[0].Points[k]
		if pa.Scored+pb.Scored != p.N {
			t.Errorf("n=%d: %d + %d scored", p.N, pa.Scored, pb.Scored)
		}
		if d := pa.IdealBits + pb.IdealBits - p.IdealBits; math.Abs(d) > 1e-9*p.IdealBits {
			t.Errorf("n=%d: ideal parts %v + %v != %v", p.N, pa.IdealBits, pb.IdealBits, p.IdealBits)
		}
		if !math.IsNaN(pa.EDL) {
			t.Errorf("coded EDL of a scored part should be NaN, got %v", pa.EDL)
		}
	}
}

func TestLogGrid(t *testing.T) {
	for _, c := range []struct {
		n, batch int64
		points   int
	}{{10000, 1, 20}, {10000, 10, 30}, {7, 1, 20}, {1005, 10, 12}, {1, 1, 5}} {
		g := LogGrid(c.n, c.batch, c.points)
		if len(g) == 0 || g[len(g)-1] != c.n || g[0] < 1 {
			t.Fatalf("%+v: %v", c, g)
		}
		for i, v := range g {
			if i > 0 && v <= g[i-1] || v%c.batch != 0 && v != c.n {
				t.Fatalf("%+v: %v", c, g)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	s := softmaxSpec()
	for _, cfg := range []Config{
		{Spec: s, Grid: []int64{4, 4}, Seeds: []uint64{1}},
		{Spec: s, Grid: []int64{5}, Seeds: []uint64{1}},
		{Spec: s, Grid: []int64{800}, Seeds: []uint64{1}},
		{Spec: s, Grid: []int64{4}},
		{Spec: s, Grid: []int64{4}, Seeds: []uint64{1, 1}},
	} {
		if _, err := Measure(cfg); err == nil {
			t.Errorf("%v %v accepted", cfg.Grid, cfg.Seeds)
		}
	}
}

func TestShapes(t *testing.T) {
	pts := func(v ...float64) []Point {
		var out []Point
		for i, x := range v {
			out = append(out, Point{N: int64(i + 1), EDLIdeal: x * float64(i+1)})
		}
		return out
	}
	for _, c := range []struct {
		v    []float64
		want Shape
	}{
		{[]float64{3, 2, 1}, ShapeFalling},
		{[]float64{1, 2, 3, 2, 1}, ShapeRisingFalling},
		{[]float64{1, 2, 2, 3}, ShapeRising},
		{[]float64{2, 2}, ShapeFlat},
		{[]float64{3, 1, 2}, ShapeMixed},
	} {
		if got := ShapeOf(pts(c.v...)); got != c.want {
			t.Errorf("%v: %s, want %s", c.v, got, c.want)
		}
	}
}

// Accuracy is the fraction of rows whose most probable class is the label,
// ties going to the lowest class index; an empty set has accuracy 0.
func TestAccuracy(t *testing.T) {
	uniform := model.NewSoftmax(3, 3) // zero parameters: every class ties
	x := &task.Matrix{Rows: 4, Cols: 3, Data: []float64{
		1, 0, 0,
		0, 2, 1,
		0, 1, 1,
		0, 0, 5,
	}}
	labels := []int{0, 1, 2, 2}
	if got := Accuracy(uniform, x, labels); got != 0.25 {
		t.Errorf("uniform model: accuracy %v, want 0.25 (every row predicts class 0)", got)
	}
	// logits = x: the identity weights predict each row's largest input.
	identity := model.NewSoftmax(3, 3)
	for k := range 3 {
		identity.Params()[k*3+k] = 1
	}
	if got := Accuracy(identity, x, labels); got != 0.75 {
		t.Errorf("identity model: accuracy %v, want 0.75 (row 3 ties classes 1 and 2 and predicts 1)", got)
	}
	if got := Accuracy(identity, &task.Matrix{Cols: 3}, nil); got != 0 {
		t.Errorf("empty set: accuracy %v, want 0", got)
	}
}
