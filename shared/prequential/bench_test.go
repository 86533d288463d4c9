package prequential

import (
	"testing"

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
