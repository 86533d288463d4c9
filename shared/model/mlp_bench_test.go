package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"
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

// BenchmarkMLPRegions breaks a training step of 64→512→512→10 at batch 32
// (Forward, then BackwardStep with SGD) into its parallel regions, on one
// and two workers: for each region the fastest and the median wall time
// over the steps (ns; the fastest is the one a busy machine disturbs
// least), then the whole step's. The step minus its regions is the serial
// work between them (softmax, the output layer's δ). Its barrier
// sub-benchmark is a region of almost no work (a unit per worker): the
// cost of handing a region to the helpers and waiting for them.
func BenchmarkMLPRegions(b *testing.B) {
	const B = 32
	sizes := []int{64, 512, 512, 10}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			m := NewMLP(sizes, spec.ActReLU)
			m.SetWorkers(workers)
			for i := range m.params {
				m.params[i] = 0.1 * (2*r.Float64() - 1)
			}
			xs, probs, labels := make([][]float64, B), make([][]float64, B), make([]int, B)
			for i := range xs {
				xs[i], probs[i] = make([]float64, sizes[0]), make([]float64, m.NumClasses())
				for j := range xs[i] {
					xs[i][j] = 2*r.Float64() - 1
				}
				labels[i] = r.IntN(m.NumClasses())
			}
			grad := make([]float64, len(m.params))
			opt := train.SGD{LR: 1e-9} // the parameters stay near their start
			name := map[[2]int]string{}
			for l := range m.layers() {
				name[[2]int{jobForward, l}] = fmt.Sprintf("fwd%d", l)
				name[[2]int{jobBackward, l}] = fmt.Sprintf("bwd%d", l)
				name[[2]int{jobGrad, l}] = fmt.Sprintf("bwd%d", l)
			}
			times := map[string][]float64{}
			var start time.Time
			m.traced = func(job, l int, end bool) {
				if !end {
					start = time.Now()
					return
				}
				k := name[[2]int{job, l}]
				times[k] = append(times[k], float64(time.Since(start).Nanoseconds()))
			}
			for b.Loop() {
				t0 := time.Now()
				m.Forward(probs, xs)
				m.BackwardStep(grad, labels, opt, B)
				times["step"] = append(times["step"], float64(time.Since(t0).Nanoseconds()))
			}
			for k, v := range times {
				slices.Sort(v)
				b.ReportMetric(v[0], k+"-min-ns")
				b.ReportMetric(v[len(v)/2], k+"-med-ns")
			}
		})
	}
	b.Run("barrier", func(b *testing.B) {
		m := NewMLP([]int{1, 2, 2}, spec.ActReLU)
		m.SetWorkers(2)
		m.parallelMin = 0
		xs, probs := [][]float64{{1}}, [][]float64{{0, 0}}
		m.Forward(probs, xs)
		for b.Loop() {
			m.parallel(0, jobForward, 0)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/region")
	})
}
