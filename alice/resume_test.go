package alice_test

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wire/wiretest"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/spec"
)

// cutConn is a connection the network cuts after budget bytes written.
type cutConn struct {
	net.Conn
	budget *atomic.Int64
}

func (c cutConn) Write(p []byte) (int, error) {
	if c.budget.Add(-int64(len(p))) < 0 {
		c.Conn.Close()
		return 0, io.ErrClosedPipe
	}
	return c.Conn.Write(p)
}

// resumeSpec codes to a few kilobytes, so that a cut lands mid-stream.
func resumeSpec() spec.Spec {
	sp := aliceSpec()
	sp.N, sp.Test, sp.Validation = 12000, 500, 0
	sp.Noise = 0.3
	return sp
}

// checkLikeUninterrupted requires a resumed transmission's report to equal
// the shared core's uninterrupted run: same bytes, same MDL, same final
// fingerprint, every checkpoint confirmed once, Bob's verified test loss.
func checkLikeUninterrupted(t *testing.T, sp spec.Spec, rep *alice.Report, b bob.SessionReport) {
	t.Helper()
	ref := referenceRun(t, sp)
	if rep.PayloadBytes != ref.payload || rep.CodedBits != 8*ref.mdl {
		t.Errorf("payload %d bytes, MDL %d bits; uninterrupted %d bytes, MDL %d bits", rep.PayloadBytes, rep.CodedBits, ref.payload, 8*ref.mdl)
	}
	if rep.Fingerprint != hex.EncodeToString(ref.final.Fingerprint[:]) || b.Fingerprint != rep.Fingerprint {
		t.Errorf("fingerprints: alice %s, bob %s, uninterrupted %x", rep.Fingerprint, b.Fingerprint, ref.final.Fingerprint)
	}
	if rep.CheckpointsMatched != ref.checkpoints {
		t.Errorf("%d checkpoints matched, the session takes %d", rep.CheckpointsMatched, ref.checkpoints)
	}
	if b.Error != "" || !b.Resumed || b.PayloadBytes != rep.PayloadBytes || b.CodedBits != rep.CodedBits || b.LabelsSHA256 != rep.LabelsSHA256 {
		t.Errorf("bob's report %+v disagrees with alice's %+v", b, rep)
	}
	if rep.TestLossBits == nil || *rep.TestLossBits != ref.testLoss {
		t.Errorf("test loss %v, uninterrupted %v", rep.TestLossBits, ref.testLoss)
	}
}

// The network cuts the connection mid-stream: Alice reconnects, Bob (who
// kept the session) says how many bytes he holds, and the transmission ends
// exactly as an uninterrupted one, with the bytes sent twice counted apart.
func TestResumeAfterConnectionCut(t *testing.T) {
	sp := resumeSpec()
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	var dials atomic.Int64
	cutting := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := dial(ctx, addr)
		if err != nil || dials.Add(1) > 1 {
			return c, err
		}
		budget := &atomic.Int64{}
		budget.Store(2500)
		return cutConn{Conn: c, budget: budget}, nil
	}
	rep, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 64, Timeout: time.Minute, Dial: cutting})
	if err != nil {
		t.Fatalf("alice.Run: %v", err)
	}
	b := waitReport(t, reports)
	if rep.Reconnects != 1 || dials.Load() < 2 {
		t.Errorf("reconnects %d over %d dials, want 1 reconnect", rep.Reconnects, dials.Load())
	}
	checkLikeUninterrupted(t, sp, rep, b)
	t.Logf("cut after 2500 transport bytes: %d payload bytes, %d sent again, %d reconnect", rep.PayloadBytes, rep.RetransmittedBytes, rep.Reconnects)
}

// Alice pauses past Bob's idle timeout without heartbeats: Bob suspends the
// transmission instead of ending it, and Alice resumes it. The pause is on a
// fake clock shared by the two, advanced once past the timeout when Bob
// waits for her first segment, so there is exactly one break to resume.
func TestResumeAfterIdleTimeout(t *testing.T) {
	sp := aliceSpec()
	sp.N, sp.Model, sp.Hidden, sp.CheckpointEvery = 20000, spec.ModelMLP, []int64{32}, 1<<20
	const idle = 100 * time.Millisecond
	clock := wiretest.NewClock()
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits(), IdleTimeout: idle, Clock: clock})
	pace := func(ctx context.Context, next int64) error {
		if next != 256 {
			return nil
		}
		// The hello's receive and the next one's: Bob waits for a segment.
		if err := clock.WaitArmed(ctx, 2); err != nil {
			return err
		}
		clock.Advance(idle)
		return nil
	}
	rep, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 1 << 20, Timeout: time.Minute,
		Dial: dial, Heartbeat: time.Hour, Clock: clock, Pace: pace})
	if err != nil {
		t.Fatalf("alice.Run: %v", err)
	}
	b := waitReport(t, reports)
	if rep.Reconnects != 1 {
		t.Errorf("%d reconnects, want 1: one pause past the idle timeout", rep.Reconnects)
	}
	checkLikeUninterrupted(t, sp, rep, b)
}

// With resuming off, a break ends the transmission with the break's cause.
func TestNoResumeWhenDisabled(t *testing.T) {
	sp := resumeSpec()
	dial, _ := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	budget := &atomic.Int64{}
	budget.Store(2500)
	_, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 64, Timeout: time.Minute, Reconnects: -1,
		Dial: func(ctx context.Context, addr string) (net.Conn, error) {
			c, err := dial(ctx, addr)
			return cutConn{Conn: c, budget: budget}, err
		}})
	if err == nil {
		t.Fatal("a cut connection went unnoticed")
	}
}

// corruptingStream flips one payload byte of the segment at the given
// offset after Alice computed its CRC, once: a segment damaged in transit.
// It also notes whether two goroutines ever read the stream at once, which
// gRPC forbids (the second reader takes messages meant for the first).
type corruptingStream struct {
	grpc.ClientStream
	at      int64
	done    *atomic.Bool
	readers *atomic.Int32
	overlap *atomic.Bool
}

func (s corruptingStream) RecvMsg(m any) error {
	if s.readers.Add(1) > 1 {
		s.overlap.Store(true)
	}
	defer s.readers.Add(-1)
	return s.ClientStream.RecvMsg(m)
}

func (s corruptingStream) SendMsg(m any) error {
	if msg, ok := m.(*wirepb.AliceMessage); ok {
		if seg := msg.GetSegment(); seg != nil && seg.GetOffset() == s.at && len(seg.GetData()) > 0 && s.done.CompareAndSwap(false, true) {
			bad := proto.Clone(msg).(*wirepb.AliceMessage)
			bad.GetSegment().Data[0] ^= 0x40
			return s.ClientStream.SendMsg(bad)
		}
	}
	return s.ClientStream.SendMsg(m)
}

// A segment corrupted in transit: Bob's CRC check reports DataLoss naming
// the segment and keeps the bytes before it; Alice resumes and sends it
// again, and the result equals an uninterrupted run.
func TestCorruptedSegmentResumesCleanly(t *testing.T) {
	sp := resumeSpec()
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	var corrupted, overlap atomic.Bool
	var sawCRC atomic.Bool
	logs := &syncLog{}
	rep, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 64, Timeout: time.Minute, Dial: dial,
		Log: slog.New(slog.NewTextHandler(logs, nil)),
		Interceptor: func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			cs, err := streamer(ctx, desc, cc, method, opts...)
			return corruptingStream{ClientStream: cs, at: 640, done: &corrupted, readers: &atomic.Int32{}, overlap: &overlap}, err
		}})
	if overlap.Load() {
		t.Errorf("alice read a stream from two goroutines at once")
	}
	if err != nil {
		t.Fatalf("alice.Run: %v", err)
	}
	b := waitReport(t, reports)
	if !corrupted.Load() || rep.Reconnects != 1 {
		t.Fatalf("corrupted %v, reconnects %d: want one corrupted segment and one resume", corrupted.Load(), rep.Reconnects)
	}
	if strings.Contains(logs.String(), "crc32c") {
		sawCRC.Store(true)
	}
	if !sawCRC.Load() {
		t.Errorf("alice's log does not show bob's CRC error:\n%s", logs.String())
	}
	checkLikeUninterrupted(t, sp, rep, b)
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
