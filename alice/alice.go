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

	"github.com/edlwire/edlwire/proto/predictor"
	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/checkpoint"
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
	ModelOut      string    // if set, the final canonical parameters (model external: the plugin's saved state) are written here
	Base          []byte    // the base checkpoint file the spec names (base_sha256), as read by the caller; nil without one
	CheckpointOut string    // if set, a checkpoint of the final learner (model and optimizer state; model external: the plugin's saved state) is written here
	Timeout       time.Duration
	Log           *slog.Logger
	Data          *task.Table      // the dataset of the file task (see LoadData, UseData)
	TestData      *task.Table      // the file task's separate test file, if the spec names one (UseTestData)
	Workers       int              // goroutines for large layers (speed only; results are identical)
	Predictor     predictor.Launch // model external: the plugin each session starts (one for Local's each side)
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
	// MaxMemory is Alice's memory budget in bytes: a spec whose estimate
	// (spec.MemoryEstimate) exceeds it is refused before anything is
	// generated. Zero means DefaultMaxMemory; negative means no budget.
	MaxMemory int64
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

// DefaultMaxMemory is Alice's default budget: 16 GiB leaves a 24 GiB
// machine room for Bob and the system when both run on it. A fixed figure,
// not a share of the machine's memory, so that whether a spec is accepted
// does not depend on where it runs.
const DefaultMaxMemory = 16 << 30

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
	} else if err := c.checkMemory(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Predictor.Validate(c.Spec); err != nil {
		errs = append(errs, fmt.Errorf("alice: %w", err))
	}
	return errors.Join(errs...)
}

// checkMemory refuses a spec whose estimated memory exceeds the budget,
// before any input is generated: an allocation that does not fit is a fatal
// runtime error, which no caller could handle.
func (c *Config) checkMemory() error {
	budget := c.MaxMemory
	if budget == 0 {
		budget = DefaultMaxMemory
	}
	if err := (spec.Limits{MaxMemory: budget}).Check(c.Spec); err != nil {
		return fmt.Errorf("alice: %w", err)
	}
	return nil
}

// CheckLocalMemory refuses a spec whose Local run would exceed budget
// (0: DefaultMaxMemory; negative: none): the sender's session and the
// receiver's share the inputs and each hold the rest.
func CheckLocalMemory(sp spec.Spec, budget int64) error {
	if budget == 0 {
		budget = DefaultMaxMemory
	}
	if err := (spec.Limits{MaxMemory: budget, Sessions: 2}).Check(sp); err != nil {
		return fmt.Errorf("alice: %w", err)
	}
	return nil
}

// Run performs one transmission and returns Alice's report.
//
// When ctx ends (the caller's cancellation, a signal; or cfg.Timeout) the
// error says so and how far she got: the cancellation is hers, and the
// Canceled status her own gRPC stack reports must not read as Bob's. Pass a
// context cancelled with a cause (context.WithCancelCause) to name it.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.Timeout,
			fmt.Errorf("alice: her timeout of %v ran out: %w", cfg.Timeout, context.DeadlineExceeded))
		defer cancel()
	}
	var r *run
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = r.stopped(ctx)
		}
	}()
	return send(ctx, cfg, &r)
}

// stopped is the error of a run that ctx ended, naming the cause and how far
// Alice got. r may be nil (stopped before Bob welcomed her).
func (r *run) stopped(ctx context.Context) error {
	cause := context.Cause(ctx)
	if r == nil || r.snd == nil {
		return fmt.Errorf("alice: stopped before coding anything: %w", cause)
	}
	return fmt.Errorf("alice: stopped after coding %d of %d examples, %d bytes sent to bob: %w",
		r.snd.Index(), r.snd.Total(), r.sent, cause)
}

// send is Run's work once the configuration is checked; it sets *out as
// soon as the run exists, so Run can say how far it got.
func send(ctx context.Context, cfg Config, out **run) (*Report, error) {
	start := time.Now()
	sp := cfg.Spec
	// The inputs are built while Bob checks the Hello and builds his own:
	// a refusal (his limits, a spec he cannot build) reaches Alice as soon
	// as he sends it, not after she has spent minutes generating inputs for
	// nothing, and an accepted spec costs no extra wait. A refused run
	// leaves the build to finish in the background, within the budget
	// Validate checked.
	// A base of another architecture than the spec's is Alice's own
	// mistake: refused here, naming the fields, before Bob is contacted.
	if sp.Base != "" {
		c, err := checkpoint.OpenBase(sp, cfg.Base)
		if err == nil {
			_, err = model.NewFromBase(sp, c.Model)
		}
		if err != nil {
			return nil, fmt.Errorf("alice: %w", err)
		}
	}
	built := make(chan builtTask, 1)
	go func() {
		in, labels, err := buildTask(sp, cfg.Data, cfg.TestData)
		built <- builtTask{in, labels, err}
	}()
	c, err := dialBob(&cfg)
	if err != nil {
		return nil, err
	}
	defer c.cc.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{cfg: &cfg, ctx: ctx, client: wirepb.NewTransmissionClient(c.cc), sessionID: newSessionID(),
		specHash: sp.Hash(), led: newLedger()}
	*out = r
	if r.cur, _, err = r.openLink(false); err != nil {
		return nil, err
	}
	defer func() { r.cur.cancel() }()
	var b builtTask
	select {
	case b = <-built:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if b.err != nil {
		return nil, b.err
	}
	in, labels := b.in, b.labels
	opts := prequential.Options{Workers: cfg.Workers, HeldOut: true, TranscriptWindow: prequential.DefaultTranscriptWindow(sp), Tick: r.tick}
	stopPlugin, err := cfg.Predictor.Start(ctx, sp, &opts)
	defer stopPlugin()
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	sess, err := prequential.NewFromBase(sp, in, cfg.Base, opts)
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
	r.snd, r.lastSend = snd, cfg.Clock.Now()
	cfg.Log.Info("welcomed", "bob", cfg.Bob, "session", r.sessionID)
	if cfg.Observer != nil {
		cfg.Observer.Start(sp, in)
	}
	for !snd.Done() {
		if err := r.step(); err != nil {
			return nil, diverged(sp, err)
		}
	}
	sum, err := r.finish()
	if err != nil {
		return nil, diverged(sp, err)
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
	rep, err := report.New(sp, mine, snd.LabelBytes(), snd.PassTestLoss(), r.sessionID, time.Since(start).Seconds())
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

// tick keeps Bob's idle timeout fed while a step trains a block model of
// the blockwise code (minutes, without a label coded): an empty segment
// when she has been silent for cfg.Heartbeat. A failed send is left to the
// next step's, which resumes.
func (r *run) tick() {
	if r.cur == nil || r.snd == nil || r.cfg.Clock.Since(r.lastSend) < r.cfg.Heartbeat {
		return
	}
	_ = r.cur.stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
		Offset: r.sent, Crc32C: wire.CRC(nil),
	}}})
	r.lastSend = r.cfg.Clock.Now()
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
		// Her own failure (a predictor plugin that crashed or answered
		// nonsense): Bob is told why, not left waiting for a resume.
		return r.abortOwn(fmt.Errorf("alice: example %d: %w", r.snd.Index(), err))
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
		if bo, ok := cfg.Observer.(prequential.BlockObserver); ok {
			if b, m, begun := r.snd.Session().BlockBegun(); begun {
				bo.Block(b, m)
			}
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
		return nil, r.abortOwn(fmt.Errorf("alice: %w", err))
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
		r.locate(cause)
		err := abort(r.cur.stream, cause)
		r.awaitEnd()
		return err
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
		if from == 0 && r.sent > 0 {
			// Bob evicted the suspended transmission (his memory budget)
			// or restarted without --state-dir: the whole stream again.
			cfg.Log.Warn("bob no longer holds the transmission: sending it again from byte 0", "session", r.sessionID, "bytes", r.sent)
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
		b, err := sess.EncodeModel()
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
	if err := sp.Validate(); err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	if err := CheckLocalMemory(sp, cfg.MaxMemory); err != nil {
		return nil, nil, err
	}
	in, labels, err := buildTask(sp, cfg.Data, cfg.TestData)
	if err != nil {
		return nil, nil, err
	}
	// Each side its own session, and with model external its own plugin.
	side := func() (*prequential.Session, func(), error) {
		opts := prequential.Options{Workers: max(1, cfg.Workers), HeldOut: true, TranscriptWindow: prequential.DefaultTranscriptWindow(sp)}
		stop, err := cfg.Predictor.Start(context.Background(), sp, &opts)
		if err != nil {
			return nil, stop, fmt.Errorf("alice: %w", err)
		}
		s, err := prequential.NewFromBase(sp, in, cfg.Base, opts)
		if err != nil {
			return nil, stop, fmt.Errorf("alice: %w", err)
		}
		// Bob's side walks the inputs behind Alice's: a cursor of his
		// own keeps each stream sequential (task.Inputs.Fork).
		in = in.Fork()
		return s, stop, nil
	}
	a, stopA, err := side()
	defer stopA()
	if err != nil {
		return nil, nil, err
	}
	b, stopB, err := side()
	defer stopB()
	if err != nil {
		return nil, nil, err
	}
	p, err := transmit.Pipe(a, b, labels, transmit.PipeHooks{Progress: cfg.Progress})
	if err != nil {
		return nil, nil, diverged(sp, fmt.Errorf("alice: %w", err))
	}
	rep, err := report.New(sp, p.Figures, p.Sender.LabelBytes(), p.Sender.PassTestLoss(), report.LocalSession, time.Since(start).Seconds())
	if err != nil {
		return nil, nil, err
	}
	rep.CheckpointsMatched, rep.BobVerified = p.CheckpointsMatched, true
	return rep, a, nil
}

// builtTask is what buildTask returns, sent from the goroutine that builds.
type builtTask struct {
	in     *task.Inputs
	labels *task.Labels
	err    error
}

// diverged names a checkpoint mismatch for what it is: the two learners
// computed different distributions (for an external model, two plugins:
// another build, CPU, seed or a non-deterministic op), from the example
// Locate found, when it did.
func diverged(sp spec.Spec, err error) error {
	var d *transmit.DesyncError
	if !errors.As(err, &d) {
		return err
	}
	what := "models"
	if sp.Model == spec.ModelExternal {
		what = "predictors"
	}
	from := ""
	if d.Located() {
		from = fmt.Sprintf(" from example %d", d.First)
	}
	return fmt.Errorf("alice: %s diverged at checkpoint %d (example %d)%s: %w", what, d.Example/sp.CheckpointEvery, d.Example, from, err)
}

// buildTask makes the inputs and labels of the spec's task; a seeded task's
// inputs and labels are streamed (task.BuildStream), so they do not grow
// with n. The labels read the inputs' rows through the cursor of the
// session given in: Alice's.
func buildTask(sp spec.Spec, data, test *task.Table) (*task.Inputs, *task.Labels, error) {
	in, labels, err := task.BuildStream(sp, data, test)
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
