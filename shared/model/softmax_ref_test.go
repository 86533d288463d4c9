package model_test

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// naiveSoftmaxProbs is the textbook softmax of logits = Wx + b with the
// canonical layout (W row-major K×D, then b), in math.Exp.
func naiveSoftmaxProbs(params, x []float64, k int) []float64 {
	d := len(x)
	z := make([]float64, k)
	for c := 0; c < k; c++ {
		s := params[k*d+c]
		for j := 0; j < d; j++ {
			s += params[c*d+j] * x[j]
		}
		z[c] = s
	}
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	sum := 0.0
	for c := range z {
		z[c] = math.Exp(z[c] - m)
		sum += z[c]
	}
	for c := range z {
		z[c] /= sum
	}
	return z
}

func randVec(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * r.NormFloat64()
	}
	return v
}

// nll is −ln p(label|x) under m's current parameters, in math.Log.
func nll(m model.Model, x []float64, label int) float64 {
	p := make([]float64, m.NumClasses())
	m.Probs(p, x)
	return -math.Log(p[label])
}

func TestSoftmaxAddGradMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 40; trial++ {
		k, d := 2+r.IntN(5), 1+r.IntN(6)
		m := model.NewSoftmax(k, d)
		copy(m.Params(), randVec(r, k*d+k, 0.7))
		x := randVec(r, d, 1)
		label := r.IntN(k)

		grad := make([]float64, len(m.Params()))
		probs := make([]float64, k)
		m.AddGrad(grad, x, probs, label)

		const h = 1e-5
		p := m.Params()
		for i := range p {
			orig := p[i]
			p[i] = orig + h
			fp := nll(m, x, label)
			p[i] = orig - h
			fm := nll(m, x, label)
			p[i] = orig
			num := (fp - fm) / (2 * h)
			if math.Abs(num-grad[i]) > 1e-7*(1+math.Abs(num)) {
				t.Fatalf("K=%d D=%d param %d: analytic %.12g, finite difference %.12g", k, d, i, grad[i], num)
			}
		}

		// Closed form: ∂/∂W[c][j] = (p_c − [c=y]) x_j, ∂/∂b_c = p_c − [c=y].
		pc := make([]float64, k)
		m.Probs(pc, x)
		for c := 0; c < k; c++ {
			delta := pc[c]
			if c == label {
				delta--
			}
			if grad[k*d+c] != delta {
				t.Fatalf("K=%d D=%d bias %d: %v, closed form %v", k, d, c, grad[k*d+c], delta)
			}
			for j := 0; j < d; j++ {
				if want := delta * x[j]; grad[c*d+j] != want {
					t.Fatalf("K=%d D=%d W[%d][%d]: %v, closed form %v", k, d, c, j, grad[c*d+j], want)
				}
			}
		}
		for c := range probs {
			if probs[c] != pc[c] {
				t.Fatalf("AddGrad left probs %v, Probs gives %v", probs, pc)
			}
		}

		// AddGrad adds: a second call doubles the gradient.
		again := append([]float64(nil), grad...)
		m.AddGrad(again, x, probs, label)
		for i := range grad {
			if again[i] != grad[i]+grad[i] {
				t.Fatalf("second AddGrad: %v, want %v", again[i], 2*grad[i])
			}
		}
	}
}

// The MLP's batched Backward is the gradient of the summed loss of the batch.
func TestMLPBackwardMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, act := range []string{spec.ActTanh, spec.ActReLU, spec.ActGELU} {
		for trial := 0; trial < 10; trial++ {
			sizes := []int{1 + r.IntN(4), 2 + r.IntN(4), 2 + r.IntN(4)}
			if trial%2 == 1 {
				sizes = []int{sizes[0], sizes[1], 1 + r.IntN(4), sizes[2]}
			}
			m := model.NewMLP(sizes, act)
			copy(m.Params(), randVec(r, len(m.Params()), 0.8))
			B := 1 + r.IntN(4)
			xs := make([][]float64, B)
			probs := make([][]float64, B)
			labels := make([]int, B)
			for b := range xs {
				xs[b] = randVec(r, sizes[0], 1)
				probs[b] = make([]float64, m.NumClasses())
				labels[b] = r.IntN(m.NumClasses())
			}
			loss := func() float64 {
				s := 0.0
				for b := range xs {
					s += nll(m, xs[b], labels[b])
				}
				return s
			}
			m.Forward(probs, xs)
			grad := make([]float64, len(m.Params()))
			m.Backward(grad, labels)

			const h = 1e-6
			p := m.Params()
			for i := range p {
				orig := p[i]
				p[i] = orig + h
				fp := loss()
				p[i] = orig - h
				fm := loss()
				p[i] = orig
				num := (fp - fm) / (2 * h)
				if math.Abs(num-grad[i]) > 1e-5*(1+math.Abs(num)) {
					t.Fatalf("%s sizes %v batch %d param %d: analytic %.10g, finite difference %.10g", act, sizes, B, i, grad[i], num)
				}
			}
		}
	}
}

func TestSoftmaxProbsNormalizedAndNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for trial := 0; trial < 200; trial++ {
		k, d := 2+r.IntN(20), 1+r.IntN(10)
		scale := []float64{0.01, 1, 5, 30}[trial%4]
		m := model.NewSoftmax(k, d)
		copy(m.Params(), randVec(r, k*d+k, scale))
		x := randVec(r, d, 1)
		p := make([]float64, k)
		m.Probs(p, x)
		want := naiveSoftmaxProbs(m.Params(), x, k)
		sum := 0.0
		for c := range p {
			if math.IsNaN(p[c]) || p[c] < 0 || p[c] > 1 {
				t.Fatalf("K=%d D=%d: p[%d] = %v", k, d, c, p[c])
			}
			if math.Abs(p[c]-want[c]) > 1e-12 {
				t.Fatalf("K=%d D=%d scale %v: p[%d] = %.17g, naive %.17g", k, d, scale, c, p[c], want[c])
			}
			sum += p[c]
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("K=%d D=%d: probabilities sum to %.17g", k, d, sum)
		}
	}
	// Zero parameters: exactly uniform.
	m := model.NewSoftmax(4, 3)
	p := make([]float64, 4)
	m.Probs(p, []float64{1, -2, 3})
	for _, v := range p {
		if v != 0.25 {
			t.Fatalf("zero model gives %v, want uniform", p)
		}
	}
}

// decoder reads the canonical encoding by hand.
type leReader struct {
	t *testing.T
	b []byte
}

func (r *leReader) u32() uint32 {
	r.t.Helper()
	if len(r.b) < 4 {
		r.t.Fatal("encoding too short")
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *leReader) u64() uint64 {
	r.t.Helper()
	if len(r.b) < 8 {
		r.t.Fatal("encoding too short")
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *leReader) str() string {
	r.t.Helper()
	n := int(r.u32())
	if len(r.b) < n {
		r.t.Fatal("encoding too short")
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func TestEncodeLayoutByHand(t *testing.T) {
	sm := model.NewSoftmax(3, 2)
	params := []float64{1, -2, 0.5, math.Pi, -0.0, 1e-300, 7, -8, math.MaxFloat64}
	copy(sm.Params(), params)
	mlp := model.NewMLP([]int{2, 3, 2}, spec.ActTanh)
	for i := range mlp.Params() {
		mlp.Params()[i] = float64(i) - 3.5
	}
	relu := model.NewMLP([]int{1, 2, 2, 3}, spec.ActReLU)
	kt := model.NewDirichlet(spec.ModelKT, 4, 0.5)
	kt.Observe(nil, 2)
	kt.Observe(nil, 2)
	kt.Observe(nil, 0)

	for _, tc := range []struct {
		name   string
		m      model.Model
		kind   string
		shape  []uint64
		params []float64
	}{
		{"softmax", sm, "softmax", []uint64{3, 2}, params},
		{"mlp-tanh", mlp, "mlp", []uint64{2, 3, 2, 1}, mlp.Params()},
		{"mlp-relu", relu, "mlp", []uint64{1, 2, 2, 3, 0}, make([]float64, 2*1+2+2*2+2+3*2+3)},
		{"kt", kt, "kt", []uint64{4}, []float64{1, 0, 2, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := model.Encode(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			want := 4 + len("edlwire-params-v1") + 4 + len(tc.kind) + 4 + 8*len(tc.shape) + 8 + 8*len(tc.params)
			if len(b) != want {
				t.Fatalf("encoding is %d bytes, want %d", len(b), want)
			}
			r := &leReader{t: t, b: b}
			if v := r.str(); v != "edlwire-params-v1" {
				t.Fatalf("version %q", v)
			}
			if k := r.str(); k != tc.kind {
				t.Fatalf("kind %q, want %q", k, tc.kind)
			}
			if n := r.u32(); int(n) != len(tc.shape) {
				t.Fatalf("shape length %d, want %d", n, len(tc.shape))
			}
			for i, d := range tc.shape {
				if v := r.u64(); v != d {
					t.Fatalf("shape[%d] = %d, want %d", i, v, d)
				}
			}
			if n := r.u64(); int(n) != len(tc.params) {
				t.Fatalf("count %d, want %d", n, len(tc.params))
			}
			for i, p := range tc.params {
				if v := r.u64(); v != math.Float64bits(p) {
					t.Fatalf("param %d bits %016x, want %016x (%v)", i, v, math.Float64bits(p), p)
				}
			}
			if len(r.b) != 0 {
				t.Fatalf("%d trailing bytes", len(r.b))
			}
			fp, err := model.Fingerprint(tc.m)
			if err != nil {
				t.Fatal(err)
			}
			if fp != sha256.Sum256(b) {
				t.Fatal("Fingerprint is not SHA-256(Encode)")
			}
		})
	}
	// −0 and +0 are different parameters: their encodings differ.
	a, b := model.NewSoftmax(2, 1), model.NewSoftmax(2, 1)
	b.Params()[0] = math.Copysign(0, -1)
	fa, _ := model.Fingerprint(a)
	fb, _ := model.Fingerprint(b)
	if fa == fb {
		t.Error("fingerprint ignores the sign of zero")
	}
}

func TestEncodeRejectsNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, m := range []model.Model{model.NewSoftmax(3, 2), model.NewMLP([]int{2, 2, 2}, spec.ActReLU)} {
			i := len(m.Params()) - 1
			m.Params()[i] = bad
			b, err := model.Encode(m)
			if err == nil || !errors.Is(err, model.ErrNotFinite) {
				t.Fatalf("Encode with %v: %v, want ErrNotFinite", bad, err)
			}
			if b != nil {
				t.Errorf("Encode with %v returned %d bytes", bad, len(b))
			}
			if _, err := model.Fingerprint(m); !errors.Is(err, model.ErrNotFinite) {
				t.Fatalf("Fingerprint with %v: %v, want ErrNotFinite", bad, err)
			}
		}
	}
}

func TestDirichletProbsClosedForm(t *testing.T) {
	for _, alpha := range []float64{0.5, 1} {
		m := model.NewDirichlet("x", 3, alpha)
		obs := []int{0, 2, 2, 2, 1, 2}
		counts := make([]float64, 3)
		p := make([]float64, 3)
		for i := 0; i <= len(obs); i++ {
			m.Probs(p, nil)
			for k := range p {
				want := (counts[k] + alpha) / (float64(i) + 3*alpha)
				if p[k] != want {
					t.Fatalf("alpha %v after %d: p[%d] = %v, want %v", alpha, i, k, p[k], want)
				}
			}
			if i < len(obs) {
				m.Observe(nil, obs[i])
				counts[obs[i]]++
			}
		}
	}
}

// model.New with normal init draws every parameter, in canonical order,
// from the "init" stream scaled by init_scale.
func TestNewNormalInitFromSeed(t *testing.T) {
	sp := spec.Default()
	sp.Seed, sp.Classes, sp.Dim, sp.Init, sp.InitScale = 9, 3, 4, spec.InitNormal, 0.25
	m, err := model.New(sp)
	if err != nil {
		t.Fatal(err)
	}
	src := rng.New(rng.Derive(9, "init"), 0)
	p := m.Params()
	if len(p) != int(sp.NumParams()) {
		t.Fatalf("%d params, spec says %d", len(p), sp.NumParams())
	}
	for i := range p {
		if want := 0.25 * src.Normal(); p[i] != want {
			t.Fatalf("param %d = %v, want %v", i, p[i], want)
		}
	}
	sp.Init = spec.InitZeros
	m, err = model.New(sp)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range m.Params() {
		if v != 0 || math.Signbit(v) {
			t.Fatalf("zeros init: param %d = %v", i, v)
		}
	}
}
