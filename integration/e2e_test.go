package integration

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// goldenSpec is fixed here, not taken from the defaults, so that its
// fingerprint only changes when the numerics do.
var goldenSpec = []string{"seed", "7", "n", "3000", "test", "1000", "classes", "5", "dim", "8",
	"init", "normal", "init-scale", "0.1", "lr", "0.3", "batch", "4", "checkpoint-every", "500"}

// goldenFingerprint is the SHA-256 of the final canonical parameters for
// goldenSpec. A change means the numerics changed: that breaks sync with
// every deployed peer, so it must be deliberate.
const goldenFingerprint = "eef7ad79e6698cb7e4b7917be85040c79eb5d2ca03bc36215ec20a08459fcd4c"

func TestTransmissionBitExact(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	bob := startBob(t, "--once", "--labels-out", filepath.Join(dir, "bob.labels"), "--model-out", filepath.Join(dir, "bob.model"))
	start := time.Now()
	res := runAlice(ctx, t, append([]string{"--bob", bob.addr, "--model-out", filepath.Join(dir, "alice.model")}, specArgs(goldenSpec...)...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := bob.next(t, "session", 30*time.Second)
	if err := bob.wait(t, 30*time.Second); err != nil {
		t.Fatalf("bob --once exited with %v", err)
	}
	t.Logf("transmission of 3000 labels between two processes took %v", time.Since(start))
	rep := res.report

	// Bob's decoded labels are Alice's labels.
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
	got := readLabels(t, filepath.Join(dir, "bob.labels"))
	if len(got) != len(want.Train) {
		t.Fatalf("bob decoded %d labels, alice has %d", len(got), len(want.Train))
	}
	for i := range got {
		if got[i] != want.Train[i] {
			t.Fatalf("label %d: bob decoded %d, alice coded %d", i, got[i], want.Train[i])
		}
	}

	// The final models are equal byte for byte, and so are the fingerprints.
	am, err := os.ReadFile(filepath.Join(dir, "alice.model"))
	if err != nil {
		t.Fatal(err)
	}
	bm, err := os.ReadFile(filepath.Join(dir, "bob.model"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(am, bm) {
		t.Fatalf("model files differ (%d and %d bytes)", len(am), len(bm))
	}
	fp := str(t, rep, "fingerprint")
	if bfp := str(t, session, "fingerprint"); bfp != fp {
		t.Fatalf("fingerprints differ: alice %s, bob %s", fp, bfp)
	}
	if fp != goldenFingerprint {
		t.Errorf("golden fingerprint changed: got %s, want %s", fp, goldenFingerprint)
	}
	// Checkpoints every 500 examples: 6, and one after the test labels,
	// all matched.
	if m := num(t, rep, "checkpoints_matched"); m != 7 {
		t.Errorf("checkpoints_matched = %v, want 7", m)
	}
	if rep["bob_verified"] != true {
		t.Errorf("bob_verified = %v", rep["bob_verified"])
	}
	for _, k := range []string{"n", "payload_bytes", "coded_bits", "heldout_bits", "test_loss_bits", "edl_bits"} {
		if num(t, rep, k) != num(t, session, k) {
			t.Errorf("%s: alice %v, bob %v", k, rep[k], session[k])
		}
	}
	if str(t, rep, "labels_sha256") != str(t, session, "labels_sha256") || str(t, rep, "spec_hash") != str(t, session, "spec_hash") {
		t.Errorf("labels or spec hashes differ: alice %v, bob %v", rep, session)
	}

	// The coder is within 64 bits of the quantized ideal, never below it.
	coded, qideal := num(t, rep, "coded_bits"), num(t, rep, "quantized_ideal_bits")
	if coded < qideal || coded > qideal+64 {
		t.Errorf("coded_bits %v outside [quantized_ideal %v, +64]", coded, qideal)
	}
	// The MDL is the training pass's bytes; the test labels follow them,
	// coded against the final model so Bob verifies the test loss himself.
	if coded+num(t, rep, "heldout_bits") != 8*num(t, rep, "payload_bytes") {
		t.Errorf("coded_bits %v + heldout_bits %v != 8 × payload_bytes %v", coded, rep["heldout_bits"], rep["payload_bytes"])
	}
	if num(t, rep, "wire_bytes") <= num(t, rep, "payload_bytes") {
		t.Errorf("wire_bytes %v should exceed the payload %v", rep["wire_bytes"], rep["payload_bytes"])
	}
	if edl := num(t, rep, "edl_bits"); edl <= 0 {
		t.Errorf("structured task EDL %v bits is not positive", edl)
	}
}

// EDL separates a learnable task from random labels of the same size: the
// structured task's EDL is large and positive, the random one's is ≈ 0.
func TestEDLStructuredVersusRandomLabels(t *testing.T) {
	ctx := testContext(t)
	bob := startBob(t) // serves both transmissions
	edl := map[bool]float64{}
	var uni float64
	for _, random := range []bool{false, true} {
		args := append([]string{"--bob", bob.addr, "--random-labels=" + strconv.FormatBool(random)}, specArgs("n", "10000", "test", "10000")...)
		res := runAlice(ctx, t, args...)
		if res.exitCode != 0 {
			t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
		}
		bob.next(t, "session", 30*time.Second)
		edl[random], uni = num(t, res.report, "edl_bits"), num(t, res.report, "uniform_bits")
		t.Logf("random labels %v: MDL %.0f bits, EDL %.1f bits, uniform %.1f bits (EDL %.2f%% of uniform)",
			random, num(t, res.report, "coded_bits"), edl[random], uni, 100*edl[random]/uni)
	}
	if math.Abs(edl[true]) >= 0.02*uni {
		t.Errorf("random labels: |EDL| = %.1f bits, want under 2%% of %.1f", math.Abs(edl[true]), uni)
	}
	if edl[false] < 0.05*uni || edl[false] < 5*math.Abs(edl[true]) {
		t.Errorf("structured task: EDL %.1f bits, want over 5%% of uniform (%.1f) and 5× the random-label |EDL| (%.1f)", edl[false], uni, math.Abs(edl[true]))
	}
}

func TestRefusedSpecNamesTheField(t *testing.T) {
	ctx := testContext(t)
	bob := startBob(t, "--once", "--max-classes", "5")
	res := runAlice(ctx, t, "--bob", bob.addr, "--classes", "10")
	if res.exitCode == 0 {
		t.Fatal("alice exited 0 for a spec bob refuses")
	}
	if !strings.Contains(res.stderr, "classes") || !strings.Contains(res.stderr, "max-classes") || !strings.Contains(res.stderr, "FailedPrecondition") {
		t.Errorf("alice's message does not name the field and limit:\n%s", res.stderr)
	}
	if err := bob.wait(t, 30*time.Second); err == nil {
		t.Error("bob --once exited 0 after refusing the spec")
	}
	if !strings.Contains(bob.stderr.String(), "classes") {
		t.Errorf("bob's message does not name the field:\n%s", bob.stderr.String())
	}
}

func TestBobKilledMidStream(t *testing.T) {
	ctx := testContext(t)
	bob := startBob(t)
	dir := t.TempDir()
	events, control := filepath.Join(dir, "alice.events"), filepath.Join(dir, "alice.control")
	if err := syscall.Mkfifo(control, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan aliceResult, 1)
	go func() {
		// Bob never comes back: Alice resumes twice, then gives up.
		done <- runAlice(ctx, t, append([]string{"--bob", bob.addr, "--reconnects", "2", "--events", events, "--control", control, "--paused"},
			specArgs("n", "2000000", "test", "0", "dim", "8", "classes", "4")...)...)
	}()
	// Alice starts held at her first example; one step codes it. Once its
	// line is in her events she is past the hello and mid-stream, held
	// again: Bob is killed then, and only then does she go on. Whatever
	// the machine's speed, the kill lands mid-stream.
	ctl, err := os.OpenFile(control, os.O_WRONLY, 0) // blocks until alice opens it
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	if _, err := ctl.WriteString("step\n"); err != nil {
		t.Fatal(err)
	}
	for {
		if b, _ := os.ReadFile(events); bytes.Contains(b, []byte(`"event":"example"`)) {
			break
		}
		select {
		case res := <-done:
			t.Fatalf("alice ended (exit %d) before coding a label: %s", res.exitCode, res.stderr)
		case <-ctx.Done():
			t.Fatal("alice coded no label")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := bob.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.WriteString("resume\n"); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	select {
	case res := <-done:
		if res.exitCode == 0 {
			t.Fatal("alice exited 0 although bob was killed")
		}
		if !strings.Contains(res.stderr, "bob") || !strings.Contains(res.stderr, "gave up after 2 reconnects") {
			t.Errorf("alice's message does not say what happened:\n%s", res.stderr)
		}
		t.Logf("alice exited %d %v after bob was killed: %s", res.exitCode, time.Since(killed), strings.TrimSpace(res.stderr))
	case <-time.After(30 * time.Second):
		t.Fatal("alice hung after bob was killed")
	}
}

func readLabels(t *testing.T, path string) []int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := strconv.Atoi(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, v)
	}
	return out
}
