package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// torchPlugin is the reference predictor plugin, beside the project.
const torchPlugin = "../predictors/torch/edl-torch-predictor"

// needTorch skips when Debian's python3 lacks torch or grpc.
func needTorch(t *testing.T) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, grpc").Run(); err != nil {
		t.Skipf("torch plugin unavailable (scripts/setup.sh installs it): %v", err)
	}
}

// The real alice and bob, each with its own torch plugin process, on UCI
// digits: every label decoded (equal labels hashes), every checkpoint
// matched, equal final fingerprints, the payload within 1% + 8 bytes of
// Σ −log₂ p. With another --predictor-seed on Bob's side Alice exits
// non-zero at the first checkpoint and reports no MDL; a plugin that is
// not one, and a missing --predictor, are refused.
func TestTorchPluginOverTheWire(t *testing.T) {
	needTorch(t)
	src := "../../shared/data/digits.csv.gz"
	if _, err := os.Stat(src); err != nil {
		t.Skipf("datasets not beside the project: %v", err)
	}
	ctx := testContext(t)
	spec := []string{"--data", src, "--standardize", "--model", "external", "--batch", "32", "--checkpoint-every", "320",
		"--predictor-spec", `{"model":"mlp","hidden":[64],"optimizer":"adam","lr":0.003}`}
	alice := func(bob *bobProc, extra ...string) aliceResult {
		return runAlice(ctx, t, append(append([]string{"--bob", bob.addr, "--predictor", torchPlugin}, spec...), extra...)...)
	}

	bob := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", torchPlugin)
	res := alice(bob)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	s := bob.next(t, "session", 2*time.Minute)
	for _, k := range []string{"fingerprint", "labels_sha256"} {
		if str(t, s, k) != str(t, res.report, k) {
			t.Fatalf("%s: bob %s, alice %s", k, str(t, s, k), str(t, res.report, k))
		}
	}
	n := num(t, res.report, "n")
	if cps := num(t, res.report, "checkpoints_matched"); n != 1797 || cps != 6 {
		t.Fatalf("n %v, %v checkpoints matched; want 1797, 6", n, cps)
	}
	ideal, payload := num(t, res.report, "ideal_bits"), num(t, res.report, "payload_bytes")
	if 8*payload > 1.01*ideal+64 || 8*payload < ideal {
		t.Fatalf("payload %v bytes against Σ−log₂p = %v bits", payload, ideal)
	}
	t.Logf("digits over the wire: payload %v bytes, Σ−log₂p %.1f bits, %v checkpoints matched", payload, ideal, num(t, res.report, "checkpoints_matched"))

	// Another seed on Bob's side: the predictors diverge from the start.
	bob2 := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", torchPlugin, "--predictor-seed", "99")
	res = alice(bob2)
	if res.exitCode == 0 || res.report != nil || !strings.Contains(res.stderr, "predictors diverged at checkpoint 1 (example 320)") {
		t.Fatalf("diverged seed: alice exited %d, report %v:\n%s", res.exitCode, res.report, res.stderr)
	}
	t.Logf("diverged seed: %s", strings.TrimSpace(res.stderr))

	// A plugin that is not one, and no plugin at all.
	notPlugin := filepath.Join(t.TempDir(), "not-a-plugin")
	if err := os.WriteFile(notPlugin, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bob3 := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", torchPlugin)
	res = runAlice(ctx, t, append([]string{"--bob", bob3.addr, "--predictor", notPlugin}, spec...)...)
	if res.exitCode != 1 || !strings.Contains(res.stderr, "predictor: start") {
		t.Fatalf("a non-plugin: alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	res = runAlice(ctx, t, append([]string{"--bob", bob3.addr}, spec...)...)
	if res.exitCode != 2 || !strings.Contains(res.stderr, "--predictor PATH") {
		t.Fatalf("no plugin: alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	bob4 := startBob(t, "--data-dir", filepath.Dir(src))
	res = alice(bob4)
	if res.exitCode != 1 || !strings.Contains(res.stderr, "--predictor PATH") {
		t.Fatalf("a bob without a plugin: alice exited %d:\n%s", res.exitCode, res.stderr)
	}
}
