package model_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
)

// checkGradient compares m's Backward (summed over a batch, in the
// Trainable layout) with central finite differences of the summed loss,
// perturbing every trainable parameter.
func checkGradient(t *testing.T, name string, m model.Differentiable, xs [][]float64, labels []int) {
	t.Helper()
	probs := make([][]float64, len(xs))
	for b := range probs {
		probs[b] = make([]float64, m.NumClasses())
	}
	loss := func() float64 {
		s := 0.0
		for b := range xs {
			s += nll(m, xs[b], labels[b])
		}
		return s
	}
	m.Forward(probs, xs)
	p := model.Trainable(m)
	grad := make([]float64, len(p))
	m.Backward(grad, labels)
	const h = 1e-6
	for i := range p {
		orig := p[i]
		p[i] = orig + h
		fp := loss()
		p[i] = orig - h
		fm := loss()
		p[i] = orig
		num := (fp - fm) / (2 * h)
		if math.Abs(num-grad[i]) > 1e-5*(1+math.Abs(num)) {
			t.Fatalf("%s: trainable %d: analytic %.10g, finite difference %.10g", name, i, grad[i], num)
		}
	}
}

// tokenBatch draws B examples of dim ids in [0, vocab), with repeats.
func tokenBatch(r *rand.Rand, B, dim, vocab, classes int) ([][]float64, []int) {
	xs := make([][]float64, B)
	labels := make([]int, B)
	for b := range xs {
		xs[b] = make([]float64, dim)
		for j := range xs[b] {
			xs[b][j] = float64(r.IntN(vocab))
		}
		labels[b] = r.IntN(classes)
	}
	return xs, labels
}

func TestTokensBackwardMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, act := range []string{spec.ActTanh, spec.ActReLU, spec.ActGELU} {
		for trial := 0; trial < 8; trial++ {
			vocab, embed, dim, classes := 2+r.IntN(4), 1+r.IntN(3), 1+r.IntN(3), 2+r.IntN(3)
			var hidden []int
			for range trial % 3 {
				hidden = append(hidden, 1+r.IntN(4))
			}
			m := model.NewTokens(vocab, embed, dim, hidden, act, classes)
			copy(m.Params(), randVec(r, len(m.Params()), 0.8))
			xs, labels := tokenBatch(r, 1+r.IntN(5), dim, vocab, classes)
			checkGradient(t, act, m, xs, labels)
		}
	}
}

// Out-of-range, fractional and NaN ids are clamped, never converted bare.
func TestTokensClampIDs(t *testing.T) {
	m := model.NewTokens(4, 2, 1, nil, spec.ActReLU, 3)
	copy(m.Params(), randVec(rand.New(rand.NewPCG(1, 1)), len(m.Params()), 1))
	probs := func(v float64) []float64 {
		p := make([]float64, 3)
		m.Probs(p, []float64{v})
		return p
	}
	for _, c := range []struct{ in, as float64 }{{-3, 0}, {math.NaN(), 0}, {math.Inf(1), 3}, {7, 3}, {2.9, 2}, {1e300, 3}} {
		got, want := probs(c.in), probs(c.as)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("id %v reads as %v? probs %v, want %v", c.in, c.as, got, want)
			}
		}
	}
}

func randomBase(r *rand.Rand, kind string) (model.Differentiable, func() ([][]float64, []int)) {
	switch kind {
	case "softmax":
		m := model.NewMLP([]int{3, 4}, spec.ActReLU)
		copy(m.Params(), randVec(r, len(m.Params()), 0.8))
		return m, func() ([][]float64, []int) { return denseBatch(r, 3, 3, 4) }
	case "mlp":
		m := model.NewMLP([]int{3, 4, 3, 2}, spec.ActTanh)
		copy(m.Params(), randVec(r, len(m.Params()), 0.8))
		return m, func() ([][]float64, []int) { return denseBatch(r, 4, 3, 2) }
	default:
		m := model.NewTokens(5, 2, 3, []int{4}, spec.ActTanh, 3)
		copy(m.Params(), randVec(r, len(m.Params()), 0.8))
		return m, func() ([][]float64, []int) { return tokenBatch(r, 4, 3, 5, 3) }
	}
}

func denseBatch(r *rand.Rand, B, d, k int) ([][]float64, []int) {
	xs := make([][]float64, B)
	labels := make([]int, B)
	for b := range xs {
		xs[b] = randVec(r, d, 1)
		labels[b] = r.IntN(k)
	}
	return xs, labels
}

func TestLoRABackwardMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, kind := range []string{"softmax", "mlp", "tokens"} {
		for _, rank := range []int{1, 2, 3} {
			base, batch := randomBase(r, kind)
			m, err := model.NewLoRA(base, rank, 9)
			if err != nil {
				t.Fatal(err)
			}
			// B is zero at the start, so ∂/∂A would vanish: move it first.
			copy(m.Trainable(), randVec(r, len(m.Trainable()), 0.5))
			xs, labels := batch()
			checkGradient(t, kind+"+lora", m, xs, labels)
		}
	}
}

func TestSparseBackwardMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for _, kind := range []string{"softmax", "mlp", "tokens"} {
		base, batch := randomBase(r, kind)
		n := len(base.Params())
		for _, s := range []int{1, n / 3, n} {
			base, batch = randomBase(r, kind)
			m, err := model.NewSparse(base, s, 3)
			if err != nil {
				t.Fatal(err)
			}
			xs, labels := batch()
			checkGradient(t, kind+"+sparse", m, xs, labels)
		}
	}
}

// The sparse subset has exactly S distinct indices, in increasing order,
// the same for the same seed, and only they move in training.
func TestSparseSubsetAndFrozenRest(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	base, batch := randomBase(r, "mlp")
	before := append([]float64(nil), base.Params()...)
	m, err := model.NewSparse(base, 7, 11)
	if err != nil {
		t.Fatal(err)
	}
	idx := m.Indices()
	if len(idx) != 7 {
		t.Fatalf("%d indices, want 7", len(idx))
	}
	for i := 1; i < len(idx); i++ {
		if idx[i] <= idx[i-1] {
			t.Fatalf("indices not increasing: %v", idx)
		}
	}
	xs, labels := batch()
	probs := make([][]float64, len(xs))
	for b := range probs {
		probs[b] = make([]float64, m.NumClasses())
	}
	m.Forward(probs, xs)
	g := make([]float64, 7)
	m.Backward(g, labels)
	for j := range g {
		m.Trainable()[j] -= 0.1 * g[j]
	}
	after := m.Params()
	trained := map[int]bool{}
	for _, i := range idx {
		trained[i] = true
	}
	moved := 0
	for i := range after {
		if after[i] != before[i] {
			if !trained[i] {
				t.Fatalf("frozen parameter %d moved", i)
			}
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no trainable parameter moved")
	}
	base2, _ := randomBase(rand.New(rand.NewPCG(61, 62)), "mlp")
	m2, _ := model.NewSparse(base2, 7, 11)
	if !equalInts(m2.Indices(), idx) {
		t.Fatalf("same seed, different subset: %v vs %v", m2.Indices(), idx)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func tokensSpec() spec.Spec {
	s := spec.Default()
	s.Task, s.Model, s.Classes, s.Dim, s.Op, s.Notation = spec.TaskModular, spec.ModelTokens, 7, 2, spec.OpAdd, spec.NotationTokens
	s.Vocab, s.Embed, s.Hidden, s.Init, s.InitScale = 7, 4, []int64{16}, spec.InitNormal, 0.3
	return s
}

// A LoRA model starts exactly equal to its base: the same predictions bit
// for bit, batch and single-example, for every dense base.
func TestLoRAStartsEqualToBase(t *testing.T) {
	mlp := spec.Default()
	mlp.Model, mlp.Hidden, mlp.Init, mlp.InitScale, mlp.Dim = spec.ModelMLP, []int64{12, 7}, spec.InitNormal, 0.5, 6
	softmax := spec.Default()
	softmax.Init, softmax.InitScale = spec.InitNormal, 0.5
	r := rand.New(rand.NewPCG(71, 72))
	for _, base := range []spec.Spec{mlp, softmax, tokensSpec()} {
		ad := base
		ad.Adapter, ad.Rank = spec.AdapterLoRA, 3
		b, err := model.New(base)
		if err != nil {
			t.Fatal(err)
		}
		a, err := model.New(ad)
		if err != nil {
			t.Fatal(err)
		}
		if !sameBits(a.Params()[:len(b.Params())], b.Params()) {
			t.Fatalf("%s: the adapted model's base part differs from the base", base.Model)
		}
		K := int(base.Classes)
		const B = 9
		xs := make([][]float64, B)
		pa, pb := make([][]float64, B), make([][]float64, B)
		for i := range xs {
			if base.Model == spec.ModelTokens {
				xs[i] = []float64{float64(r.IntN(7)), float64(r.IntN(7))}
			} else {
				xs[i] = randVec(r, int(base.Dim), 1)
			}
			pa[i], pb[i] = make([]float64, K), make([]float64, K)
		}
		a.(model.Differentiable).Forward(pa, xs)
		b.(model.Differentiable).Forward(pb, xs)
		for i := range xs {
			if !sameBits(pa[i], pb[i]) {
				t.Fatalf("%s example %d: lora %v, base %v", base.Model, i, pa[i], pb[i])
			}
			a.Probs(pa[i], xs[i])
			if !sameBits(pa[i], pb[i]) {
				t.Fatalf("%s example %d (Probs): lora %v, base %v", base.Model, i, pa[i], pb[i])
			}
		}
	}
}

// Parameter counts are exact: the built model's Params and Trainable have
// the lengths spec.NumParams and spec.TrainableParams promise.
func TestParameterCountsExact(t *testing.T) {
	mlp := spec.Default()
	mlp.Model, mlp.Hidden, mlp.Dim, mlp.Classes = spec.ModelMLP, []int64{12, 7}, 6, 5
	tok := tokensSpec()
	tok.Hidden = []int64{16, 8}
	tok0 := tokensSpec()
	tok0.Hidden = nil
	for _, base := range []spec.Spec{spec.Default(), mlp, tok, tok0} {
		for _, ad := range []struct {
			name        string
			rank, spars int64
		}{{"", 0, 0}, {spec.AdapterLoRA, 1, 0}, {spec.AdapterLoRA, 4, 0}, {spec.AdapterSparse, 0, 1}, {spec.AdapterSparse, 0, 37}} {
			s := base
			s.Adapter, s.Rank, s.SparseParams = ad.name, ad.rank, ad.spars
			m, err := model.New(s)
			if err != nil {
				t.Fatal(err)
			}
			d := m.(model.Differentiable)
			if int64(len(m.Params())) != s.NumParams() || int64(len(model.Trainable(d))) != s.TrainableParams() {
				t.Errorf("%s %q r=%d s=%d: %d params, %d trainable; spec says %d and %d",
					s.Model, ad.name, ad.rank, ad.spars, len(m.Params()), len(model.Trainable(d)), s.NumParams(), s.TrainableParams())
			}
		}
	}
	// By hand: tokens vocab 7, embed 4, dim 2, hidden 16, classes 7:
	// E 28, layer 1 8·16+16 = 144, layer 2 16·7+7 = 119: 291; lora r=2 adds
	// 2·(8+16) + 2·(16+7) = 94.
	s := tokensSpec()
	if s.NumParams() != 291 {
		t.Errorf("tokens params %d, want 291", s.NumParams())
	}
	s.Adapter, s.Rank = spec.AdapterLoRA, 2
	if s.NumParams() != 291+94 || s.TrainableParams() != 94 {
		t.Errorf("lora: %d total, %d trainable, want 385 and 94", s.NumParams(), s.TrainableParams())
	}
}

// The tokens model gives the same bits whatever the number of workers.
func TestTokensWorkersInvariant(t *testing.T) {
	run := func(workers int) ([]float64, []float64) {
		m := model.NewTokens(50, 32, 8, []int{512}, spec.ActReLU, 10)
		copy(m.Params(), randVec(rand.New(rand.NewPCG(1, 2)), len(m.Params()), 0.1))
		m.SetWorkers(workers)
		xs, labels := tokenBatch(rand.New(rand.NewPCG(3, 4)), 16, 8, 50, 10)
		probs := make([][]float64, len(xs))
		for b := range probs {
			probs[b] = make([]float64, 10)
		}
		m.Forward(probs, xs)
		g := make([]float64, len(m.Params()))
		m.Backward(g, labels)
		return probs[15], g
	}
	p1, g1 := run(1)
	for _, w := range []int{2, 3} {
		p, g := run(w)
		if !sameBits(p, p1) || !sameBits(g, g1) {
			t.Fatalf("workers %d changed the results", w)
		}
	}
}

// Encode, Decode and Load round-trip every gradient-trained family, and
// Decode refuses damaged encodings.
func TestEncodeDecodeLoadRoundTrip(t *testing.T) {
	tok := tokensSpec()
	lora := tok
	lora.Adapter, lora.Rank = spec.AdapterLoRA, 2
	sparse := tok
	sparse.Adapter, sparse.SparseParams = spec.AdapterSparse, 20
	for _, s := range []spec.Spec{tok, lora, sparse} {
		m, _ := model.New(s)
		tr := model.Trainable(m.(model.Differentiable))
		for i := range tr {
			tr[i] += float64(i%5) * 0.25
		}
		enc, err := model.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := model.New(s)
		if err := model.Load(fresh, enc); err != nil {
			t.Fatal(err)
		}
		enc2, _ := model.Encode(fresh)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("%s %s: load did not restore the encoding", s.Model, s.Adapter)
		}
		if !sameBits(model.Trainable(fresh.(model.Differentiable)), tr) {
			t.Fatalf("%s %s: trainable vector not restored", s.Model, s.Adapter)
		}
		for _, cut := range []int{0, 10, len(enc) - 1} {
			if _, _, _, err := model.Decode(enc[:cut]); !errors.Is(err, model.ErrCorruptEncoding) {
				t.Fatalf("truncated at %d: err %v", cut, err)
			}
		}
		other, _ := model.New(spec.Default())
		if err := model.Load(other, enc); err == nil {
			t.Fatal("loaded a tokens encoding into a softmax model")
		}
	}
}
