package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkVerified compares Alice's report with Bob's session record.
func checkVerified(t *testing.T, res aliceResult, bob *bobProc) {
	t.Helper()
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := bob.next(t, "session", 60*time.Second)
	if e, ok := session["error"]; ok {
		t.Fatalf("bob: %v", e)
	}
	if res.report["bob_verified"] != true {
		t.Fatalf("not verified: %v", res.report)
	}
	for _, k := range []string{"fingerprint", "labels_sha256", "spec_hash"} {
		if str(t, res.report, k) != str(t, session, k) {
			t.Errorf("%s: alice %v, bob %v", k, res.report[k], session[k])
		}
	}
}

// The token-input network runs through the real alice and bob on the
// modular task in its token notation.
func TestTokensModelOverTheWire(t *testing.T) {
	ctx := testContext(t)
	bob := startBob(t, "--once")
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--quiet"}, specArgs("task", "modular", "classes", "7",
		"model", "tokens", "embed", "8", "hidden", "32", "init", "normal", "init-scale", "0.3",
		"optimizer", "adam", "lr", "0.01", "n", "3000", "test", "500", "seed", "5")...)...)
	checkVerified(t, res, bob)
	rep := res.report
	// vocab 7·embed 8 + (16·32+32) + (32·7+7) = 56 + 544 + 231
	if num(t, rep, "params") != 831 || num(t, rep, "trainable_params") != 831 {
		t.Errorf("params %v, trainable %v, want 831 and 831", rep["params"], rep["trainable_params"])
	}
	if c, u := num(t, rep, "coded_bits"), num(t, rep, "uniform_bits"); c > 0.8*u {
		t.Errorf("tokens on modular add: coded %v bits, uniform %v", c, u)
	}
	t.Logf("tokens: MDL %v bits of uniform %v, test loss %.3f bits", rep["coded_bits"], rep["uniform_bits"], num(t, rep, "test_loss_bits"))
}

// A transmission with a LoRA adapter starts from a pre-trained checkpoint
// both sides hold: Alice names it with --base, Bob finds his copy under
// --data-dir. A different or missing copy is refused naming the file and
// the hashes.
func TestLoRAFromBaseCheckpointOverTheWire(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "modular-base.ckpt")
	arch := []string{"task", "modular", "classes", "7", "model", "tokens", "embed", "8", "hidden", "32", "test", "300"}

	// Pre-training: the add skill in the token notation.
	bob := startBob(t, "--once")
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--quiet", "--checkpoint-out", ckpt}, specArgs(append(arch,
		"init", "normal", "init-scale", "0.3", "optimizer", "adam", "lr", "0.01", "n", "3000", "seed", "5")...)...)...)
	checkVerified(t, res, bob)
	pre := num(t, res.report, "test_loss_bits")

	// Adaptation: the same skill in the permuted notation, rank-2 LoRA.
	bobDir := t.TempDir()
	raw, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bobDir, "modular-base.ckpt"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	adapt := append([]string{"--base", ckpt}, specArgs(append(arch, "notation", "tokens-permuted", "adapter", "lora", "rank", "2",
		"optimizer", "adam", "lr", "0.01", "n", "1000", "seed", "6")...)...)
	bob2 := startBob(t, "--once", "--data-dir", bobDir)
	res = runAlice(ctx, t, append([]string{"--bob", bob2.addr, "--quiet"}, adapt...)...)
	checkVerified(t, res, bob2)
	// trainable: 2·(16+32) + 2·(32+7) = 174; total 831 + 174.
	if num(t, res.report, "params") != 831+174 || num(t, res.report, "trainable_params") != 174 {
		t.Errorf("lora: params %v, trainable %v, want 1005 and 174", res.report["params"], res.report["trainable_params"])
	}
	t.Logf("pre-trained test loss %.3f bits; lora on the permuted notation: MDL %v bits for %v labels, test loss %.3f bits",
		pre, res.report["coded_bits"], res.report["n"], num(t, res.report, "test_loss_bits"))

	// Bob's copy differs: refused, naming the file and both hashes.
	changed := append([]byte(nil), raw...)
	changed[len(changed)/2] ^= 1
	if err := os.WriteFile(filepath.Join(bobDir, "modular-base.ckpt"), changed, 0o644); err != nil {
		t.Fatal(err)
	}
	bob3 := startBob(t, "--once", "--data-dir", bobDir)
	res = runAlice(ctx, t, append([]string{"--bob", bob3.addr, "--quiet", "--reconnects", "-1"}, adapt...)...)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "base_sha256") || !strings.Contains(res.stderr, "modular-base.ckpt") {
		t.Errorf("a differing base was not refused by name (exit %d):\n%s", res.exitCode, res.stderr)
	}
	// Bob has no copy.
	bob4 := startBob(t, "--once", "--data-dir", t.TempDir())
	res = runAlice(ctx, t, append([]string{"--bob", bob4.addr, "--quiet", "--reconnects", "-1"}, adapt...)...)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "not found") || !strings.Contains(res.stderr, "modular-base.ckpt") {
		t.Errorf("a missing base was not refused clearly (exit %d):\n%s", res.exitCode, res.stderr)
	}
	// A base of another architecture is refused by Alice herself, naming
	// the fields.
	wide := append([]string{"--base", ckpt}, specArgs("task", "modular", "classes", "7", "model", "tokens", "embed", "4",
		"hidden", "32", "adapter", "lora", "n", "100", "test", "0")...)
	res = runAlice(ctx, t, append([]string{"--bob", bob4.addr, "--quiet"}, wide...)...)
	if res.exitCode == 0 || !strings.Contains(res.stderr, "embed") {
		t.Errorf("a base of another architecture was not refused by field (exit %d):\n%s", res.exitCode, res.stderr)
	}
}
