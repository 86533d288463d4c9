package prequential

import (
	"encoding/hex"
	"testing"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// resetHeadOnBase is the elicitation arm in miniature: the pre-trained
// body, a zero output layer, the answers in the other notation.
func resetHeadOnBase(sp spec.Spec, file []byte) spec.Spec {
	ad := sp
	ad.Base, ad.BaseName, ad.ResetHead = checkpoint.Hash(file), "base.ckpt", true
	ad.Notation, ad.Seed = spec.NotationAnswersPermuted, 9
	return ad
}

// A reset-head run starts uniform, learns (full fine-tuning and through a
// LoRA adapter on the zero head), and is pinned by golden fingerprints that
// every architecture must reproduce.
func TestGoldenResetHead(t *testing.T) {
	sp, _, file := pretrain(t)
	full := resetHeadOnBase(sp, file)
	lora := full
	lora.Adapter, lora.Rank = spec.AdapterLoRA, 2
	for _, c := range []struct {
		name, fingerprint, stream string
		sp                        spec.Spec
	}{
		{"reset-head-full", "e068095b877ee5a3043a593fe1108b13a5815ec8e030ce93e631b098d51f096a", "d71e7ad403354f6ca538aa62167954a3ab39d7cf339f1cfab16f8e317a0bf0e2", full},
		{"reset-head-lora", "56ce483ee4757af2cce54b9d9d44eb26f886fe93c79607fe0c9e10f11b079b6c", "aa15fec4f8818ed7da158916854d56fd57e3d970b960a6d908cbc429f0044284", lora},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, _ := task.NewInputs(c.sp)
			lab, _ := task.NewLabels(c.sp, in)
			s, err := NewFromBase(c.sp, in, file, Options{})
			if err != nil {
				t.Fatal(err)
			}
			probs := make([]float64, c.sp.Classes)
			s.Model().Probs(probs, in.Train.Row(0))
			for k, p := range probs {
				if p != 1/float64(c.sp.Classes) {
					t.Fatalf("class %d starts at p=%v, want uniform", k, p)
				}
			}
			bytes := codeAll(t, s, lab.Train)
			uniform := float64(float64(c.sp.N) * detmath.Log2(float64(c.sp.Classes)))
			if got := s.Accounting().IdealBits; got > 0.95*uniform {
				t.Errorf("%.1f bits for %d labels, uniform %.1f: the head did not learn", got, c.sp.N, uniform)
			}
			fp, _ := s.Fingerprint()
			got, stream := hex.EncodeToString(fp[:]), sha256hex(bytes)
			if got != c.fingerprint || stream != c.stream {
				t.Errorf("golden changed:\n  fingerprint %s (want %s)\n  stream      %s (want %s)", got, c.fingerprint, stream, c.stream)
			}
		})
	}
}
