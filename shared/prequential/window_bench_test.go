package prequential

import (
	"fmt"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// BenchmarkTranscriptWindow is the cost of the transcript window alice and
// bob keep for locating a divergence (DefaultTranscriptWindow) against none,
// on a coding pass of the cheapest model (kt: counting, no arithmetic to
// hide the cost behind) and of the default softmax.
func BenchmarkTranscriptWindow(b *testing.B) {
	for _, m := range []string{spec.ModelKT, spec.ModelSoftmax} {
		sp := spec.Default()
		sp.Model, sp.Test, sp.N = m, 0, 100_000
		in, err := task.NewInputs(sp)
		if err != nil {
			b.Fatal(err)
		}
		lab, err := task.NewLabels(sp, in)
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range []int{0, DefaultTranscriptWindow(sp)} {
			b.Run(fmt.Sprintf("%s/window=%d", m, w), func(b *testing.B) {
				for b.Loop() {
					s, err := NewWithOptions(sp, in, Options{TranscriptWindow: w})
					if err != nil {
						b.Fatal(err)
					}
					enc, _ := coder.NewEncoder(uint(sp.Precision))
					le := &LabelEncoder{Enc: enc, Labels: lab.Train}
					for !s.Done() {
						if _, err := s.Step(le); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sp.N), "ns/example")
			})
		}
	}
}
