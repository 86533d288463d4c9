package specflag

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// additive is a model family that exists only in this test file: it proves
// that a registration alone makes a model selectable by flag, part of the
// canonical spec (with a field of its own, prior), validated, built by the
// session and transmitted, with no edit to spec, specflag, model or
// prequential. It is the sequential Bayesian estimator of the label
// distribution under a symmetric Dirichlet(β) prior, β = prior, ignoring
// the inputs: p(y = k) = (c_k + β) / (n + Kβ).
type additive struct {
	beta   float64
	counts []float64
	total  float64
}

func (m *additive) Kind() string      { return "additive" }
func (m *additive) Shape() []int64    { return []int64{int64(len(m.counts))} }
func (m *additive) NumClasses() int   { return len(m.counts) }
func (m *additive) InputDim() int     { return 0 }
func (m *additive) Params() []float64 { return m.counts }

func (m *additive) Probs(dst, _ []float64) {
	den := m.total + float64(float64(len(m.counts))*m.beta)
	for k, c := range m.counts {
		dst[k] = (c + m.beta) / den
	}
}

func (m *additive) Observe(_ []float64, label int) {
	m.counts[label]++
	m.total++
}

func init() {
	model.Register(model.Registration{
		Spec: spec.Section{
			Name: "additive",
			Fields: []spec.FieldDef{
				{Name: "prior", Kind: spec.KindFloat, Default: "0.25", Flag: "prior", Usage: "additive model: the pseudo-count β of every class"},
			},
			Validate: func(s spec.Spec, bad spec.Bad) {
				if p := s.ExtraFloat("prior"); !(p > 0) || math.IsInf(p, 0) {
					bad("prior", "must be finite and positive, got %v", p)
				}
			},
			Params: func(s spec.Spec) int64 { return s.Classes },
		},
		New: func(s spec.Spec) (model.Model, error) {
			return &additive{beta: s.ExtraFloat("prior"), counts: make([]float64, s.Classes)}, nil
		},
	})
}

// constant is a task that exists only in this test file: every label is
// its own field constant_label, every input a row of zeros. With the
// additive model it proves the same for tasks, and its code length has a
// closed form.
func init() {
	zeros := func(rows, cols int64) task.Matrix {
		return task.Matrix{Rows: int(rows), Cols: int(cols), Data: make([]float64, rows*cols)}
	}
	same := func(s spec.Spec, n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = int(s.ExtraInt("constant_label"))
		}
		return out
	}
	task.Register(task.Registration{
		Spec: spec.Section{
			Name: "constant",
			Fields: []spec.FieldDef{
				{Name: "constant_label", Kind: spec.KindInt, Flag: "constant-label", Usage: "constant task: the one label"},
			},
			Validate: func(s spec.Spec, bad spec.Bad) {
				if y := s.ExtraInt("constant_label"); y < 0 || y >= s.Classes {
					bad("constant_label", "must be in [0, classes=%d), got %d", s.Classes, y)
				}
			},
		},
		Inputs: func(s spec.Spec) (*task.Inputs, error) {
			return &task.Inputs{Train: zeros(s.N, s.Dim), Valid: zeros(s.Validation, s.Dim), Test: zeros(s.Test, s.Dim)}, nil
		},
		Labels: func(s spec.Spec, in *task.Inputs) (*task.Labels, error) {
			return &task.Labels{Train: same(s, in.Train.Rows), Valid: same(s, in.Valid.Rows), Test: same(s, in.Test.Rows)}, nil
		},
	})
}

// A task and a model registered in this file alone: selected by flag, both
// own fields in the canonical bytes (in name order), transmitted, and the
// code length of n equal labels under Dirichlet(β) is
// Σ_{i<n} −log₂ (i + β)/(i + Kβ).
func TestRegisteredTaskEndToEnd(t *testing.T) {
	s := parse(t, "--task", "constant", "--constant-label", "3", "--model", "additive", "--prior", "0.5", "--n", "50", "--test", "10", "--batch", "1")
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(s.Canonical()), "\nprecision=24\nconstant_label=3\nprior=0.5\n") {
		t.Fatalf("canonical bytes:\n%s", s.Canonical())
	}
	if got, err := spec.Parse(s.Canonical()); err != nil || got.Hash() != s.Hash() {
		t.Fatalf("parse: %v", err)
	}
	if err := parse(t, "--task", "constant", "--constant-label", "10").Validate(); err == nil || !strings.Contains(err.Error(), "spec: constant_label:") {
		t.Errorf("label 10 of 10 classes: %v, want an error naming constant_label", err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Register(fs)
	if !strings.Contains(fs.Lookup("task").Usage, ", constant") {
		t.Errorf("--task help %q does not list constant", fs.Lookup("task").Usage)
	}
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := prequential.NewWithOptions(s, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := prequential.NewWithOptions(s, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := transmit.Pipe(alice, bob, labels, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	const beta, k, n = 0.5, 10.0, 50
	var want float64
	for i := 0.0; i < n; i++ {
		want -= math.Log2((i + beta) / (i + k*beta))
	}
	if math.Abs(p.Figures.IdealBits-want) > 1e-9*want {
		t.Errorf("ideal bits %v, the closed form says %v", p.Figures.IdealBits, want)
	}
	if want := -math.Log2((n + beta) / (n + k*beta)); math.Abs(p.Figures.TestLossBits-want) > 1e-12 {
		t.Errorf("test loss %v bits, the closed form says %v", p.Figures.TestLossBits, want)
	}
}

func TestRegisteredModelEndToEnd(t *testing.T) {
	// Selected by flag, with its own flag, in either order; its default
	// comes with the selection.
	for _, c := range []struct {
		args  []string
		prior float64
	}{
		{[]string{"--model", "additive", "--n", "300", "--test", "100", "--prior", "0.5"}, 0.5},
		{[]string{"--prior", "0.5", "--n", "300", "--test", "100", "--model", "additive"}, 0.5},
		{[]string{"--model", "additive", "--n", "300", "--test", "100"}, 0.25},
	} {
		s := parse(t, c.args...)
		if s.Model != "additive" || s.ExtraFloat("prior") != c.prior {
			t.Fatalf("%q: model %q prior %v, want additive and %v", c.args, s.Model, s.ExtraFloat("prior"), c.prior)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		// Its field is part of the canonical bytes, after the core
		// fields, and Bob's parse gives the same spec and hash.
		if want := fmt.Sprintf("\nprecision=24\nprior=%v\n", c.prior); !strings.HasSuffix(string(s.Canonical()), want) {
			t.Fatalf("canonical bytes end %q, want %q", s.Canonical()[len(s.Canonical())-30:], want)
		}
		got, err := spec.Parse(s.Canonical())
		if err != nil || got.Hash() != s.Hash() || len(got.Diff(s)) != 0 {
			t.Fatalf("parse: %v, diff %q", err, got.Diff(s))
		}
	}

	// Chosen away, its field goes with it; given explicitly to another
	// model, it is refused by name.
	if s := parse(t, "--model", "additive", "--model", "kt"); len(s.Extra) != 0 || s.Validate() != nil {
		t.Errorf("--model additive --model kt: extra %v, %v", s.Extra, s.Validate())
	}
	if err := parse(t, "--prior", "2", "--model", "kt").Validate(); err == nil || !strings.Contains(err.Error(), "spec: prior:") {
		t.Errorf("--prior with the kt model: %v, want an error naming prior", err)
	}
	if err := parse(t, "--model", "additive", "--prior", "-1").Validate(); err == nil || !strings.Contains(err.Error(), "spec: prior:") {
		t.Errorf("--prior -1: %v, want an error naming prior", err)
	}

	// Listed in the help.
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs)
	if f := fs.Lookup("model"); !strings.Contains(f.Usage, ", additive") {
		t.Errorf("--model help %q does not list additive", f.Usage)
	}
	if f := fs.Lookup("prior"); f == nil || !strings.Contains(f.Usage, "pseudo-count") || f.DefValue != "0.25" {
		t.Errorf("--prior: %+v, want its usage and the default 0.25", f)
	}

	// Transmitted: Alice's sender and Bob's receiver over the in-memory
	// pipe agree on every checkpoint and figure, and the figures are the
	// Dirichlet-multinomial closed form.
	// Batch 1: every label is coded with the counts of all before it.
	s := parse(t, "--model", "additive", "--n", "300", "--test", "100", "--prior", "0.5", "--checkpoint-every", "100", "--batch", "1")
	in, labels, err := task.Build(s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := prequential.NewWithOptions(s, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := prequential.NewWithOptions(s, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := transmit.Pipe(alice, bob, labels, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckpointsMatched < 4 {
		t.Errorf("%d checkpoints matched, want the 3 of the pass, the end and the test's", p.CheckpointsMatched)
	}
	// −log₂ of the Dirichlet-multinomial probability of the training
	// labels, Γ(Kβ)/Γ(n+Kβ) · Π_k Γ(c_k+β)/Γ(β), whatever their order.
	const beta, k = 0.5, 10.0
	counts := make([]float64, int(k))
	for _, y := range labels.Train {
		counts[y]++
	}
	lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
	nats := lg(300+k*beta) - lg(k*beta)
	for _, c := range counts {
		nats -= lg(c+beta) - lg(beta)
	}
	if want := nats / math.Ln2; math.Abs(p.Figures.IdealBits-want) > 1e-9*want {
		t.Errorf("ideal bits %v, the closed form says %v", p.Figures.IdealBits, want)
	}
	// The test labels are coded against the pass model: mean
	// −log₂ (c_y + β) / (n + Kβ).
	var test float64
	for _, y := range labels.Test {
		test -= math.Log2((counts[y] + beta) / (300 + k*beta))
	}
	if want := test / 100; math.Abs(p.Figures.TestLossBits-want) > 1e-12 {
		t.Errorf("test loss %v bits, the closed form says %v", p.Figures.TestLossBits, want)
	}
}
