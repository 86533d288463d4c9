package wire

import (
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/transmit"
)

// FinishOf is the Finish message of a Sender's Finish.
func FinishOf(f transmit.Finish) *wirepb.Finish {
	return &wirepb.Finish{
		Examples:     f.Examples,
		PayloadBytes: f.PayloadBytes,
		Fingerprint:  f.Final.Fingerprint[:],
		Transcript:   f.Final.Transcript[:],
		MdlBytes:     f.MDLBytes,
	}
}

// FinishFrom is the Sender's Finish a Finish message declares.
func FinishFrom(m *wirepb.Finish) transmit.Finish {
	f := transmit.Finish{Examples: m.GetExamples(), PayloadBytes: m.GetPayloadBytes(), MDLBytes: m.GetMdlBytes()}
	f.Final.Example = m.GetExamples()
	copy32(&f.Final.Fingerprint, m.GetFingerprint())
	copy32(&f.Final.Transcript, m.GetTranscript())
	return f
}

// SummaryOf is Bob's Summary message: his figures and the number of
// checkpoints he reached.
func SummaryOf(f transmit.Figures, checkpoints int64) *wirepb.Summary {
	return &wirepb.Summary{
		Examples:           f.Examples,
		PayloadBytes:       f.PayloadBytes,
		Fingerprint:        f.Final.Fingerprint[:],
		Transcript:         f.Final.Transcript[:],
		LabelsSha256:       f.LabelsSHA256[:],
		Checkpoints:        checkpoints,
		MdlBytes:           f.MDLBytes,
		TestLossBits:       f.TestLossBits,
		ThetaEpochs:        f.ThetaEpochs,
		ScoredIdealBits:    f.ScoredIdealBits,
		ScoredTestLossBits: f.ScoredTestLossBits,
		ScoredEdlBits:      f.ScoredEDLBits,
		IdealBits:          f.IdealBits,
		QuantizedIdealBits: f.QuantizedIdealBits,
		ThetaBestEpoch:     f.ThetaBestEpoch,
		EdlBits:            f.EDLBits,
	}
}

// FiguresFrom reads Bob's figures back from his Summary. A byte field of
// the wrong length leaves its value zero, so it differs from any real one.
func FiguresFrom(m *wirepb.Summary) transmit.Figures {
	f := transmit.Figures{
		Examples:           m.GetExamples(),
		PayloadBytes:       m.GetPayloadBytes(),
		MDLBytes:           m.GetMdlBytes(),
		IdealBits:          m.GetIdealBits(),
		QuantizedIdealBits: m.GetQuantizedIdealBits(),
		TestLossBits:       m.GetTestLossBits(),
		EDLBits:            m.GetEdlBits(),
		ScoredIdealBits:    m.GetScoredIdealBits(),
		ScoredTestLossBits: m.GetScoredTestLossBits(),
		ScoredEDLBits:      m.GetScoredEdlBits(),
		ThetaEpochs:        m.GetThetaEpochs(),
		ThetaBestEpoch:     m.GetThetaBestEpoch(),
		Final:              prequential.Checkpoint{Example: m.GetExamples()},
	}
	copy32(&f.Final.Fingerprint, m.GetFingerprint())
	copy32(&f.Final.Transcript, m.GetTranscript())
	copy32(&f.LabelsSHA256, m.GetLabelsSha256())
	return f
}

func copy32(dst *[32]byte, b []byte) bool {
	if len(b) != 32 {
		return false
	}
	copy(dst[:], b)
	return true
}

// CheckpointOf is Bob's Checkpoint message.
func CheckpointOf(cp prequential.Checkpoint) *wirepb.Checkpoint {
	return &wirepb.Checkpoint{Example: cp.Example, Fingerprint: cp.Fingerprint[:], Transcript: cp.Transcript[:]}
}

// CheckpointFrom reads a Checkpoint message; ok is false when a hash has
// the wrong length.
func CheckpointFrom(m *wirepb.Checkpoint) (cp prequential.Checkpoint, ok bool) {
	cp.Example = m.GetExample()
	ok = copy32(&cp.Fingerprint, m.GetFingerprint())
	return cp, copy32(&cp.Transcript, m.GetTranscript()) && ok
}
