package transmit

import (
	"errors"
	"fmt"
	"sync"

	"github.com/edlwire/edlwire/shared/prequential"
)

// ErrDesync marks a receiver's checkpoint that differs from the sender's.
var ErrDesync = errors.New("transmit: the receiver's model diverged")

// DesyncError is a checkpoint mismatch at a known example.
type DesyncError struct {
	Example int64
	Detail  string
	// Filled by Locate: the first example whose transcript record (its
	// distribution) differed, or -1 when it was not found; Location says
	// what was found, or why nothing was.
	First    int64
	Location string
}

func (e *DesyncError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("transmit: desync at example %d: %s; %s", e.Example, e.Detail, e.Location)
	}
	return fmt.Sprintf("transmit: desync at example %d: %s", e.Example, e.Detail)
}

// Located reports whether Locate found the first differing example.
func (e *DesyncError) Located() bool { return e.Location != "" && e.First >= 0 }

func (e *DesyncError) Unwrap() error { return ErrDesync }

// Ledger holds the sender's checkpoints and which of them the receiver has
// confirmed. A receiver that resumes after a break replays the bytes it
// holds and reaches the early checkpoints again: those must equal the
// first confirmation and do not count twice. It is safe for concurrent use
// (Alice records on her coding goroutine and checks on her receiving one).
type Ledger struct {
	mu        sync.Mutex
	mine      map[int64]prequential.Checkpoint // not yet confirmed
	confirmed map[int64]prequential.Checkpoint
	matched   int64
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{mine: map[int64]prequential.Checkpoint{}, confirmed: map[int64]prequential.Checkpoint{}}
}

// Record adds one of the sender's checkpoints.
func (l *Ledger) Record(cp prequential.Checkpoint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mine[cp.Example] = cp
}

// Check compares one of the receiver's checkpoints with the sender's at
// the same example: a *DesyncError when it differs or the sender took
// none there.
func (l *Ledger) Check(theirs prequential.Checkpoint) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ex := theirs.Example
	mine, ok := l.mine[ex]
	again := false
	if !ok {
		mine, again = l.confirmed[ex]
	}
	switch {
	case !ok && !again:
		return &DesyncError{Example: ex, Detail: "the receiver reported a checkpoint the sender never took"}
	case theirs.Transcript != mine.Transcript:
		return &DesyncError{Example: ex, Detail: fmt.Sprintf("transcript %x (receiver) != %x (sender)", theirs.Transcript, mine.Transcript)}
	case theirs.Fingerprint != mine.Fingerprint:
		return &DesyncError{Example: ex, Detail: fmt.Sprintf("fingerprint %x (receiver) != %x (sender)", theirs.Fingerprint, mine.Fingerprint)}
	}
	if !again {
		delete(l.mine, ex)
		l.confirmed[ex] = mine
		l.matched++
	}
	return nil
}

// Took reports whether the sender took a checkpoint at example count ex.
func (l *Ledger) Took(ex int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, mine := l.mine[ex]
	_, confirmed := l.confirmed[ex]
	return mine || confirmed
}

// ConfirmedBefore is the largest example count below ex at which the
// receiver confirmed the sender's checkpoint, or 0 (the start, where both
// transcripts are empty).
func (l *Ledger) ConfirmedBefore(ex int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	best := int64(0)
	for c := range l.confirmed {
		if c < ex && c > best {
			best = c
		}
	}
	return best
}

// Matched counts the sender's checkpoints the receiver has confirmed.
func (l *Ledger) Matched() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.matched
}

// Unmatched counts the sender's checkpoints not yet confirmed.
func (l *Ledger) Unmatched() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.mine)
}
