package alice

// One link is one Transmit call: Alice sends on her coding goroutine, a
// receiver goroutine reads Bob's checkpoints and Summary. This file holds
// the link and the errors that decide between a resume and the end.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/transmit"
)

// abort tells Bob why Alice stops, then returns err.
func abort(stream wirepb.Transmission_TransmitClient, err error) error {
	ex := int64(-1)
	var d *transmit.DesyncError
	if errors.As(err, &d) {
		ex = d.Example
	}
	_ = stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: ex, Reason: err.Error()}}})
	_ = stream.CloseSend()
	return err
}

// streamErr turns a failed Send into the error that explains it: gRPC
// reports io.EOF on Send and the real status on Recv. It reads the stream,
// so it is only for a stream no receiver reads yet (the Hello); on a link,
// use link.sendErr.
func streamErr(stream wirepb.Transmission_TransmitClient, what string, err error) error {
	if errors.Is(err, io.EOF) {
		if _, rerr := stream.Recv(); rerr != nil {
			return bobErr(what, rerr)
		}
	}
	return bobErr(what, err)
}

func bobErr(what string, err error) error {
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable:
			return &breakError{fmt.Errorf("alice: %s: bob is unreachable or went away: %s", what, st.Message())}
		case codes.DeadlineExceeded:
			return &breakError{fmt.Errorf("alice: %s: timed out: %s", what, st.Message())}
		case codes.Aborted, codes.Canceled:
			return &breakError{fmt.Errorf("alice: %s: bob says %s: %s", what, st.Code(), st.Message())}
		case codes.DataLoss:
			if strings.HasSuffix(st.Message(), "("+wire.ResendAfterCRC+")") {
				return &breakError{fmt.Errorf("alice: %s: bob says %s: %s", what, st.Code(), st.Message())}
			}
		}
		if st.Code() == codes.ResourceExhausted && strings.Contains(st.Message(), "larger than max") {
			return fmt.Errorf("alice: %s: bob says %s: %s (bob's --max-message-bytes, or alice's --segment-bytes)", what, st.Code(), st.Message())
		}
		return fmt.Errorf("alice: %s: bob says %s: %s", what, st.Code(), st.Message())
	}
	return fmt.Errorf("alice: %s: %w", what, err)
}

// breakError marks a broken stream, as opposed to a refusal: the
// transmission can resume on a new link.
type breakError struct{ err error }

func (e *breakError) Error() string { return e.err.Error() }
func (e *breakError) Unwrap() error { return e.err }

// retryable reports whether err is a break that a resume can repair.
func retryable(err error) bool {
	var b *breakError
	return errors.As(err, &b)
}

// desyncError is a checkpoint mismatch, which gRPC sees as DataLoss.
type desyncError struct{ *transmit.DesyncError }

func (e desyncError) Error() string { return "alice: " + e.DesyncError.Error() }
func (e desyncError) Unwrap() error { return e.DesyncError }

// GRPCStatus lets status.FromError see a desync as DataLoss.
func (e desyncError) GRPCStatus() *status.Status { return status.New(codes.DataLoss, e.Error()) }

// link is one Transmit call; a transmission that resumes after a break
// has several, one after the other.
type link struct {
	stream wirepb.Transmission_TransmitClient
	cancel context.CancelFunc
	rx     *receiver
}

// sendErr turns a failed Send on the link into the error that explains it.
// gRPC reports io.EOF on Send when Bob has ended the stream, and Bob's
// status (say DataLoss for a corrupted segment, which a resume repairs) on
// Recv. The receiver is the stream's only reader: gRPC forbids RecvMsg
// from two goroutines, and a second reader would take one of Bob's
// checkpoints instead of the status, turning a resumable break into a
// bare EOF. So the status is the receiver's to fetch: by the time Send
// returns io.EOF the stream is done, and the receiver's Recv returns.
func (l *link) sendErr(ctx context.Context, what string, err error) error {
	if !errors.Is(err, io.EOF) {
		return bobErr(what, err)
	}
	select {
	case <-l.rx.done:
	case <-ctx.Done():
		return fmt.Errorf("alice: %s: %w (stopped waiting for bob's status: %w)", what, err, ctx.Err())
	}
	l.rx.mu.Lock()
	recvErr, rxErr := l.rx.recvErr, l.rx.err
	l.rx.mu.Unlock()
	switch {
	case recvErr != nil:
		return bobErr(what, recvErr)
	case rxErr != nil:
		// The receiver stopped on its own finding (a desync): that is the
		// cause, whatever Bob's status says.
		return rxErr
	}
	// The receiver ended on Bob's Summary and reads no more: the status
	// is this goroutine's to fetch.
	return streamErr(l.stream, what, err)
}

// ledger is transmit's checkpoint ledger, shared by the links.
type ledger = transmit.Ledger

func newLedger() *ledger { return transmit.NewLedger() }

// check compares one of Bob's checkpoints with Alice's.
func check(led *ledger, m *wirepb.Checkpoint) error {
	cp, ok := wire.CheckpointFrom(m)
	err := led.Check(cp)
	if !ok {
		err = &transmit.DesyncError{Example: cp.Example, Detail: "bob's checkpoint has hashes of the wrong length"}
	}
	var d *transmit.DesyncError
	if errors.As(err, &d) {
		return desyncError{d}
	}
	return err
}

// receiver reads Bob's messages of one link on its own goroutine and
// checks his checkpoints against the ledger.
type receiver struct {
	stream  wirepb.Transmission_TransmitClient
	led     *ledger
	mu      sync.Mutex
	err     error // why the receiver stopped, explained
	recvErr error // Recv's own error (the RPC status), if Recv ended it
	summary *wirepb.Summary
	done    chan struct{}
}

func newReceiver(s wirepb.Transmission_TransmitClient, led *ledger) *receiver {
	return &receiver{stream: s, led: led, done: make(chan struct{})}
}

func (r *receiver) run() {
	defer close(r.done)
	for {
		msg, err := r.stream.Recv()
		if err != nil {
			r.mu.Lock()
			r.recvErr = err
			r.mu.Unlock()
			r.setErr(bobErr("receive", err))
			return
		}
		switch m := msg.GetMsg().(type) {
		case *wirepb.BobMessage_Checkpoint:
			if err := check(r.led, m.Checkpoint); err != nil {
				r.setErr(err)
				return
			}
		case *wirepb.BobMessage_Halt:
			// Bob stopped decoding and waits: for Locates after a
			// checkpoint mismatch (which this receiver would have
			// stopped at), otherwise for her Abort.
			r.setErr(fmt.Errorf("alice: bob stopped at example %d: %s", m.Halt.GetExample(), m.Halt.GetReason()))
			return
		case *wirepb.BobMessage_Summary:
			r.mu.Lock()
			r.summary = m.Summary
			r.mu.Unlock()
			return
		default:
			r.setErr(fmt.Errorf("alice: unexpected message %T from bob", m))
			return
		}
	}
}

func (r *receiver) setErr(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

// failed returns the receiver's error, if any, without waiting.
func (r *receiver) failed() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// wait blocks until Bob's Summary or an error.
func (r *receiver) wait(ctx context.Context) (*wirepb.Summary, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("alice: waiting for bob's summary: %w", ctx.Err())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	return r.summary, nil
}

// drain reads to the end of the RPC (Bob's trailers).
func (r *receiver) drain() {
	for {
		if _, err := r.stream.Recv(); err != nil {
			return
		}
	}
}
