package alice_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/test/bufconn"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/shared/spec"
)

// With segments far larger than the payload Alice sends no coded bytes
// until she finishes, seconds later: only her heartbeats keep Bob's idle
// timeout from ending the transmission. Without them (and without
// resuming, see TestResumeAfterIdleTimeout) it does, naming the flag.
func TestHeartbeatOutlivesIdleTimeout(t *testing.T) {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 5, 250000, 0, 4, 16
	sp.Model, sp.Hidden = spec.ModelMLP, []int64{32}
	sp.CheckpointEvery = 1 << 20
	// Heartbeats 25 times as often as the timeout, so scheduling delays
	// (the race detector, parallel packages) cannot make one late.
	const idle = 250 * time.Millisecond

	var welcomed time.Time
	dial, reports := bufBob(t, bob.Config{IdleTimeout: idle, OnWelcome: func(string, spec.Spec) { welcomed = time.Now() }})
	rep, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, Dial: dial, Timeout: time.Minute,
		SegmentBytes: 1 << 20, Heartbeat: idle / 25})
	if err != nil {
		t.Fatalf("alice with heartbeats: %v", err)
	}
	waitReport(t, reports)
	if coding := time.Since(welcomed); coding < idle+idle/2 {
		t.Fatalf("coding took %v, not much over the idle timeout: the test proves nothing; make the spec bigger", coding)
	}
	if rep.Segments != 1 {
		t.Errorf("segments = %d: heartbeats must not count as segments", rep.Segments)
	}

	// Bob keeps the idled-out transmission for a resume, so he reports no
	// session; Alice, told not to resume, names the cause.
	dial, _ = bufBob(t, bob.Config{IdleTimeout: idle})
	_, err = alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, Dial: dial, Timeout: time.Minute,
		SegmentBytes: 1 << 20, Heartbeat: time.Hour, Reconnects: -1})
	if err == nil || !strings.Contains(err.Error(), "idle-timeout") {
		t.Fatalf("alice without heartbeats: %v, want bob's idle-timeout", err)
	}
}

// A segment over Bob's --max-message-bytes is refused by gRPC with
// ResourceExhausted; Alice's error names the flags that set the two sizes.
func TestMessageOverBobsLimitNamesTheFlag(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bob.Serve(ctx, lis, bob.Config{MaxMessageBytes: 2048}, false) }()
	t.Cleanup(func() { cancel(); <-done })

	sp := aliceSpec()
	sp.N, sp.Test, sp.RandomLabels = 30000, 0, true // incompressible: 7.5 kB of payload
	_, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, Timeout: time.Minute, SegmentBytes: 4096,
		Dial: func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }})
	if err == nil {
		t.Fatal("a 4096-byte segment passed a 2048-byte limit")
	}
	for _, f := range []string{"ResourceExhausted", "--max-message-bytes", "--segment-bytes"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}
