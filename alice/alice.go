package alice

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Config is one transmission.
type Config struct {
	Bob          string    // Bob's HOST:PORT
	Spec         spec.Spec // the experiment
	SegmentBytes int       // coded bytes per segment (the last may be shorter)
	ModelOut     string    // if set, the final canonical parameters are written here
	Timeout      time.Duration
	Log          *slog.Logger
	Data         *task.Table // the dataset of the file task (see LoadData, UseData)
	Workers      int         // goroutines for large layers (speed only; results are identical)
	// Dial, if set, replaces the TCP dialer (tests use grpc's bufconn).
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// TLS, if set, secures the connection (RootCAs to verify Bob, and
	// Certificates for mutual TLS); nil is plaintext, which the command
	// allows only to loopback or with --insecure.
	TLS *tls.Config
	// Token, if set, is sent as "authorization: Bearer TOKEN" on the call.
	Token []byte
	// Heartbeat is the longest Alice stays silent mid-stream: if she has
	// sent nothing for this long she sends an empty segment, so that Bob's
	// idle timeout ends only a stuck Alice, never one that is computing.
	// Zero means HeartbeatEvery.
	Heartbeat time.Duration
}

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
	in, labels, err := buildTask(sp, cfg.Data)
	if err != nil {
		return nil, err
	}
	sess, err := prequential.NewWithOptions(sp, in, prequential.Options{Workers: cfg.Workers, HeldOut: true})
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	enc, err := coder.NewEncoder(uint(sp.Precision))
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
	conn, err := grpc.NewClient("passthrough:///"+cfg.Bob, opts...)
	if err != nil {
		return nil, fmt.Errorf("alice: connect to bob at %s: %w", cfg.Bob, err)
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := wirepb.NewTransmissionClient(conn).Transmit(ctx)
	if err != nil {
		return nil, cfg.explain(fmt.Errorf("alice: open stream to bob at %s: %w", cfg.Bob, err))
	}
	sessionID := newSessionID()
	specHash := sp.Hash()
	if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
		ProtocolVersion: wire.ProtocolVersion,
		Spec:            wire.SpecToProto(sp),
		SpecHash:        specHash[:],
		SessionId:       sessionID,
	}}}); err != nil {
		return nil, cfg.explain(streamErr(stream, "send hello", err))
	}
	first, err := stream.Recv()
	if err != nil {
		return nil, cfg.explain(bobErr("hello refused", err))
	}
	if first.GetWelcome() == nil {
		return nil, fmt.Errorf("alice: bob answered hello with %T, want welcome", first.GetMsg())
	}
	if !bytes.Equal(first.GetWelcome().GetSpecHash(), specHash[:]) {
		return nil, fmt.Errorf("alice: bob built spec hash %x, want %x", first.GetWelcome().GetSpecHash(), specHash[:])
	}
	cfg.Log.Info("welcomed", "bob", cfg.Bob, "session", sessionID)

	rx := newReceiver(stream)
	go rx.run()

	// The coded pass: one Session step per example; segments leave as soon
	// as SegmentBytes of final bytes have accumulated.
	// After the training labels come the validation labels (coded against
	// the pass model) and the test labels (against θ*): Bob learns them
	// only so, and verifies θ*, the test loss and the EDL himself.
	all := make([]int, 0, sess.Total())
	all = append(append(append(all, labels.Train...), labels.Valid...), labels.Test...)
	le := &prequential.LabelEncoder{Enc: enc, Labels: all}
	mdlBytes := int64(-1)
	var passTestLoss float64
	var pending []byte
	var offset, segments int64
	lastSend := time.Now()
	send := func(data []byte) error {
		lastSend = time.Now()
		seg := &wirepb.Segment{Offset: offset, Data: data, Crc32C: wire.CRC(data), ExamplesEnd: sess.Index()}
		if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: seg}}); err != nil {
			return streamErr(stream, fmt.Sprintf("send segment at byte %d", offset), err)
		}
		offset += int64(len(data))
		segments++
		return nil
	}
	for !sess.Done() {
		res, err := sess.Step(le)
		if err != nil {
			return nil, fmt.Errorf("alice: %w", err)
		}
		if res.Checkpoint != nil {
			rx.record(*res.Checkpoint)
		}
		if res.Index%4096 == 0 {
			// Bob's failure or a desync ends the pass now, not at the
			// next segment, which may be far off on a well-learned task.
			if err := rx.failed(); err != nil {
				return nil, abort(stream, err)
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("alice: stopped after example %d: %w", res.Index, err)
			}
		}
		if res.Index%256 == 0 && time.Since(lastSend) >= cfg.Heartbeat {
			// An empty segment: no payload, no change to the stream's
			// chunking, only a sign of life for Bob's idle timeout.
			if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
				Offset: offset, Crc32C: wire.CRC(nil), ExamplesEnd: sess.Index(),
			}}}); err != nil {
				return nil, streamErr(stream, "send heartbeat", err)
			}
			lastSend = time.Now()
		}
		pending = append(pending, enc.Take()...)
		if res.PhaseEnd {
			// The coder flush ends the phase's bytes exactly, so the pass's
			// bytes alone are the MDL.
			pending = append(pending, enc.Flush()...)
			if mdlBytes < 0 {
				mdlBytes = enc.Len()
				// The pass model's test loss, before θ* replaces it.
				if passTestLoss, err = edl.TestLossBits(sess.Model(), &in.Test, labels.Test); err != nil {
					return nil, fmt.Errorf("alice: %w", err)
				}
			}
		}
		for len(pending) >= cfg.SegmentBytes {
			if err := send(pending[:cfg.SegmentBytes:cfg.SegmentBytes]); err != nil {
				return nil, err
			}
			pending = pending[cfg.SegmentBytes:]
			if err := rx.failed(); err != nil {
				return nil, abort(stream, err)
			}
		}
	}
	pending = append(pending, enc.Finish()...)
	for len(pending) > 0 {
		n := min(len(pending), cfg.SegmentBytes)
		if err := send(pending[:n:n]); err != nil {
			return nil, err
		}
		pending = pending[n:]
	}
	final := sess.LastCheckpoint()
	payload := enc.Len()
	if err := stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Finish{Finish: &wirepb.Finish{
		Examples:     sess.Index(),
		PayloadBytes: payload,
		Fingerprint:  final.Fingerprint[:],
		Transcript:   final.Transcript[:],
		MdlBytes:     mdlBytes,
	}}}); err != nil {
		return nil, streamErr(stream, "send finish", err)
	}

	sum, err := rx.wait(ctx)
	if err != nil {
		var d *desyncError
		if errors.As(err, &d) {
			return nil, abort(stream, err)
		}
		return nil, err
	}
	_ = stream.CloseSend()
	labelBytes := edl.LabelBytes(labels.Train, int(sp.Classes))
	labelsSum := sha256.Sum256(labelBytes)
	held := sess.HeldOut()
	if err := verifySummary(sum, sess.Index(), payload, mdlBytes, held, final, labelsSum); err != nil {
		return nil, err
	}
	if left := rx.unmatched(); left > 0 {
		return nil, fmt.Errorf("alice: bob's summary came with %d of alice's checkpoints unconfirmed", left)
	}
	// Drain to the end of the RPC so its trailers are counted.
	rx.drain()
	elapsed := time.Since(start).Seconds()

	zbits, err := zstdBits(labelBytes)
	if err != nil {
		return nil, err
	}
	if cfg.ModelOut != "" {
		b, err := model.Encode(sess.Model())
		if err != nil {
			return nil, fmt.Errorf("alice: %w", err)
		}
		if err := os.WriteFile(cfg.ModelOut, b, 0o644); err != nil {
			return nil, fmt.Errorf("alice: write model: %w", err)
		}
	}
	acct := sess.Accounting()
	coded := 8 * mdlBytes
	rep := &Report{
		Event:              "result",
		SessionID:          sessionID,
		SpecHash:           hex.EncodeToString(specHash[:]),
		N:                  sp.N,
		Test:               sp.Test,
		Classes:            sp.Classes,
		Params:             sp.NumParams(),
		Validation:         sp.Validation,
		PayloadBytes:       payload,
		CodedBits:          coded,
		HeldOutBits:        8 * (payload - mdlBytes),
		IdealBits:          acct.IdealBits,
		QuantizedIdealBits: acct.QuantizedIdealBits,
		UniformBits:        edl.UniformBits(sp.N, int(sp.Classes)),
		ZstdBits:           zbits,
		WireBytes:          counter.Sent() + counter.Received(),
		TCPBytes:           tcpRead.Load() + tcpWritten.Load(),
		Segments:           segments,

		Fingerprint:        hex.EncodeToString(final.Fingerprint[:]),
		LabelsSHA256:       hex.EncodeToString(labelsSum[:]),
		CheckpointsMatched: rx.matched.Load(),
		BobVerified:        true,
		ElapsedSeconds:     elapsed,
		LabelsPerSecond:    float64(sp.N) / elapsed,
	}
	rep.ThetaEpochs, rep.ThetaBestEpoch = held.Converged.Epochs, held.Converged.BestEpoch
	if sp.Test > 0 {
		testLoss := held.TestLossBits
		e := edl.EDL(float64(coded), sp.N, testLoss)
		rep.TestLossBits, rep.EDLBits = &testLoss, &e
		pe := edl.EDL(float64(coded), sp.N, passTestLoss)
		rep.PassTestLossBits, rep.PassEDLBits = &passTestLoss, &pe
	}
	return rep, nil
}

// buildTask makes the inputs and labels of the spec's task.
func buildTask(sp spec.Spec, data *task.Table) (*task.Inputs, *task.Labels, error) {
	var (
		in     *task.Inputs
		labels *task.Labels
		err    error
	)
	if sp.Task == spec.TaskFile {
		if data == nil {
			return nil, nil, errors.New("alice: the file task needs --data FILE")
		}
		if in, err = task.NewFileInputs(sp, data); err == nil {
			labels, err = task.NewFileLabels(sp, data)
		}
	} else if in, err = task.NewInputs(sp); err == nil {
		labels, err = task.NewLabels(sp, in)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("alice: %w", err)
	}
	return in, labels, nil
}

func verifySummary(sum *wirepb.Summary, n, payload, mdl int64, held prequential.HeldOut, final prequential.Checkpoint, labels [32]byte) error {
	var errs []error
	if sum.GetMdlBytes() != mdl {
		errs = append(errs, fmt.Errorf("training pass bytes (MDL) %d != %d", sum.GetMdlBytes(), mdl))
	}
	// Bob's test loss is his own arithmetic on the labels he decoded: equal
	// bits, not a tolerance.
	if got, want := sum.GetTestLossBits(), held.TestLossBits; math.Float64bits(got) != math.Float64bits(want) {
		errs = append(errs, fmt.Errorf("test loss %v != %v bits", got, want))
	}
	if sum.GetThetaEpochs() != held.Converged.Epochs {
		errs = append(errs, fmt.Errorf("θ* epochs %d != %d", sum.GetThetaEpochs(), held.Converged.Epochs))
	}
	if sum.GetExamples() != n {
		errs = append(errs, fmt.Errorf("examples %d != %d", sum.GetExamples(), n))
	}
	if sum.GetPayloadBytes() != payload {
		errs = append(errs, fmt.Errorf("payload bytes %d != %d", sum.GetPayloadBytes(), payload))
	}
	if !bytes.Equal(sum.GetFingerprint(), final.Fingerprint[:]) {
		errs = append(errs, fmt.Errorf("fingerprint %x != %x", sum.GetFingerprint(), final.Fingerprint[:]))
	}
	if !bytes.Equal(sum.GetLabelsSha256(), labels[:]) {
		errs = append(errs, fmt.Errorf("labels sha256 %x != %x", sum.GetLabelsSha256(), labels[:]))
	}
	if len(errs) > 0 {
		return fmt.Errorf("alice: bob's summary disagrees (bob != alice): %w", errors.Join(errs...))
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

// errDesync marks a checkpoint mismatch found by the receiver.
var errDesync = errors.New("alice: bob's model diverged")

// abort tells Bob why Alice stops, then returns err.
func abort(stream wirepb.Transmission_TransmitClient, err error) error {
	ex := int64(-1)
	var d *desyncError
	if errors.As(err, &d) {
		ex = d.example
	}
	_ = stream.Send(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: ex, Reason: err.Error()}}})
	_ = stream.CloseSend()
	return err
}

// streamErr turns a failed Send into the error that explains it: gRPC
// reports io.EOF on Send and the real status on Recv.
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
			return fmt.Errorf("alice: %s: bob is unreachable or went away: %s", what, st.Message())
		case codes.DeadlineExceeded:
			return fmt.Errorf("alice: %s: timed out: %s", what, st.Message())
		}
		if st.Code() == codes.ResourceExhausted && strings.Contains(st.Message(), "larger than max") {
			return fmt.Errorf("alice: %s: bob says %s: %s (bob's --max-message-bytes, or alice's --segment-bytes)", what, st.Code(), st.Message())
		}
		return fmt.Errorf("alice: %s: bob says %s: %s", what, st.Code(), st.Message())
	}
	return fmt.Errorf("alice: %s: %w", what, err)
}

// desyncError is a checkpoint mismatch at a known example.
type desyncError struct {
	example int64
	detail  string
}

func (e *desyncError) Error() string {
	return fmt.Sprintf("alice: desync at example %d: %s", e.example, e.detail)
}
func (e *desyncError) Unwrap() error { return errDesync }

// GRPCStatus lets status.FromError see a desync as DataLoss.
func (e *desyncError) GRPCStatus() *status.Status { return status.New(codes.DataLoss, e.Error()) }

// receiver reads Bob's messages on its own goroutine and checks his
// checkpoints against the ones Alice recorded.
type receiver struct {
	stream  wirepb.Transmission_TransmitClient
	mu      sync.Mutex
	mine    map[int64]prequential.Checkpoint
	err     error
	summary *wirepb.Summary
	done    chan struct{}
	matched atomic.Int64
}

func newReceiver(s wirepb.Transmission_TransmitClient) *receiver {
	return &receiver{stream: s, mine: make(map[int64]prequential.Checkpoint), done: make(chan struct{})}
}

func (r *receiver) record(cp prequential.Checkpoint) {
	r.mu.Lock()
	r.mine[cp.Example] = cp
	r.mu.Unlock()
}

func (r *receiver) run() {
	defer close(r.done)
	for {
		msg, err := r.stream.Recv()
		if err != nil {
			r.setErr(bobErr("receive", err))
			return
		}
		switch m := msg.GetMsg().(type) {
		case *wirepb.BobMessage_Checkpoint:
			if err := r.check(m.Checkpoint); err != nil {
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

func (r *receiver) check(cp *wirepb.Checkpoint) error {
	r.mu.Lock()
	mine, ok := r.mine[cp.GetExample()]
	delete(r.mine, cp.GetExample())
	r.mu.Unlock()
	switch {
	case !ok:
		return &desyncError{example: cp.GetExample(), detail: "bob reported a checkpoint alice never took"}
	case !bytes.Equal(cp.GetTranscript(), mine.Transcript[:]):
		return &desyncError{example: cp.GetExample(), detail: fmt.Sprintf("transcript %x (bob) != %x (alice)", cp.GetTranscript(), mine.Transcript[:])}
	case !bytes.Equal(cp.GetFingerprint(), mine.Fingerprint[:]):
		return &desyncError{example: cp.GetExample(), detail: fmt.Sprintf("fingerprint %x (bob) != %x (alice)", cp.GetFingerprint(), mine.Fingerprint[:])}
	}
	r.matched.Add(1)
	return nil
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

// unmatched counts Alice's checkpoints Bob never confirmed.
func (r *receiver) unmatched() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.mine)
}

// drain reads to the end of the RPC (Bob's trailers).
func (r *receiver) drain() {
	for {
		if _, err := r.stream.Recv(); err != nil {
			return
		}
	}
}

// LoadData reads a labelled CSV dataset (gzip allowed) for the file task;
// labelColumn is a 0-based index or header name ("" = the last column).
func LoadData(path, labelColumn string) (*task.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	defer f.Close()
	t, err := task.ReadCSV(f, filepath.Base(path), labelColumn, true)
	if err != nil {
		return nil, fmt.Errorf("alice: %w", err)
	}
	return t, nil
}

// UseData points sp at the dataset t: the file task, its name and inputs
// hash, its feature count as dim. Sizes the user did not set explicitly
// (explicit reports whether a spec flag was given) follow the file: test is
// the last fifth of the rows, n the rows before them, classes one more than
// the largest label.
func UseData(sp *spec.Spec, t *task.Table, explicit func(flag string) bool) {
	sp.Task = spec.TaskFile
	sp.DataName = t.Name
	sp.DataSHA256 = t.InputsSHA256()
	sp.Dim = int64(t.Features)
	if !explicit("test") {
		sp.Test = int64(t.Rows / 5)
		if explicit("n") {
			sp.Test = max(0, min(sp.Test, int64(t.Rows)-sp.N))
		}
	}
	if !explicit("n") {
		sp.N = int64(t.Rows) - sp.Test
	}
	if !explicit("classes") {
		sp.Classes = int64(max(2, t.MaxLabel()+1))
	}
}
