package detmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// naive4 is an independent reference implementation of the documented
// 4-lane order: element i goes to lane i%4, lanes combined (l0+l1)+(l2+l3).
func naive4(terms []float64) float64 {
	var l [4]float64
	for i, v := range terms {
		l[i%4] += v
	}
	return (l[0] + l[1]) + (l[2] + l[3])
}

func TestDotSumOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 67; n++ {
		a := make([]float64, n)
		b := make([]float64, n)
		p := make([]float64, n)
		for i := range a {
			a[i] = r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20))
			b[i] = r.NormFloat64()
			p[i] = float64(a[i] * b[i])
		}
		if got, want := Dot(a, b), naive4(p); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("Dot n=%d: %v != %v", n, got, want)
		}
		if got, want := Sum(a), naive4(a); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("Sum n=%d: %v != %v", n, got, want)
		}
	}
	if s := Sum(nil); s != 0 || math.Signbit(s) {
		t.Errorf("Sum(nil) = %v", s)
	}
}

func TestDotAccuracy(t *testing.T) {
	// Loose sanity check against an exact big.Float dot product.
	r := rand.New(rand.NewPCG(3, 4))
	a := make([]float64, 1000)
	b := make([]float64, 1000)
	exact := new(big.Float).SetPrec(4000)
	for i := range a {
		a[i], b[i] = r.Float64(), r.Float64()
		exact.Add(exact, new(big.Float).SetPrec(4000).Mul(big.NewFloat(a[i]), big.NewFloat(b[i])))
	}
	e, _ := exact.Float64()
	if got := Dot(a, b); math.Abs(got-e) > 1e-13*e {
		t.Errorf("Dot = %v, exact %v", got, e)
	}
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != "detmath: length mismatch" {
			t.Errorf("%s: recovered %v, want length-mismatch panic", name, r)
		}
	}()
	f()
}

func TestLengthMismatch(t *testing.T) {
	mustPanic(t, "Dot", func() { Dot(make([]float64, 3), make([]float64, 4)) })
	mustPanic(t, "Axpy", func() { Axpy(make([]float64, 3), 1, make([]float64, 4)) })
	mustPanic(t, "Softmax", func() { Softmax(make([]float64, 3), make([]float64, 4)) })
	mustPanic(t, "LogSoftmax", func() { LogSoftmax(make([]float64, 3), make([]float64, 4)) })
}

func TestAxpy(t *testing.T) {
	dst := []float64{1, 2, 3}
	Axpy(dst, 0.1, []float64{10, 20, 30})
	want := []float64{1 + float64(0.1*10), 2 + float64(0.1*20), 3 + float64(0.1*30)}
	for i := range dst {
		if dst[i] != want[i] {
			t.Errorf("Axpy[%d] = %v, want %v", i, dst[i], want[i])
		}
	}
}

func TestSoftmaxFamily(t *testing.T) {
	logits := []float64{1, 2, 3, -1000, 1000.5, 1000, 0.25}
	p := make([]float64, len(logits))
	Softmax(p, logits)
	if s := Sum(p); math.Abs(s-1) > 1e-15 {
		t.Errorf("softmax sum = %v", s)
	}
	if !(p[4] > p[5] && p[3] == 0) {
		t.Errorf("softmax = %v", p)
	}
	// aliasing gives identical bits
	q := append([]float64(nil), logits...)
	Softmax(q, q)
	for i := range p {
		if math.Float64bits(p[i]) != math.Float64bits(q[i]) {
			t.Errorf("aliased Softmax differs at %d", i)
		}
	}
	lse := LogSumExp(logits)
	if want := 1000.5 + math.Log1p(math.Exp(-0.5)); math.Abs(lse-want) > 1e-12 {
		t.Errorf("LogSumExp = %v, want %v", lse, want)
	}
	ls := make([]float64, len(logits))
	LogSoftmax(ls, logits)
	q = append([]float64(nil), logits...)
	LogSoftmax(q, q)
	for i := range ls {
		if math.Float64bits(ls[i]) != math.Float64bits(q[i]) {
			t.Errorf("aliased LogSoftmax differs at %d", i)
		}
		if i != 3 && math.Abs(Exp(ls[i])-p[i]) > 1e-15 {
			t.Errorf("exp(LogSoftmax) != Softmax at %d: %v vs %v", i, Exp(ls[i]), p[i])
		}
	}
	// special inputs
	if v := LogSumExp(nil); !math.IsInf(v, -1) {
		t.Errorf("LogSumExp(nil) = %v", v)
	}
	if v := LogSumExp([]float64{math.Inf(-1), math.Inf(-1)}); !math.IsInf(v, -1) {
		t.Errorf("LogSumExp(-Inf...) = %v", v)
	}
	if v := LogSumExp([]float64{1, math.Inf(1)}); !math.IsInf(v, 1) {
		t.Errorf("LogSumExp(+Inf) = %v", v)
	}
	if v := LogSumExp([]float64{1, math.NaN(), 2}); !math.IsNaN(v) {
		t.Errorf("LogSumExp(NaN) = %v", v)
	}
	if v := LogSumExp([]float64{math.NaN(), 2}); !math.IsNaN(v) {
		t.Errorf("LogSumExp(NaN first) = %v", v)
	}
	nanIn := []float64{1, math.NaN(), 2}
	Softmax(nanIn, nanIn)
	for _, v := range nanIn {
		if !math.IsNaN(v) {
			t.Errorf("Softmax with NaN = %v", nanIn)
		}
	}
	Softmax(nil, nil)
	LogSoftmax(nil, nil)
}
