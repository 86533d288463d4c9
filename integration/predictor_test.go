package integration

import (
	"bytes"
	"fmt"
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
// non-zero at the first checkpoint, naming example 0, and reports no MDL; a
// plugin that is not one, and a missing --predictor, are refused.
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

	// Held-out coding needs Predict only: 100 validation and 300 test
	// labels coded against the pass model, which is θ*; Bob verifies the
	// test loss and the EDL himself (his figures equal Alice's to the bit).
	res = alice(bob, "--validation", "100", "--test", "300")
	if res.exitCode != 0 {
		t.Fatalf("held-out: alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	s = bob.next(t, "session", 2*time.Minute)
	if str(t, s, "fingerprint") != str(t, res.report, "fingerprint") || num(t, res.report, "n") != 1397 ||
		num(t, res.report, "test_loss_bits") <= 0 || num(t, res.report, "heldout_bits") <= 0 || res.report["bob_verified"] != true {
		t.Fatalf("held-out: report %v, bob %v", res.report, s)
	}
	t.Logf("held-out over the wire: test loss %.4f bits/example, EDL %.1f bits", num(t, res.report, "test_loss_bits"), num(t, res.report, "edl_bits"))

	// Another seed on Bob's side: the predictors diverge from the start.
	bob2 := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", torchPlugin, "--predictor-seed", "99")
	res = alice(bob2)
	// From example 0: the seeds give different initial models, as
	// proto/predictor's TestTorchSessions finds by running both plugins in
	// one process and bisecting their transcripts.
	if res.exitCode == 0 || res.report != nil || !strings.Contains(res.stderr, "predictors diverged at checkpoint 1 (example 320) from example 0:") {
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

// script writes an executable shell script that execs cmd with the
// environment variable EDL_TEST_PLUGIN set to a mark unique to the test, by
// which leftovers finds the plugin processes it started.
func script(t *testing.T, name, env string, cmd ...string) (path, mark string) {
	t.Helper()
	dir := t.TempDir()
	mark = filepath.Base(dir) + "-" + name
	path = filepath.Join(dir, name)
	body := fmt.Sprintf("#!/bin/sh\nEDL_TEST_PLUGIN=%s %s exec", mark, env)
	for _, c := range cmd {
		body += " '" + c + "'"
	}
	if err := os.WriteFile(path, []byte(body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, mark
}

// leftovers lists the processes whose environment holds mark, waiting up to
// 10 s for them to go (a killed plugin takes a moment to be reaped).
func leftovers(t *testing.T, mark string) []string {
	t.Helper()
	want := []byte("EDL_TEST_PLUGIN=" + mark + "\x00")
	var found []string
	for range 100 {
		found = found[:0]
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			env, err := os.ReadFile(filepath.Join(d, "environ"))
			if err != nil || !bytes.Contains(env, want) {
				continue
			}
			st, _ := os.ReadFile(filepath.Join(d, "stat"))
			if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
				continue // a zombie: dead, waiting for its parent to reap it
			}
			found = append(found, d)
		}
		if len(found) == 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return found
}

// digitsArgs are the spec flags of the external model on UCI digits.
func digitsArgs(t *testing.T) (src string, spec []string) {
	t.Helper()
	src = "../../shared/data/digits.csv.gz"
	if _, err := os.Stat(src); err != nil {
		t.Skipf("datasets not beside the project: %v", err)
	}
	return src, []string{"--data", src, "--standardize", "--model", "external", "--batch", "32", "--checkpoint-every", "320",
		"--predictor-spec", `{"model":"mlp","hidden":[64],"optimizer":"adam","lr":0.003}`}
}

// A divergence that starts at a known example, over the wire with real
// processes: Bob's plugin is the torch plugin with example 777's inputs
// changed (testdata/perturbed-torch-predictor), so his distribution for
// 777 differs and none before it does. Alice exits non-zero naming the
// first checkpoint after it (960, the third; 640 matched) and example 777,
// with no report; Bob's session ends quoting her; no plugin is left.
func TestTorchDivergenceLocated(t *testing.T) {
	needTorch(t)
	src, spec := digitsArgs(t)
	ctx := testContext(t)
	perturbed, err := filepath.Abs("testdata/perturbed-torch-predictor")
	if err != nil {
		t.Fatal(err)
	}
	plugin, mark := script(t, "perturbed", "EDL_PERTURB_EXAMPLE=777", perturbed)
	bob := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", plugin, "--once")
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--predictor", torchPlugin}, spec...)...)
	for _, want := range []string{
		"predictors diverged at checkpoint 3 (example 960) from example 777:",
		"the first example whose distribution differed is 777 (bisected between the checkpoints at 640 and 960",
	} {
		if res.exitCode != 1 || res.report != nil || !strings.Contains(res.stderr, want) {
			t.Fatalf("alice exited %d, report %v, stderr does not say %q:\n%s", res.exitCode, res.report, want, res.stderr)
		}
	}
	s := bob.next(t, "session", time.Minute)
	if e, _ := s["error"].(string); !strings.Contains(e, "alice aborted at example 960") || !strings.Contains(e, "is 777") {
		t.Fatalf("bob's session error does not quote alice: %v", s)
	}
	if err := bob.wait(t, time.Minute); err == nil {
		t.Fatal("bob --once exited 0 after a diverged transmission")
	}
	if left := leftovers(t, mark); len(left) > 0 {
		t.Fatalf("plugin processes left behind: %v", left)
	}
	t.Logf("alice: %s", strings.TrimSpace(res.stderr))
}

// A plugin that goes bad in the middle of a pass, on either side, through
// the real processes: it answers NaN, or its process exits, at the batch of
// example 32 (proto/predictor/testdata/bad-predictor; the other side runs
// the same plugin well behaved). Both alice and bob --once exit non-zero
// with errors that name the call and the example, alice reports no MDL, and
// no plugin process is left.
func TestBadPredictorOverTheWire(t *testing.T) {
	src, spec := digitsArgs(t)
	if err := exec.Command("/usr/bin/python3", "-c", "import grpc").Run(); err != nil {
		t.Skipf("python3-grpcio unavailable: %v", err)
	}
	bad, err := filepath.Abs("../proto/predictor/testdata/bad-predictor")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	for _, c := range []struct{ side, mode, want string }{
		{"bob", "nan", "Predict of example 32: coder: the probability of class 1 is NaN"},
		{"bob", "crash", "Predict of examples 32..63: the plugin process exited"},
		{"alice", "nan", "Predict of example 32: coder: the probability of class 1 is NaN"},
		{"alice", "crash", "Predict of examples 32..63: the plugin process exited"},
	} {
		t.Run(c.side+"-"+c.mode, func(t *testing.T) {
			good, goodMark := script(t, "good", "", bad, "well-behaved")
			broken, badMark := script(t, "bad", "", bad, c.mode)
			alicePlugin, bobPlugin := good, broken
			if c.side == "alice" {
				alicePlugin, bobPlugin = broken, good
			}
			bob := startBob(t, "--data-dir", filepath.Dir(src), "--predictor", bobPlugin, "--once")
			res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--predictor", alicePlugin}, spec...)...)
			if res.exitCode != 1 || res.report != nil || !strings.Contains(res.stderr, c.want) {
				t.Fatalf("alice exited %d, report %v; stderr does not say %q:\n%s", res.exitCode, res.report, c.want, res.stderr)
			}
			s := bob.next(t, "session", time.Minute)
			if e, _ := s["error"].(string); !strings.Contains(e, c.want) || !strings.Contains(e, "alice aborted") {
				t.Fatalf("bob's session error does not name the call: %v", s)
			}
			if err := bob.wait(t, time.Minute); err == nil {
				t.Fatal("bob --once exited 0")
			}
			for _, m := range []string{goodMark, badMark} {
				if left := leftovers(t, m); len(left) > 0 {
					t.Fatalf("plugin processes left behind: %v", left)
				}
			}
			t.Logf("alice: %s", strings.TrimSpace(res.stderr))
		})
	}
}
