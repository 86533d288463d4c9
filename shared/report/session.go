package report

import (
	"encoding/hex"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Session is Bob's account of one transmission (his "session" line): what
// he decoded and verified himself, from his own figures.
type Session struct {
	Event           string `json:"event"`
	SessionID       string `json:"session_id"`
	SpecHash        string `json:"spec_hash"`
	N               int64  `json:"n"`
	Params          int64  `json:"params"`           // the learner's parameters (with an adapter: base plus adapter)
	TrainableParams int64  `json:"trainable_params"` // those that train (adapters: fewer than params)
	PayloadBytes    int64  `json:"payload_bytes"`
	CodedBits       int64  `json:"coded_bits"`   // the training pass's bytes ×8: the verified MDL
	HeldOutBits     int64  `json:"heldout_bits"` // validation and test labels' bytes ×8, not part of the MDL
	Fingerprint     string `json:"fingerprint"`
	LabelsSHA256    string `json:"labels_sha256"`
	Checkpoints     int64  `json:"checkpoints"`
	Resumed         bool   `json:"resumed,omitempty"` // the transmission resumed after a break
	// TestLossBits and EDLBits are what Bob verified himself: θ*'s mean
	// test loss on the test labels he decoded, and MDL − n·L_test. Absent
	// when test = 0.
	TestLossBits *float64 `json:"test_loss_bits,omitempty"`
	EDLBits      *float64 `json:"edl_bits,omitempty"`
	ThetaEpochs  int64    `json:"theta_epochs"`
	// Score = answers (format task): Bob's own answers-scored figures,
	// −log₂ p(y | y ∈ S) per label, ideal bits; Alice checks them to the
	// bit. Absent when the spec scores all (the test ones when test = 0).
	Score              string   `json:"score,omitempty"`
	ScoredIdealBits    *float64 `json:"scored_ideal_bits,omitempty"`
	ScoredTestLossBits *float64 `json:"scored_test_loss_bits,omitempty"`
	ScoredEDLBits      *float64 `json:"scored_edl_bits,omitempty"`
	Error              string   `json:"error,omitempty"`
	// Blocks are Bob's own account of the blockwise code's blocks (spec
	// blocks); absent without it.
	Blocks []Block `json:"blocks,omitempty"`
}

// Fill sets the fields Bob's figures give (the identity, checkpoints,
// resume and error fields are the caller's).
func (r *Session) Fill(sp spec.Spec, f transmit.Figures) {
	r.N = sp.N
	r.Params, r.TrainableParams = sp.NumParams(), sp.TrainableParams()
	r.PayloadBytes, r.CodedBits, r.HeldOutBits = f.PayloadBytes, f.CodedBits(), f.HeldOutBits()
	r.ThetaEpochs = f.ThetaEpochs
	r.Blocks = Blocks(f.Blocks)
	if sp.Test > 0 {
		r.TestLossBits, r.EDLBits = &f.TestLossBits, &f.EDLBits
	}
	if sp.Score == spec.ScoreAnswers {
		r.Score, r.ScoredIdealBits = sp.Score, &f.ScoredIdealBits
		if sp.Test > 0 {
			r.ScoredTestLossBits, r.ScoredEDLBits = &f.ScoredTestLossBits, &f.ScoredEDLBits
		}
	}
	r.Fingerprint = hex.EncodeToString(f.Final.Fingerprint[:])
	r.LabelsSHA256 = hex.EncodeToString(f.LabelsSHA256[:])
}
