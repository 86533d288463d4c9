// Package pace slows a transmission down to a watchable speed and lets a
// controller pause, step and change the speed while it runs: alice's
// --pace and --control flags, driven by the teaching demo.
//
// A Pacer is asked before each example (Wait); it lets examples through at
// one per Delay on average (sleeping only when at least a millisecond is
// due, so delays below a millisecond still average out), holds them while
// paused, and lets exactly one through per "step". Control lines, one per
// line of the control stream:
//
//	pause          hold the next example
//	resume         run on at the current speed
//	step           let one example through, then hold (pauses first)
//	speed 10ms     one example per 10 ms (a Go duration; 0 is full speed)
//
// Unknown lines are reported through the Pacer's error callback and
// otherwise ignored: a confused controller must not end a transmission.
// Pacing changes timing only, never a bit of what is coded.
package pace

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Pacer gates a transmission's examples. Its zero value is not usable:
// call New.
type Pacer struct {
	mu      sync.Mutex
	delay   time.Duration
	paused  bool
	steps   int
	due     time.Time     // when the next example may go
	changed chan struct{} // closed and replaced at every control change
	onErr   func(error)
	clock   clockwork.Clock // real, but for tests that advance a fake one
}

// New returns a pacer letting one example through per delay, running
// (not paused) unless paused is true.
func New(delay time.Duration, paused bool) *Pacer {
	return &Pacer{delay: max(delay, 0), paused: paused, changed: make(chan struct{}), clock: clockwork.NewRealClock()}
}

// OnError sets where bad control lines are reported.
func (p *Pacer) OnError(f func(error)) { p.onErr = f }

func (p *Pacer) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Pause holds the next example until Resume or Step.
func (p *Pacer) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused, p.steps = true, 0
	p.notifyLocked()
}

// Resume runs on at the current speed.
func (p *Pacer) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused, p.steps = false, 0
	p.due = time.Time{}
	p.notifyLocked()
}

// Step lets one more example through while paused (and pauses if running).
func (p *Pacer) Step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.paused, p.steps = true, 0
	}
	p.steps++
	p.notifyLocked()
}

// SetDelay sets the time per example (0: full speed).
func (p *Pacer) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = max(d, 0)
	p.due = time.Time{}
	p.notifyLocked()
}

// Apply carries out one control line.
func (p *Pacer) Apply(line string) error {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "pause" && len(f) == 1:
		p.Pause()
	case f[0] == "resume" && len(f) == 1:
		p.Resume()
	case f[0] == "step" && len(f) == 1:
		p.Step()
	case f[0] == "speed" && len(f) == 2:
		d, err := time.ParseDuration(f[1])
		if err != nil || d < 0 {
			return fmt.Errorf("pace: speed wants a duration per example such as 10ms, got %q", f[1])
		}
		p.SetDelay(d)
	default:
		return fmt.Errorf("pace: unknown control line %q (want pause, resume, step or speed DURATION)", line)
	}
	return nil
}

// Follow applies every line read from r until it ends; run it on its own
// goroutine.
func (p *Pacer) Follow(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if err := p.Apply(sc.Text()); err != nil && p.onErr != nil {
			p.onErr(err)
		}
	}
}

// Wait returns when the next example may be coded, or with ctx's error.
// Its signature fits alice.Config.Pace.
func (p *Pacer) Wait(ctx context.Context, next int64) error {
	for {
		p.mu.Lock()
		changed := p.changed
		var sleep time.Duration
		switch {
		case p.paused && p.steps > 0:
			p.steps--
			p.mu.Unlock()
			return nil
		case p.paused:
			sleep = -1
		case p.delay == 0:
			p.mu.Unlock()
			return nil
		default:
			now := p.clock.Now()
			if p.due.IsZero() || now.Sub(p.due) > 50*time.Millisecond {
				// After a pause or a slow consumer, do not race to catch up.
				p.due = now
			}
			p.due = p.due.Add(p.delay)
			sleep = p.due.Sub(now)
			if sleep < time.Millisecond {
				p.mu.Unlock()
				return nil
			}
		}
		p.mu.Unlock()
		var timer clockwork.Timer
		var fire <-chan time.Time
		if sleep >= 0 {
			timer = p.clock.NewTimer(sleep)
			fire = timer.Chan()
		}
		select {
		case <-ctx.Done():
			stopTimer(timer)
			return ctx.Err()
		case <-fire:
			return nil
		case <-changed:
			// Re-read the state: paused, stepped or a new speed.
			stopTimer(timer)
		}
	}
}

func stopTimer(t clockwork.Timer) {
	if t != nil {
		t.Stop()
	}
}
