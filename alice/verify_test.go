package alice

import (
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Bob's figures must equal Alice's to the bit: one ULP off in any of them
// is a disagreement naming it, and so is a different checkpoint count.
func TestVerifySummaryFiguresToTheBit(t *testing.T) {
	mine := transmit.Figures{
		Examples: 10, PayloadBytes: 100, MDLBytes: 80, IdealBits: 4000.25, QuantizedIdealBits: 4000.5,
		TestLossBits: 0.75, EDLBits: edl.EDL(640, 10, 0.75),
		ScoredIdealBits: 1234.5678, ScoredTestLossBits: 0.123456789, ScoredEDLBits: edl.EDL(1234.5678, 10, 0.123456789),
	}
	const cps = 3
	verify := func(sum *wirepb.Summary) error { return verifySummary(sum, mine, cps) }
	if err := verify(wire.SummaryOf(mine, cps)); err != nil {
		t.Fatalf("matching summary refused: %v", err)
	}
	ulp := func(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }
	for _, c := range []struct {
		name string
		edit func(*wirepb.Summary)
	}{
		{"ideal bits", func(s *wirepb.Summary) { s.IdealBits = ulp(s.IdealBits) }},
		{"quantized ideal bits", func(s *wirepb.Summary) { s.QuantizedIdealBits = ulp(s.QuantizedIdealBits) }},
		{"test loss", func(s *wirepb.Summary) { s.TestLossBits = ulp(s.TestLossBits) }},
		{"EDL", func(s *wirepb.Summary) { s.EdlBits = ulp(s.EdlBits) }},
		{"scored ideal bits", func(s *wirepb.Summary) { s.ScoredIdealBits = ulp(s.ScoredIdealBits) }},
		{"scored test loss", func(s *wirepb.Summary) { s.ScoredTestLossBits = ulp(s.ScoredTestLossBits) }},
		{"scored EDL", func(s *wirepb.Summary) { s.ScoredEdlBits = ulp(s.ScoredEdlBits) }},
		{"checkpoints", func(s *wirepb.Summary) { s.Checkpoints++ }},
		{"θ* best epoch", func(s *wirepb.Summary) { s.ThetaBestEpoch++ }},
		{"transcript", func(s *wirepb.Summary) { s.Transcript = append([]byte{1}, make([]byte, 31)...) }},
	} {
		sum := wire.SummaryOf(mine, cps)
		c.edit(sum)
		if err := verify(sum); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s off: error %v", c.name, err)
		}
	}
}
