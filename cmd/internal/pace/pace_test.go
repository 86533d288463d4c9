package pace

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// 100 examples at 200 µs each take 20 ms, although the pacer sleeps only
// when a millisecond is due. On a fake clock, moved on 50 µs whenever the
// pacer sleeps, the figure is exact up to that step, whatever the machine.
func TestDelayAveragesOut(t *testing.T) {
	clock := clockwork.NewFakeClock()
	p := New(200*time.Microsecond, false)
	p.clock = clock
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		for i := range 100 {
			if err := p.Wait(ctx, int64(i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	start := clock.Now()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			// The last sleep may be cut short by up to one step, and up to
			// a millisecond of the last examples is never slept.
			if el := clock.Since(start); el < 19*time.Millisecond || el > 20*time.Millisecond+50*time.Microsecond {
				t.Errorf("100 examples at 200µs took %v of the clock, want 20ms", el)
			}
			return
		default:
		}
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Millisecond)
		if clock.BlockUntilContext(wctx, 1) == nil {
			clock.Advance(50 * time.Microsecond)
		}
		wcancel()
	}
}

func TestPauseStepResume(t *testing.T) {
	p := New(0, true)
	ctx := context.Background()
	passed := make(chan int, 10)
	go func() {
		for i := range 3 {
			if err := p.Wait(ctx, int64(i)); err != nil {
				return
			}
			passed <- i
		}
	}()
	select {
	case i := <-passed:
		t.Fatalf("example %d passed while paused", i)
	case <-time.After(30 * time.Millisecond):
	}
	p.Follow(strings.NewReader("step\n"))
	if i := <-passed; i != 0 {
		t.Fatalf("step let %d through, want 0", i)
	}
	select {
	case i := <-passed:
		t.Fatalf("example %d passed after one step", i)
	case <-time.After(30 * time.Millisecond):
	}
	var bad error
	p.OnError(func(err error) { bad = err })
	p.Follow(strings.NewReader("speed 1ms\nfly\nresume\n"))
	if bad == nil || !strings.Contains(bad.Error(), "fly") {
		t.Errorf("bad line not reported: %v", bad)
	}
	<-passed
	<-passed
}

func TestCancelWhilePaused(t *testing.T) {
	p := New(0, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Wait(ctx, 0) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
}
