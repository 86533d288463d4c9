package transmit

import (
	"errors"
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// ErrDone is returned by Step after the last example.
var ErrDone = errors.New("transmit: all examples coded")

// Example is one label as a driver coded or decoded it.
type Example struct {
	Index int64
	Label int
	// Freqs are the coder frequencies the label was coded against; they
	// belong to the driver and change at its next Step.
	Freqs []uint32
	// Bytes is the stream's length so far: produced (Sender, including a
	// phase end's flush) or consumed (Receiver).
	Bytes      int64
	Checkpoint *prequential.Checkpoint // non-nil when the example ended at a checkpoint
	PhaseEnd   bool                    // the example ended a phase (see prequential.OfferPhaseEnd)
}

// Finish is what the Sender declares at the end: the Receiver checks every
// field against what it decoded.
type Finish struct {
	Examples     int64
	PayloadBytes int64
	MDLBytes     int64
	Final        prequential.Checkpoint
}

// Sender codes the true labels of a session into bytes (Alice's side).
type Sender struct {
	sess   *prequential.Session
	enc    *coder.Encoder
	labels *task.Labels // read in coding order: training, validation, test
	n      int64        // the spec's training examples
	sum    *labelSum    // the training labels coded, hashed and kept
	stream []byte       // every byte produced so far
	mdl    int64        // the pass's bytes through its flush; -1 before
	freqs  []uint32

	passTest    float64 // the pass model's test loss (held-out sessions)
	checkpoints []prequential.Checkpoint
	finished    bool
}

// NewSender returns a Sender that codes labels (the session's task) with
// sess: the first n training labels and, for a session with held-out
// coding, the validation and test labels after them.
func NewSender(sess *prequential.Session, labels *task.Labels) (*Sender, error) {
	sp := sess.Spec()
	enc, err := coder.NewEncoder(uint(sp.Precision))
	if err != nil {
		return nil, fmt.Errorf("transmit: %w", err)
	}
	if int64(labels.Len(task.PartTrain)) < sp.N {
		return nil, fmt.Errorf("transmit: %d training labels for n = %d", labels.Len(task.PartTrain), sp.N)
	}
	if held := int64(labels.Len(task.PartValid) + labels.Len(task.PartTest)); sess.Total() > sp.N && sp.N+held != sess.Total() {
		return nil, fmt.Errorf("transmit: %d labels for the %d the session codes", sp.N+held, sess.Total())
	}
	return &Sender{sess: sess, enc: enc, labels: labels, n: sp.N, sum: newLabelSum(sp.Classes, sp.N, true), mdl: -1}, nil
}

// label is the label of example i in coding order: the n training
// labels, then the validation and test labels.
func (s *Sender) label(i int64) int {
	n, v := s.n, int64(s.labels.Len(task.PartValid))
	switch {
	case i < n:
		return s.labels.At(task.PartTrain, int(i))
	case i < n+v:
		return s.labels.At(task.PartValid, int(i-n))
	}
	return s.labels.At(task.PartTest, int(i-n-v))
}

// Done reports whether every label has been coded.
func (s *Sender) Done() bool { return s.sess.Done() }

// Step codes the next label: the session's distribution, the encoder, the
// update, and any checkpoint or phase end (whose flush it appends to the
// stream) that the update reached.
func (s *Sender) Step() (Example, error) {
	off, err := s.sess.Next()
	if err != nil {
		return Example{}, fmt.Errorf("transmit: %w", err)
	}
	if off.Kind != prequential.OfferCode {
		return Example{}, ErrDone
	}
	y := s.label(off.Index)
	if err := s.enc.Encode(off.Freqs, y); err != nil {
		return Example{}, fmt.Errorf("transmit: encode example %d: %w", off.Index, err)
	}
	s.freqs = append(s.freqs[:0], off.Freqs...)
	if err := s.sess.Apply(y); err != nil {
		return Example{}, fmt.Errorf("transmit: %w", err)
	}
	if off.Index < s.n {
		s.sum.add(y)
	}
	ex := Example{Index: off.Index, Label: y, Freqs: s.freqs}
	s.stream = append(s.stream, s.enc.Take()...)
	if err := s.drain(&ex); err != nil {
		return Example{}, err
	}
	ex.Bytes = int64(len(s.stream))
	return ex, nil
}

// drain takes the events the last Apply produced, up to the next offer.
func (s *Sender) drain(ex *Example) error {
	for {
		off, err := s.sess.Next()
		if err != nil {
			// The next example's offer failed: its own Step reports it.
			return nil
		}
		switch off.Kind {
		case prequential.OfferCheckpoint:
			cp := off.Checkpoint
			ex.Checkpoint = &cp
			s.checkpoints = append(s.checkpoints, cp)
		case prequential.OfferPhaseEnd:
			ex.PhaseEnd = true
			s.stream = append(s.stream, s.enc.Flush()...)
			if off.Phase == prequential.PhasePass {
				s.mdl = int64(len(s.stream))
				// The pass model's test loss, before θ* replaces it
				// (none without test labels). Where θ* is the pass model
				// (passIsTheta) PassTestLoss takes θ*'s.
				if s.labels.Len(task.PartTest) == 0 || passIsTheta(s.sess.Spec()) {
					continue
				}
				if s.passTest, err = edl.TestLossBits(s.sess.Model(), &s.sess.Inputs().Test, s.labels.All(task.PartTest)); err != nil {
					return fmt.Errorf("transmit: %w", err)
				}
			}
		default:
			return nil
		}
	}
}

// Stream is every byte produced so far. Callers must not modify it.
func (s *Sender) Stream() []byte { return s.stream }

// Checkpoints are the checkpoints taken so far, in order.
func (s *Sender) Checkpoints() []prequential.Checkpoint { return s.checkpoints }

// Finish ends the stream after the last label (its final bytes join
// Stream) and returns what the Receiver must confirm.
func (s *Sender) Finish() (Finish, error) {
	if !s.Done() {
		return Finish{}, fmt.Errorf("transmit: finish after %d of %d examples", s.sess.Index(), s.sess.Total())
	}
	if !s.finished {
		s.stream = append(s.stream, s.enc.Finish()...)
		s.finished = true
		if s.mdl < 0 {
			// No held-out coding: the whole stream is the pass.
			s.mdl = int64(len(s.stream))
		}
	}
	return Finish{Examples: s.sess.Index(), PayloadBytes: int64(len(s.stream)), MDLBytes: s.mdl, Final: s.sess.LastCheckpoint()}, nil
}

// Figures is the transmission's account (after Finish).
func (s *Sender) Figures() Figures {
	return FiguresOf(s.sess, int64(len(s.stream)), s.mdl, s.sum.sum())
}

// LabelBytes are the training labels coded so far, in edl.LabelBytes'
// encoding: what Alice's report compresses for its zstd baseline
// (report.New). Callers must not modify them.
func (s *Sender) LabelBytes() []byte { return s.sum.buf }

// PassTestLoss is the test loss of the model right after the pass, before
// θ*, measured on the test labels (held-out sessions with test > 0; zero
// otherwise). Bob cannot compute it: he learns the test labels after θ*.
func (s *Sender) PassTestLoss() float64 {
	if passIsTheta(s.sess.Spec()) {
		return s.sess.HeldOut().TestLossBits
	}
	return s.passTest
}

// passIsTheta reports whether θ* is the pass model as it coded, which the
// bare parameters (Session.Model) may not be: an external learner's, and
// the blockwise code's last block model, tempered when calibrated.
func passIsTheta(sp spec.Spec) bool { return sp.Model == spec.ModelExternal || len(sp.Blocks) > 0 }

// EndedLen is the exact length in bytes the stream would have if it ended
// now: a copy of the encoder is finished, the Sender goes on. (The copy's
// final bytes may land in the encoder's spare capacity, which it
// overwrites later; nobody reads them.)
func (s *Sender) EndedLen() int64 {
	c := *s.enc
	c.Finish()
	return c.Len()
}

// Run codes every remaining label and finishes the stream: the whole
// transmission at once, for callers that want the bytes, not the steps.
func (s *Sender) Run() (Finish, error) {
	for !s.Done() {
		if _, err := s.Step(); err != nil {
			return Finish{}, err
		}
	}
	return s.Finish()
}

// Session is the session the Sender codes with. Callers must not drive it.
func (s *Sender) Session() *prequential.Session { return s.sess }

// Index is the number of labels coded so far (the next example's index).
func (s *Sender) Index() int64 { return s.sess.Index() }

// Total is the number of labels the Sender codes: training, validation and test.
func (s *Sender) Total() int64 { return s.sess.Total() }
