package prequential

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
)

// LabelEncoder is Alice's SymbolCoder: it encodes the true labels in order.
type LabelEncoder struct {
	Enc    *coder.Encoder
	Labels []int
}

// CodeSymbol encodes Labels[i] against freqs and returns it.
func (e *LabelEncoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	if i < 0 || i >= int64(len(e.Labels)) {
		return 0, fmt.Errorf("prequential: no label for example %d", i)
	}
	y := e.Labels[i]
	if err := e.Enc.Encode(freqs, y); err != nil {
		return 0, fmt.Errorf("prequential: encode example %d: %w", i, err)
	}
	return y, nil
}

// LabelDecoder is Bob's SymbolCoder: it decodes labels from the stream and
// keeps them.
type LabelDecoder struct {
	Dec    *coder.Decoder
	Labels []int
}

// CodeSymbol decodes the next label against freqs. It returns
// coder.ErrNeedInput, leaving everything unchanged, when the decoder needs
// more bytes.
func (d *LabelDecoder) CodeSymbol(i int64, freqs []uint32) (int, error) {
	if !d.Dec.Ready() {
		return 0, coder.ErrNeedInput
	}
	y, err := d.Dec.Decode(freqs)
	if err != nil {
		return 0, fmt.Errorf("prequential: decode example %d: %w", i, err)
	}
	d.Labels = append(d.Labels, y)
	return y, nil
}

// AllLabels is the label sequence of a session with held-out coding: the
// training labels, then the validation labels, then the test labels.
func AllLabels(train, valid, test []int) []int {
	out := make([]int, 0, len(train)+len(valid)+len(test))
	return append(append(append(out, train...), valid...), test...)
}

// Coded is a whole transmission's stream, as CodeAll produces it.
type Coded struct {
	Stream      []byte       // every payload byte, in order
	MDLBytes    int64        // the training pass's bytes, through its flush: the MDL
	Checkpoints []Checkpoint // in order; the last is the final one
}

// CodeAll runs Alice's side of a whole transmission in memory: every step
// of s with labels (AllLabels for a held-out session), the coder flush at
// each phase end, then the encoder's end. alice streams exactly these bytes
// as they are produced; tests and in-process runs use them whole.
func CodeAll(s *Session, enc *coder.Encoder, labels []int) (Coded, error) {
	return CodeAllWith(s, enc, labels, Hooks{})
}

// Hooks are optional calls CodeAllWith makes along the way.
type Hooks struct {
	// AtPassEnd runs right after the training pass's last example, while
	// the model is still the pass model (before θ* replaces it): where
	// alice measures the single-pass test loss.
	AtPassEnd func() error
	// Progress runs every 1024 examples and at the end, with the examples
	// coded so far and the total.
	Progress func(done, total int64)
}

// CodeAllWith is CodeAll with hooks.
func CodeAllWith(s *Session, enc *coder.Encoder, labels []int, h Hooks) (Coded, error) {
	var c Coded
	c.MDLBytes = -1
	le := &LabelEncoder{Enc: enc, Labels: labels}
	for !s.Done() {
		r, err := s.Step(le)
		if err != nil {
			return Coded{}, err
		}
		if r.Checkpoint != nil {
			c.Checkpoints = append(c.Checkpoints, *r.Checkpoint)
		}
		if h.Progress != nil && (r.Index%1024 == 0 || s.Done()) {
			h.Progress(s.Index(), s.Total())
		}
		c.Stream = append(c.Stream, enc.Take()...)
		if r.PhaseEnd {
			c.Stream = append(c.Stream, enc.Flush()...)
			if c.MDLBytes < 0 {
				c.MDLBytes = int64(len(c.Stream))
				if h.AtPassEnd != nil {
					if err := h.AtPassEnd(); err != nil {
						return Coded{}, err
					}
				}
			}
		}
	}
	c.Stream = append(c.Stream, enc.Finish()...)
	if c.MDLBytes < 0 {
		// A session without held-out coding: the whole stream is the pass.
		c.MDLBytes = int64(len(c.Stream))
	}
	return c, nil
}
