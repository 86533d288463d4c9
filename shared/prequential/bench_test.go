package prequential

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/detmath"

	"github.com/edlwire/edlwire/shared/spec"
)

// BenchmarkTransmit runs Alice's and Bob's loops in one process on the
// default spec and reports labels per second through both, bits per label,
// and the coder's overhead over the quantized ideal.
func BenchmarkTransmit(b *testing.B) {
	sp := spec.Default()
	sp.Test = 0
	var o outcome
	for b.Loop() {
		o = transmit(b, sp, func() int { return 16 << 10 })
	}
	coded := float64(8 * len(o.bytes))
	q := o.alice.Accounting().QuantizedIdealBits
	b.ReportMetric(float64(sp.N)*float64(b.N)/b.Elapsed().Seconds(), "labels/s")
	b.ReportMetric(coded/float64(sp.N), "bits/label")
	b.ReportMetric(100*(coded-q)/q, "overhead_%")
}

// BenchmarkPass measures one online prequential pass (predict, code, learn;
// float64; SGD) on the shapes of issue 3, in examples per second, with the
// layers on one goroutine and split across two.
func BenchmarkPass(b *testing.B) {
	for _, sh := range PassShapes {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", sh.Name(), workers), func(b *testing.B) {
				sp, in, lab, err := sh.Data()
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					b.StopTimer() // building the model (seeded init) is not part of the pass
					s, _ := NewWithWorkers(sp, in, workers)
					runtime.GC() // nor is collecting its garbage: a pass allocates nothing per example
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
			})
		}
	}
}

// BenchmarkCoreScaling measures what two goroutines can gain over one on
// this machine for pure floating-point work (independent 4-lane dot
// products, no sharing): the ceiling for BenchmarkPass's workers=2 speedup.
func BenchmarkCoreScaling(b *testing.B) {
	work := ScalingWork
	x, y := make([]float64, 1024), make([]float64, 1024)
	var one, two float64
	b.Run("goroutines=1", func(b *testing.B) {
		for b.Loop() {
			work(x)
			work(y)
		}
		one = b.Elapsed().Seconds() / float64(b.N)
	})
	b.Run("goroutines=2", func(b *testing.B) {
		for b.Loop() {
			done := make(chan float64)
			go func() { done <- work(y) }()
			work(x)
			<-done
		}
		two = b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(one/two, "speedup")
	})
}

// BenchmarkCoreScalingSIMD is BenchmarkCoreScaling for the AVX2 kernels
// (detmath.Dots on independent data, in cache): the ceiling for the
// workers=2 speedup of the vectorized passes. Where the two processors
// share one core's floating-point units, or are busy with other work, it
// stays near 1.
func BenchmarkCoreScalingSIMD(b *testing.B) {
	mk := func() ([][]float64, [][]float64, [][]float64) {
		a, x, d := make([][]float64, 64), make([][]float64, 8), make([][]float64, 8)
		for i := range a {
			a[i] = make([]float64, 512)
			for j := range a[i] {
				a[i][j] = float64(j%7) * 0.25
			}
		}
		for j := range x {
			x[j], d[j] = make([]float64, 512), make([]float64, 64)
			for i := range x[j] {
				x[j][i] = float64(i%5) * 0.5
			}
		}
		return a, x, d
	}
	a1, x1, d1 := mk()
	a2, x2, d2 := mk()
	work := func(a, x, d [][]float64) {
		for range 200 {
			detmath.Dots(d, 0, a, x)
		}
	}
	var one float64
	b.Run("goroutines=1", func(b *testing.B) {
		for b.Loop() {
			work(a1, x1, d1)
			work(a2, x2, d2)
		}
		one = b.Elapsed().Seconds() / float64(b.N)
	})
	b.Run("goroutines=2", func(b *testing.B) {
		for b.Loop() {
			done := make(chan bool)
			go func() { work(a2, x2, d2); done <- true }()
			work(a1, x1, d1)
			<-done
		}
		b.ReportMetric(one/(b.Elapsed().Seconds()/float64(b.N)), "speedup")
	})
}
