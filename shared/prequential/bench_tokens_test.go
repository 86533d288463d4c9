package prequential

import (
	"fmt"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// BenchmarkTokens measures one prequential pass (predict, code, learn;
// Adam) of the token network on the modular task at three sizes, and of
// LoRA and sparse adapters on the middle one, in examples per second, with
// the exact total and trainable parameter counts.
func BenchmarkTokens(b *testing.B) {
	shapes := []struct {
		name         string
		p, embed     int64
		hidden       []int64
		adapter      string
		rank, sparse int64
	}{
		{"small/p7-e8-h32", 7, 8, []int64{32}, "", 0, 0},
		{"medium/p97-e32-h256", 97, 32, []int64{256}, "", 0, 0},
		{"large/p97-e128-h512-512", 97, 128, []int64{512, 512}, "", 0, 0},
		{"medium/lora-r4", 97, 32, []int64{256}, spec.AdapterLoRA, 4, 0},
		{"medium/sparse-4467-of-44673", 97, 32, []int64{256}, spec.AdapterSparse, 0, 4467},
	}
	for _, sh := range shapes {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", sh.name, workers), func(b *testing.B) {
				sp := spec.Default()
				sp.Task, sp.Classes, sp.Dim, sp.Op, sp.Notation = spec.TaskModular, sh.p, 2, spec.OpAdd, spec.NotationTokens
				sp.Model, sp.Vocab, sp.Embed, sp.Hidden, sp.Batch = spec.ModelTokens, sh.p, sh.embed, sh.hidden, 32
				sp.Adapter, sp.Rank, sp.SparseParams = sh.adapter, sh.rank, sh.sparse
				sp.Init, sp.InitScale, sp.Test = spec.InitNormal, 0.1, 0
				sp.Optimizer, sp.LR, sp.Beta1, sp.Beta2, sp.AdamEps = spec.OptimizerAdam, 0.003, 0.9, 0.999, 1e-8
				sp.N = 4096
				if sp.NumParams() > 100_000 {
					sp.N = 1024
				}
				in, err := task.NewInputs(sp)
				if err != nil {
					b.Fatal(err)
				}
				lab, _ := task.NewLabels(sp, in)
				b.ResetTimer()
				for b.Loop() {
					b.StopTimer()
					s, err := NewWithWorkers(sp, in, workers)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					enc, _ := coder.NewEncoder(uint(sp.Precision))
					le := &LabelEncoder{Enc: enc, Labels: lab.Train}
					for !s.Done() {
						if _, err := s.Step(le); err != nil {
							b.Fatal(err)
						}
						enc.Take()
					}
					enc.Finish()
				}
				b.ReportMetric(float64(sp.N)*float64(b.N)/b.Elapsed().Seconds(), "examples/s")
				b.ReportMetric(float64(sp.NumParams()), "params")
				b.ReportMetric(float64(sp.TrainableParams()), "trainable")
			})
		}
	}
}
