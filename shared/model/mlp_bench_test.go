package model

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// BenchmarkMLPBatch times one minibatch's Forward and Backward (the
// GEMM-shaped work of batch training) and reports examples/s and the
// arithmetic rate (a multiply and an add per weight, forward, weight
// gradient and back-propagation).
func BenchmarkMLPBatch(b *testing.B) {
	for _, sh := range []struct {
		sizes []int
		batch int
	}{{[]int{64, 256, 10}, 32}, {[]int{64, 512, 512, 10}, 32}, {[]int{64, 512, 512, 10}, 1}} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/batch=%d/workers=%d", sh.sizes, sh.batch, workers), func(b *testing.B) {
				r := rand.New(rand.NewPCG(1, 2))
				m := NewMLP(sh.sizes, spec.ActReLU)
				m.SetWorkers(workers)
				for i := range m.params {
					m.params[i] = 0.1 * (2*r.Float64() - 1)
				}
				xs, probs, labels := make([][]float64, sh.batch), make([][]float64, sh.batch), make([]int, sh.batch)
				for i := range xs {
					xs[i], probs[i] = make([]float64, sh.sizes[0]), make([]float64, m.NumClasses())
					for j := range xs[i] {
						xs[i][j] = 2*r.Float64() - 1
					}
					labels[i] = r.IntN(m.NumClasses())
				}
				grad := make([]float64, len(m.params))
				weights, backMACs := 0, 0
				for l := range m.layers() {
					weights += sh.sizes[l] * sh.sizes[l+1]
					if l > 0 {
						backMACs += sh.sizes[l] * sh.sizes[l+1]
					}
				}
				cpu0 := cpuSeconds()
				for b.Loop() {
					m.Forward(probs, xs)
					m.Backward(grad, labels)
				}
				// CPU seconds as well as wall: on a shared machine the
				// process's own CPU time is the steadier measure of work.
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N)*1e9, "cpu-ns/op")
				perSec := float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(perSec*float64(sh.batch), "examples/s")
				b.ReportMetric(perSec*float64(sh.batch*2*(2*weights+backMACs))/1e9, "GFLOP/s")
			})
		}
	}
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
