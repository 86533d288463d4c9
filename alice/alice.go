package alice

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/klauspost/compress/zstd"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Config is one transmission.
type Config struct {
	Bob           string    // Bob's HOST:PORT
	Spec          spec.Spec // the experiment
	SegmentBytes  int       // coded bytes per segment (the last may be shorter)
	ModelOut      string    // if set, the final canonical parameters are written here
	Base          []byte    // the base checkpoint file the spec names (base_sha256), as read by the caller; nil without one
	CheckpointOut string    // if set, a checkpoint of the final learner (model and optimizer state) is written here
	Timeout       time.Duration
	Log           *slog.Logger
	Data          *task.Table // the dataset of the file task (see LoadData, UseData)
	TestData      *task.Table // the file task's separate test file, if the spec names one (UseTestData)
	Workers       int         // goroutines for large layers (speed only; results are identical)
	// Dial, if set, replaces the TCP dialer (tests use grpc's bufconn).
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// TLS, if set, secures the connection (RootCAs to verify Bob, and
	// Certificates for mutual TLS); nil is plaintext, which the command
	// allows only to loopback or with --insecure.
	TLS *tls.Config
	// Token, if set, is sent as "authorization: Bearer TOKEN" on the call.
	Token []byte
	// Reconnects bounds how many times a broken stream is resumed on a new
	// link (with back-off from 100 ms to 5 s); zero means DefaultReconnects
	// and a negative value never resumes.
	Reconnects int
	// Progress, if set, is called as Local codes (examples so far, total).
	Progress func(done, total int64)
	// Observer, if set, is told every coded example and checkpoint; nil
	// costs nothing.
	Observer Observer
	// Pace, if set, is asked before each example and may hold it (the
	// teaching demo's speed, pause and step); its error ends the run. Alice
	// sends nothing while held, so a hold longer than Bob's idle timeout
	// ends the transmission.
	Pace func(ctx context.Context, next int64) error
	// Interceptor, if set, wraps the Transmit call (instrumentation, and
	// tests that corrupt a segment in transit).
	Interceptor grpc.StreamClientInterceptor
	// Heartbeat is the longest Alice stays silent mid-stream: if she has
	// sent nothing for this long she sends an empty segment, so that Bob's
	// idle timeout ends only a stuck Alice, never one that is computing.
	// Zero means HeartbeatEvery.
	Heartbeat time.Duration
	// Clock times the heartbeat; nil is the real clock. Tests share a fake
	// one (clockwork.FakeClock) with Bob's idle timeout, so that a test of
	// the two decides on the time it advances, not on the machine's speed.
	Clock clockwork.Clock
}

// DefaultReconnects is the default Config.Reconnects: with the back-off
// capped at 5 s, Bob may be away for about half a minute.
const DefaultReconnects = 10

// HeartbeatEvery is the default Config.Heartbeat: well below Bob's default
// idle timeout (2 minutes), so a delayed heartbeat still arrives in time.
const HeartbeatEvery = 15 * time.Second

// DefaultSegmentBytes keeps gRPC framing (≈ 30 bytes a message) far below
// 1% of the payload while letting Bob decode as the stream arrives.
const DefaultSegmentBytes = 16 << 10

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Bob == "" {
		errs = append(errs, errors.New("alice: --bob HOST:PORT is required"))
	}
	if c.SegmentBytes < 1 || c.SegmentBytes > wire.DefaultMaxMessageBytes/2 {
		errs = append(errs, fmt.Errorf("alice: segment bytes must be in [1, %d], got %d", wire.DefaultMaxMessageBytes/2, c.SegmentBytes))
	}
	if err := c.Spec.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Run performs one transmission and returns Alice's report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.SegmentBytes == 0 {
		cfg.SegmentBytes = DefaultSegmentBytes
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = HeartbeatEvery
	}
	if cfg.Reconnects == 0 {
		cfg.Reconnects = DefaultReconnects
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	start := time.Now()
	sp := cfg.Spec
	in, labels, err := buildTask(sp, cfg.Data, cfg.TestData)
	if err != nil {
		return nil, err
	}
	sess, err := prequential.NewFromBase(sp, in, cfg.Base, prequential.Options{Workers: cfg.Workers, HeldOut: true})
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}

	var counter wire.ByteCounter
	var tcpRead, tcpWritten atomic.Int64
	dial := cfg.Dial
	if dial == nil {
		dial = func(ctx context.Context, addr string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}
	}
	// The counting conn wraps the raw connection, under gRPC's TLS, so
	// tcp_bytes includes the TLS handshake and record overhead.
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		setUserTimeout(c)
		return wire.CountingConn{Conn: c, Read64: &tcpRead, Written64: &tcpWritten}, nil
	}
	creds := insecure.NewCredentials()
	if cfg.TLS != nil {
		creds = credentials.NewTLS(cfg.TLS)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(dialer),
		grpc.WithStatsHandler(&counter),
		grpc.WithKeepaliveParams(wire.ClientKeepalive()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(wire.DefaultMaxMessageBytes),
			grpc.MaxCallSendMsgSize(wire.DefaultMaxMessageBytes)),
	}
	if len(cfg.Token) > 0 {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{token: string(cfg.Token), requireTLS: cfg.TLS != nil}))
	}
	if cfg.Interceptor != nil {
		opts = append(opts, grpc.WithStreamInterceptor(cfg.Interceptor))
	}
	conn, err := grpc.NewClient("passthrough:///"+cfg.Bob, opts...)
	if err != nil {
		return nil, fmt.Errorf("alice: connect to bob at %s: %w", cfg.Bob, err)
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sessionID := newSessionID()
	specHash := sp.Hash()
	client := wirepb.NewTransmissionClient(conn)
	led := newLedger()

	// openLink starts one Transmit call: Hello (resume after a break),
	// Welcome, and the goroutine that checks Bob's checkpoints.
	openLink := func(resume bool) (*link, int64, error) {
		lctx, lcancel := context.WithCancel(ctx)
		stream, err := client.Transmit(lctx)
		if err != nil {
			lcancel()
			return nil, 0, cfg.explain(bobErr(fmt.Sprintf("open stream to bob at %s", cfg.Bob), err))
		}
		if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
			ProtocolVersion: wire.ProtocolVersion,
			SpecCanonical:   sp.Canonical(),
			SpecHash:        specHash[:],
			SessionId:       sessionID,
			Resume:          resume,
		}}}); err != nil {
			lcancel()
			return nil, 0, cfg.explain(streamErr(stream, "send hello", err))
		}
		first, err := stream.Recv()
		if err != nil {
			lcancel()
			return nil, 0, cfg.explain(bobErr("hello refused", err))
		}
		w := first.GetWelcome()
		if w == nil {
			lcancel()
			return nil, 0, fmt.Errorf("alice: bob answered hello with %T, want welcome", first.GetMsg())
		}
		if !bytes.Equal(w.GetSpecHash(), specHash[:]) {
			lcancel()
			return nil, 0, fmt.Errorf("alice: bob built spec hash %x, want %x", w.GetSpecHash(), specHash[:])
		}
		l := &link{stream: stream, cancel: lcancel, rx: newReceiver(stream, led)}
		go l.rx.run()
		return l, w.GetResumeOffset(), nil
	}
	cur, _, err := openLink(false)
	if err != nil {
		return nil, err
	}
	defer func() { cur.cancel() }()
	cfg.Log.Info("welcomed", "bob", cfg.Bob, "session", sessionID)

	// The coded pass: the Sender codes every label — the training labels,
	// then the validation labels (against the pass model) and the test
	// labels (against θ*), which Bob learns only so and from which he
	// verifies θ*, the test loss and the EDL himself. It keeps every byte
	// produced (the stream is the MDL: small), so that after a break the
	// bytes Bob lacks can be sent again. Segments leave as soon as
	// SegmentBytes of final bytes have accumulated.
	snd, err := transmit.NewSender(sess, labels)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	if cfg.Observer != nil {
		cfg.Observer.Start(sp, in)
	}
	var sent, segments int64 // bytes handed to the current link; segments sent
	var retransmitted int64  // bytes sent again after breaks
	var reconnects int64     // links opened after a break
	lastSend := cfg.Clock.Now()
	sendSeg := func(data []byte) error {
		lastSend = cfg.Clock.Now()
		seg := &wirepb.Segment{Offset: sent, Data: data, Crc32C: wire.CRC(data)}
		if err := cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: seg}}); err != nil {
			return cur.sendErr(ctx, fmt.Sprintf("send segment at byte %d", sent), err)
		}
		sent += int64(len(data))
		segments++
		return nil
	}
	// flush sends the produced bytes not yet sent: whole segments only,
	// or everything when final.
	flush := func(final bool) error {
		all := snd.Stream()
		for int64(len(all))-sent >= int64(cfg.SegmentBytes) || (final && int64(len(all)) > sent) {
			n := min(int64(len(all))-sent, int64(cfg.SegmentBytes))
			if err := sendSeg(all[sent : sent+n : sent+n]); err != nil {
				return err
			}
			if err := cur.rx.failed(); err != nil {
				return err
			}
		}
		return nil
	}
	// resume handles a failure: a break of the stream (Bob unreachable,
	// restarted, idle, or the network) is resumed on a new link, with
	// back-off, from the bytes Bob says he holds; anything else (a refusal,
	// corruption, a desync) ends the transmission, telling Bob why.
	resume := func(cause error) error {
		if !retryable(cause) || ctx.Err() != nil || cfg.Reconnects < 0 {
			return abort(cur.stream, cause)
		}
		cur.cancel()
		<-cur.rx.done
		backoff := 100 * time.Millisecond
		for {
			if reconnects >= int64(cfg.Reconnects) {
				return fmt.Errorf("alice: gave up after %d reconnects: %w", reconnects, cause)
			}
			reconnects++
			cfg.Log.Warn("stream broken, resuming", "session", sessionID, "attempt", reconnects, "after", backoff, "cause", cause)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return fmt.Errorf("alice: stopped while resuming: %w (after %v)", ctx.Err(), cause)
			}
			backoff = min(2*backoff, 5*time.Second)
			l, from, err := openLink(true)
			if err != nil {
				if retryable(err) {
					cause = err
					continue
				}
				return err
			}
			if from < 0 || from > int64(len(snd.Stream())) {
				l.cancel()
				return fmt.Errorf("alice: bob resumes at byte %d, alice has produced %d", from, len(snd.Stream()))
			}
			retransmitted += max(0, sent-from)
			sent, cur = from, l
			return nil
		}
	}
	for !snd.Done() {
		if cfg.Pace != nil {
			if err := cfg.Pace(ctx, sess.Index()); err != nil {
				return nil, fmt.Errorf("alice: stopped before example %d: %w", sess.Index(), err)
			}
		}
		ex, err := snd.Step()
		if err != nil {
			return nil, fmt.Errorf("alice: %w", err)
		}
		if ex.Checkpoint != nil {
			led.Record(*ex.Checkpoint)
		}
		if ex.Index%4096 == 0 {
			// Bob's failure or a desync ends the pass now, not at the
			// next segment, which may be far off on a well-learned task.
			if err := cur.rx.failed(); err != nil {
				if err := resume(err); err != nil {
					return nil, err
				}
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("alice: stopped after example %d: %w", ex.Index, err)
			}
		}
		if ex.Index%256 == 0 && cfg.Clock.Since(lastSend) >= cfg.Heartbeat {
			// An empty segment: no payload, no change to the stream's
			// chunking, only a sign of life for Bob's idle timeout.
			if err := cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
				Offset: sent, Crc32C: wire.CRC(nil),
			}}}); err != nil {
				if err := resume(cur.sendErr(ctx, "send heartbeat", err)); err != nil {
					return nil, err
				}
			}
			lastSend = cfg.Clock.Now()
		}
		if err := flush(false); err != nil {
			if err := resume(err); err != nil {
				return nil, err
			}
		}
		if cfg.Observer != nil {
			cfg.Observer.Example(ex.Index, ex.Label, ex.Freqs, ex.Bytes)
			if ex.Checkpoint != nil {
				cfg.Observer.Checkpoint(*ex.Checkpoint)
			}
		}
	}
	fin, err := snd.Finish()
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	// Send the rest and Finish, and wait for Bob's Summary; a break
	// anywhere in this resumes and starts the step again.
	var sum *wirepb.Summary
	for sum == nil {
		err := flush(true)
		if err == nil {
			if err = cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Finish{Finish: wire.FinishOf(fin)}}); err != nil {
				err = cur.sendErr(ctx, "send finish", err)
			}
		}
		if err == nil {
			sum, err = cur.rx.wait(ctx)
		}
		if err != nil {
			if err := resume(err); err != nil {
				return nil, err
			}
		}
	}
	_ = cur.stream.CloseSend()
	mine := snd.Figures()
	if err := verifySummary(sum, mine, int64(len(snd.Checkpoints()))); err != nil {
		return nil, err
	}
	if left := led.Unmatched(); left > 0 {
		return nil, fmt.Errorf("alice: bob's summary came with %d of alice's checkpoints unconfirmed", left)
	}
	// Drain to the end of the RPC so its trailers are counted.
	cur.rx.drain()
	if err := writeOutputs(cfg, sess); err != nil {
		return nil, err
	}
	rep, err := newReport(sp, mine, labels.Train, snd.PassTestLoss(), sessionID, time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	rep.WireBytes = counter.Sent() + counter.Received()
	rep.TCPBytes = tcpRead.Load() + tcpWritten.Load()
	rep.Segments = segments
	rep.CheckpointsMatched = led.Matched()
	rep.Reconnects, rep.RetransmittedBytes = reconnects, retransmitted
	rep.BobVerified = true
	return rep, nil
}

// writeOutputs writes the files the configuration asks for: the final
// learner's checkpoint and its canonical parameters.
func writeOutputs(cfg Config, sess *prequential.Session) error {
	if cfg.CheckpointOut != "" {
		b, err := sess.Save()
		if err != nil {
			return fmt.Errorf("alice: %w", err)
		}
		if err := os.WriteFile(cfg.CheckpointOut, b, 0o644); err != nil {
			return fmt.Errorf("alice: write checkpoint: %w", err)
		}
	}
	if cfg.ModelOut != "" {
		b, err := model.Encode(sess.Model())
		if err != nil {
			return fmt.Errorf("alice: %w", err)
		}
		if err := os.WriteFile(cfg.ModelOut, b, 0o644); err != nil {
			return fmt.Errorf("alice: write model: %w", err)
		}
	}
	return nil
}

// Local is a transmission without the network (edl run): Alice's Sender
// and Bob's Receiver, each with its own session, joined in memory
// (transmit.Pipe), so the report is verified as a wire run's is: every
// checkpoint matched and Bob's figures equal to the bit. The wire fields
// stay zero. It returns the report and Alice's session, whose model is θ*.
func Local(cfg Config) (*Report, *prequential.Session, error) {
	start := time.Now()
	sp := cfg.Spec
	in, labels, err := buildTask(sp, cfg.Data, cfg.TestData)
	if err != nil {
		return nil, nil, err
	}
	opts := prequential.Options{Workers: max(1, cfg.Workers), HeldOut: true}
	a, err := prequential.NewFromBase(sp, in, cfg.Base, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	b, err := prequential.NewFromBase(sp, in, cfg.Base, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	p, err := transmit.Pipe(a, b, labels, transmit.PipeHooks{Progress: cfg.Progress})
	if err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	rep, err := newReport(sp, p.Figures, labels.Train, p.Sender.PassTestLoss(), "local", time.Since(start).Seconds())
	if err != nil {
		return nil, nil, err
	}
	rep.CheckpointsMatched, rep.BobVerified = p.CheckpointsMatched, true
	return rep, a, nil
}

// buildTask makes the inputs and labels of the spec's task.
func buildTask(sp spec.Spec, data, test *task.Table) (*task.Inputs, *task.Labels, error) {
	in, labels, err := task.Build(sp, data, test)
	if err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	return in, labels, nil
}

// verifySummary compares Bob's figures with Alice's, field by field and
// to the bit, and his count of checkpoints with hers.
func verifySummary(sum *wirepb.Summary, mine transmit.Figures, checkpoints int64) error {
	d := mine.Diff(wire.FiguresFrom(sum))
	if sum.GetCheckpoints() != checkpoints {
		d = append(d, fmt.Sprintf("checkpoints %d != %d", sum.GetCheckpoints(), checkpoints))
	}
	if len(d) > 0 {
		return fmt.Errorf("alice: bob's summary disagrees (bob != alice): %s", strings.Join(d, "; "))
	}
	return nil
}

func zstdBits(raw []byte) (int64, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return 0, fmt.Errorf("alice: zstd: %w", err)
	}
	defer enc.Close()
	return 8 * int64(len(enc.EncodeAll(raw, nil))), nil
}

func newSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

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

// LoadData reads a labelled dataset for the file task: CSV or JSON Lines,
// gzip allowed (task.ReadTable); labelColumn is a 0-based index or a header
// name or key ("" = the last column).
func LoadData(path, labelColumn string) (*task.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	defer f.Close()
	t, err := task.ReadTable(f, filepath.Base(path), labelColumn, true)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	return t, nil
}
