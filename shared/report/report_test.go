package report

import (
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/transmit"
)

// The report carries the figures as computed, derives only what the
// figures define (coded and held-out bits, the single-pass EDL), and has
// test and scored fields exactly when the spec measures them.
func TestNewFromFigures(t *testing.T) {
	sp := spec.Default()
	f := transmit.Figures{Examples: sp.N + sp.Test, PayloadBytes: 942, MDLBytes: 719, IdealBits: 5748.4, QuantizedIdealBits: 5748.5,
		TestLossBits: 0.25, EDLBits: 5752 - float64(sp.N)*0.25, ThetaEpochs: 2, ThetaBestEpoch: 1}
	f.Final.Fingerprint[0] = 0x2d
	r, err := New(sp, f, make([]byte, sp.N), 0.5, "id", 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.CodedBits != 5752 || r.HeldOutBits != 8*(942-719) || r.PayloadBytes != 942 || r.IdealBits != f.IdealBits ||
		r.ThetaEpochs != 2 || r.ThetaBestEpoch != 1 || !strings.HasPrefix(r.Fingerprint, "2d00") {
		t.Errorf("report %+v does not carry the figures %+v", r, f)
	}
	if r.TestLossBits == nil || *r.EDLBits != f.EDLBits || *r.PassEDLBits != 5752-float64(sp.N)*0.5 {
		t.Errorf("test figures %v %v %v", r.TestLossBits, r.EDLBits, r.PassEDLBits)
	}
	if r.ScoredIdealBits != nil || r.LabelsPerSecond != float64(sp.N)/2 {
		t.Errorf("scored %v, labels/s %v", r.ScoredIdealBits, r.LabelsPerSecond)
	}
	sp.Test = 0
	if r, _ := New(sp, f, make([]byte, sp.N), 0, "id", 1); r.TestLossBits != nil || r.EDLBits != nil || !strings.Contains(r.Summary(), "not measured") {
		t.Errorf("test = 0 still reports a test loss")
	}
}
