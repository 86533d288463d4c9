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
	"github.com/edlwire/edlwire/proto/wire/wiretest"
	"github.com/edlwire/edlwire/shared/spec"
)

// With segments far larger than the payload Alice sends no coded bytes
// until she finishes: only her heartbeats keep Bob's idle timeout from
// ending the transmission. Without them (and without resuming, see
// TestResumeAfterIdleTimeout) it does, naming the flag.
//
// Alice's heartbeat and Bob's idle timeout share a fake clock that the test
// advances from Alice's pace hook, by 0.6 of the timeout at every 256th
// example (where Alice checks her heartbeat), and only once Bob waits for
// the next message with a fresh timer. So the verdicts follow from the
// times advanced (0.6 < 1 with heartbeats, 1.2 > 1 without), whatever this
// machine's speed or load.
func TestHeartbeatOutlivesIdleTimeout(t *testing.T) {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 5, 4000, 0, 4, 16
	sp.Model, sp.Hidden = spec.ModelMLP, []int64{32}
	sp.CheckpointEvery = 1 << 20
	const idle = 250 * time.Millisecond
	const step = idle * 6 / 10
	const advances = 10 // 6 idle periods of silence in all

	run := func(heartbeat time.Duration) (*alice.Report, int64, error) {
		clock := wiretest.NewClock()
		dial, _ := bufBob(t, bob.Config{IdleTimeout: idle, Clock: clock})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		messages := int64(1) // the Hello
		pace := func(ctx context.Context, next int64) error {
			if next == 0 || next%256 != 0 || next > 256*advances {
				return nil
			}
			// Bob has taken every message sent so far and armed the timer
			// of the next receive; only then does the time move on.
			if err := clock.WaitArmed(ctx, messages+1); err != nil {
				return err
			}
			clock.Advance(step)
			if heartbeat < step {
				messages++ // due now, sent right after this example
			}
			return nil
		}
		rep, err := alice.Run(ctx, alice.Config{Bob: "bufnet", Spec: sp, Dial: dial, SegmentBytes: 1 << 20,
			Heartbeat: heartbeat, Clock: clock, Pace: pace, Reconnects: -1})
		return rep, messages, err
	}

	rep, messages, err := run(idle / 2)
	if err != nil {
		t.Fatalf("alice with heartbeats: %v", err)
	}
	if messages != 1+advances {
		t.Fatalf("%d messages before the end, want the hello and %d heartbeats", messages, advances)
	}
	if rep.Segments != 1 {
		t.Errorf("segments = %d: heartbeats must not count as segments", rep.Segments)
	}

	// Bob keeps the idled-out transmission for a resume, so he reports no
	// session; Alice, told not to resume, names the cause.
	_, _, err = run(time.Hour)
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
