package transmit

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
)

// Figures is the account of one transmission both sides compute, each from
// its own session: Alice's from the labels she coded, Bob's from those he
// decoded. Code lengths are in bits, test losses in bits per example.
type Figures struct {
	Examples     int64 // labels coded: n, plus the validation and test labels
	PayloadBytes int64 // the whole stream
	MDLBytes     int64 // the training pass's bytes, through its flush

	IdealBits          float64 // Σ −log₂ p(y) over the pass
	QuantizedIdealBits float64 // Σ −log₂ (f_y / 2^precision) over the pass

	// θ*'s mean test loss and the EDL, 8·MDLBytes − n·loss; zero when
	// test = 0.
	TestLossBits float64
	EDLBits      float64

	// Score = answers (format task): the answers-scored figures, zero
	// otherwise (the test ones also when test = 0).
	ScoredIdealBits    float64
	ScoredTestLossBits float64
	ScoredEDLBits      float64

	ThetaEpochs    int64 // epochs θ* trained past the pass
	ThetaBestEpoch int64 // the epoch θ* holds (0: the pass model)

	Final        prequential.Checkpoint // after the last label: θ*'s fingerprint, the whole transcript
	LabelsSHA256 [32]byte               // SHA-256 of the training labels' raw bytes (edl.LabelBytes)

	// Blocks are the blockwise code's blocks (spec.Blocks): each one's code
	// length and how its model was trained; nil without it.
	Blocks []prequential.Block
}

// CodedBits is the verified MDL: the pass's bytes ×8.
func (f Figures) CodedBits() int64 { return 8 * f.MDLBytes }

// HeldOutBits is the validation and test labels' bytes ×8, not part of the MDL.
func (f Figures) HeldOutBits() int64 { return 8 * (f.PayloadBytes - f.MDLBytes) }

// FiguresOf computes the figures of a finished session: payload and mdl
// are the stream's bytes and the pass's, labelsSHA256 the hash of the n
// training labels (edl.LabelBytes), taken as they were coded or decoded.
func FiguresOf(sess *prequential.Session, payload, mdl int64, labelsSHA256 [32]byte) Figures {
	sp := sess.Spec()
	acct, held := sess.Accounting(), sess.HeldOut()
	f := Figures{
		Examples:           sess.Index(),
		PayloadBytes:       payload,
		MDLBytes:           mdl,
		IdealBits:          acct.IdealBits,
		QuantizedIdealBits: acct.QuantizedIdealBits,
		ThetaEpochs:        held.Converged.Epochs,
		ThetaBestEpoch:     held.Converged.BestEpoch,
		Final:              sess.LastCheckpoint(),
		LabelsSHA256:       labelsSHA256,
		Blocks:             sess.Blocks(),
	}
	if sp.Test > 0 {
		f.TestLossBits = held.TestLossBits
		f.EDLBits = edl.EDL(float64(f.CodedBits()), sp.N, f.TestLossBits)
	}
	if sp.Score == spec.ScoreAnswers {
		f.ScoredIdealBits = acct.ScoredIdealBits
		if sp.Test > 0 {
			f.ScoredTestLossBits = held.TestScoredLossBits
			f.ScoredEDLBits = edl.EDL(f.ScoredIdealBits, sp.N, f.ScoredTestLossBits)
		}
	}
	return f
}

// Diff lists every field in which other differs from f, floats compared
// by their bits (Alice and Bob run the same arithmetic: one ULP is a
// disagreement), each as "name other != f". Empty when they agree.
func (f Figures) Diff(other Figures) []string {
	var out []string
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"examples", other.Examples, f.Examples},
		{"payload bytes", other.PayloadBytes, f.PayloadBytes},
		{"training pass bytes (MDL)", other.MDLBytes, f.MDLBytes},
		{"ideal bits", other.IdealBits, f.IdealBits},
		{"quantized ideal bits", other.QuantizedIdealBits, f.QuantizedIdealBits},
		{"test loss", other.TestLossBits, f.TestLossBits},
		{"EDL", other.EDLBits, f.EDLBits},
		{"scored ideal bits", other.ScoredIdealBits, f.ScoredIdealBits},
		{"scored test loss", other.ScoredTestLossBits, f.ScoredTestLossBits},
		{"scored EDL", other.ScoredEDLBits, f.ScoredEDLBits},
		{"θ* epochs", other.ThetaEpochs, f.ThetaEpochs},
		{"θ* best epoch", other.ThetaBestEpoch, f.ThetaBestEpoch},
		{"fingerprint", other.Final.Fingerprint, f.Final.Fingerprint},
		{"transcript", other.Final.Transcript, f.Final.Transcript},
		{"labels sha256", other.LabelsSHA256, f.LabelsSHA256},
	} {
		if !same(c.got, c.want) {
			out = append(out, fmt.Sprintf("%s %s != %s", c.name, show(c.got), show(c.want)))
		}
	}
	return out
}

// DiffBlocks lists the blocks of the blockwise code in which other differs
// from f, as Diff does. Diff leaves them out: the wire's summary does not
// carry them (the fingerprints at every block end and the final transcript,
// which covers every frequency the blocks' bits come from, are what Bob's
// summary verifies); the in-memory pipe compares them too.
func (f Figures) DiffBlocks(other Figures) []string {
	var out []string
	if len(other.Blocks) != len(f.Blocks) {
		out = append(out, fmt.Sprintf("blocks %d != %d", len(other.Blocks), len(f.Blocks)))
	}
	for i := range min(len(f.Blocks), len(other.Blocks)) {
		if a, b := other.Blocks[i], f.Blocks[i]; !sameBlock(a, b) {
			out = append(out, fmt.Sprintf("block %d %+v != %+v", i, a, b))
		}
	}
	return out
}

// sameBlock compares two blocks field by field, floats by their bits.
func sameBlock(a, b prequential.Block) bool {
	return a.From == b.From && a.To == b.To && a.TrainExamples == b.TrainExamples && a.ValidExamples == b.ValidExamples &&
		a.Epochs == b.Epochs && a.BestEpoch == b.BestEpoch && a.LRDrops == b.LRDrops && same(a.ValidBits, b.ValidBits) &&
		same(a.ValidAccuracy, b.ValidAccuracy) && same(a.IdealBits, b.IdealBits) && same(a.QuantizedBits, b.QuantizedBits) &&
		same(a.Temperature, b.Temperature) && same(a.CalibratedBits, b.CalibratedBits) && same(a.MixWeight, b.MixWeight)
}

// same is equality, of floats by their bits (so NaN equals NaN and 0
// differs from −0: the arithmetic, not the value, is what both sides share).
func same(a, b any) bool {
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return a == b
}

func show(v any) string {
	if h, ok := v.([32]byte); ok {
		return fmt.Sprintf("%x", h)
	}
	return fmt.Sprint(v)
}
