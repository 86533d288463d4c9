package integration

import (
	"path/filepath"
	"testing"
	"time"
)

// θ* over the wire (issue 5, item 4; issue 7, item 4): after the coded pass
// Alice sends the validation labels, both sides train on to an early-stopped
// θ* with momentum, Alice sends the test labels coded against θ*, and Bob
// reports the test loss and EDL he computed himself. Both processes must
// agree on θ*'s fingerprint (checked at its checkpoint and in the summary)
// and on every verified number, to the bit.
func TestThetaStarVerifiedByBob(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	bob := startBob(t, "--once", "--model-out", filepath.Join(dir, "bob.model"))
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--model-out", filepath.Join(dir, "alice.model")},
		specArgs("seed", "11", "n", "600", "validation", "400", "test", "600", "classes", "4", "dim", "6", "noise", "0.1",
			"model", "mlp", "hidden", "12", "init", "normal", "init-scale", "0.1", "optimizer", "momentum", "lr", "0.01",
			"batch", "5", "epochs", "30", "patience", "3", "checkpoint-every", "500")...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := bob.next(t, "session", 30*time.Second)
	if err := bob.wait(t, 30*time.Second); err != nil {
		t.Fatalf("bob --once exited with %v", err)
	}
	rep := res.report
	for _, k := range []string{"coded_bits", "heldout_bits", "test_loss_bits", "edl_bits", "theta_epochs"} {
		if num(t, rep, k) != num(t, session, k) {
			t.Errorf("%s: alice %v, bob %v", k, rep[k], session[k])
		}
	}
	if str(t, rep, "fingerprint") != str(t, session, "fingerprint") {
		t.Fatalf("θ* fingerprints differ: alice %s, bob %s", rep["fingerprint"], session["fingerprint"])
	}
	epochs, best := num(t, rep, "theta_epochs"), num(t, rep, "theta_best_epoch")
	if epochs < 1 || best < 1 || best > epochs || (epochs < 30 && epochs != best+3) {
		t.Errorf("θ* ran %v epochs with best %v: patience 3 not honoured", epochs, best)
	}
	// Further training on the same labels can only help on validation, and
	// the EDLs are consistent with their test losses.
	pass, theta := num(t, rep, "pass_test_loss_bits"), num(t, rep, "test_loss_bits")
	if got, want := num(t, rep, "pass_edl_bits")-num(t, rep, "edl_bits"), 600*(theta-pass); abs(got-want) > 1e-6*abs(want)+1e-9 {
		t.Errorf("pass EDL − θ* EDL = %v, want n·(L_θ* − L_pass) = %v", got, want)
	}
	t.Logf("pass model %.4f bits/example, θ* %.4f after %v epochs (best %v); EDL %v bits single-pass, %v converged",
		pass, theta, epochs, best, rep["pass_edl_bits"], rep["edl_bits"])
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
