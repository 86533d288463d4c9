package prequential

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/train"
)

// Checkpoint is the state both sides compare at a checkpoint boundary.
type Checkpoint struct {
	Example     int64    // examples coded and learned so far
	Fingerprint [32]byte // the learner's fingerprint: see Session.Fingerprint
	Transcript  [32]byte // SHA-256 over (step, frequencies, label) so far
}

// OfferKind says what Next offers the driver.
type OfferKind int

const (
	// OfferCode asks for the label of example Index: the driver codes it
	// (Alice: encodes the true label; Bob: decodes it) against Freqs and
	// hands it to Apply.
	OfferCode OfferKind = iota
	// OfferCheckpoint reports the checkpoint the last Apply ended at.
	OfferCheckpoint
	// OfferPhaseEnd reports that the last Apply ended a phase of a session
	// with held-out coding (the pass, the validation labels, the test
	// labels): Alice flushes her encoder there and Bob his decoder, so each
	// phase's bytes are counted exactly and the pass's bytes alone are the
	// MDL.
	OfferPhaseEnd
	// OfferDone: every label is coded.
	OfferDone
)

// Phase names the part of the stream an example belongs to.
type Phase int

const (
	PhasePass       Phase = iota // the n training examples: coded, learned, the MDL
	PhaseValidation              // validation labels, against the frozen pass model
	PhaseTest                    // test labels, against θ*
)

// Offer is what Next returns.
type Offer struct {
	Kind  OfferKind
	Phase Phase // OfferCode: the example's phase; OfferPhaseEnd: the phase that ended
	Index int64 // OfferCode: the example to code
	// Freqs (OfferCode) are the coder's integer frequencies for the
	// example. They belong to the session and change at the next Next
	// after Apply: a driver that keeps them copies them.
	Freqs      []uint32
	Checkpoint Checkpoint // OfferCheckpoint
}

// Accounting is the code-length bookkeeping of the coded pass, in bits.
type Accounting struct {
	IdealBits          float64 // Σ −log₂ p(y) under the float distribution
	QuantizedIdealBits float64 // Σ −log₂ (f_y / 2^precision) under the coder's frequencies
	// With spec score = answers (format task), the same sums with each
	// label costing −log₂ p(y | y ∈ S) (edl.ConditionalBits): the code
	// length of the capability alone. Zero when the spec scores all.
	ScoredIdealBits     float64
	ScoredQuantizedBits float64
}

// ErrNoOffer is returned by Apply when no example is on offer: Next has
// not offered one since the last Apply.
var ErrNoOffer = errors.New("prequential: apply without an offered example")

// Session is the prequential state machine. It is not safe for concurrent use.
type Session struct {
	spec      spec.Spec
	in        *task.Inputs
	model     model.Model
	ext       model.External // the learner, when the spec's model is external (model is then nil)
	opt       train.Optimizer
	precision uint
	workers   int // goroutines for large models' layers and updates, and each block's fresh model (speed only, never bits)

	step       int64
	ended      bool    // Converge ran: no more examples are coded
	heldOut    bool    // after the pass, code the validation and test labels (see NewWithOptions)
	trainY     []int32 // the pass's labels, kept when θ* needs them (held-out coding with epochs); classes ≤ 2^30 fit
	validY     []int   // the validation labels coded so far
	held       HeldOut
	testSum    float64     // Σ −log₂ p(y) over the test labels coded so far, under θ*
	heldP      []float64   // the held-out example's distribution
	heldRows   [][]float64 // an external learner's distributions of a held-out chunk
	heldStart  int64       // the first example of heldRows' chunk (-1: none)
	answers    []int       // score = answers: the answer set S the scored figures condition on (nil: score all)
	testScored float64     // Σ −log₂ p(y | y ∈ S) over the test labels coded so far, under θ*
	batchFill  int
	grad       []float64   // differentiable models: summed gradient of the batch
	batchY     []int       // the batch's labels so far
	batchX     [][]float64 // the batch's inputs
	batchP     [][]float64 // the batch's predictive distributions
	predicted  int64       // the step at which the current batch's forward pass ran (-1: none)
	probs      []float64
	freqs      []uint32

	// The two-phase protocol: offered is true between a Next that offered
	// an example (probs and freqs hold its distribution) and its Apply;
	// events the last Apply produced wait for the following Next calls.
	offered      bool
	pendingCP    bool
	pendingPhase bool
	endedPhase   Phase

	transcript hash.Hash
	recorded   int64             // examples in the transcript
	window     *transcriptWindow // with Options.TranscriptWindow: the transcript after each of the last examples
	scratch    []byte
	acct       Accounting
	last       Checkpoint

	// The blockwise code (spec.Blocks): the blocks begun so far, the
	// current one last; nil without it.
	blocks []Block
	temper float64 // the block model's tempering exponent 1/T (spec.BlockCalibrate); 0 or 1: none
	tick   func()  // Options.Tick
	mix    mixture // spec.BlockMix
}

// New builds a session from a spec and the inputs it names.
func New(s spec.Spec, in *task.Inputs) (*Session, error) {
	return NewWithOptions(s, in, Options{Workers: 1})
}

// NewWithWorkers is New with large layers split across up to workers
// goroutines. The results are identical for every value: only speed changes.
func NewWithWorkers(s spec.Spec, in *task.Inputs, workers int) (*Session, error) {
	return NewWithOptions(s, in, Options{Workers: workers})
}

// Options change how a session runs.
type Options struct {
	// Workers splits large layers across up to this many goroutines; the
	// results are identical for every value.
	Workers int
	// HeldOut extends the coded stream past the n training examples: the
	// spec's Validation labels, coded against the frozen pass model; then,
	// once both sides hold them, θ* (Converge); then the Test labels coded
	// against θ*. Example indices run on: [0, n) training, [n, n+validation)
	// validation, then test. The receiver thus learns every label it needs
	// to verify the test loss and EDL itself, and its θ* fingerprint must
	// match. None of the held-out bits are part of the MDL.
	HeldOut bool
	// Base is the canonical encoding (model.Encode) of the pre-trained
	// model a spec with a base checkpoint starts from; nil otherwise. See
	// NewFromBase, which checks it against the spec.
	Base []byte
	// External is the learner of a spec whose model is external (a
	// predictor plugin the caller started, see proto/predictor); the
	// session predicts, learns and fingerprints through it, and returns its
	// errors from Next and Apply. Required with that model, refused with any other.
	External model.External
	// TranscriptWindow keeps the transcript after each of the last this
	// many examples (see TranscriptAt; DefaultTranscriptWindow is alice's
	// and bob's), so that a desync found at a checkpoint can be located to
	// its first example by bisection (FirstDivergence). Zero keeps none.
	TranscriptWindow int
	// Tick, if set, is called between the minibatches of a long
	// computation inside Apply (a block's training, spec.Blocks), on the
	// goroutine that called Apply, so that a driver can show its peer it is
	// alive (Alice's heartbeat: Bob's idle timeout must not end a
	// transmission whose Alice is training). It must not use the session.
	Tick func()
}

// HeldOut is the bookkeeping of the held-out phases, in bits.
type HeldOut struct {
	ValidIdealBits     float64 // Σ −log₂ p(y) of the validation labels under the pass model
	ValidQuantizedBits float64 // the same under the coder's frequencies
	TestIdealBits      float64 // Σ −log₂ p(y) of the test labels under θ*
	TestQuantizedBits  float64 // the same under the coder's frequencies
	TestLossBits       float64 // mean test loss of θ*, bits per example (= edl.TestLossBits)
	// TestScoredLossBits is θ*'s mean answers-scored test loss (spec score
	// = answers), −log₂ p(y | y ∈ S) per example; zero when the spec scores all.
	TestScoredLossBits float64
	Converged          Converged // how θ* was reached
}

// NewWithOptions builds a session with the given options.
func NewWithOptions(s spec.Spec, in *task.Inputs, opts Options) (*Session, error) {
	workers := max(opts.Workers, 1)
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("prequential: %w", err)
	}
	if in.Train.Rows != int(s.N) || in.Train.Cols != int(s.Dim) {
		return nil, fmt.Errorf("prequential: inputs have %d rows of %d, spec wants n=%d dim=%d", in.Train.Rows, in.Train.Cols, s.N, s.Dim)
	}
	// Validate found the model registered. An external family's learner
	// comes from the caller; every other family is built from the spec.
	if reg, _ := model.Lookup(s.Model); reg.External != (opts.External != nil) {
		return nil, fmt.Errorf("prequential: model %s: an external learner (Options.External) is needed exactly for an external model family", s.Model)
	}
	if opts.External != nil {
		return newExternal(s, in, opts)
	}
	var m model.Model
	var err error
	if opts.Base != nil {
		m, err = model.NewFromBase(s, opts.Base)
	} else {
		m, err = model.New(s)
	}
	if err != nil {
		return nil, fmt.Errorf("prequential: %w", err)
	}
	var opt train.Optimizer
	ngrad := 0
	switch m := m.(type) {
	case model.Differentiable:
		ngrad = len(model.Trainable(m))
		if opt, err = train.New(s, ngrad); err != nil {
			return nil, fmt.Errorf("prequential: %w", err)
		}
		m.SetWorkers(workers)
	case model.Counting:
	default:
		return nil, fmt.Errorf("prequential: model %s neither differentiable nor counting", m.Kind())
	}
	ss := newSession(s, in, m.NumClasses(), opts)
	ss.model, ss.opt, ss.grad, ss.workers, ss.tick = m, opt, make([]float64, ngrad), workers, opts.Tick
	if len(s.Blocks) > 0 {
		if _, ok := m.(model.Differentiable); !ok {
			return nil, fmt.Errorf("prequential: the blockwise code trains a gradient-trained model per block, not model %s", m.Kind())
		}
		ss.startBlocks()
	}
	return ss.start(in, opts)
}

// newSession is the state common to every learner.
func newSession(s spec.Spec, in *task.Inputs, k int, opts Options) *Session {
	ss := &Session{
		spec:       s,
		in:         in,
		precision:  uint(s.Precision),
		probs:      make([]float64, k),
		batchY:     make([]int, 0, s.Batch),
		batchX:     make([][]float64, s.Batch),
		batchP:     make([][]float64, s.Batch),
		predicted:  -1,
		freqs:      make([]uint32, k),
		transcript: sha256.New(),
		scratch:    make([]byte, 0, 16+4*k),
	}
	if opts.TranscriptWindow > 0 {
		if a, ok := ss.transcript.(encoding.BinaryAppender); ok {
			ss.window = &transcriptWindow{size: opts.TranscriptWindow, snap: a}
		}
	}
	return ss
}

// newExternal builds a session whose learner is opts.External.
func newExternal(s spec.Spec, in *task.Inputs, opts Options) (*Session, error) {
	ext := opts.External
	if ext.NumClasses() != int(s.Classes) || ext.InputDim() != int(s.Dim) {
		return nil, fmt.Errorf("prequential: the external learner takes %d inputs to %d classes, the spec %d to %d", ext.InputDim(), ext.NumClasses(), s.Dim, s.Classes)
	}
	if opts.Base != nil {
		return nil, fmt.Errorf("prequential: the external model starts from its own Init, not from a base")
	}
	if s.Epochs > 0 {
		return nil, fmt.Errorf("prequential: the external model has no further training after the pass (epochs %d, want 0)", s.Epochs)
	}
	ss := newSession(s, in, int(s.Classes), opts)
	ss.ext, ss.heldStart = ext, -1
	return ss.start(in, opts)
}

// start takes the first checkpoint (example 0) and the options that need a
// learner.
func (ss *Session) start(in *task.Inputs, opts Options) (*Session, error) {
	s := ss.spec
	fp, err := ss.Fingerprint()
	if err != nil {
		return nil, fmt.Errorf("prequential: %w", err)
	}
	ss.last = Checkpoint{Example: 0, Fingerprint: fp, Transcript: ss.transcriptSum()}
	if s.Score == spec.ScoreAnswers {
		ss.answers = task.FormatAnswers(s)
	}
	if opts.HeldOut {
		if in.Valid.Rows != int(s.Validation) || in.Test.Rows != int(s.Test) {
			return nil, fmt.Errorf("prequential: inputs have %d validation and %d test rows, spec wants %d and %d", in.Valid.Rows, in.Test.Rows, s.Validation, s.Test)
		}
		ss.heldOut = true
		if s.Epochs > 0 {
			ss.trainY = make([]int32, 0, s.N)
		}
	}
	return ss, nil
}

// Answers is the answer set S the scored figures condition on (spec score
// = answers), nil when the spec scores every label whole. Callers must not
// modify it.
func (s *Session) Answers() []int { return s.answers }

// Spec returns the session's spec.
func (s *Session) Spec() spec.Spec { return s.spec }

// Model returns the live model. Callers must not modify it during the pass.
func (s *Session) Model() model.Model { return s.model }

// Inputs returns the inputs the session codes.
func (s *Session) Inputs() *task.Inputs { return s.in }

// Done reports whether every training example has been coded and learned.
func (s *Session) Done() bool { return s.step >= s.Total() || s.ended }

// Total is the number of labels the session codes: n, plus the validation
// and test labels with held-out coding.
func (s *Session) Total() int64 {
	if s.heldOut {
		return s.spec.N + s.spec.Validation + s.spec.Test
	}
	return s.spec.N
}

// HeldOut returns the held-out bookkeeping so far.
func (s *Session) HeldOut() HeldOut { return s.held }

// Index is the number of examples coded so far (the next example's index).
func (s *Session) Index() int64 { return s.step }

// Accounting returns the code-length bookkeeping so far.
func (s *Session) Accounting() Accounting { return s.acct }

// LastCheckpoint returns the most recent checkpoint (example 0 at the start).
func (s *Session) LastCheckpoint() Checkpoint { return s.last }

// IsCheckpoint reports whether a session of this spec takes a checkpoint
// after example count c (1 ≤ c ≤ n): at the end of every minibatch in which
// the count crosses a multiple of CheckpointEvery, and at the end. With
// held-out coding there are two more: θ* after the validation labels
// (c = n + validation, when validation > 0) and the end of the test labels.
// With the blockwise code, every block end is one too: both sides' new
// block models are compared before they code a label.
func IsCheckpoint(sp spec.Spec, c int64) bool {
	if c == sp.N {
		return true
	}
	if c%sp.Batch != 0 {
		return false
	}
	if isBlockEnd(sp.Blocks, c) {
		return true // the next block's model is compared
	}
	return c/sp.CheckpointEvery > (c-sp.Batch)/sp.CheckpointEvery
}

// Next returns what the driver does next. After an Apply it first reports
// the checkpoint, then the phase end that Apply reached, each once; then it
// offers the next example, with the coder's frequencies, until that
// example's label is applied (calling Next again offers the same example:
// a decoder short of bytes simply asks later), and OfferDone at the end.
// Next computes the predictive distribution but changes nothing a driver
// can observe; only Apply moves the session on.
func (s *Session) Next() (Offer, error) {
	switch {
	case s.pendingCP:
		s.pendingCP = false
		return Offer{Kind: OfferCheckpoint, Checkpoint: s.last}, nil
	case s.pendingPhase:
		s.pendingPhase = false
		return Offer{Kind: OfferPhaseEnd, Phase: s.endedPhase}, nil
	case s.Done():
		return Offer{Kind: OfferDone}, nil
	}
	i := s.step
	phase := s.phaseOf(i)
	if !s.offered {
		if phase == PhasePass {
			if err := s.predict(); err != nil {
				return Offer{}, err
			}
			s.probs = s.batchP[s.batchFill]
			if s.mix.on {
				s.probs = s.mix.probs(s.batchFill, s.probs)
			}
		} else {
			p, err := s.heldProbs(i)
			if err != nil {
				return Offer{}, err
			}
			s.probs = p
		}
		if err := coder.Quantize(s.freqs, s.probs, s.precision); err != nil {
			return Offer{}, fmt.Errorf("prequential: example %d: %w", i, err)
		}
		s.offered = true
	}
	return Offer{Kind: OfferCode, Phase: phase, Index: i, Freqs: s.freqs}, nil
}

// phaseOf is the phase of example i.
func (s *Session) phaseOf(i int64) Phase {
	switch {
	case i < s.spec.N:
		return PhasePass
	case i < s.spec.N+s.spec.Validation:
		return PhaseValidation
	}
	return PhaseTest
}

// Apply takes the label of the example Next offered: it records its code
// length and its place in the transcript and learns from it (the optimizer
// steps when a minibatch completes). A label outside [0, classes) is
// refused and leaves the session unchanged.
func (s *Session) Apply(label int) error {
	if !s.offered {
		return ErrNoOffer
	}
	i := s.step
	if label < 0 || label >= len(s.freqs) {
		return fmt.Errorf("prequential: example %d: label %d outside [0, %d)", i, label, len(s.freqs))
	}
	s.offered = false
	if i >= s.spec.N {
		return s.applyHeldOut(i, label)
	}
	ideal := -detmath.Log2(s.probs[label])
	quantized := float64(s.precision) - detmath.Log2(float64(s.freqs[label]))
	s.acct.IdealBits += ideal
	s.acct.QuantizedIdealBits += quantized
	if s.blocks != nil {
		b := &s.blocks[len(s.blocks)-1]
		b.IdealBits += ideal
		b.QuantizedBits += quantized
	}
	if s.answers != nil {
		s.acct.ScoredIdealBits += edl.ConditionalBits(s.probs, label, s.answers)
		s.acct.ScoredQuantizedBits += edl.ConditionalQuantizedBits(s.freqs, label, s.answers)
	}
	s.record(i, label)
	if s.mix.on {
		s.mix.observe(s.batchFill, s.batchP[s.batchFill], label)
	}

	s.batchY = append(s.batchY, label)
	if s.trainY != nil {
		s.trainY = append(s.trainY, int32(label))
	}
	s.batchFill++
	s.step++
	if s.heldOut && s.step == s.spec.N {
		s.pendingPhase, s.endedPhase = true, PhasePass
	}
	if s.mix.on && s.step == s.spec.N {
		s.blocks[len(s.blocks)-1].MixWeight = s.mix.weight()
	}
	if s.batchFill == int(s.spec.Batch) || s.step == s.spec.N {
		if s.blocks != nil {
			// Nothing is learned inside a block; a new model at its end.
			s.batchY, s.batchFill = s.batchY[:0], 0
			if isBlockEnd(s.spec.Blocks, s.step) {
				if err := s.trainBlock(); err != nil {
					return err
				}
			}
		} else if err := s.learn(); err != nil {
			return err
		}
		if IsCheckpoint(s.spec, s.step) {
			return s.checkpoint()
		}
	}
	return nil
}

// predict runs, once per minibatch, the forward pass of all its examples with
// the parameters from before the batch's update. Only an external learner
// can fail; its failure leaves the batch unpredicted.
func (s *Session) predict() error {
	if s.predicted == s.step-int64(s.batchFill) && s.predicted >= 0 {
		return nil
	}
	start := s.step
	rows := int(min(s.spec.Batch, s.spec.N-start))
	k := int(s.spec.Classes)
	for j := 0; j < rows; j++ {
		s.batchX[j] = s.in.Train.Row(int(start) + j)
		if s.batchP[j] == nil {
			s.batchP[j] = make([]float64, k)
		}
	}
	if s.ext != nil {
		// One call for the whole batch: a plugin's cost is per call.
		if err := s.ext.Predict(start, s.batchP[:rows], s.batchX[:rows]); err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
		s.predicted = start
		return nil
	}
	switch m := s.model.(type) {
	case model.Differentiable:
		if s.blocks != nil && s.uniformBlock() {
			// The blockwise code's first block: the uniform code.
			for j := 0; j < rows; j++ {
				for c := range s.batchP[j] {
					s.batchP[j][c] = 1 / float64(k)
				}
			}
			break
		}
		m.Forward(s.batchP[:rows], s.batchX[:rows])
		if s.temper != 0 && s.temper != 1 {
			for j := 0; j < rows; j++ {
				temper(s.batchP[j], s.batchP[j], s.temper)
			}
		}
		if s.mix.on {
			s.mix.predict(s.batchX[:rows], k)
		}
	default:
		// Counting models do not change within a batch.
		for j := 0; j < rows; j++ {
			m.Probs(s.batchP[j], s.batchX[j])
		}
	}
	s.predicted = start
	return nil
}

// learn applies the completed minibatch: one optimizer step on the summed
// gradient, one Observe per example in order, or one Update call.
func (s *Session) learn() error {
	if s.ext != nil {
		first := s.step - int64(len(s.batchY))
		err := s.ext.Update(first, s.batchX[:len(s.batchY)], s.batchY)
		s.batchY = s.batchY[:0]
		s.batchFill = 0
		if err != nil {
			return fmt.Errorf("prequential: %w", err)
		}
		return nil
	}
	switch m := s.model.(type) {
	case model.Differentiable:
		s.backwardStep(m, s.batchY)
		s.batchY = s.batchY[:0]
	case model.Counting:
		first := int(s.step) - len(s.batchY)
		for j, y := range s.batchY {
			m.Observe(s.in.Train.Row(first+j), y)
		}
		s.batchY = s.batchY[:0]
	}
	s.batchFill = 0
	return nil
}

// checkpoint records the checkpoint at the current count, for the next
// Next to report.
func (s *Session) checkpoint() error {
	fp, err := s.Fingerprint()
	if err != nil {
		return fmt.Errorf("prequential: after example %d: %w", s.step-1, err)
	}
	s.last = Checkpoint{Example: s.step, Fingerprint: fp, Transcript: s.transcriptSum()}
	s.pendingCP = true
	return nil
}

// externalVersion heads an external learner's fingerprint.
const externalVersion = "edlwire-external-v1\n"

// optStateVersion heads the optimizer state in a stateful learner's fingerprint.
const optStateVersion = "edlwire-optstate-v1"

// Fingerprint is the SHA-256 of everything that decides the learner's future
// predictions: the canonical parameter encoding (model.Encode) and, for an
// optimizer that keeps state (momentum, Adam), the version tag, the state's
// length and its IEEE-754 bits, little-endian. With a stateless optimizer it
// is exactly model.Fingerprint, so SGD fingerprints are those of the model.
//
// For an external learner it is the SHA-256 of a version tag and the
// learner's own fingerprint bytes.
func (s *Session) Fingerprint() ([32]byte, error) {
	if s.ext != nil {
		fp, err := s.ext.Fingerprint()
		if err != nil {
			return [32]byte{}, err
		}
		h := sha256.New()
		h.Write([]byte(externalVersion))
		h.Write(fp)
		var out [32]byte
		h.Sum(out[:0])
		return out, nil
	}
	// The encoding streams into the hash: a large model's encoding is
	// never held in memory (model.WriteEncoding).
	h := sha256.New()
	if err := model.WriteEncoding(h, s.model); err != nil {
		return [32]byte{}, err
	}
	if s.opt != nil {
		if st := s.opt.State(); len(st) > 0 {
			b := binary.LittleEndian.AppendUint32(nil, uint32(len(optStateVersion)))
			b = append(b, optStateVersion...)
			b = binary.LittleEndian.AppendUint64(b, uint64(len(st)))
			for _, v := range st {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
			h.Write(b)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out, nil
}

// record appends (step, K, frequencies, label) to the transcript hash.
func (s *Session) record(i int64, label int) {
	b := s.scratch[:0]
	b = binary.LittleEndian.AppendUint64(b, uint64(i))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.freqs)))
	for _, f := range s.freqs {
		b = binary.LittleEndian.AppendUint32(b, f)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(label))
	s.transcript.Write(b)
	s.scratch = b
	s.recorded = i + 1
	if s.window != nil {
		s.window.keep(s.recorded)
	}
}

func (s *Session) transcriptSum() (out [32]byte) {
	s.transcript.Sum(out[:0])
	return out
}
