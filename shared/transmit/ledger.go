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
}

func (e *DesyncError) Error() string {
	return fmt.Sprintf("transmit: desync at example %d: %s", e.Example, e.Detail)
}

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
