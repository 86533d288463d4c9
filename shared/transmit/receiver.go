package transmit

import (
	"errors"
	"fmt"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/prequential"
)

// Receiver decodes a session's labels from the bytes it is given (Bob's
// side). It decodes as far as the bytes allow: Step says when it needs
// more.
type Receiver struct {
	sess        *prequential.Session
	dec         *coder.Decoder
	n           int64     // the spec's training examples
	sum         *labelSum // the training labels decoded, hashed: Bob holds none
	received    int64
	mdl         int64 // the pass's bytes through its flush; -1 before
	flushDue    bool
	closed      bool
	freqs       []uint32
	checkpoints int64
}

// NewReceiver returns a Receiver that decodes into sess.
func NewReceiver(sess *prequential.Session) (*Receiver, error) {
	dec, err := coder.NewDecoder(uint(sess.Spec().Precision))
	if err != nil {
		return nil, fmt.Errorf("transmit: %w", err)
	}
	sp := sess.Spec()
	return &Receiver{sess: sess, dec: dec, n: sp.N, sum: newLabelSum(sp.Classes, sp.N, false), mdl: -1}, nil
}

// Write gives the Receiver the next bytes of the stream.
func (r *Receiver) Write(p []byte) error {
	if _, err := r.dec.Write(p); err != nil {
		return fmt.Errorf("transmit: %w", err)
	}
	r.received += int64(len(p))
	return nil
}

// Received is the number of stream bytes written so far.
func (r *Receiver) Received() int64 { return r.received }

// Index is the number of labels decoded so far.
func (r *Receiver) Index() int64 { return r.sess.Index() }

// Step decodes the next label, if the bytes so far allow: ok is false when
// it needs more bytes (or every label is decoded). It consumes the coder
// flush after each phase end as soon as its bytes are in.
func (r *Receiver) Step() (ex Example, ok bool, err error) {
	if r.flushDue {
		err := r.dec.Flush()
		if errors.Is(err, coder.ErrNeedInput) {
			return Example{}, false, nil
		}
		if err != nil {
			return Example{}, false, fmt.Errorf("transmit: coder flush after example %d: %w", r.sess.Index(), err)
		}
		r.flushDue = false
		if r.mdl < 0 {
			r.mdl = r.dec.Consumed()
		}
	}
	off, err := r.sess.Next()
	if err != nil {
		return Example{}, false, fmt.Errorf("transmit: %w", err)
	}
	if off.Kind != prequential.OfferCode || !r.dec.Ready() {
		return Example{}, false, nil
	}
	y, err := r.dec.Decode(off.Freqs)
	if err != nil {
		return Example{}, false, fmt.Errorf("transmit: decode example %d: %w", off.Index, err)
	}
	r.freqs = append(r.freqs[:0], off.Freqs...)
	if err := r.sess.Apply(y); err != nil {
		return Example{}, false, fmt.Errorf("transmit: %w", err)
	}
	if off.Index < r.n {
		r.sum.add(y)
	}
	ex = Example{Index: off.Index, Label: y, Freqs: r.freqs, Bytes: r.dec.Consumed()}
	for {
		off, err := r.sess.Next()
		if err != nil {
			return ex, true, nil // the next example's own Step reports it
		}
		switch off.Kind {
		case prequential.OfferCheckpoint:
			cp := off.Checkpoint
			ex.Checkpoint = &cp
			r.checkpoints++
		case prequential.OfferPhaseEnd:
			ex.PhaseEnd, r.flushDue = true, true
		default:
			return ex, true, nil
		}
	}
}

// Checkpoints counts the checkpoints reached so far.
func (r *Receiver) Checkpoints() int64 { return r.checkpoints }

// CloseWrite marks the end of the stream, which the Sender declared to be
// payload bytes long; Step then decodes the rest.
func (r *Receiver) CloseWrite(payload int64) error {
	if payload != r.received {
		return fmt.Errorf("transmit: finish says %d payload bytes, received %d", payload, r.received)
	}
	r.dec.CloseWrite()
	r.closed = true
	return nil
}

// Finish checks the Sender's Finish against what the Receiver decoded,
// after CloseWrite and Steps to the end, and returns the figures.
func (r *Receiver) Finish(f Finish) (Figures, error) {
	if !r.closed {
		return Figures{}, errors.New("transmit: finish before the end of the stream (CloseWrite)")
	}
	if !r.sess.Done() || r.flushDue {
		return Figures{}, fmt.Errorf("transmit: stream ended after %d of %d examples", r.sess.Index(), r.sess.Total())
	}
	if err := r.dec.Finish(); err != nil {
		return Figures{}, fmt.Errorf("transmit: end of stream: %w", err)
	}
	if r.mdl < 0 {
		r.mdl = r.received
	}
	if f.Examples != r.sess.Index() {
		return Figures{}, fmt.Errorf("transmit: finish says %d examples, decoded %d", f.Examples, r.sess.Index())
	}
	final := r.sess.LastCheckpoint()
	if f.Final.Fingerprint != final.Fingerprint {
		return Figures{}, fmt.Errorf("transmit: final fingerprint differs at example %d: sender %x, receiver %x", r.sess.Index(), f.Final.Fingerprint, final.Fingerprint)
	}
	if f.Final.Transcript != final.Transcript {
		return Figures{}, fmt.Errorf("transmit: final transcript differs at example %d: sender %x, receiver %x", r.sess.Index(), f.Final.Transcript, final.Transcript)
	}
	if f.MDLBytes != r.mdl {
		return Figures{}, fmt.Errorf("transmit: finish says the training pass took %d bytes, the receiver counted %d", f.MDLBytes, r.mdl)
	}
	return FiguresOf(r.sess, r.received, r.mdl, r.sum.sum()), nil
}

// Session is the session the Receiver decodes into.
func (r *Receiver) Session() *prequential.Session { return r.sess }
