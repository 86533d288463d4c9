package bob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/predictor"
	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/report"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// Config is Bob's service configuration.
type Config struct {
	Limits          spec.Limits
	MaxMessageBytes int
	LabelsOut       string // if set, each session's decoded labels (one per line) are written here
	ModelOut        string // if set, each session's final canonical parameters (model external: the plugin's saved state) are written here
	DataDir         string // where the file task's datasets are found, by file name
	// StateDir, if set, keeps every running transmission's spec and payload
	// bytes on disk, so a Bob restarted after a crash resumes it; without it
	// Bob resumes from memory only.
	StateDir string
	// ResumeTTL is how long Bob keeps a broken transmission for a resume.
	// Zero means DefaultResumeTTL.
	ResumeTTL time.Duration
	Workers   int // goroutines for large layers per session (speed only)
	// Predictor starts the plugin of each transmission whose spec's model
	// is external (one process per transmission, stopped at its end).
	Predictor predictor.Launch
	Log       *slog.Logger
	// OnSession is called after every transmission, successful or not.
	OnSession func(SessionReport)
	// OnWelcome is called when a transmission has been accepted.
	OnWelcome func(sessionID string, sp spec.Spec)
	// Observe, if set, returns the observer of one accepted transmission
	// (see Observer); nil costs nothing.
	Observe func(sessionID string) Observer

	// TLS, if set, is the server's TLS configuration (with ClientCAs and
	// RequireAndVerifyClientCert for mutual TLS); nil serves plaintext. The
	// command allows plaintext only on loopback or with --insecure.
	TLS *tls.Config
	// Token, if set, is the bearer token every call but health checks must
	// carry; others end with Unauthenticated. Tokens are more tokens Bob
	// accepts, each as good as Token: one per client or team, so that the
	// per-token limit (MaxSessionsPerToken) tells them apart.
	Token  []byte
	Tokens [][]byte
	// MaxSessionBytes bounds one transmission's estimated memory
	// (spec.MemoryEstimate: inputs, model, optimizer, decode state and the
	// bytes kept for resume); a spec past it is refused naming the field.
	// Zero means DefaultMaxSessionBytes; negative means none.
	MaxSessionBytes int64
	// MaxTotalBytes bounds the estimated memory of every running
	// transmission plus the bytes kept for suspended ones. A transmission
	// that would pass it first evicts suspended ones, oldest first (their
	// Alice, on resuming, learns Bob holds nothing and starts again from
	// byte 0); if that is not enough it ends with ResourceExhausted and the
	// figures. Zero means DefaultMaxTotalBytes; negative means none.
	MaxTotalBytes int64
	// MaxSessions bounds concurrent transmissions; more end with
	// ResourceExhausted at once. Zero means DefaultMaxSessions.
	MaxSessions int
	// MaxSessionsPerToken bounds the concurrent transmissions of the
	// holders of one token, so that one client cannot take every slot
	// (MaxSessions) from the others; more end with ResourceExhausted at
	// once. Without tokens Bob cannot tell clients apart and only
	// MaxSessions applies. Zero means DefaultMaxSessionsPerToken.
	MaxSessionsPerToken int
	// IdleTimeout ends a transmission that receives nothing for this long.
	// Zero means DefaultIdleTimeout; negative means never.
	IdleTimeout time.Duration
	// DrainTimeout bounds how long Serve lets running transmissions finish
	// once it stops. Zero means DefaultDrainTimeout.
	DrainTimeout time.Duration
	// Clock times the idle timeout; nil is the real clock. Tests pass a
	// fake one (clockwork.FakeClock) so that whether a transmission idles
	// out depends on the time they advance, not on the machine's speed.
	Clock clockwork.Clock
}

// Observer watches one transmission as Bob decodes it; Example's bytes are
// the stream bytes consumed so far. Calls come from the transmission's
// goroutine and must not block for long, since Bob decodes no further
// meanwhile. After a resume the replayed examples are told again.
type Observer = prequential.Observer

// DefaultLimits are Bob's limits unless flags change them.
func DefaultLimits() spec.Limits {
	return spec.Limits{MaxExamples: 50_000_000, MaxClasses: 1 << 16, MaxParams: 50_000_000, MaxDim: 1 << 20,
		// 2³¹ passes: θ*'s 40 epochs at the largest n, or edl mnist's
		// blockwise code (2·10⁶) a thousand times over.
		MaxTrainingPasses: 1 << 31}
}

// Defaults of the memory budgets, for a 24 GiB machine: one transmission
// may take half of what Bob allows himself in total, and the total leaves
// room for the system and an Alice on the same machine.
const (
	DefaultMaxSessionBytes = 8 << 30
	DefaultMaxTotalBytes   = 16 << 30
)

// SessionReport is Bob's account of one transmission (see shared/report).
type SessionReport = report.Session

// Server implements the Transmission service.
type Server struct {
	wirepb.UnimplementedTransmissionServer
	cfg      Config
	sessions atomic.Int64
	slots    chan struct{} // one token per running transmission
	resume   *resumeStore

	mu       sync.Mutex
	reserved int64       // estimated bytes of the running transmissions
	perToken map[int]int // running transmissions by the index of their token (cfg.tokens)
}

// tokens are the bearer tokens Bob accepts: Token, then Tokens.
func (cfg *Config) tokens() [][]byte {
	var out [][]byte
	if len(cfg.Token) > 0 {
		out = append(out, cfg.Token)
	}
	for _, t := range cfg.Tokens {
		if len(t) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// NewServer returns a server with cfg; zero fields take defaults.
func NewServer(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = wire.DefaultMaxMessageBytes
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionsPerToken <= 0 {
		cfg.MaxSessionsPerToken = DefaultMaxSessionsPerToken
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.MaxSessionBytes == 0 {
		cfg.MaxSessionBytes = DefaultMaxSessionBytes
	}
	if cfg.MaxTotalBytes == 0 {
		cfg.MaxTotalBytes = DefaultMaxTotalBytes
	}
	cfg.Limits.MaxMemory, cfg.Limits.MemoryFlag = max(cfg.MaxSessionBytes, 0), "max-session-bytes"
	return &Server{cfg: cfg, slots: make(chan struct{}, cfg.MaxSessions), resume: newResumeStore(cfg.StateDir, cfg.ResumeTTL), perToken: map[int]int{}}
}

// Sessions is the number of transmissions that have ended.
func (s *Server) Sessions() int64 { return s.sessions.Load() }

// Running is the number of transmissions in progress.
func (s *Server) Running() int { return len(s.slots) }

// Transmit serves one transmission.
func (s *Server) Transmit(stream wirepb.Transmission_TransmitServer) (err error) {
	// A refusal for load is not a transmission: it is logged, not reported
	// through OnSession, so it cannot end a --once Bob.
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		s.cfg.Log.Warn("transmission refused: too many running", "max_sessions", s.cfg.MaxSessions)
		return status.Errorf(codes.ResourceExhausted, "bob: %d transmissions are running, the most he accepts (max-sessions)", s.cfg.MaxSessions)
	}
	if tok, ok := tokenOf(stream.Context()); ok {
		if err := s.takeTokenSlot(tok); err != nil {
			return err
		}
		defer s.releaseTokenSlot(tok)
	}
	if s.cfg.IdleTimeout > 0 {
		stream = idleStream{Transmission_TransmitServer: stream, timeout: s.cfg.IdleTimeout, clock: s.cfg.Clock}
	}
	rep := SessionReport{Event: "session"}
	defer func() {
		// A bug must cost one transmission, never the whole server.
		if r := recover(); r != nil {
			err = status.Errorf(codes.Internal, "bob: internal error: %v", r)
			rep.Error = err.Error()
			s.cfg.Log.Error("transmission panicked", "session", rep.SessionID, "panic", r)
			s.sessions.Add(1)
			if s.cfg.OnSession != nil {
				s.cfg.OnSession(rep)
			}
		}
	}()
	err = s.transmit(stream, &rep)
	var susp *suspendedError
	if errors.As(err, &susp) {
		// Not ended: Alice may resume it. Not reported through OnSession,
		// so a --once Bob waits for the resumed stream.
		s.cfg.Log.Info("transmission suspended", "session", rep.SessionID, "reason", susp.err)
		return susp.err
	}
	if err != nil {
		rep.Error = err.Error()
		s.cfg.Log.Warn("transmission failed", "session", rep.SessionID, "err", err)
	}
	s.sessions.Add(1)
	if s.cfg.OnSession != nil {
		s.cfg.OnSession(rep)
	}
	return err
}

func (s *Server) transmit(stream wirepb.Transmission_TransmitServer, rep *SessionReport) error {
	msg, err := stream.Recv()
	if status.Code(err) == codes.DeadlineExceeded {
		return err // idle-timeout: Alice opened the stream and sent nothing
	}
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "bob: expected hello: %v", err)
	}
	hello := msg.GetHello()
	if hello == nil {
		return status.Errorf(codes.InvalidArgument, "bob: first message must be hello, got %T", msg.GetMsg())
	}
	rep.SessionID = hello.GetSessionId()
	sp, err := s.accept(hello)
	if err != nil {
		return err
	}
	h := sp.Hash()
	rep.SpecHash = hex.EncodeToString(h[:])
	// Reserve the transmission's memory before building anything.
	est := sp.MemoryEstimate().Total()
	if err := s.reserve(rep.SessionID, est); err != nil {
		return err
	}
	defer s.unreserve(est)
	in, err := s.inputs(sp)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	base, err := s.baseFile(sp)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	opts := prequential.Options{Workers: s.cfg.Workers, HeldOut: true, TranscriptWindow: prequential.DefaultTranscriptWindow(sp)}
	stopPlugin, err := s.cfg.Predictor.Start(stream.Context(), sp, &opts)
	defer stopPlugin()
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	sess, err := prequential.NewFromBase(sp, in, base, opts)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	// The session's resumable state: the bytes received before a break
	// are replayed below, and Alice sends on from their end.
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	entry, err := s.resume.open(ctx, rep.SessionID, hello.GetSpecCanonical(), hello.GetResume(), cancel)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	stream = takeoverStream{Transmission_TransmitServer: stream, ctx: ctx}
	keep := false
	defer func() { s.resume.release(rep.SessionID, entry, keep) }()
	// suspend keeps the state of a transmission whose stream broke, for a
	// resume; other errors end it.
	suspend := func(err error) error {
		if !suspendable(err) {
			return err
		}
		keep = true
		return &suspendedError{err}
	}
	var stored []byte
	if entry != nil {
		stored = entry.data
	}
	if err := stream.Send(&wirepb.BobMessage{Msg: &wirepb.BobMessage_Welcome{Welcome: &wirepb.Welcome{
		ProtocolVersion: wire.ProtocolVersion, SessionId: rep.SessionID, SpecHash: h[:], ResumeOffset: int64(len(stored)),
	}}}); err != nil {
		keep = true
		return &suspendedError{err}
	}
	if s.cfg.OnWelcome != nil {
		s.cfg.OnWelcome(rep.SessionID, sp)
	}

	rcv, err := transmit.NewReceiver(sess)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "bob: %v", err)
	}
	var obs Observer
	if s.cfg.Observe != nil {
		obs = s.cfg.Observe(rep.SessionID)
		obs.Start(sp, in)
	}
	var lout *labelsOut
	if s.cfg.LabelsOut != "" {
		if lout, err = createLabelsOut(s.cfg.LabelsOut); err != nil {
			return status.Errorf(codes.Internal, "bob: %v", err)
		}
		defer lout.discard()
	}
	// advance decodes every label the bytes so far allow and sends a
	// checkpoint at each boundary.
	advance := func() error {
		for {
			ex, ok, err := rcv.Step()
			if err != nil {
				return status.Errorf(codes.DataLoss, "bob: example %d: %v", rcv.Index(), err)
			}
			if !ok {
				return nil
			}
			if obs != nil {
				obs.Example(ex.Index, ex.Label, ex.Freqs, ex.Bytes)
			}
			if lout != nil && ex.Index < sp.N {
				lout.add(ex.Label)
			}
			if cp := ex.Checkpoint; cp != nil {
				rep.Checkpoints++
				if err := stream.Send(&wirepb.BobMessage{Msg: &wirepb.BobMessage_Checkpoint{Checkpoint: wire.CheckpointOf(*cp)}}); err != nil {
					return err
				}
				if obs != nil {
					obs.Checkpoint(*cp)
				}
			}
		}
	}
	rep.Resumed = hello.GetResume()
	if len(stored) > 0 {
		if err := rcv.Write(stored); err != nil {
			return status.Errorf(codes.DataLoss, "bob: replaying stored bytes: %v", err)
		}
		if err := advance(); err != nil {
			return suspend(err)
		}
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return status.Errorf(codes.InvalidArgument, "bob: stream closed before finish (after %d examples, %d bytes)", rcv.Index(), rcv.Received())
		}
		if status.Code(err) == codes.ResourceExhausted {
			// gRPC has already told Alice; this names the flag in Bob's log.
			return status.Errorf(codes.ResourceExhausted, "bob: %s (max-message-bytes)", status.Convert(err).Message())
		}
		if err != nil {
			return suspend(err)
		}
		switch m := msg.GetMsg().(type) {
		case *wirepb.AliceMessage_Segment:
			seg := m.Segment
			received := rcv.Received()
			if seg.GetOffset() != received {
				return status.Errorf(codes.InvalidArgument, "bob: segment at byte %d, expected byte %d", seg.GetOffset(), received)
			}
			if got := wire.CRC(seg.GetData()); got != seg.GetCrc32C() {
				// The bytes before this segment are sound: keep them, so
				// Alice resumes and sends it again (rule 8 of PROTOCOL.md).
				keep = true
				return &suspendedError{status.Errorf(codes.DataLoss, "bob: segment at byte %d: crc32c %08x, header says %08x (%s)", received, got, seg.GetCrc32C(), wire.ResendAfterCRC)}
			}
			if err := rcv.Write(seg.GetData()); err != nil {
				return status.Errorf(codes.DataLoss, "bob: %v", err)
			}
			if err := s.resume.append(entry, seg.GetData()); err != nil {
				return status.Errorf(codes.Internal, "bob: %v", err)
			}
			if err := advance(); err != nil {
				if lingerable(err) {
					return linger(stream, sess, err)
				}
				return suspend(err)
			}
		case *wirepb.AliceMessage_Finish:
			return s.finish(stream, m.Finish, rcv, advance, rep, lout)
		case *wirepb.AliceMessage_Abort:
			return status.Errorf(codes.DataLoss, "bob: alice aborted at example %d: %s", m.Abort.GetExample(), m.Abort.GetReason())
		case *wirepb.AliceMessage_Locate:
			if err := answerLocate(stream, sess, m.Locate); err != nil {
				return suspend(err)
			}
		case *wirepb.AliceMessage_Hello:
			return status.Errorf(codes.InvalidArgument, "bob: second hello in one transmission")
		default:
			return status.Errorf(codes.InvalidArgument, "bob: unknown message %T", m)
		}
	}
}

// reserve books est bytes for a transmission against MaxTotalBytes,
// evicting suspended transmissions oldest first to make room (never the
// session id itself, which may be resuming).
func (s *Server) reserve(id string, est int64) error {
	total := s.cfg.MaxTotalBytes
	s.mu.Lock()
	defer s.mu.Unlock()
	if total > 0 {
		for s.reserved+est+s.resume.suspendedBytes(id) > total {
			evicted, freed := s.resume.evictOldest(id)
			if evicted == "" {
				kept := s.resume.suspendedBytes(id)
				s.cfg.Log.Warn("transmission refused: memory budget", "need", est, "running", s.reserved, "suspended", kept, "max_total_bytes", total)
				return status.Errorf(codes.ResourceExhausted, "bob: this transmission needs an estimated %s; running ones hold %s and suspended ones %s of his %s (max-total-bytes)",
					spec.FormatBytes(est), spec.FormatBytes(s.reserved), spec.FormatBytes(kept), spec.FormatBytes(total))
			}
			s.cfg.Log.Warn("suspended transmission evicted for memory", "evicted", evicted, "freed_bytes", freed, "for", id)
		}
	}
	s.reserved += est
	return nil
}

// takeTokenSlot counts a running transmission against its token's
// MaxSessionsPerToken, or refuses it.
func (s *Server) takeTokenSlot(tok int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.perToken[tok]; n >= s.cfg.MaxSessionsPerToken {
		s.cfg.Log.Warn("transmission refused: too many running with this token", "token", tok, "running", n, "max_sessions_per_token", s.cfg.MaxSessionsPerToken)
		return status.Errorf(codes.ResourceExhausted, "bob: %d transmissions are running with this token, the most he accepts per token (max-sessions-per-token)", n)
	}
	s.perToken[tok]++
	return nil
}

func (s *Server) releaseTokenSlot(tok int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perToken[tok]--; s.perToken[tok] == 0 {
		delete(s.perToken, tok)
	}
}

func (s *Server) unreserve(est int64) {
	s.mu.Lock()
	s.reserved -= est
	s.mu.Unlock()
}

// inputs builds the spec's inputs: a seeded task's streamed
// (task.NewStreamInputs), so they do not grow with n; for the file task
// from Bob's own copy of the dataset, read without its label column.
func (s *Server) inputs(sp spec.Spec) (*task.Inputs, error) {
	if sp.Task != spec.TaskFile {
		return task.NewStreamInputs(sp)
	}
	if s.cfg.DataDir == "" {
		return nil, fmt.Errorf("data_name: %s: bob has no --data-dir", sp.DataName)
	}
	read := func(field, name, want string) (*task.Table, error) {
		f, err := os.Open(filepath.Join(s.cfg.DataDir, name))
		if err != nil {
			return nil, fmt.Errorf("%s: %s not found in bob's --data-dir: %w", field, name, err)
		}
		defer f.Close()
		t, err := task.ReadTable(f, name, sp.LabelColumn, false)
		if err != nil {
			return nil, err
		}
		if got := t.InputsSHA256(); got != want {
			return nil, fmt.Errorf("%s: bob's copy of %s hashes to %s, alice's to %s", strings.Replace(field, "_name", "_sha256", 1), name, got, want)
		}
		return t, nil
	}
	t, err := read("data_name", sp.DataName, sp.DataSHA256)
	if err != nil {
		return nil, err
	}
	var test *task.Table
	if sp.TestDataName != "" {
		if test, err = read("test_data_name", sp.TestDataName, sp.TestDataSHA256); err != nil {
			return nil, err
		}
	}
	return task.NewFileInputsTest(sp, t, test)
}

// accept checks a Hello and returns the spec Bob will build, or
// FailedPrecondition naming everything he cannot accept.
func (s *Server) accept(hello *wirepb.Hello) (spec.Spec, error) {
	if v := hello.GetProtocolVersion(); v != wire.ProtocolVersion {
		return spec.Spec{}, status.Errorf(codes.FailedPrecondition, "bob: protocol_version: alice speaks %d, bob speaks %d", v, wire.ProtocolVersion)
	}
	// The spec travels as its canonical bytes: their hash is the spec's
	// hash, and spec.Parse refuses anything Canonical would not write.
	var problems []string
	if h := sha256.Sum256(hello.GetSpecCanonical()); !bytes.Equal(h[:], hello.GetSpecHash()) {
		problems = append(problems, fmt.Sprintf("spec_hash: alice sent %x, the spec bytes hash to %x", hello.GetSpecHash(), h[:]))
	}
	sp, err := spec.Parse(hello.GetSpecCanonical())
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		if err := sp.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
		if err := s.cfg.Limits.Check(sp); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return spec.Spec{}, status.Errorf(codes.FailedPrecondition, "bob: cannot accept spec: %s", strings.ReplaceAll(strings.Join(problems, "; "), "\n", "; "))
	}
	return sp, nil
}

// finish decodes the rest of the stream, checks Alice's Finish against
// what Bob decoded, and answers his Summary: his own figures.
//
// A stream Bob cannot decode to its end, or a Finish that disagrees with
// what he decoded, leaves the stream open for her Locates (linger) until
// she aborts or closes it.
func (s *Server) finish(stream wirepb.Transmission_TransmitServer, fin *wirepb.Finish, rcv *transmit.Receiver, advance func() error, rep *SessionReport, lout *labelsOut) error {
	if err := rcv.CloseWrite(fin.GetPayloadBytes()); err != nil {
		return status.Errorf(codes.DataLoss, "bob: %v", err)
	}
	if err := advance(); err != nil {
		if lingerable(err) {
			return linger(stream, rcv.Session(), err)
		}
		return err
	}
	f, err := rcv.Finish(wire.FinishFrom(fin))
	if err != nil {
		return linger(stream, rcv.Session(), status.Errorf(codes.DataLoss, "bob: %v", err))
	}
	sess := rcv.Session()
	sp := sess.Spec()
	rep.Fill(sp, f)
	if err := s.writeOutputs(sess, lout); err != nil {
		return status.Errorf(codes.Internal, "bob: %v", err)
	}
	return stream.Send(&wirepb.BobMessage{Msg: &wirepb.BobMessage_Summary{Summary: wire.SummaryOf(f, rep.Checkpoints)}})
}

// writeOutputs writes Bob's model (--model-out) and puts the labels he
// wrote as he decoded them (--labels-out) in place.
func (s *Server) writeOutputs(sess *prequential.Session, lout *labelsOut) error {
	if s.cfg.ModelOut != "" {
		b, err := sess.EncodeModel()
		if err != nil {
			return err
		}
		if err := os.WriteFile(s.cfg.ModelOut, b, 0o644); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
	}
	if lout != nil {
		return lout.commit()
	}
	return nil
}
