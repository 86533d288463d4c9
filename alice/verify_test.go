package alice

import (
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
)

// Bob's answers-scored figures must equal Alice's to the bit: one ULP off
// in any of them is a disagreement naming it.
func TestVerifySummaryScoredFiguresToTheBit(t *testing.T) {
	sp := spec.Default()
	sp.Task, sp.Classes, sp.Keys, sp.Answers, sp.Dim, sp.Score = spec.TaskFormat, 256, 16, 8, 16, spec.ScoreAnswers
	acct := prequential.Accounting{IdealBits: 4000.25, ScoredIdealBits: 1234.5678}
	held := prequential.HeldOut{TestLossBits: 0.75, TestScoredLossBits: 0.123456789}
	var final prequential.Checkpoint
	var labels [32]byte
	good := func() *wirepb.Summary {
		return &wirepb.Summary{
			Examples: 10, PayloadBytes: 100, MdlBytes: 80, Fingerprint: final.Fingerprint[:], LabelsSha256: labels[:],
			TestLossBits:       held.TestLossBits,
			ScoredIdealBits:    acct.ScoredIdealBits,
			ScoredTestLossBits: held.TestScoredLossBits,
			ScoredEdlBits:      edl.EDL(acct.ScoredIdealBits, sp.N, held.TestScoredLossBits),
		}
	}
	verify := func(sum *wirepb.Summary) error {
		return verifySummary(sum, sp, acct, held, 10, 100, 80, final, labels)
	}
	if err := verify(good()); err != nil {
		t.Fatalf("matching summary refused: %v", err)
	}
	ulp := func(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }
	for _, c := range []struct {
		name string
		edit func(*wirepb.Summary)
	}{
		{"scored ideal bits", func(s *wirepb.Summary) { s.ScoredIdealBits = ulp(s.ScoredIdealBits) }},
		{"scored test loss", func(s *wirepb.Summary) { s.ScoredTestLossBits = ulp(s.ScoredTestLossBits) }},
		{"scored EDL", func(s *wirepb.Summary) { s.ScoredEdlBits = ulp(s.ScoredEdlBits) }},
	} {
		sum := good()
		c.edit(sum)
		if err := verify(sum); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s one ULP off: error %v", c.name, err)
		}
	}
}
