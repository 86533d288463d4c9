package edl_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/task"
)

func TestUniformBitsPowersOfTwo(t *testing.T) {
	for e := 1; e <= 20; e++ {
		k := 1 << e
		for _, n := range []int64{0, 1, 7, 1000, 12345, 50_000_000} {
			if got, want := edl.UniformBits(n, k), float64(n)*float64(e); got != want {
				t.Errorf("UniformBits(%d, %d) = %v, want %v", n, k, got, want)
			}
		}
	}
	for _, k := range []int{3, 5, 10, 257, 1000} {
		n := int64(10000)
		want := float64(n) * math.Log2(float64(k))
		if got := edl.UniformBits(n, k); math.Abs(got-want) > 1e-12*want {
			t.Errorf("UniformBits(%d, %d) = %.17g, want %.17g", n, k, got, want)
		}
	}
}

func TestTestLossBitsLaplaceByHand(t *testing.T) {
	// Laplace (α = 1), K = 4, counts (3, 1, 0, 0): p = (4, 2, 1, 1)/8.
	m := model.NewDirichlet("laplace", 4, 1)
	for _, y := range []int{0, 0, 1, 0} {
		m.Observe(nil, y)
	}
	x := &task.Matrix{Rows: 5, Cols: 0}
	got, err := edl.TestLossBits(m, x, []int{0, 1, 2, 3, 0})
	if err != nil {
		t.Fatal(err)
	}
	// −log₂: 1, 2, 3, 3, 1 → mean 2.
	if math.Abs(got-2) > 1e-15 {
		t.Errorf("test loss %.17g, want 2", got)
	}
}

func TestTestLossBitsSoftmaxByHand(t *testing.T) {
	// K = 2, D = 1: W = (0, 0), b = (0, ln 3) → p = (1/4, 3/4) for every x.
	m := model.NewSoftmax(2, 1)
	m.Params()[3] = math.Log(3)
	x := &task.Matrix{Rows: 3, Cols: 1, Data: []float64{1, -2, 0.5}}
	got, err := edl.TestLossBits(m, x, []int{0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	want := (2 + 2*(2-math.Log2(3))) / 3
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("test loss %.17g, want %.17g", got, want)
	}

	// W = (0, 1), b = 0: p(1|x) = σ(x).
	m = model.NewSoftmax(2, 1)
	m.Params()[1] = 1
	xs := []float64{0, 2, -1, 3.5}
	labels := []int{1, 0, 1, 1}
	x = &task.Matrix{Rows: 4, Cols: 1, Data: xs}
	got, err = edl.TestLossBits(m, x, labels)
	if err != nil {
		t.Fatal(err)
	}
	want = 0
	for i, v := range xs {
		p1 := 1 / (1 + math.Exp(-v))
		if labels[i] == 1 {
			want -= math.Log2(p1)
		} else {
			want -= math.Log2(1 - p1)
		}
	}
	want /= 4
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("test loss %.17g, want %.17g", got, want)
	}

	// A zero model is uniform: exactly log₂K bits.
	m = model.NewSoftmax(8, 2)
	x = &task.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3, 4}}
	if got, err := edl.TestLossBits(m, x, []int{7, 0}); err != nil || math.Abs(got-3) > 1e-15 {
		t.Errorf("uniform model: %v, %v; want 3 bits", got, err)
	}
}

func TestTestLossBitsErrors(t *testing.T) {
	m := model.NewSoftmax(3, 1)
	x := &task.Matrix{Rows: 2, Cols: 1, Data: []float64{1, 2}}
	if _, err := edl.TestLossBits(m, x, []int{0}); err == nil {
		t.Error("accepted 2 inputs with 1 label")
	}
	if _, err := edl.TestLossBits(m, x, []int{0, 3}); err == nil {
		t.Error("accepted label 3 with K = 3")
	}
	if _, err := edl.TestLossBits(m, x, []int{-1, 0}); err == nil {
		t.Error("accepted label -1")
	}
	if got, err := edl.TestLossBits(m, &task.Matrix{Cols: 1}, nil); err != nil || got != 0 {
		t.Errorf("empty set: %v, %v; want 0, nil", got, err)
	}
}

func TestEDLArithmetic(t *testing.T) {
	for _, c := range []struct{ mdl, loss, want float64 }{
		{1000, 2.5, 750},
		{0, 0, 0},
		{500, 10, -500},
		{33219.28, 0, 33219.28},
	} {
		if got := edl.EDL(c.mdl, 100, c.loss); got != c.want {
			t.Errorf("EDL(%v, 100, %v) = %v, want %v", c.mdl, c.loss, got, c.want)
		}
	}
	// EDL of the uniform code when the model stays uniform is exactly 0.
	n, k := int64(10000), 16
	if got := edl.EDL(edl.UniformBits(n, k), n, 4); got != 0 {
		t.Errorf("uniform EDL %v, want 0", got)
	}
}

func TestLabelBytesWidths(t *testing.T) {
	for _, c := range []struct {
		k      int
		labels []int
		want   []byte
	}{
		{2, []int{0, 1, 1}, []byte{0, 1, 1}},
		{256, []int{0, 255, 17}, []byte{0, 0xff, 17}},
		{257, []int{256, 1, 0x1234 & 0xff}, []byte{0x00, 0x01, 0x01, 0x00, 0x34, 0x00}},
		{65536, []int{65535, 258}, []byte{0xff, 0xff, 0x02, 0x01}},
		{65537, []int{65536, 1, 0x01020304}, []byte{0, 0, 1, 0, 1, 0, 0, 0, 4, 3, 2, 1}},
	} {
		if got := edl.LabelBytes(c.labels, c.k); !bytes.Equal(got, c.want) {
			t.Errorf("LabelBytes(%v, K=%d) = % x, want % x", c.labels, c.k, got, c.want)
		}
	}
	if got := edl.LabelBytes(nil, 10); len(got) != 0 {
		t.Errorf("no labels gave % x", got)
	}
}

// The answers-scored code length against exact values: probabilities
// (1/8, 3/8, 1/2) with S = {1, 2} give p(y=1 | S) = 3/7, so −log₂ 3/7 bits;
// frequencies (1, 3, 4) the same; S = every class is the plain code.
func TestConditionalBitsExact(t *testing.T) {
	probs := []float64{0.125, 0.375, 0.5}
	freqs := []uint32{1, 3, 4}
	answers := []int{1, 2}
	want := -math.Log2(3.0 / 7.0)
	if got := edl.ConditionalBits(probs, 1, answers); math.Abs(got-want) > 1e-15 {
		t.Errorf("ConditionalBits = %v, want %v", got, want)
	}
	if got := edl.ConditionalQuantizedBits(freqs, 1, answers); math.Abs(got-want) > 1e-15 {
		t.Errorf("ConditionalQuantizedBits = %v, want %v", got, want)
	}
	if got := edl.ConditionalBits(probs, 2, answers); math.Abs(got-(-math.Log2(4.0/7.0))) > 1e-15 {
		t.Errorf("edl.ConditionalBits(y=2) = %v, want %v", got, -math.Log2(4.0/7.0))
	}
	if got, whole := edl.ConditionalBits(probs, 0, []int{0, 1, 2}), -math.Log2(0.125); math.Abs(got-whole) > 1e-15 {
		t.Errorf("S = all classes: %v, want the whole code %v", got, whole)
	}
}
