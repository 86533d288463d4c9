package wire

import (
	"hash/crc32"

	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/spec"
)

// ProtocolVersion is the wire protocol version this build speaks. It changes
// when a message's meaning or the coder's byte format changes.
const ProtocolVersion = 2

// ResendAfterCRC ends Bob's DataLoss message for a segment whose CRC-32C
// does not match: he kept the bytes before it, and Alice resumes from them
// (the segment was corrupted in transit, not coded wrong).
const ResendAfterCRC = "corrupted in transit: resume and resend"

// DefaultMaxMessageBytes bounds one gRPC message in either direction.
const DefaultMaxMessageBytes = 4 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC is the CRC-32C of a segment's data.
func CRC(data []byte) uint32 { return crc32.Checksum(data, castagnoli) }

// SpecToProto converts a spec to its wire form.
func SpecToProto(s spec.Spec) *wirepb.Spec {
	return &wirepb.Spec{
		Task:            s.Task,
		Seed:            s.Seed,
		N:               s.N,
		Test:            s.Test,
		Classes:         s.Classes,
		Dim:             s.Dim,
		Noise:           s.Noise,
		RandomLabels:    s.RandomLabels,
		Model:           s.Model,
		Init:            s.Init,
		InitScale:       s.InitScale,
		Optimizer:       s.Optimizer,
		Lr:              s.LR,
		Batch:           s.Batch,
		CheckpointEvery: s.CheckpointEvery,
		Precision:       s.Precision,
		DataName:        s.DataName,
		DataSha256:      s.DataSHA256,
		Hidden:          s.Hidden,
		Activation:      s.Activation,
		LabelColumn:     s.LabelColumn,
		Standardize:     s.Standardize,
		Shuffle:         s.Shuffle,
		ShuffleSeed:     s.ShuffleSeed,
		Keys:            s.Keys,
		Hypotheses:      s.Hypotheses,
		ParityBits:      s.ParityBits,
		Op:              s.Op,
		Notation:        s.Notation,
		Notations:       s.Notations,
		RareWeight:      s.RareWeight,
		Answers:         s.Answers,
		Score:           s.Score,
		ModelNoise:      s.ModelNoise,
		Alpha:           s.Alpha,
		Beta:            s.Beta,
		Beta1:           s.Beta1,
		Beta2:           s.Beta2,
		AdamEps:         s.AdamEps,
		WeightDecay:     s.WeightDecay,
		Epochs:          s.Epochs,
		Patience:        s.Patience,
		Validation:      s.Validation,
		TestDataName:    s.TestDataName,
		TestDataSha256:  s.TestDataSHA256,
		Vocab:           s.Vocab,
		Embed:           s.Embed,
		Adapter:         s.Adapter,
		Rank:            s.Rank,
		SparseParams:    s.SparseParams,
		BaseSha256:      s.Base,
		BaseName:        s.BaseName,
		ResetHead:       s.ResetHead,
	}
}

// SpecFromProto converts the wire form back; a nil spec gives the zero Spec,
// which fails validation.
func SpecFromProto(p *wirepb.Spec) spec.Spec {
	if p == nil {
		return spec.Spec{}
	}
	return spec.Spec{
		Task:            p.GetTask(),
		Seed:            p.GetSeed(),
		N:               p.GetN(),
		Test:            p.GetTest(),
		Classes:         p.GetClasses(),
		Dim:             p.GetDim(),
		Noise:           p.GetNoise(),
		RandomLabels:    p.GetRandomLabels(),
		Model:           p.GetModel(),
		Init:            p.GetInit(),
		InitScale:       p.GetInitScale(),
		Optimizer:       p.GetOptimizer(),
		LR:              p.GetLr(),
		Batch:           p.GetBatch(),
		CheckpointEvery: p.GetCheckpointEvery(),
		Precision:       p.GetPrecision(),
		DataName:        p.GetDataName(),
		DataSHA256:      p.GetDataSha256(),
		Hidden:          p.GetHidden(),
		Activation:      p.GetActivation(),
		LabelColumn:     p.GetLabelColumn(),
		Standardize:     p.GetStandardize(),
		Shuffle:         p.GetShuffle(),
		ShuffleSeed:     p.GetShuffleSeed(),
		Keys:            p.GetKeys(),
		Hypotheses:      p.GetHypotheses(),
		ParityBits:      p.GetParityBits(),
		Op:              p.GetOp(),
		Notation:        p.GetNotation(),
		Notations:       p.GetNotations(),
		RareWeight:      p.GetRareWeight(),
		Answers:         p.GetAnswers(),
		Score:           p.GetScore(),
		ModelNoise:      p.GetModelNoise(),
		Alpha:           p.GetAlpha(),
		Beta:            p.GetBeta(),
		Beta1:           p.GetBeta1(),
		Beta2:           p.GetBeta2(),
		AdamEps:         p.GetAdamEps(),
		WeightDecay:     p.GetWeightDecay(),
		Epochs:          p.GetEpochs(),
		Patience:        p.GetPatience(),
		Validation:      p.GetValidation(),
		TestDataName:    p.GetTestDataName(),
		TestDataSHA256:  p.GetTestDataSha256(),
		Vocab:           p.GetVocab(),
		Embed:           p.GetEmbed(),
		Adapter:         p.GetAdapter(),
		Rank:            p.GetRank(),
		SparseParams:    p.GetSparseParams(),
		Base:            p.GetBaseSha256(),
		BaseName:        p.GetBaseName(),
		ResetHead:       p.GetResetHead(),
	}
}
