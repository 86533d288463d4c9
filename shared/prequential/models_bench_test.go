package prequential

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// familySpecs are the model families at three sizes each (issue 5 item 8).
func familySpecs() map[string]spec.Spec {
	out := map[string]spec.Spec{}
	for _, k := range []int64{4, 32, 256} {
		sp := spec.Default()
		sp.Classes, sp.Dim, sp.Test = k, 2*k, 0
		out[fmt.Sprintf("softmax/K=%d", k)] = sp
	}
	for _, h := range []int64{16, 128, 512} {
		sp := spec.Default()
		sp.Model, sp.Hidden, sp.Dim, sp.Test, sp.Init, sp.InitScale, sp.LR = spec.ModelMLP, []int64{h}, 32, 0, spec.InitNormal, 0.05, 0.05
		sp.Optimizer, sp.Beta1, sp.Beta2, sp.AdamEps, sp.WeightDecay, sp.LR = spec.OptimizerAdamW, 0.9, 0.999, 1e-8, 0.01, 0.001
		out[fmt.Sprintf("mlp-adamw/hidden=%d", h)] = sp
	}
	for _, k := range []int64{2, 64, 4096} {
		sp := spec.Default()
		sp.Model, sp.Classes, sp.Dim, sp.Test, sp.Batch = spec.ModelKT, k, 1, 0, 1
		out[fmt.Sprintf("kt/K=%d", k)] = sp
	}
	for _, m := range []int64{8, 64, 512} {
		sp := spec.Default()
		sp.Task, sp.Model, sp.Classes, sp.Hypotheses, sp.Dim, sp.Test, sp.Batch = spec.TaskHypothesis, spec.ModelHypothesis, 512, m, 1, 0, 1
		sp.Noise, sp.ModelNoise = 0.05, 0.05
		out[fmt.Sprintf("hypothesis/m=%d", m)] = sp
	}
	for _, keys := range []int64{10, 100, 1000} {
		sp := spec.Default()
		sp.Task, sp.Model, sp.Keys, sp.Classes, sp.Dim, sp.Test, sp.Batch, sp.Alpha = spec.TaskCoupon, spec.ModelTable, keys, 16, 1, 0, 1, 0.5
		out[fmt.Sprintf("table/keys=%d", keys)] = sp
	}
	return out
}

// BenchmarkModels measures one coded prequential pass (predict, quantize,
// encode, learn) per family and size, in examples per second, with the
// exact parameter count.
func BenchmarkModels(b *testing.B) {
	specs := familySpecs()
	for _, name := range sortedKeys(specs) {
		sp := specs[name]
		b.Run(name, func(b *testing.B) {
			sp.N = 8192
			if sp.NumParams() > 50_000 {
				sp.N = 2048
			}
			in, err := task.NewInputs(sp)
			if err != nil {
				b.Fatal(err)
			}
			lab, _ := task.NewLabels(sp, in)
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				s, _ := New(sp, in)
				enc, _ := coder.NewEncoder(uint(sp.Precision))
				b.StartTimer()
				if _, err := CodeAll(s, enc, lab.Train); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sp.N)*float64(b.N)/b.Elapsed().Seconds(), "examples/s")
			b.ReportMetric(float64(sp.NumParams()), "params")
		})
	}
}

func sortedKeys(m map[string]spec.Spec) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// Memory per transmitted example is constant in n: the session's steady
// state allocates nothing per example once warmed up, so heap growth over
// a pass does not depend on its length (the coded stream, kept by the
// caller, is the only thing that grows, by about MDL/8 bytes).
func TestHeapPerExampleConstantInN(t *testing.T) {
	sp := spec.Default()
	sp.Model, sp.Hidden, sp.Test = spec.ModelMLP, []int64{32}, 0
	perExample := func(n int64) float64 {
		sp.N = n
		in, _ := task.NewInputs(sp)
		lab, _ := task.NewLabels(sp, in)
		s, _ := New(sp, in)
		enc, _ := coder.NewEncoder(uint(sp.Precision))
		le := &LabelEncoder{Enc: enc, Labels: lab.Train}
		// Warm up one batch, then count what the rest of the pass allocates.
		for range sp.Batch {
			if _, err := s.Step(le); err != nil {
				t.Fatal(err)
			}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for !s.Done() {
			if _, err := s.Step(le); err != nil {
				t.Fatal(err)
			}
			enc.Take()
		}
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	small, large := perExample(2000), perExample(20000)
	t.Logf("allocated per example: %.2f bytes at n=2000, %.2f at n=20000", small, large)
	if large > 16 || large > small+1 {
		t.Fatalf("allocation per example grows with n or is not near zero: %.2f bytes at n=2000, %.2f at n=20000", small, large)
	}
}
