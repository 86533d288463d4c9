package prequential

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
)

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The tests of this package drive sessions through a one-call Step over
// Next and Apply (the product's drivers are in shared/transmit, which
// imports this package).

// ErrDone is returned by Step after the last example.
var ErrDone = errors.New("prequential: all examples coded")

// SymbolCoder turns a distribution into a label.
type SymbolCoder interface {
	CodeSymbol(i int64, freqs []uint32) (int, error)
}

// Result is what one Step did.
type Result struct {
	Index      int64
	Label      int
	Checkpoint *Checkpoint
	PhaseEnd   bool
}

// Step codes one example: Next, c, Apply, and the events Apply produced.
// On an error from c the session is unchanged.
func (s *Session) Step(c SymbolCoder) (Result, error) {
	off, err := s.Next()
	if err != nil {
		return Result{}, err
	}
	if off.Kind == OfferDone {
		return Result{}, ErrDone
	}
	if off.Kind != OfferCode {
		return Result{}, fmt.Errorf("step: unexpected offer %v", off.Kind)
	}
	label, err := c.CodeSymbol(off.Index, off.Freqs)
	if err != nil {
		return Result{}, err
	}
	if err := s.Apply(label); err != nil {
		return Result{}, err
	}
	res := Result{Index: off.Index, Label: label}
	if s.pendingCP {
		cp := s.last
		res.Checkpoint, s.pendingCP = &cp, false
	}
	if s.pendingPhase {
		res.PhaseEnd, s.pendingPhase = true, false
	}
	return res, nil
}

// LabelEncoder encodes the true labels in order.
type LabelEncoder struct {
	Enc    *coder.Encoder
	Labels []int
}

func (e *LabelEncoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	y := e.Labels[i]
	return y, e.Enc.Encode(freqs, y)
}

// LabelDecoder decodes labels from the stream and keeps them.
type LabelDecoder struct {
	Dec    *coder.Decoder
	Labels []int
}

func (d *LabelDecoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	if !d.Dec.Ready() {
		return 0, coder.ErrNeedInput
	}
	y, err := d.Dec.Decode(freqs)
	if err != nil {
		return 0, fmt.Errorf("decode example %d: %w", i, err)
	}
	d.Labels = append(d.Labels, y)
	return y, nil
}

// AllLabels is the label sequence of a session with held-out coding.
func AllLabels(train, valid, test []int) []int {
	return append(append(append([]int(nil), train...), valid...), test...)
}

// Coded is a whole transmission's stream.
type Coded struct {
	Stream      []byte
	MDLBytes    int64
	Checkpoints []Checkpoint
}

// CodeAll codes every label of s, flushing at each phase end.
func CodeAll(s *Session, enc *coder.Encoder, labels []int) (Coded, error) {
	c := Coded{MDLBytes: -1}
	le := &LabelEncoder{Enc: enc, Labels: labels}
	for !s.Done() {
		r, err := s.Step(le)
		if err != nil {
			return Coded{}, err
		}
		if r.Checkpoint != nil {
			c.Checkpoints = append(c.Checkpoints, *r.Checkpoint)
		}
		c.Stream = append(c.Stream, enc.Take()...)
		if r.PhaseEnd {
			c.Stream = append(c.Stream, enc.Flush()...)
			if c.MDLBytes < 0 {
				c.MDLBytes = int64(len(c.Stream))
			}
		}
	}
	c.Stream = append(c.Stream, enc.Finish()...)
	if c.MDLBytes < 0 {
		c.MDLBytes = int64(len(c.Stream))
	}
	return c, nil
}
