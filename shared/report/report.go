package report

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/transmit"
)

// LocalSession is the session id of a transmission in memory (edl run):
// its summary has no wire line.
const LocalSession = "local"

// Report is the result of one transmission, over the wire (alice) or in
// memory (edl run). Field names carry units.
type Report struct {
	Event              string   `json:"event"`
	SessionID          string   `json:"session_id"`
	SpecHash           string   `json:"spec_hash"`
	N                  int64    `json:"n"`
	Test               int64    `json:"test"`
	Validation         int64    `json:"validation"`
	Classes            int64    `json:"classes"`
	Params             int64    `json:"params"`
	TrainableParams    int64    `json:"trainable_params"` // parameters that train (adapters: fewer than params)
	PayloadBytes       int64    `json:"payload_bytes"`
	CodedBits          int64    `json:"coded_bits"`   // the training pass's bytes ×8: the verified MDL
	HeldOutBits        int64    `json:"heldout_bits"` // validation and test labels' bytes ×8, sent so Bob can verify θ* and the test loss
	IdealBits          float64  `json:"ideal_bits"`
	QuantizedIdealBits float64  `json:"quantized_ideal_bits"`
	UniformBits        float64  `json:"uniform_bits"`
	ZstdBits           int64    `json:"zstd_bits"`
	WireBytes          int64    `json:"wire_bytes"`
	TCPBytes           int64    `json:"tcp_bytes"`
	Segments           int64    `json:"segments"`
	Reconnects         int64    `json:"reconnects"`                    // links opened after a broken stream
	RetransmittedBytes int64    `json:"retransmitted_bytes"`           // payload bytes sent again after breaks (not part of payload_bytes)
	TestLossBits       *float64 `json:"test_loss_bits,omitempty"`      // θ*'s, verified by Bob; absent when test = 0
	EDLBits            *float64 `json:"edl_bits,omitempty"`            // coded MDL − n·test loss of θ*; absent when test = 0
	PassTestLossBits   *float64 `json:"pass_test_loss_bits,omitempty"` // the model after the single pass (Alice's computation)
	PassEDLBits        *float64 `json:"pass_edl_bits,omitempty"`       // single-pass EDL
	ThetaEpochs        int64    `json:"theta_epochs"`                  // epochs trained past the pass (spec epochs, early-stopped)
	// Score = answers (format task): the same figures with every label
	// costing −log₂ p(y | y ∈ S), ideal bits from the float distribution,
	// all verified by Bob to the bit. The coded stream stays the full code.
	Score              string   `json:"score,omitempty"`                 // "answers", or absent (all scored)
	ScoredIdealBits    *float64 `json:"scored_ideal_bits,omitempty"`     // Σ −log₂ p(y | y ∈ S) over the pass
	ScoredTestLossBits *float64 `json:"scored_test_loss_bits,omitempty"` // θ*'s mean; absent when test = 0
	ScoredEDLBits      *float64 `json:"scored_edl_bits,omitempty"`       // scored ideal − n·scored test loss; absent when test = 0
	ThetaBestEpoch     int64    `json:"theta_best_epoch"`                // the epoch θ* comes from (0: the pass model)
	Fingerprint        string   `json:"fingerprint"`
	LabelsSHA256       string   `json:"labels_sha256"`
	CheckpointsMatched int64    `json:"checkpoints_matched"`
	BobVerified        bool     `json:"bob_verified"`
	ElapsedSeconds     float64  `json:"elapsed_seconds"`
	LabelsPerSecond    float64  `json:"labels_per_second"`
	// Blocks are the blockwise code's blocks (spec blocks), in order;
	// absent without it.
	Blocks []Block `json:"blocks,omitempty"`
}

// Block is one block of the blockwise code (prequential.Block): the
// labels [from, to) coded with one model, trained on [0, from).
type Block struct {
	From           int64   `json:"from"`
	To             int64   `json:"to"`
	TrainExamples  int64   `json:"train_examples"`
	ValidExamples  int64   `json:"valid_examples"`
	Epochs         int64   `json:"epochs"`
	BestEpoch      int64   `json:"best_epoch"`
	LRDrops        int64   `json:"lr_drops"`        // block_lr_drop: times the rate dropped on a plateau
	ValidLossBits  float64 `json:"valid_loss_bits"` // mean per validation example, each capped at the coder's precision
	ValidAccuracy  float64 `json:"valid_accuracy"`
	IdealBits      float64 `json:"ideal_bits"`
	QuantizedBits  float64 `json:"quantized_ideal_bits"`
	Temperature    float64 `json:"temperature"`           // the model's calibrated temperature (1 without block_calibrate, 0 for the uniform block)
	CalibratedBits float64 `json:"calibrated_valid_bits"` // the validation loss at that temperature
	MixWeight      float64 `json:"mix_weight"`            // block_mix: the block model's posterior weight after the block (0 otherwise)
}

// Blocks converts the blocks of a transmission's figures (nil for none).
func Blocks(bs []prequential.Block) []Block {
	if len(bs) == 0 {
		return nil
	}
	out := make([]Block, len(bs))
	for i, b := range bs {
		out[i] = Block{From: b.From, To: b.To, TrainExamples: b.TrainExamples, ValidExamples: b.ValidExamples,
			Epochs: b.Epochs, BestEpoch: b.BestEpoch, LRDrops: b.LRDrops, ValidLossBits: b.ValidBits, ValidAccuracy: b.ValidAccuracy,
			IdealBits: b.IdealBits, QuantizedBits: b.QuantizedBits, Temperature: b.Temperature, CalibratedBits: b.CalibratedBits, MixWeight: b.MixWeight}
	}
	return out
}

// New is the part of the report every coded run has, over the wire or
// not: the figures both sides computed (transmit.Figures), the baselines
// (uniform code, zstd of the raw labels) and the single-pass model's test
// loss (the sender's alone). labelBytes are the n training labels in
// edl.LabelBytes' encoding (transmit.Sender.LabelBytes), which the zstd
// baseline compresses. elapsed is the run's wall time in seconds, measured
// by the caller. The transport fields stay zero.
func New(sp spec.Spec, f transmit.Figures, labelBytes []byte, passTestLoss float64, sessionID string, elapsed float64) (*Report, error) {
	zbits, err := ZstdBits(labelBytes)
	if err != nil {
		return nil, err
	}
	specHash := sp.Hash()
	rep := &Report{
		Event:              "result",
		SessionID:          sessionID,
		SpecHash:           hex.EncodeToString(specHash[:]),
		N:                  sp.N,
		Test:               sp.Test,
		Classes:            sp.Classes,
		Params:             sp.NumParams(),
		TrainableParams:    sp.TrainableParams(),
		Validation:         sp.Validation,
		PayloadBytes:       f.PayloadBytes,
		CodedBits:          f.CodedBits(),
		HeldOutBits:        f.HeldOutBits(),
		IdealBits:          f.IdealBits,
		QuantizedIdealBits: f.QuantizedIdealBits,
		UniformBits:        edl.UniformBits(sp.N, int(sp.Classes)),
		ZstdBits:           zbits,
		ThetaEpochs:        f.ThetaEpochs,
		ThetaBestEpoch:     f.ThetaBestEpoch,
		Fingerprint:        hex.EncodeToString(f.Final.Fingerprint[:]),
		LabelsSHA256:       hex.EncodeToString(f.LabelsSHA256[:]),
		ElapsedSeconds:     elapsed,
		LabelsPerSecond:    float64(sp.N) / elapsed,
		Blocks:             Blocks(f.Blocks),
	}
	if sp.Test > 0 {
		loss, e := f.TestLossBits, f.EDLBits
		rep.TestLossBits, rep.EDLBits = &loss, &e
		pe := edl.EDL(float64(f.CodedBits()), sp.N, passTestLoss)
		rep.PassTestLossBits, rep.PassEDLBits = &passTestLoss, &pe
	}
	if sp.Score == spec.ScoreAnswers {
		rep.Score = sp.Score
		scored := f.ScoredIdealBits
		rep.ScoredIdealBits = &scored
		if sp.Test > 0 {
			loss, e := f.ScoredTestLossBits, f.ScoredEDLBits
			rep.ScoredTestLossBits, rep.ScoredEDLBits = &loss, &e
		}
	}
	return rep, nil
}

// ScoredSummary is the readable account of the answers-scored figures
// (score = answers), "" when the spec scores all labels.
func (r *Report) ScoredSummary() string {
	if r.ScoredIdealBits == nil {
		return ""
	}
	var b strings.Builder
	n := float64(max(r.N, 1))
	fmt.Fprintf(&b, "  answers scored      %12.1f bits  %8.4f bits/label  (−log₂ p(y | y ∈ S), ideal; the format's bits left out)\n", *r.ScoredIdealBits, *r.ScoredIdealBits/n)
	if r.ScoredTestLossBits != nil && r.ScoredEDLBits != nil {
		fmt.Fprintf(&b, "  scored test loss    %12.4f bits/example\n", *r.ScoredTestLossBits)
		fmt.Fprintf(&b, "  scored EDL          %12.1f bits  %8.4f bits/label\n", *r.ScoredEDLBits, *r.ScoredEDLBits/n)
	}
	return b.String()
}

// Summary is the readable account printed to stderr.
func (r *Report) Summary() string {
	var b strings.Builder
	perLabel := func(bits float64) string {
		if r.N == 0 {
			return ""
		}
		return fmt.Sprintf("%8.4f bits/label", bits/float64(r.N))
	}
	local := r.SessionID == LocalSession
	if local {
		fmt.Fprintf(&b, "edl run, in process (spec %s…)\n", r.SpecHash[:12])
	} else {
		fmt.Fprintf(&b, "edlwire transmission %s (spec %s…)\n", r.SessionID, r.SpecHash[:12])
	}
	fmt.Fprintf(&b, "  examples            %d training, %d test, %d classes, %d parameters (%d trainable)\n", r.N, r.Test, r.Classes, r.Params, r.TrainableParams)
	fmt.Fprintf(&b, "  coded MDL           %12d bits  %s  (%d payload bytes)\n", r.CodedBits, perLabel(float64(r.CodedBits)), r.PayloadBytes)
	fmt.Fprintf(&b, "  quantized ideal     %12.1f bits  %s\n", r.QuantizedIdealBits, perLabel(r.QuantizedIdealBits))
	fmt.Fprintf(&b, "  ideal (float)       %12.1f bits  %s\n", r.IdealBits, perLabel(r.IdealBits))
	fmt.Fprintf(&b, "  uniform code        %12.1f bits  %s\n", r.UniformBits, perLabel(r.UniformBits))
	fmt.Fprintf(&b, "  zstd of raw labels  %12d bits  %s\n", r.ZstdBits, perLabel(float64(r.ZstdBits)))
	if r.TestLossBits != nil && r.EDLBits != nil {
		if r.ThetaEpochs > 0 && r.PassTestLossBits != nil && r.PassEDLBits != nil {
			fmt.Fprintf(&b, "  after the pass      %12.4f bits/example test loss, EDL %.1f bits\n", *r.PassTestLossBits, *r.PassEDLBits)
			fmt.Fprintf(&b, "  θ*                  %d more epochs, best %d (early-stopped on %d validation examples)\n", r.ThetaEpochs, r.ThetaBestEpoch, r.Validation)
		}
		fmt.Fprintf(&b, "  test loss           %12.4f bits/example (final model, %d held-out examples; Bob's own, from labels sent in %d bits)\n", *r.TestLossBits, r.Test, r.HeldOutBits)
		fmt.Fprintf(&b, "  EDL                 %12.1f bits  %s\n", *r.EDLBits, perLabel(*r.EDLBits))
	} else {
		fmt.Fprintf(&b, "  test loss, EDL      not measured (--test 0)\n")
	}
	b.WriteString(r.ScoredSummary())
	if !local {
		fmt.Fprintf(&b, "  on the wire         %12d bytes gRPC messages+headers, %d bytes TCP, %d segments\n", r.WireBytes, r.TCPBytes, r.Segments)
	}
	verdict := "NOT verified"
	if r.BobVerified {
		verdict = "verified by Bob"
	}
	fmt.Fprintf(&b, "  sync                %d checkpoints matched, final fingerprint %s… %s\n", r.CheckpointsMatched, r.Fingerprint[:16], verdict)
	fmt.Fprintf(&b, "  time                %.2f s, %.0f labels/s\n", r.ElapsedSeconds, r.LabelsPerSecond)
	return b.String()
}

// ZstdBits is 8 × the size of raw compressed by zstd at its best level, on
// one goroutine (the baseline a general-purpose compressor reaches).
func ZstdBits(raw []byte) (int64, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return 0, fmt.Errorf("report: zstd: %w", err)
	}
	defer enc.Close()
	return 8 * int64(len(enc.EncodeAll(raw, nil))), nil
}
