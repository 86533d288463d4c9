package integration

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// Sixteen Alices at once against one Bob, each with its own spec (seed,
// model, task): every transmission is verified and Bob's account of each
// equals its Alice's (issue 7, item 6).
func TestSixteenAlicesAtOnce(t *testing.T) {
	ctx := testContext(t)
	bob := startBob(t)
	specs := make([][]string, 16)
	for i := range specs {
		args := []string{"seed", fmt.Sprint(100 + i), "n", fmt.Sprint(3000 + 500*i), "test", "300", "checkpoint-every", "500"}
		switch i % 4 {
		case 1:
			args = append(args, "model", "mlp", "hidden", "8", "init", "normal", "init-scale", "0.2", "lr", "0.1")
		case 2:
			args = append(args, "task", "coupon", "model", "table", "keys", "30", "classes", "6", "batch", "1")
		case 3:
			args = append(args, "optimizer", "adam", "lr", "0.01", "classes", "4", "dim", "6", "validation", "200", "epochs", "5")
		}
		specs[i] = args
	}
	results := make([]aliceResult, len(specs))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range specs {
		wg.Go(func() {
			results[i] = runAlice(ctx, t, append([]string{"--bob", bob.addr, "--quiet"}, specArgs(specs[i]...)...)...)
		})
	}
	wg.Wait()
	took := time.Since(start)
	sessions := map[string]map[string]any{}
	for range specs {
		s := bob.next(t, "session", 30*time.Second)
		sessions[str(t, s, "session_id")] = s
	}
	for i, r := range results {
		if r.exitCode != 0 {
			t.Errorf("alice %d exited %d:\n%s", i, r.exitCode, r.stderr)
			continue
		}
		s, ok := sessions[str(t, r.report, "session_id")]
		if !ok {
			t.Errorf("alice %d: bob reported no session %v", i, r.report["session_id"])
			continue
		}
		if r.report["bob_verified"] != true {
			t.Errorf("alice %d not verified", i)
		}
		for _, k := range []string{"payload_bytes", "coded_bits", "heldout_bits", "test_loss_bits", "edl_bits"} {
			if num(t, r.report, k) != num(t, s, k) {
				t.Errorf("alice %d: %s alice %v, bob %v", i, k, r.report[k], s[k])
			}
		}
		if str(t, r.report, "fingerprint") != str(t, s, "fingerprint") || str(t, r.report, "spec_hash") != str(t, s, "spec_hash") {
			t.Errorf("alice %d: fingerprint or spec differs from bob's", i)
		}
	}
	t.Logf("16 transmissions at once, 16 specs: all verified in %v", took)
}
