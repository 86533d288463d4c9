package transmit

import (
	"errors"
	"testing"

	"github.com/edlwire/edlwire/shared/prequential"
)

// A checkpoint confirmed again (a resumed receiver replays its bytes)
// counts once; one that differs, or that the sender never took, is a
// DesyncError naming the example.
func TestLedgerCountsOnceAndNamesTheDesync(t *testing.T) {
	led := NewLedger()
	a := prequential.Checkpoint{Example: 64}
	a.Fingerprint[0] = 1
	b := prequential.Checkpoint{Example: 128}
	led.Record(a)
	led.Record(b)
	for range 2 {
		if err := led.Check(a); err != nil {
			t.Fatal(err)
		}
	}
	if led.Matched() != 1 || led.Unmatched() != 1 {
		t.Errorf("matched %d, unmatched %d; want 1, 1", led.Matched(), led.Unmatched())
	}
	bad := b
	bad.Transcript[5] = 9
	for _, cp := range []prequential.Checkpoint{bad, {Example: 96}} {
		var d *DesyncError
		if err := led.Check(cp); !errors.As(err, &d) || d.Example != cp.Example || !errors.Is(err, ErrDesync) {
			t.Errorf("checkpoint at %d: error %v", cp.Example, err)
		}
	}
}
