package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkCNNBatch times one minibatch's Forward and Backward of the cnn
// edl mnist trains (28×28 images, 3×3 kernels, 16 and 32 channels, a
// 128-unit head; and the earlier 5×5, 8 and 16 channels, 64 units), the
// work of a block's training step but the optimizer's, in images/s.
func BenchmarkCNNBatch(b *testing.B) {
	for _, sh := range []struct {
		kernel         int
		conv, hidden   []int
		batch, workers int
	}{{3, []int{16, 32}, []int{128}, 16, 1}, {3, []int{16, 32}, []int{128}, 16, 2}, {5, []int{8, 16}, []int{64}, 16, 1}} {
		b.Run(fmt.Sprintf("k%d/conv%v/hidden%v/batch=%d/workers=%d", sh.kernel, sh.conv, sh.hidden, sh.batch, sh.workers), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			m := NewCNN(28, sh.kernel, sh.conv, sh.hidden, 10)
			m.SetWorkers(sh.workers)
			for i := range m.params {
				m.params[i] = 0.1 * (2*r.Float64() - 1)
			}
			xs, probs, labels := make([][]float64, sh.batch), make([][]float64, sh.batch), make([]int, sh.batch)
			for i := range xs {
				xs[i], probs[i] = make([]float64, 28*28), make([]float64, 10)
				for j := range xs[i] {
					if r.IntN(5) == 0 { // MNIST is mostly background
						xs[i][j] = r.Float64()
					}
				}
				labels[i] = r.IntN(10)
			}
			grad := make([]float64, len(m.params))
			b.ResetTimer()
			for range b.N {
				m.Forward(probs, xs)
				m.Backward(grad, labels)
			}
			b.ReportMetric(float64(b.N*sh.batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
