package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// crossRun is what one cross-architecture transmission left behind.
type crossRun struct {
	name    string
	report  map[string]any // alice's JSON report
	session map[string]any // bob's session event
	model   []byte         // bob's --model-out (equal to alice's, checked)
	labels  []int          // bob's --labels-out
}

// TestCrossArchitecture runs goldenSpec between an arm64 process (under
// qemu-aarch64-static) and a native amd64 one, in both roles, and checks
// that both ends land on the same bits as the native golden run: the
// determinism contract's "identical on amd64 and arm64", end to end over
// real gRPC.
func TestCrossArchitecture(t *testing.T) {
	if runtime.GOARCH != "amd64" || runtime.GOOS != "linux" {
		t.Skipf("cross-architecture test needs a linux/amd64 host (this is %s/%s)", runtime.GOOS, runtime.GOARCH)
	}
	qemu, err := exec.LookPath(qemuARM64)
	if err != nil {
		t.Skipf("%s not on PATH (Debian/Ubuntu: apt-get install qemu-user-static): skipping the arm64 runs", qemuARM64)
	}
	start := time.Now()
	armDir := buildARM64(t, t.TempDir())
	t.Logf("built arm64 alice and bob in %v", time.Since(start).Round(time.Millisecond))

	runs := []struct {
		name       string
		bob, alice []string
	}{
		{"arm64 bob, amd64 alice", qemuArgv(qemu, armDir, "bob"), nativeArgv("alice")},
		{"amd64 bob, arm64 alice", nativeArgv("bob"), qemuArgv(qemu, armDir, "alice")},
	}
	var got []crossRun
	for _, r := range runs {
		ok := t.Run(r.name, func(t *testing.T) {
			got = append(got, crossTransmit(t, r.name, r.bob, r.alice))
		})
		if !ok {
			return
		}
	}

	// Both runs decoded Alice's labels, and the two arm64 roles agree with
	// each other byte for byte.
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 7, 3000, 1000, 5, 8
	in, err := task.NewInputs(sp)
	if err != nil {
		t.Fatal(err)
	}
	want, err := task.NewLabels(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if len(r.labels) != len(want.Train) {
			t.Fatalf("%s: bob decoded %d labels, want %d", r.name, len(r.labels), len(want.Train))
		}
		for i := range r.labels {
			if r.labels[i] != want.Train[i] {
				t.Fatalf("%s: label %d: bob decoded %d, alice coded %d", r.name, i, r.labels[i], want.Train[i])
			}
		}
	}
	a, b := got[0], got[1]
	if !bytes.Equal(a.model, b.model) {
		t.Errorf("model files differ across the runs: %s %d bytes, %s %d bytes", a.name, len(a.model), b.name, len(b.model))
	}
	// Every number on the synchronized path, and the report's accounting
	// (computed with detmath on whichever architecture Alice ran), is equal.
	for _, k := range []string{"payload_bytes", "coded_bits", "ideal_bits", "quantized_ideal_bits",
		"uniform_bits", "test_loss_bits", "edl_bits", "checkpoints_matched"} {
		if x, y := num(t, a.report, k), num(t, b.report, k); x != y {
			t.Errorf("alice's %s differs across the runs: %s %v, %s %v", k, a.name, x, b.name, y)
		}
	}
	for _, k := range []string{"fingerprint", "labels_sha256", "spec_hash"} {
		if x, y := str(t, a.report, k), str(t, b.report, k); x != y {
			t.Errorf("alice's %s differs across the runs: %s %s, %s %s", k, a.name, x, b.name, y)
		}
	}
}

// crossTransmit runs one goldenSpec transmission between bob (argv) and
// alice (argv) and checks it on its own terms.
func crossTransmit(t *testing.T, name string, bobArgv, aliceArgv []string) crossRun {
	ctx := testContext(t)
	dir := t.TempDir()
	start := time.Now()
	bob := startBobArgv(t, bobArgv, 2*time.Minute, "--once",
		"--labels-out", filepath.Join(dir, "bob.labels"), "--model-out", filepath.Join(dir, "bob.model"))
	res := runAliceArgv(ctx, t, aliceArgv, append([]string{"--bob", bob.addr, "--model-out", filepath.Join(dir, "alice.model")},
		specArgs(goldenSpec...)...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := bob.next(t, "session", 2*time.Minute)
	if err := bob.wait(t, 2*time.Minute); err != nil {
		t.Fatalf("bob --once exited with %v", err)
	}
	t.Logf("%s: transmission of 3000 labels took %v", name, time.Since(start).Round(time.Millisecond))

	rep := res.report
	fp := str(t, rep, "fingerprint")
	if bfp := str(t, session, "fingerprint"); bfp != fp {
		t.Fatalf("fingerprints differ: alice %s, bob %s", fp, bfp)
	}
	if fp != goldenFingerprint {
		t.Errorf("fingerprint %s differs from the native golden %s", fp, goldenFingerprint)
	}
	if rep["bob_verified"] != true {
		t.Errorf("bob_verified = %v", rep["bob_verified"])
	}
	if m := num(t, rep, "checkpoints_matched"); m != 7 {
		t.Errorf("checkpoints_matched = %v, want 7 (6 in the pass, 1 after the test labels)", m)
	}
	for _, k := range []string{"n", "payload_bytes", "coded_bits", "heldout_bits", "test_loss_bits", "edl_bits"} {
		if num(t, rep, k) != num(t, session, k) {
			t.Errorf("%s: alice %v, bob %v", k, rep[k], session[k])
		}
	}
	if str(t, rep, "labels_sha256") != str(t, session, "labels_sha256") {
		t.Errorf("labels_sha256: alice %v, bob %v", rep["labels_sha256"], session["labels_sha256"])
	}
	am, err := os.ReadFile(filepath.Join(dir, "alice.model"))
	if err != nil {
		t.Fatal(err)
	}
	bm, err := os.ReadFile(filepath.Join(dir, "bob.model"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(am, bm) {
		t.Fatalf("model files differ (alice %d bytes, bob %d bytes)", len(am), len(bm))
	}
	return crossRun{name: name, report: rep, session: session, model: bm, labels: readLabels(t, filepath.Join(dir, "bob.labels"))}
}
