package alice_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
)

// A stop Alice is told to make (the command cancels with a cause naming
// the signal) is reported as hers, with how far she got, never as Bob's
// Canceled status.
func TestCancellationIsAlicesAndSaysHowFar(t *testing.T) {
	dial, _ := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sp := aliceSpec()
	_, err := alice.Run(ctx, alice.Config{Bob: "bufnet", Spec: sp, Timeout: time.Minute, Dial: dial,
		Pace: func(ctx context.Context, next int64) error {
			if next == 300 {
				// What cmd/alice does on SIGTERM.
				cancel(fmt.Errorf("alice: received terminated: %w", context.Canceled))
			}
			return ctx.Err()
		}})
	if err == nil {
		t.Fatal("alice finished after being stopped")
	}
	msg := err.Error()
	for _, f := range []string{"alice: stopped after coding 300 of ", "bytes sent to bob", "received terminated"} {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not say %q", msg, f)
		}
	}
	if strings.Contains(msg, "bob says") {
		t.Errorf("error %q blames bob for alice's own stop", msg)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %q does not wrap context.Canceled", msg)
	}
}

// Her --timeout is hers too: a deadline that has passed before she starts
// is named as her timeout.
func TestTimeoutIsAlices(t *testing.T) {
	dial, _ := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	_, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: aliceSpec(), Timeout: time.Nanosecond, Dial: dial})
	if err == nil || !strings.Contains(err.Error(), "her timeout of 1ns ran out") || strings.Contains(err.Error(), "bob says") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want alice's own timeout named, not bob's", err)
	}
}
