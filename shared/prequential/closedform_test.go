package prequential

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// codeLabels runs Alice's loop over the given labels and Bob's over the
// bytes, checks the round trip and returns the coded bits and accounting.
func codeLabels(t *testing.T, sp spec.Spec, labels []int) (int64, Accounting) {
	t.Helper()
	sp.N = int64(len(labels))
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := coder.NewEncoder(uint(sp.Precision))
	le := &LabelEncoder{Enc: enc, Labels: labels}
	var stream []byte
	for !a.Done() {
		if _, err := a.Step(le); err != nil {
			t.Fatal(err)
		}
		stream = append(stream, enc.Take()...)
	}
	stream = append(stream, enc.Finish()...)
	b, _ := New(sp, in)
	dec, _ := coder.NewDecoder(uint(sp.Precision))
	dec.Write(stream)
	dec.CloseWrite()
	ld := &LabelDecoder{Dec: dec}
	for !b.Done() {
		if _, err := b.Step(ld); err != nil {
			t.Fatal(err)
		}
	}
	if err := dec.Finish(); err != nil {
		t.Fatal(err)
	}
	for i := range labels {
		if ld.Labels[i] != labels[i] {
			t.Fatalf("label %d: decoded %d, coded %d", i, ld.Labels[i], labels[i])
		}
	}
	if a.LastCheckpoint() != b.LastCheckpoint() {
		t.Fatal("final checkpoints differ")
	}
	return 8 * int64(len(stream)), a.Accounting()
}

// dirichletMultinomialBits is −log₂ of the probability that the sequential
// Dirichlet(α) estimator assigns to any sequence with these counts:
// Γ(Kα)/Γ(n+Kα) · Π Γ(c_k+α)/Γ(α).
func dirichletMultinomialBits(counts []int, alpha float64) float64 {
	n := 0
	lp := 0.0
	for _, c := range counts {
		n += c
		a, _ := math.Lgamma(float64(c) + alpha)
		b, _ := math.Lgamma(alpha)
		lp += a - b
	}
	k := float64(len(counts))
	a, _ := math.Lgamma(k * alpha)
	b, _ := math.Lgamma(float64(n) + k*alpha)
	lp += a - b
	return -lp / math.Ln2
}

// The KT and Laplace estimators' coded lengths match the closed form, in
// any order of the same labels: the coder is within the exact quantization
// loss plus 32 bits of −log₂ of the Dirichlet-multinomial probability.
func TestKTAndLaplaceMatchDirichletMultinomial(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := [][]int{
		{5, 0},
		{1000, 1000},
		{1, 9, 0},
		{300, 20, 1, 0, 0, 0, 0, 0, 0, 7},
		{3000, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	}
	wide := make([]int, 256)
	for i := range wide {
		wide[i] = r.IntN(40)
	}
	cases = append(cases, wide)
	for _, model := range []struct {
		name  string
		alpha float64
	}{{spec.ModelKT, 0.5}, {spec.ModelLaplace, 1}} {
		for _, counts := range cases {
			var labels []int
			for k, c := range counts {
				for range c {
					labels = append(labels, k)
				}
			}
			want := dirichletMultinomialBits(counts, model.alpha)
			orders := map[string][]int{"sorted": labels}
			for o := 0; o < 2; o++ {
				p := append([]int(nil), labels...)
				r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
				orders[fmt.Sprintf("shuffled%d", o)] = p
			}
			for order, seq := range orders {
				t.Run(fmt.Sprintf("%s/K=%d/n=%d/%s", model.name, len(counts), len(labels), order), func(t *testing.T) {
					sp := spec.Default()
					sp.Model, sp.Classes, sp.Dim, sp.Test, sp.Batch = model.name, int64(len(counts)), 1, 0, 1
					coded, acct := codeLabels(t, sp, seq)
					if d := math.Abs(acct.IdealBits - want); d > 1e-9*want+1e-6 {
						t.Errorf("ideal %.9f bits, closed form %.9f (diff %g)", acct.IdealBits, want, d)
					}
					qloss := acct.QuantizedIdealBits - acct.IdealBits
					if c := float64(coded); c > want+qloss+32 || c < acct.QuantizedIdealBits-8 {
						t.Errorf("coded %v bits; closed form %.3f, quantization loss %.6f", coded, want, qloss)
					}
				})
			}
		}
	}
}
