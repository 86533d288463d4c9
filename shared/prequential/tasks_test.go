package prequential

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// hypothesisSpec is the collapse toy: M classes, m hypotheses, x ∈ [0, M).
func hypothesisSpec(M, m int64, noise float64) spec.Spec {
	sp := spec.Default()
	sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Hypotheses = spec.TaskHypothesis, spec.ModelHypothesis, 1, M, m
	sp.Noise, sp.ModelNoise, sp.N, sp.Test, sp.Batch = noise, noise, 500, 200, 1
	return sp
}

// Hypothesis collapse (EDL.md): with noiseless labels the exact Bayesian
// learner pays exactly log₂m bits for the first label and nothing after, so
// the ideal code length is log₂m for every n ≥ 1; the coder adds only the
// quantization of probability 1 and its end bytes.
func TestHypothesisCollapseCostsLog2m(t *testing.T) {
	for _, m := range []int64{2, 8, 64} {
		sp := hypothesisSpec(64, m, 0)
		o := transmit(t, sp, func() int { return 1 << 20 })
		acct := o.alice.Accounting()
		if want := math.Log2(float64(m)); acct.IdealBits != want {
			t.Errorf("m=%d: ideal %v bits, want exactly log2 m = %v", m, acct.IdealBits, want)
		}
		coded := float64(8 * len(o.bytes))
		if coded > acct.QuantizedIdealBits+32 {
			t.Errorf("m=%d: coded %v bits, quantized ideal %v + 32", m, coded, acct.QuantizedIdealBits)
		}
		t.Logf("m=%d: ideal %.4f, quantized %.4f, coded %v bits for n=%d", m, acct.IdealBits, acct.QuantizedIdealBits, coded, sp.N)
	}
}

// With label noise ε the code length is −log₂ of the marginal likelihood
// (1/m) Σ_j (1−ε)^{k_j} (ε/(M−1))^{n−k_j}, where k_j counts the labels h_j
// predicts, whatever the order.
func TestNoisyHypothesisMatchesMarginalLikelihood(t *testing.T) {
	sp := hypothesisSpec(16, 8, 0.1)
	in, _ := task.NewInputs(sp)
	lab, err := task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	_, acct := codeLabels(t, sp, lab.Train)
	M, n := float64(sp.Classes), len(lab.Train)
	logs := make([]float64, sp.Hypotheses)
	for j := range logs {
		k := 0
		for i, y := range lab.Train {
			if (int(in.Train.Data[i])+j)%int(sp.Classes) == y {
				k++
			}
		}
		logs[j] = float64(k)*math.Log(1-sp.Noise) + float64(n-k)*math.Log(sp.Noise/(M-1))
	}
	hi := logs[0]
	for _, l := range logs {
		hi = max(hi, l)
	}
	sum := 0.0
	for _, l := range logs {
		sum += math.Exp(l - hi)
	}
	want := -(hi + math.Log(sum/float64(len(logs)))) / math.Ln2
	if math.Abs(acct.IdealBits-want) > 1e-9*want {
		t.Fatalf("ideal %v bits, marginal likelihood gives %v", acct.IdealBits, want)
	}
}

// The coupon collector with the table memorizer: the code length is the sum
// over keys of the Dirichlet-multinomial code of that key's labels.
func TestCouponTableMatchesPerKeyDirichlet(t *testing.T) {
	sp := spec.Default()
	sp.Task, sp.Model, sp.Dim, sp.Classes, sp.Keys, sp.Alpha = spec.TaskCoupon, spec.ModelTable, 1, 8, 20, 0.5
	sp.N, sp.Test, sp.Batch, sp.Noise = 400, 100, 1, 0.05
	in, _ := task.NewInputs(sp)
	lab, err := task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	coded, acct := codeLabels(t, sp, lab.Train)
	counts := make([][]int, sp.Keys)
	for i := range counts {
		counts[i] = make([]int, sp.Classes)
	}
	for i, y := range lab.Train {
		counts[int(in.Train.Data[i])][y]++
	}
	want := 0.0
	for _, c := range counts {
		want += dirichletMultinomialBits(c, sp.Alpha)
	}
	if math.Abs(acct.IdealBits-want) > 1e-9*want {
		t.Fatalf("ideal %v bits, per-key Dirichlet-multinomial %v", acct.IdealBits, want)
	}
	if float64(coded) > acct.QuantizedIdealBits+32 {
		t.Fatalf("coded %d bits, quantized ideal %v + 32", coded, acct.QuantizedIdealBits)
	}
}

// Every seeded task's labels follow its stated rule.
func TestSeededTaskRules(t *testing.T) {
	t.Run("parity", func(t *testing.T) {
		sp := spec.Default()
		sp.Task, sp.Classes, sp.Dim, sp.ParityBits, sp.N, sp.Test = spec.TaskParity, 2, 10, 3, 2000, 0
		in, _ := task.NewInputs(sp)
		lab, err := task.NewLabels(sp, in)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly one subset of 3 of the 10 bits explains every label.
		found := 0
		for a := 0; a < 10; a++ {
			for b := a + 1; b < 10; b++ {
				for c := b + 1; c < 10; c++ {
					ok := true
					for i, y := range lab.Train {
						r := in.Train.Row(i)
						p := 0
						for _, j := range []int{a, b, c} {
							if r[j] > 0 {
								p ^= 1
							}
						}
						if p != y {
							ok = false
							break
						}
					}
					if ok {
						found++
					}
				}
			}
		}
		if found != 1 {
			t.Fatalf("%d subsets explain the parity labels, want 1", found)
		}
	})
	t.Run("modular", func(t *testing.T) {
		for _, op := range []string{spec.OpAdd, spec.OpSub, spec.OpMul} {
			for _, nt := range spec.Notations {
				sp := spec.Default()
				sp.Task, sp.Classes, sp.Dim, sp.Op, sp.Notation, sp.N, sp.Test = spec.TaskModular, 7, 14, op, nt, 300, 0
				tokens := nt == spec.NotationTokens || nt == spec.NotationTokensPermuted
				if tokens {
					sp.Dim = 2
				}
				if spec.TaggedNotation(nt) {
					checkTagged(t, sp)
					continue
				}
				in, _ := task.NewInputs(sp)
				lab, err := task.NewLabels(sp, in)
				if err != nil {
					t.Fatal(err)
				}
				// The same seed draws the same (a, b) in both notations; the
				// one-hot spec reads them back.
				id := sp
				id.Notation, id.Dim = spec.NotationOneHot, 14
				idIn, _ := task.NewInputs(id)
				if tokens {
					// The token ids are the one-hot columns of the matching
					// one-hot notation: the same draws, the same relabelling.
					oh := id
					if nt == spec.NotationTokensPermuted {
						oh.Notation = spec.NotationPermuted
					}
					ohIn, _ := task.NewInputs(oh)
					for i := 0; i < in.Train.Rows; i++ {
						r, o := in.Train.Row(i), ohIn.Train.Row(i)
						if o[int(r[0])] != 1 || o[7+int(r[1])] != 1 {
							t.Fatalf("%s/%s example %d: ids %v do not match the one-hot row %v", op, nt, i, r, o)
						}
					}
				}
				if nt == spec.NotationAnswersPermuted {
					// The same answers through one fixed permutation σ: the
					// one-hot labels map to these consistently, and σ is
					// not the identity.
					idLab, _ := task.NewLabels(id, idIn)
					sigma, moved := map[int]int{}, false
					for i, y := range lab.Train {
						if s, ok := sigma[idLab.Train[i]]; ok && s != y {
							t.Fatalf("%s/%s example %d: answer %d written as %d and %d", op, nt, i, idLab.Train[i], s, y)
						}
						sigma[idLab.Train[i]] = y
						moved = moved || y != idLab.Train[i]
					}
					if !moved || !sameRows(in.Train, idIn.Train) {
						t.Fatalf("%s/%s: the answers are not permuted, or the inputs changed", op, nt)
					}
					continue
				}
				for i, y := range lab.Train {
					r := idIn.Train.Row(i)
					a, b := -1, -1
					for j := 0; j < 7; j++ {
						if r[j] == 1 {
							a = j
						}
						if r[7+j] == 1 {
							b = j
						}
					}
					want := map[string]int{spec.OpAdd: (a + b) % 7, spec.OpSub: (a - b + 7) % 7, spec.OpMul: a * b % 7}[op]
					if y != want {
						t.Fatalf("%s/%s example %d: a=%d b=%d label %d, want %d", op, nt, i, a, b, y, want)
					}
				}
				if (nt == spec.NotationPermuted || nt == spec.NotationTokensPermuted) && sameRows(in.Train, idIn.Train) {
					t.Fatalf("%s: the permuted notation wrote the same inputs as one-hot", op)
				}
			}
		}
	})
	t.Run("rare", func(t *testing.T) {
		sp := spec.Default()
		sp.Task, sp.RareWeight, sp.N, sp.Test = spec.TaskRare, 0.2, 5000, 0
		in, _ := task.NewInputs(sp)
		rare := 0
		for i := 0; i < in.Train.Rows; i++ {
			x0 := in.Train.Row(i)[0]
			if x0 >= 3 {
				rare++
			} else if x0 > 0 {
				t.Fatalf("example %d: x0 = %v in neither region", i, x0)
			}
		}
		if f := float64(rare) / 5000; math.Abs(f-0.2) > 0.02 {
			t.Fatalf("rare fraction %v, want 0.2", f)
		}
	})
	t.Run("random-labels-any-task", func(t *testing.T) {
		sp := hypothesisSpec(16, 4, 0)
		sp.RandomLabels, sp.N = true, 4000
		in, _ := task.NewInputs(sp)
		lab, _ := task.NewLabels(sp, in)
		agree := 0
		for i, y := range lab.Train {
			if (int(in.Train.Data[i]))%16 == y {
				agree++
			}
		}
		if agree > 400 {
			t.Fatalf("random labels agree with h_0 on %d of 4000", agree)
		}
	})
}

func sameRows(a, b task.Matrix) bool {
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			return false
		}
	}
	return true
}

// checkTagged checks the tagged and untagged notations of one operation: p
// = 7 symbols in m = 4 scripts (classes 28), the same (a, b) draws in both;
// a tagged row names its script (one-hot tag) in about m/(m+1) of the
// examples and is answered t·p + (a ∘ b), an untagged-looking tagged row is
// answered in a script spread over all m; the untagged notation's tag block
// is zero and its answers are in the last script.
func checkTagged(t *testing.T, sp spec.Spec) {
	t.Helper()
	const p, m = 7, 4
	sp.Classes, sp.Notations, sp.Dim, sp.N = p*m, m, 2*p+m, 4000
	read := func(nt string) (task.Matrix, []int) {
		s := sp
		s.Notation = nt
		in, lab := taskData(t, s)
		return in.Train, lab.Train
	}
	tagIn, tagLab := read(spec.NotationTagged)
	unIn, unLab := read(spec.NotationUntagged)
	untagged, scripts := 0, make([]int, m) // untagged tagged-notation rows, and their scripts
	for i := 0; i < tagIn.Rows; i++ {
		r, u := tagIn.Row(i), unIn.Row(i)
		a, b, tag, ones := -1, -1, -1, 0
		for j, v := range r {
			switch {
			case v == 0:
				continue
			case j < p:
				a = j
			case j < 2*p:
				b = j - p
			default:
				tag = j - 2*p
			}
			ones++
		}
		if a < 0 || b < 0 || ones != 2+min(1, tag+1) {
			t.Fatalf("%s tagged example %d: row %v is not one-hot a, b and at most one tag", sp.Op, i, r)
		}
		for j := range u {
			want := r[j]
			if j >= 2*p {
				want = 0
			}
			if u[j] != want {
				t.Fatalf("%s untagged example %d: row %v, the tagged row %v without its tag expected", sp.Op, i, u, r)
			}
		}
		y := map[string]int{spec.OpAdd: (a + b) % p, spec.OpSub: (a - b + p) % p, spec.OpMul: a * b % p}[sp.Op]
		if unLab[i] != (m-1)*p+y {
			t.Fatalf("%s untagged example %d: label %d, want %d in the last script", sp.Op, i, unLab[i], (m-1)*p+y)
		}
		got := tagLab[i]
		if got%p != y {
			t.Fatalf("%s tagged example %d: label %d does not write a ∘ b = %d", sp.Op, i, got, y)
		}
		if tag >= 0 && got/p != tag {
			t.Fatalf("%s tagged example %d: tag %d, answer %d in script %d", sp.Op, i, tag, got, got/p)
		}
		if tag < 0 {
			untagged++
			scripts[got/p]++
		}
	}
	// One prompt in m + 1 shows no tag (800 of 4000 expected), answered in
	// every script.
	if untagged < 650 || untagged > 950 {
		t.Fatalf("%s: %d of 4000 tagged-notation prompts show no tag, want about 800", sp.Op, untagged)
	}
	for sc, c := range scripts {
		if c < untagged/m/2 {
			t.Fatalf("%s: untagged prompts answered in script %d %d times of %d", sp.Op, sc, c, untagged)
		}
	}
}
