package transmit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/task"
)

// Piped is the outcome of a transmission in memory.
type Piped struct {
	Sender             *Sender
	Figures            Figures // the sender's, equal to the receiver's in every field
	CheckpointsMatched int64
}

// PipeHooks are optional calls Pipe makes along the way.
type PipeHooks struct {
	// Progress runs every 1024 examples and at the end, with the examples
	// coded so far and the total.
	Progress func(done, total int64)
	// Example runs after the sender codes each example.
	Example func(ex Example)
}

// Pipe runs a whole transmission in memory: a Sender codes labels with
// alice, a Receiver decodes the bytes as they are produced into bob (a
// second session of the same spec and inputs), every checkpoint of the
// receiver is compared with the sender's, and the two Figures must agree
// to the bit. It is the wire run without the wire: edl run's verification.
// A checkpoint that differs ends it with a *DesyncError, located (Locate)
// as far as the sessions' transcript windows allow.
func Pipe(alice, bob *prequential.Session, labels *task.Labels, h PipeHooks) (*Piped, error) {
	snd, err := NewSender(alice, labels)
	if err != nil {
		return nil, err
	}
	rcv, err := NewReceiver(bob)
	if err != nil {
		return nil, err
	}
	var fed int64
	led := NewLedger()
	advance := func() error {
		if fed < int64(len(snd.Stream())) {
			if err := rcv.Write(snd.Stream()[fed:]); err != nil {
				return err
			}
			fed = int64(len(snd.Stream()))
		}
		for {
			ex, ok, err := rcv.Step()
			if err != nil || !ok {
				return err
			}
			if cp := ex.Checkpoint; cp != nil {
				if err := led.Check(*cp); err != nil {
					var d *DesyncError
					if errors.As(err, &d) && led.Took(d.Example) {
						Locate(d, led.ConfirmedBefore(d.Example), sessionTranscript("sender", alice), sessionTranscript("receiver", bob))
					}
					return err
				}
			}
		}
	}
	for !snd.Done() {
		ex, err := snd.Step()
		if err != nil {
			return nil, err
		}
		if ex.Checkpoint != nil {
			led.Record(*ex.Checkpoint)
		}
		if h.Example != nil {
			h.Example(ex)
		}
		if h.Progress != nil && (ex.Index%1024 == 0 || snd.Done()) {
			h.Progress(alice.Index(), alice.Total())
		}
		if ex.Checkpoint != nil || ex.PhaseEnd {
			if err := advance(); err != nil {
				return nil, err
			}
		}
	}
	fin, err := snd.Finish()
	if err != nil {
		return nil, err
	}
	if err := advance(); err != nil {
		return nil, err
	}
	if err := rcv.CloseWrite(fin.PayloadBytes); err != nil {
		return nil, err
	}
	if err := advance(); err != nil {
		return nil, err
	}
	theirs, err := rcv.Finish(fin)
	if err != nil {
		return nil, err
	}
	if left := led.Unmatched(); left > 0 {
		return nil, fmt.Errorf("transmit: %d of the sender's checkpoints never reached by the receiver", left)
	}
	ours := snd.Figures()
	if d := append(ours.Diff(theirs), ours.DiffBlocks(theirs)...); len(d) > 0 {
		return nil, errors.New("transmit: the receiver's figures disagree (receiver != sender): " + strings.Join(d, "; "))
	}
	return &Piped{Sender: snd, Figures: ours, CheckpointsMatched: led.Matched()}, nil
}
