package task_test

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

func synthSpec(n, test, k, d int64) spec.Spec {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 5, n, test, k, d
	return sp
}

func build(t *testing.T, sp spec.Spec) (*task.Inputs, *task.Labels) {
	t.Helper()
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	return in, lab
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func sameInts(a, b []int) bool {
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

// normals reproduces task.go's matrices: one stream per purpose, row-major.
func normals(seed uint64, label string, n int) []float64 {
	src := rng.New(rng.Derive(seed, label), 0)
	out := make([]float64, n)
	for i := range out {
		out[i] = src.Normal()
	}
	return out
}

// teacherLabels is argmax_k W*_k·x (lowest index on ties), the teacher
// recomputed from its stream with a plain dot product.
func teacherLabels(sp spec.Spec, x *task.Matrix) []int {
	k, d := int(sp.Classes), int(sp.Dim)
	w := normals(sp.Seed, "teacher", k*d)
	out := make([]int, x.Rows)
	for i := range out {
		row := x.Row(i)
		best, bestV := 0, math.Inf(-1)
		for c := 0; c < k; c++ {
			v := 0.0
			for j := 0; j < d; j++ {
				v += w[c*d+j] * row[j]
			}
			if v > bestV {
				best, bestV = c, v
			}
		}
		out[i] = best
	}
	return out
}

func TestSyntheticDeterministic(t *testing.T) {
	sp := synthSpec(1500, 400, 7, 5)
	sp.Noise = 0.25
	in1, lab1 := build(t, sp)
	in2, lab2 := build(t, sp)
	if !sameBits(in1.Train.Data, in2.Train.Data) || !sameBits(in1.Test.Data, in2.Test.Data) {
		t.Error("inputs differ between two calls")
	}
	if !sameInts(lab1.Train, lab2.Train) || !sameInts(lab1.Test, lab2.Test) {
		t.Error("labels differ between two calls")
	}
	if in1.Train.Rows != 1500 || in1.Train.Cols != 5 || len(in1.Train.Data) != 1500*5 ||
		in1.Test.Rows != 400 || in1.Test.Cols != 5 || len(in1.Test.Data) != 400*5 ||
		len(lab1.Train) != 1500 || len(lab1.Test) != 400 {
		t.Fatal("wrong sizes")
	}
	for _, y := range append(append([]int(nil), lab1.Train...), lab1.Test...) {
		if y < 0 || y >= 7 {
			t.Fatalf("label %d outside [0, 7)", y)
		}
	}
}

func TestSyntheticInputsAreTheirStreams(t *testing.T) {
	sp := synthSpec(300, 200, 4, 6)
	in, _ := build(t, sp)
	if !sameBits(in.Train.Data, normals(sp.Seed, "train-inputs", 300*6)) {
		t.Error("train inputs are not the train-inputs stream, row-major")
	}
	if !sameBits(in.Test.Data, normals(sp.Seed, "test-inputs", 200*6)) {
		t.Error("test inputs are not the test-inputs stream, row-major")
	}
	// The rows are distinct streams: no test row equals a train row.
	for i := 0; i < in.Test.Rows; i++ {
		if sameBits(in.Test.Row(i), in.Train.Row(i)) {
			t.Fatalf("test row %d equals train row %d", i, i)
		}
	}
	// A different seed gives different inputs.
	sp2 := sp
	sp2.Seed++
	in2, _ := build(t, sp2)
	if sameBits(in.Train.Data, in2.Train.Data) {
		t.Error("seed does not change the inputs")
	}
}

// Inputs depend only on seed, sizes and dim: the label options, classes and
// the learner's settings never move them.
func TestSyntheticStreamsIndependent(t *testing.T) {
	base := synthSpec(800, 300, 6, 4)
	in0, lab0 := build(t, base)
	variants := map[string]func(*spec.Spec){
		"noise":         func(s *spec.Spec) { s.Noise = 0.7 },
		"random-labels": func(s *spec.Spec) { s.RandomLabels = true },
		"classes":       func(s *spec.Spec) { s.Classes = 3 },
		"lr-batch":      func(s *spec.Spec) { s.LR, s.Batch = 0.01, 7 },
	}
	for name, f := range variants {
		sp := base
		f(&sp)
		in, _ := build(t, sp)
		if !sameBits(in.Train.Data, in0.Train.Data) || !sameBits(in.Test.Data, in0.Test.Data) {
			t.Errorf("%s changed the inputs", name)
		}
	}
	// The learner's settings do not change the labels either.
	sp := base
	sp.LR, sp.Batch, sp.Init = 0.01, 7, spec.InitNormal
	_, lab := build(t, sp)
	if !sameInts(lab.Train, lab0.Train) || !sameInts(lab.Test, lab0.Test) {
		t.Error("learner settings changed the labels")
	}
	// Prefix property: a longer run starts with the shorter run's examples
	// and labels, noise included (both draws happen for every example).
	short, long := base, base
	short.Noise, long.Noise = 0.3, 0.3
	long.N, long.Test = 1600, 500
	inS, labS := build(t, short)
	inL, labL := build(t, long)
	if !sameBits(inL.Train.Data[:len(inS.Train.Data)], inS.Train.Data) || !sameBits(inL.Test.Data[:len(inS.Test.Data)], inS.Test.Data) {
		t.Error("longer run's inputs do not start with the shorter run's")
	}
	if !sameInts(labL.Train[:len(labS.Train)], labS.Train) || !sameInts(labL.Test[:len(labS.Test)], labS.Test) {
		t.Error("longer run's labels do not start with the shorter run's")
	}
}

func TestSyntheticNoiselessLabelsAreTeacherArgmax(t *testing.T) {
	for _, sp := range []spec.Spec{synthSpec(2000, 500, 10, 16), synthSpec(1000, 300, 2, 1), synthSpec(1000, 200, 37, 3)} {
		in, lab := build(t, sp)
		for part, pair := range map[string]struct {
			x   *task.Matrix
			got []int
		}{"train": {&in.Train, lab.Train}, "test": {&in.Test, lab.Test}} {
			want := teacherLabels(sp, pair.x)
			for i := range want {
				if pair.got[i] != want[i] {
					t.Fatalf("K=%d D=%d %s example %d: label %d, teacher argmax %d", sp.Classes, sp.Dim, part, i, pair.got[i], want[i])
				}
			}
		}
	}
}

// With noise the labels follow the documented rule exactly: for every
// example draw u then a uniform replacement from the part's noise stream;
// the replacement wins when u < noise.
func TestSyntheticNoiseRuleExact(t *testing.T) {
	for _, noise := range []float64{0, 0.3, 1} {
		sp := synthSpec(3000, 700, 5, 4)
		sp.Noise = noise
		in, lab := build(t, sp)
		for part, pair := range map[string]struct {
			x   *task.Matrix
			got []int
		}{"train": {&in.Train, lab.Train}, "test": {&in.Test, lab.Test}} {
			clean := teacherLabels(sp, pair.x)
			src := rng.New(rng.Derive(sp.Seed, part+"-noise"), 0)
			for i := range clean {
				u, repl := src.Float64(), src.IntN(int(sp.Classes))
				want := clean[i]
				if u < noise {
					want = repl
				}
				if pair.got[i] != want {
					t.Fatalf("noise %v %s example %d: label %d, want %d", noise, part, i, pair.got[i], want)
				}
			}
		}
	}
}

func TestSyntheticNoiseRate(t *testing.T) {
	const n, noise = 20000, 0.3
	for _, k := range []int64{2, 5, 10} {
		sp := synthSpec(n, 0, k, 8)
		_, clean := build(t, sp)
		sp.Noise = noise
		_, noisy := build(t, sp)
		differ := 0
		for i := range clean.Train {
			if clean.Train[i] != noisy.Train[i] {
				differ++
			}
		}
		p := noise * float64(k-1) / float64(k)
		sigma := math.Sqrt(p * (1 - p) / n)
		got := float64(differ) / n
		if math.Abs(got-p) > 4*sigma {
			t.Errorf("K=%d: %.4f of labels changed by noise %v, want %.4f ± %.4f", k, got, noise, p, 4*sigma)
		}
	}
}

func TestSyntheticRandomLabelsUniform(t *testing.T) {
	const n = 20000
	for _, k := range []int64{2, 10, 37} {
		sp := synthSpec(n, 5000, k, 6)
		sp.RandomLabels = true
		in, lab := build(t, sp)
		for part, labels := range map[string][]int{"train": lab.Train, "test": lab.Test} {
			counts := make([]float64, k)
			for _, y := range labels {
				counts[y]++
			}
			e := float64(len(labels)) / float64(k)
			chi2 := 0.0
			for _, c := range counts {
				chi2 += (c - e) * (c - e) / e
			}
			// df = K−1; mean K−1, sd √(2(K−1)); 6 sd is far in the tail.
			df := float64(k - 1)
			if bound := df + 6*math.Sqrt(2*df); chi2 > bound {
				t.Errorf("K=%d %s: chi-square %.1f exceeds %.1f (counts %v)", k, part, chi2, bound, counts)
			}
		}
		// Independent of the teacher: agreement with it is ≈ 1/K.
		clean := teacherLabels(sp, &in.Train)
		agree := 0
		for i := range clean {
			if clean[i] == lab.Train[i] {
				agree++
			}
		}
		p := 1 / float64(k)
		if got := float64(agree) / n; math.Abs(got-p) > 4*math.Sqrt(p*(1-p)/n) {
			t.Errorf("K=%d: random labels agree with the teacher on %.4f, want ≈ %.4f", k, got, p)
		}
		// Exactly the documented stream.
		src := rng.New(rng.Derive(sp.Seed, "train-random-labels"), 0)
		for i, y := range lab.Train {
			if want := src.IntN(int(k)); y != want {
				t.Fatalf("K=%d example %d: %d, stream gives %d", k, i, y, want)
			}
		}
		// Train and test labels come from different streams.
		if sameInts(lab.Train[:len(lab.Test)], lab.Test) {
			t.Errorf("K=%d: test labels repeat the train labels", k)
		}
	}
}

func TestSyntheticLabelsRejectMismatchedInputs(t *testing.T) {
	sp := synthSpec(100, 50, 3, 4)
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	other := sp
	other.N = 101
	if _, err := task.NewLabels(other, in); err == nil {
		t.Error("labels built for inputs of a different n")
	}
	other = sp
	other.Test = 49
	if _, err := task.NewLabels(other, in); err == nil {
		t.Error("labels built for inputs of a different test size")
	}
	other = sp
	other.Dim = 5
	if _, err := task.NewLabels(other, in); err == nil {
		t.Error("labels built for inputs of a different dim")
	}
	bad := sp
	bad.Classes = 1
	if _, err := task.NewInputs(bad); err == nil {
		t.Error("inputs built for an invalid spec")
	}
}
