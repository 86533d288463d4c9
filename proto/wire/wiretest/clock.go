// Package wiretest holds what the tests of alice and bob share: a fake clock
// that Alice's heartbeat and Bob's idle timeout can both run on.
package wiretest

import (
	"context"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Clock is a fake clock that counts the timers armed on it. Bob arms one
// idle timer per Recv, so a test that has sent k messages knows Bob waits
// for the next one, with a fresh timer, once k+1 timers are armed; only
// then may it advance the time without racing his receive loop.
type Clock struct {
	*clockwork.FakeClock
	mu      sync.Mutex
	armed   int64
	changed chan struct{} // closed and replaced at every arming
}

// NewClock returns a fake clock at an arbitrary fixed instant.
func NewClock() *Clock {
	return &Clock{FakeClock: clockwork.NewFakeClock(), changed: make(chan struct{})}
}

// NewTimer arms a fake timer and counts it.
func (c *Clock) NewTimer(d time.Duration) clockwork.Timer {
	t := c.FakeClock.NewTimer(d)
	c.mu.Lock()
	c.armed++
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	return t
}

// Armed is the number of timers armed so far.
func (c *Clock) Armed() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.armed
}

// WaitArmed blocks until at least n timers have been armed, or ctx ends.
func (c *Clock) WaitArmed(ctx context.Context, n int64) error {
	for {
		c.mu.Lock()
		armed, changed := c.armed, c.changed
		c.mu.Unlock()
		if armed >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
