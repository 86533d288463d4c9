package alice

import (
	"context"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// A spec past Alice's memory budget is refused before she dials Bob or
// generates anything: the address here is never contacted.
func TestRunRefusesSpecPastMemoryBudget(t *testing.T) {
	sp := spec.Default()
	sp.N = 1_000_000_000_000
	_, err := Run(context.Background(), Config{Bob: "bob.invalid:1", Spec: sp, MaxMemory: 1 << 30})
	if err == nil || !strings.Contains(err.Error(), "memory") || !strings.Contains(err.Error(), "n=1000000000000") || !strings.Contains(err.Error(), "limit 1.0 GiB (max-memory)") {
		t.Fatalf("got %v, want a refusal naming memory, n and the 1 GiB limit", err)
	}
}
