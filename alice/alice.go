package alice

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/report"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Report is Alice's result for one transmission (see shared/report).
type Report = report.Report

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
	cfg.setDefaults()
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
	// The Sender codes every label — the training labels, then the
	// validation labels (against the pass model) and the test labels
	// (against θ*), which Bob learns only so and from which he verifies
	// θ*, the test loss and the EDL himself. It keeps every byte produced
	// (the stream is the MDL: small), so that after a break the bytes Bob
	// lacks can be sent again.
	snd, err := transmit.NewSender(sess, labels)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	c, err := dialBob(&cfg)
	if err != nil {
		return nil, err
	}
	defer c.cc.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{cfg: &cfg, ctx: ctx, client: wirepb.NewTransmissionClient(c.cc), sessionID: newSessionID(),
		specHash: sp.Hash(), led: newLedger(), snd: snd, lastSend: cfg.Clock.Now()}
	if r.cur, _, err = r.openLink(false); err != nil {
		return nil, err
	}
	defer func() { r.cur.cancel() }()
	cfg.Log.Info("welcomed", "bob", cfg.Bob, "session", r.sessionID)
	if cfg.Observer != nil {
		cfg.Observer.Start(sp, in)
	}
	for !snd.Done() {
		if err := r.step(); err != nil {
			return nil, err
		}
	}
	sum, err := r.finish()
	if err != nil {
		return nil, err
	}
	mine := snd.Figures()
	if err := verifySummary(sum, mine, int64(len(snd.Checkpoints()))); err != nil {
		return nil, err
	}
	if left := r.led.Unmatched(); left > 0 {
		return nil, fmt.Errorf("alice: bob's summary came with %d of alice's checkpoints unconfirmed", left)
	}
	// Drain to the end of the RPC so its trailers are counted.
	r.cur.rx.drain()
	if err := writeOutputs(cfg, sess); err != nil {
		return nil, err
	}
	rep, err := report.New(sp, mine, labels.Train, snd.PassTestLoss(), r.sessionID, time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	rep.WireBytes = c.counter.Sent() + c.counter.Received()
	rep.TCPBytes = c.tcpRead.Load() + c.tcpWritten.Load()
	rep.Segments = r.segments
	rep.CheckpointsMatched = r.led.Matched()
	rep.Reconnects, rep.RetransmittedBytes = r.reconnects, r.retransmitted
	rep.BobVerified = true
	return rep, nil
}

// setDefaults fills the zero fields that have defaults.
func (c *Config) setDefaults() {
	if c.SegmentBytes == 0 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = HeartbeatEvery
	}
	if c.Reconnects == 0 {
		c.Reconnects = DefaultReconnects
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
}

// run is one transmission over the wire: the Sender's stream, the link
// that carries it now (a resume replaces it), and what the report counts.
type run struct {
	cfg       *Config
	ctx       context.Context
	client    wirepb.TransmissionClient
	sessionID string
	specHash  [32]byte
	led       *ledger
	snd       *transmit.Sender
	cur       *link

	sent          int64 // bytes handed to the current link
	segments      int64 // segments sent
	retransmitted int64 // bytes sent again after breaks
	reconnects    int64 // links opened after a break
	lastSend      time.Time
}

// openLink starts one Transmit call: Hello (resume after a break),
// Welcome, and the goroutine that checks Bob's checkpoints. It returns
// the bytes Bob holds.
func (r *run) openLink(resume bool) (*link, int64, error) {
	cfg := r.cfg
	lctx, lcancel := context.WithCancel(r.ctx)
	stream, err := r.client.Transmit(lctx)
	if err != nil {
		lcancel()
		return nil, 0, cfg.explain(bobErr(fmt.Sprintf("open stream to bob at %s", cfg.Bob), err))
	}
	if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
		ProtocolVersion: wire.ProtocolVersion,
		SpecCanonical:   cfg.Spec.Canonical(),
		SpecHash:        r.specHash[:],
		SessionId:       r.sessionID,
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
	if !bytes.Equal(w.GetSpecHash(), r.specHash[:]) {
		lcancel()
		return nil, 0, fmt.Errorf("alice: bob built spec hash %x, want %x", w.GetSpecHash(), r.specHash[:])
	}
	l := &link{stream: stream, cancel: lcancel, rx: newReceiver(stream, r.led)}
	go l.rx.run()
	return l, w.GetResumeOffset(), nil
}

// step codes one example, records its checkpoint, keeps Bob's idle
// timeout fed and sends the segments that are full.
func (r *run) step() error {
	cfg, cur := r.cfg, r.cur
	if cfg.Pace != nil {
		if err := cfg.Pace(r.ctx, r.snd.Index()); err != nil {
			return fmt.Errorf("alice: stopped before example %d: %w", r.snd.Index(), err)
		}
	}
	ex, err := r.snd.Step()
	if err != nil {
		return fmt.Errorf("alice: %w", err)
	}
	if ex.Checkpoint != nil {
		r.led.Record(*ex.Checkpoint)
	}
	if ex.Index%4096 == 0 {
		// Bob's failure or a desync ends the pass now, not at the next
		// segment, which may be far off on a well-learned task.
		if err := cur.rx.failed(); err != nil {
			if err := r.resume(err); err != nil {
				return err
			}
		}
		if err := r.ctx.Err(); err != nil {
			return fmt.Errorf("alice: stopped after example %d: %w", ex.Index, err)
		}
	}
	if ex.Index%256 == 0 && cfg.Clock.Since(r.lastSend) >= cfg.Heartbeat {
		// An empty segment: no payload, no change to the stream's
		// chunking, only a sign of life for Bob's idle timeout.
		if err := r.cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
			Offset: r.sent, Crc32C: wire.CRC(nil),
		}}}); err != nil {
			if err := r.resume(r.cur.sendErr(r.ctx, "send heartbeat", err)); err != nil {
				return err
			}
		}
		r.lastSend = cfg.Clock.Now()
	}
	if err := r.flush(false); err != nil {
		if err := r.resume(err); err != nil {
			return err
		}
	}
	if cfg.Observer != nil {
		cfg.Observer.Example(ex.Index, ex.Label, ex.Freqs, ex.Bytes)
		if ex.Checkpoint != nil {
			cfg.Observer.Checkpoint(*ex.Checkpoint)
		}
	}
	return nil
}

// flush sends the produced bytes not yet sent: whole segments only, or
// everything when final. Segments leave as soon as SegmentBytes of final
// bytes have accumulated.
func (r *run) flush(final bool) error {
	all, size := r.snd.Stream(), int64(r.cfg.SegmentBytes)
	for int64(len(all))-r.sent >= size || (final && int64(len(all)) > r.sent) {
		n := min(int64(len(all))-r.sent, size)
		data := all[r.sent : r.sent+n : r.sent+n]
		r.lastSend = r.cfg.Clock.Now()
		seg := &wirepb.Segment{Offset: r.sent, Data: data, Crc32C: wire.CRC(data)}
		if err := r.cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: seg}}); err != nil {
			return r.cur.sendErr(r.ctx, fmt.Sprintf("send segment at byte %d", r.sent), err)
		}
		r.sent += n
		r.segments++
		if err := r.cur.rx.failed(); err != nil {
			return err
		}
	}
	return nil
}

// finish ends the stream: the rest of the bytes, Finish, and Bob's
// Summary; a break anywhere in this resumes and starts it again.
func (r *run) finish() (*wirepb.Summary, error) {
	fin, err := r.snd.Finish()
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	var sum *wirepb.Summary
	for sum == nil {
		err := r.flush(true)
		if err == nil {
			if err = r.cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Finish{Finish: wire.FinishOf(fin)}}); err != nil {
				err = r.cur.sendErr(r.ctx, "send finish", err)
			}
		}
		if err == nil {
			sum, err = r.cur.rx.wait(r.ctx)
		}
		if err != nil {
			if err := r.resume(err); err != nil {
				return nil, err
			}
		}
	}
	_ = r.cur.stream.CloseSend()
	return sum, nil
}

// resume handles a failure: a break of the stream (Bob unreachable,
// restarted, idle, or the network) is resumed on a new link, with back-off,
// from the bytes Bob says he holds; anything else (a refusal, corruption, a
// desync) ends the transmission, telling Bob why.
func (r *run) resume(cause error) error {
	cfg := r.cfg
	if !retryable(cause) || r.ctx.Err() != nil || cfg.Reconnects < 0 {
		return abort(r.cur.stream, cause)
	}
	r.cur.cancel()
	<-r.cur.rx.done
	backoff := 100 * time.Millisecond
	for {
		if r.reconnects >= int64(cfg.Reconnects) {
			return fmt.Errorf("alice: gave up after %d reconnects: %w", r.reconnects, cause)
		}
		r.reconnects++
		cfg.Log.Warn("stream broken, resuming", "session", r.sessionID, "attempt", r.reconnects, "after", backoff, "cause", cause)
		select {
		case <-time.After(backoff):
		case <-r.ctx.Done():
			return fmt.Errorf("alice: stopped while resuming: %w (after %v)", r.ctx.Err(), cause)
		}
		backoff = min(2*backoff, 5*time.Second)
		l, from, err := r.openLink(true)
		if err != nil {
			if retryable(err) {
				cause = err
				continue
			}
			return err
		}
		if produced := int64(len(r.snd.Stream())); from < 0 || from > produced {
			l.cancel()
			return fmt.Errorf("alice: bob resumes at byte %d, alice has produced %d", from, produced)
		}
		r.retransmitted += max(0, r.sent-from)
		r.sent, r.cur = from, l
		return nil
	}
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
	rep, err := report.New(sp, p.Figures, labels.Train, p.Sender.PassTestLoss(), report.LocalSession, time.Since(start).Seconds())
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

func newSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
