package bob_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/shared/spec"
)

// The 5·10⁷-example transmission (inside Bob's default limits)
// against a Bob whose total budget is smaller: refused at the Hello with
// ResourceExhausted and the figures, before he builds any input, so the
// test takes no time. (Its estimate is about 190 MiB, most of it the coded
// bytes kept for resume at 24 bits a label: inputs and labels are
// streamed.)
func TestTotalBudgetRefusesWithFigures(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), MaxSessionBytes: 64 << 30, MaxTotalBytes: 64 << 20})
	sp := spec.Default()
	sp.N, sp.Test = 50_000_000, 0
	s := h.open(t)
	send(s, helloMsg(sp))
	expectStatus(t, s, false, codes.ResourceExhausted, "of his 64.0 MiB (max-total-bytes)", "running ones hold 0 B")
}

// A spec past the per-transmission budget is refused naming the spec's
// fields and the flag.
func TestSessionBudgetNamesFieldAndFlag(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), MaxSessionBytes: 64 << 20})
	sp := spec.Default()
	sp.N, sp.Test = 50_000_000, 0
	s := h.open(t)
	send(s, helloMsg(sp))
	expectStatus(t, s, false, codes.FailedPrecondition, "memory", "n=50000000", "exceeds the limit 64.0 MiB (max-session-bytes)")
}

// suspensions signals each "transmission suspended" Bob logs: by then the
// transmission's reservation is returned and its state kept for resume.
type suspensions chan struct{}

func (c suspensions) Enabled(context.Context, slog.Level) bool { return true }
func (c suspensions) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "transmission suspended" {
		c <- struct{}{}
	}
	return nil
}
func (c suspensions) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c suspensions) WithGroup(string) slog.Handler      { return c }

// A suspended transmission is evicted when a new one needs its room; its
// Alice, resuming, is welcomed at byte 0 (she starts again from zero).
func TestSuspendedTransmissionEvictedForNewOne(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	susp := make(suspensions, 4)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), MaxTotalBytes: sp.MemoryEstimate().Total(),
		Log: slog.New(susp), IdleTimeout: -1})

	// A: welcomed, sends part of its stream, vanishes.
	ctx, cancel := context.WithCancel(context.Background())
	a := h.openCtx(t, ctx)
	welcome(t, a, sp)
	send(a, segMsg(0, c.data[:len(c.data)/2]))
	cancel()
	select {
	case <-susp:
	case <-time.After(10 * time.Second):
		t.Fatal("bob did not suspend the vanished transmission")
	}

	// B needs the whole budget: A's kept bytes are evicted to make room.
	b := h.open(t)
	helloB := helloMsg(sp)
	helloB.GetHello().SessionId = "other"
	send(b, helloB)
	if m, err := b.Recv(); err != nil || m.GetWelcome() == nil {
		t.Fatalf("b refused (%v, %v): the suspended transmission was not evicted", m, err)
	}
	_ = b.CloseSend()
	expectStatus(t, b, true, codes.InvalidArgument, "stream closed before finish")

	// A resumes: Bob holds nothing of it any more.
	a2 := h.open(t)
	hello := helloMsg(sp)
	hello.GetHello().Resume = true
	send(a2, hello)
	m, err := a2.Recv()
	if err != nil || m.GetWelcome() == nil {
		t.Fatalf("resume refused: %v %v", m, err)
	}
	if off := m.GetWelcome().GetResumeOffset(); off != 0 {
		t.Fatalf("resumed at byte %d, want 0 (evicted)", off)
	}
}
