package pace

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDelayAveragesOut(t *testing.T) {
	p := New(200*time.Microsecond, false)
	ctx := context.Background()
	start := time.Now()
	for i := range 100 {
		if err := p.Wait(ctx, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 18*time.Millisecond || el > 200*time.Millisecond {
		t.Errorf("100 examples at 200µs took %v, want about 20ms", el)
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
