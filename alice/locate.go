package alice

import (
	"errors"
	"fmt"
	"time"

	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/transmit"
)

// LocateTimeout bounds how long Alice spends asking Bob where a divergence
// began; past it she aborts with the checkpoint alone.
const LocateTimeout = 30 * time.Second

// locate runs after a checkpoint mismatch, before the Abort: Alice bisects
// the examples between the last checkpoint Bob confirmed and the one that
// differed, asking Bob for his transcript at each midpoint (Locate, answered
// by TranscriptAt: PROTOCOL.md rule 5a), and notes the first example whose
// distribution differed in the desync error. The receiver goroutine has
// stopped at the mismatch, so this goroutine is the stream's only reader;
// the checkpoints Bob sends meanwhile (he decodes on) are skipped. Anything
// that prevents the search leaves the error saying why.
func (r *run) locate(cause error) {
	var d *transmit.DesyncError
	if !errors.As(cause, &d) || r.snd == nil || !r.led.Took(d.Example) {
		return
	}
	l := r.cur
	select {
	case <-l.rx.done:
	case <-r.ctx.Done():
		return
	}
	l.rx.mu.Lock()
	recvErr := l.rx.recvErr
	l.rx.mu.Unlock()
	agreed := r.led.ConfirmedBefore(d.Example)
	if recvErr != nil {
		transmit.Locate(d, agreed, r.snd.Transcript, func(int64) ([32]byte, error) {
			return [32]byte{}, fmt.Errorf("bob's stream ended: %v", bobErr("receive", recvErr))
		})
		return
	}
	// Past the deadline the link is cancelled, which ends a Recv waiting
	// for an answer that does not come.
	timer := r.cfg.Clock.AfterFunc(LocateTimeout, l.cancel)
	defer timer.Stop()
	theirs := func(c int64) ([32]byte, error) {
		if err := l.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Locate{Locate: &wirepb.Locate{Example: c}}}); err != nil {
			return [32]byte{}, fmt.Errorf("asking bob: %w", err)
		}
		for {
			msg, err := l.stream.Recv()
			if err != nil {
				return [32]byte{}, fmt.Errorf("bob did not answer: %v", bobErr("receive", err))
			}
			switch m := msg.GetMsg().(type) {
			case *wirepb.BobMessage_Checkpoint, *wirepb.BobMessage_Halt:
				continue // he decodes on, or has stopped and waits
			case *wirepb.BobMessage_TranscriptAt:
				a := m.TranscriptAt
				var t [32]byte
				switch {
				case a.GetExample() != c:
					return t, fmt.Errorf("bob answered for example count %d, asked %d", a.GetExample(), c)
				case len(a.GetTranscript()) == 0:
					return t, fmt.Errorf("bob no longer holds the transcript after example count %d (he keeps the last %d)", c, a.GetWindow())
				case len(a.GetTranscript()) != len(t):
					return t, fmt.Errorf("bob's transcript has %d bytes, want %d", len(a.GetTranscript()), len(t))
				}
				copy(t[:], a.GetTranscript())
				return t, nil
			default:
				return [32]byte{}, fmt.Errorf("bob answered %T, want a transcript", m)
			}
		}
	}
	transmit.Locate(d, agreed, r.snd.Transcript, theirs)
}

// awaitEnd reads the link to its end after an Abort, when no receiver
// reads it any more, so that the Abort reaches Bob before the call is
// cancelled (a cancelled call may drop what was sent last). The locate
// deadline bounds it.
func (r *run) awaitEnd() {
	l := r.cur
	select {
	case <-l.rx.done:
	default:
		return
	}
	l.rx.mu.Lock()
	ended := l.rx.recvErr != nil
	l.rx.mu.Unlock()
	if ended {
		return
	}
	timer := r.cfg.Clock.AfterFunc(LocateTimeout, l.cancel)
	defer timer.Stop()
	for {
		if _, err := l.stream.Recv(); err != nil {
			return
		}
	}
}

// abortOwn ends the transmission for a failure of Alice's own (her session,
// not the link): Bob gets an Abort with the reason, and Alice waits, within
// the locate deadline, for his end of the call so that the Abort is not
// lost to her cancelling it.
func (r *run) abortOwn(err error) error {
	l := r.cur
	_ = abort(l.stream, err)
	timer := r.cfg.Clock.AfterFunc(LocateTimeout, l.cancel)
	defer timer.Stop()
	select {
	case <-l.rx.done:
	case <-r.ctx.Done():
		return err
	}
	r.awaitEnd()
	return err
}
