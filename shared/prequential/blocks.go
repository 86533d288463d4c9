package prequential

import (
	"fmt"
	"math"
	"slices"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"
)

// Block is one block of the blockwise code (spec.Blocks): the labels
// [From, To) coded with one frozen model, trained on the labels [0, From)
// both sides held when the block began (none for the first block, coded
// with the uniform distribution).
type Block struct {
	From, To int64
	// TrainExamples and ValidExamples split [0, From): every
	// spec.BlockValid-th example validates, the others train.
	TrainExamples, ValidExamples int64
	Epochs                       int64 // epochs run
	BestEpoch                    int64 // the epoch whose parameters coded the block (0: before training)
	LRDrops                      int64 // times the rate dropped on a plateau (spec.BlockLRDrop)
	// ValidBits is the kept model's mean validation loss in bits per
	// example, each example's loss capped at the coder's precision (what a
	// label can cost on the wire); ValidAccuracy its share of validation
	// examples whose label has the largest probability (the first, on ties).
	// Both are 0 without validation examples.
	ValidBits     float64
	ValidAccuracy float64
	// Temperature is the block model's temperature (spec.BlockCalibrate;
	// 1 otherwise, 0 for the uniform first block) and CalibratedBits its
	// validation loss at that temperature (ValidBits without calibration).
	Temperature    float64
	CalibratedBits float64
	// MixWeight (spec.BlockMix) is the new model's posterior weight in the
	// mixture with the previous block's model after the block's last label
	// (0 for the first block and without the mixture).
	MixWeight float64
	// The block's code length so far: Σ −log₂ p(y) and Σ −log₂(f_y/2^precision).
	IdealBits     float64
	QuantizedBits float64
}

// Blocks returns the blocks begun so far, the current one last (nil for a
// session without the blockwise code).
func (s *Session) Blocks() []Block { return slices.Clone(s.blocks) }

// BlockBegun reports whether the blockwise code's newest block begins at
// the current count: its model was trained by the last Apply and has coded
// nothing yet. It returns the block and its model (read-only: a driver
// that evaluates it must not train it).
func (s *Session) BlockBegun() (Block, model.Model, bool) {
	if len(s.blocks) < 2 {
		return Block{}, nil, false
	}
	b := s.blocks[len(s.blocks)-1]
	return b, s.model, b.From == s.step
}

// isBlockEnd reports whether count c is one of the spec's block ends, after
// which a new block model is trained.
func isBlockEnd(ends []int64, c int64) bool {
	_, found := slices.BinarySearch(ends, c)
	return found
}

// startBlocks sets up the first block, coded with the uniform distribution.
func (s *Session) startBlocks() {
	s.blocks = []Block{{From: 0, To: s.blockTo(0)}}
	s.trainY = make([]int32, 0, s.spec.N)
}

// blockTo is the end of the block that begins at from.
func (s *Session) blockTo(from int64) int64 {
	i, _ := slices.BinarySearch(s.spec.Blocks, from+1)
	if i < len(s.spec.Blocks) {
		return s.spec.Blocks[i]
	}
	return s.spec.N
}

// uniformBlock reports whether the pass is in the blockwise code's first
// block, whose labels are coded with the uniform distribution.
func (s *Session) uniformBlock() bool { return len(s.blocks) == 1 }

// trainBlock trains the model that codes the block beginning at the current
// count, on the labels decoded so far (see spec.Blocks), and starts the block.
func (s *Session) trainBlock() error {
	sp := s.spec
	t := int(s.step)
	if sp.BlockEnsemble > 1 {
		return s.trainEnsemble()
	}
	m, ok := s.model.(model.Differentiable)
	if !ok {
		return fmt.Errorf("prequential: blocks: model %s is not gradient-trained", s.model.Kind())
	}
	if s.mix.on {
		s.blocks[len(s.blocks)-1].MixWeight = s.mix.weight()
	}
	prev, prevTemper := m, s.temper
	if s.uniformBlock() {
		prev = nil // the first block is coded with the uniform distribution
	}
	if !sp.BlockWarm || s.uniformBlock() || sp.BlockMix {
		fresh, err := model.New(sp)
		if err != nil {
			return fmt.Errorf("prequential: blocks: %w", err)
		}
		f := fresh.(model.Differentiable)
		if sp.BlockWarm && !s.uniformBlock() {
			copy(f.Params(), m.Params()) // warm, and the previous model kept for the mixture
		}
		m = f
		m.SetWorkers(s.workers)
		s.model = m
	}
	tr, va := s.blockSplit(t)
	b, err := s.fit(sp, m, tr, va)
	if err != nil {
		return err
	}
	b.Temperature, b.CalibratedBits, s.temper = 1, b.ValidBits, 1
	if sp.BlockCalibrate && len(va) > 0 {
		b.Temperature, b.CalibratedBits = s.calibrate(m, va, b.ValidBits)
		s.temper = 1 / b.Temperature
	}
	if sp.BlockMix {
		s.mix.start(prev, prevTemper, int(sp.Batch), m.NumClasses())
	}
	s.predicted = -1
	s.blocks = append(s.blocks, b)
	return nil
}

// trainEnsemble trains spec.BlockEnsemble fresh models, each as trainBlock
// trains one but from its member seed (memberSpec), and starts the block
// coded with their mean (model.Ensemble). The block's epochs are the first
// member's; its validation figures the ensemble's.
func (s *Session) trainEnsemble() error {
	sp := s.spec
	tr, va := s.blockSplit(int(s.step))
	members := make([]model.Differentiable, sp.BlockEnsemble)
	var b Block
	for i := range members {
		spi := memberSpec(sp, i)
		fresh, err := model.New(spi)
		if err != nil {
			return fmt.Errorf("prequential: blocks: %w", err)
		}
		m, ok := fresh.(model.Differentiable)
		if !ok {
			return fmt.Errorf("prequential: blocks: model %s is not gradient-trained", fresh.Kind())
		}
		m.SetWorkers(s.workers)
		// Each member's order and shifts come from its own seed too.
		bi, err := s.fit(spi, m, slices.Clone(tr), va)
		if err != nil {
			return err
		}
		if i == 0 {
			b = bi
		}
		members[i] = m
	}
	ens := model.NewEnsemble(members)
	s.model = ens
	b.ValidBits, b.ValidAccuracy = s.validate(ens, va)
	b.Temperature, b.CalibratedBits, s.temper = 1, b.ValidBits, 1
	s.predicted = -1
	s.blocks = append(s.blocks, b)
	return nil
}

// memberSpec is the spec member i of a block ensemble is trained under:
// the spec itself for the first, else the spec with the member's seed.
func memberSpec(sp spec.Spec, i int) spec.Spec {
	if i > 0 {
		sp.Seed = rng.Derive(sp.Seed, fmt.Sprintf("block_ensemble member %d", i))
	}
	return sp
}

// blockSplit splits the t decoded examples: every spec.BlockValid-th
// validates (va), the others train (tr), both in index order.
func (s *Session) blockSplit(t int) (tr, va []int) {
	v := int(s.spec.BlockValid)
	for i := range t {
		if i%v == v-1 {
			va = append(va, i)
		} else {
			tr = append(tr, i)
		}
	}
	return tr, va
}

// fit trains m for the block beginning at the current count under sp (the
// session's spec, or an ensemble member's), on the examples tr, keeping the
// epoch whose loss over va is lowest (see spec.Blocks), and returns the
// block's figures up to calibration. tr is shuffled in place.
func (s *Session) fit(sp spec.Spec, m model.Differentiable, tr, va []int) (Block, error) {
	t := s.step
	params := model.Trainable(m)
	opt, err := train.New(sp, len(params))
	if err != nil {
		return Block{}, fmt.Errorf("prequential: blocks: %w", err)
	}
	s.opt = opt
	b := Block{From: t, To: s.blockTo(t), TrainExamples: int64(len(tr)), ValidExamples: int64(len(va))}
	b.ValidBits, b.ValidAccuracy = s.validate(m, va)
	best := slices.Clone(params)
	// One stream per block, an order per epoch drawn from it in turn.
	order := rng.New(rng.Derive(sp.Seed, "blocks"), uint64(len(s.blocks)))
	batch := int(sp.Batch)
	labels := make([]int, batch)
	var aug *augmenter
	if sp.BlockAugment > 0 {
		aug = newAugmenter(sp, uint64(len(s.blocks)))
	}
	lr := sp.LR
	// rateFrom is the last epoch before the current rate (spec.BlockLRDrop).
	rateFrom := int64(0)
	for epoch := int64(1); epoch <= sp.BlockEpochs; epoch++ {
		if sp.BlockLRDecay != 0 {
			if epoch > 1 {
				lr *= sp.BlockLRDecay
			}
			opt = train.WithLR(opt, lr)
			s.opt = opt
		}
		order.Shuffle(len(tr), func(i, j int) { tr[i], tr[j] = tr[j], tr[i] })
		for start := 0; start < len(tr); start += batch {
			rows := min(batch, len(tr)-start)
			for j := range rows {
				s.batchX[j] = s.in.Train.Row(tr[start+j])
				if aug != nil {
					s.batchX[j] = aug.shift(j, s.batchX[j])
				}
				labels[j] = int(s.trainY[tr[start+j]])
				if s.batchP[j] == nil {
					s.batchP[j] = make([]float64, m.NumClasses())
				}
			}
			m.Forward(s.batchP[:rows], s.batchX[:rows])
			s.backwardStep(m, labels[:rows]) // the pass's step, with s.opt = opt
			if s.tick != nil {
				s.tick()
			}
		}
		b.Epochs = epoch
		bits, acc := s.validate(m, va)
		if len(va) == 0 || bits < b.ValidBits {
			// Without validation examples the last epoch is kept.
			b.ValidBits, b.ValidAccuracy, b.BestEpoch = bits, acc, epoch
			copy(best, params)
		} else if epoch-max(b.BestEpoch, rateFrom) >= sp.BlockPatience {
			if sp.BlockLRDrop == 0 || b.BestEpoch <= rateFrom {
				break // a plateau, and no drop or the last rate brought nothing
			}
			// Back to the best parameters, on at a lower rate with a
			// fresh optimizer state (none of it belongs to them).
			copy(params, best)
			if opt, err = train.New(sp, len(params)); err != nil {
				return Block{}, fmt.Errorf("prequential: blocks: %w", err)
			}
			lr *= sp.BlockLRDrop
			opt = train.WithLR(opt, lr)
			s.opt = opt
			rateFrom = epoch
			b.LRDrops++
		}
	}
	copy(params, best)
	return b, nil
}

// calibrate returns the temperature of spec.BlockTemperatures under which
// m's validation loss over idx is lowest, and that loss; loss1 is the loss
// at temperature 1.
func (s *Session) calibrate(m model.Differentiable, idx []int, loss1 float64) (temp, loss float64) {
	k := m.NumClasses()
	probs := make([]float64, len(idx)*k)
	for start := 0; start < len(idx); start += len(s.batchX) {
		rows := min(len(s.batchX), len(idx)-start)
		for j := range rows {
			s.batchX[j] = s.in.Train.Row(idx[start+j])
		}
		m.Forward(s.batchP[:rows], s.batchX[:rows])
		for j := range rows {
			copy(probs[(start+j)*k:], s.batchP[j])
		}
	}
	temp, loss = 1, loss1
	q := make([]float64, k)
	for _, t := range spec.BlockTemperatures {
		if t == 1 {
			continue
		}
		var sum float64
		for i, ix := range idx {
			temper(q, probs[i*k:(i+1)*k], 1/t)
			sum += s.capped(q[s.trainY[ix]])
		}
		if v := sum / float64(len(idx)); v < loss {
			temp, loss = t, v
		}
	}
	return temp, loss
}

// Predictive is the model as the session predicts with it after the pass
// (θ*, the held-out labels' code): Model, tempered by the last block's
// calibration when the blockwise code chose a temperature other than 1
// (spec.BlockCalibrate). Evaluate θ* through it; Model is the parameters.
func (s *Session) Predictive() model.Model {
	if s.temper != 0 && s.temper != 1 && s.model != nil {
		return tempered{Model: s.model, a: s.temper}
	}
	return s.model
}

// tempered is a model whose distributions are tempered by the exponent a,
// exactly as the session tempers them (heldProbs).
type tempered struct {
	model.Model
	a float64
}

func (t tempered) Probs(dst, x []float64) {
	t.Model.Probs(dst, x)
	temper(dst, dst, t.a)
}

// temper writes p tempered by the exponent a into dst: dst_c ∝ p_c^a,
// computed as exp(a·ln p_c − max) normalized, sums in class order. A zero
// probability stays zero.
func temper(dst, p []float64, a float64) {
	top := math.Inf(-1)
	for c, v := range p {
		l := detmath.Log(v)
		dst[c] = float64(a * l)
		if dst[c] > top {
			top = dst[c]
		}
	}
	var sum float64
	for c := range dst {
		dst[c] = detmath.Exp(dst[c] - top)
		sum += dst[c]
	}
	for c := range dst {
		dst[c] /= sum
	}
}

// capped is a label's loss −log₂ p in bits, capped at the coder's
// precision (what it can cost on the wire; a NaN costs the cap too).
func (s *Session) capped(p float64) float64 {
	l := -detmath.Log2(p)
	if !(l < float64(s.precision)) {
		return float64(s.precision)
	}
	return l
}

// validate is m's mean loss in bits over the examples idx of the pass (each
// capped at the coder's precision) and its accuracy, summed in index order;
// zeros for no examples.
func (s *Session) validate(m model.Model, idx []int) (bits, acc float64) {
	if len(idx) == 0 {
		return 0, 0
	}
	batch := len(s.batchX)
	var sum float64
	right := 0
	for start := 0; start < len(idx); start += batch {
		rows := min(batch, len(idx)-start)
		for j := range rows {
			s.batchX[j] = s.in.Train.Row(idx[start+j])
			if s.batchP[j] == nil {
				s.batchP[j] = make([]float64, m.NumClasses())
			}
		}
		if d, ok := m.(model.Differentiable); ok {
			d.Forward(s.batchP[:rows], s.batchX[:rows])
		} else {
			for j := range rows {
				m.Probs(s.batchP[j], s.batchX[j]) // an ensemble
			}
		}
		for j := range rows {
			p, y := s.batchP[j], int(s.trainY[idx[start+j]])
			sum += s.capped(p[y])
			top := 0
			for k, q := range p {
				if q > p[top] {
					top = k
				}
			}
			if top == y {
				right++
			}
		}
	}
	return sum / float64(len(idx)), float64(right) / float64(len(idx))
}
