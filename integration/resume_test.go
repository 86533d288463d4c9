package integration

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Bob crashes mid-transmission (SIGKILL) and is restarted on the same
// address with the same --state-dir: Alice reconnects, Bob replays the
// bytes he had stored, and the transmission ends with exactly the payload,
// MDL, labels, test loss and final fingerprint of an uninterrupted run, the
// bytes sent twice counted apart (issue 7, item 3).
func TestBobRestartedResumesFromStateDir(t *testing.T) {
	ctx := testContext(t)
	args := specArgs("seed", "3", "n", "400000", "test", "2000", "dim", "8", "classes", "4", "noise", "0.2", "checkpoint-every", "20000")

	// The uninterrupted reference.
	ref := startBob(t, "--once")
	start := time.Now()
	want := runAlice(ctx, t, append([]string{"--bob", ref.addr, "--segment-bytes", "512"}, args...)...)
	if want.exitCode != 0 {
		t.Fatalf("reference alice exited %d:\n%s", want.exitCode, want.stderr)
	}
	took := time.Since(start)

	state := t.TempDir()
	first := startBob(t, "--state-dir", state)
	done := make(chan aliceResult, 1)
	go func() {
		done <- runAlice(ctx, t, append([]string{"--bob", first.addr, "--segment-bytes", "512"}, args...)...)
	}()
	first.next(t, "welcome", 60*time.Second)
	// Kill Bob once he has stored a quarter of the stream: mid-stream
	// whatever the machine's speed.
	quarter := int64(num(t, want.report, "payload_bytes")) / 4
	var stored int64
	for stored < quarter {
		select {
		case r := <-done:
			t.Fatalf("alice finished (exit %d) before bob had stored %d bytes: %s", r.exitCode, quarter, r.stderr)
		case <-time.After(2 * time.Millisecond):
		}
		files, _ := filepath.Glob(filepath.Join(state, "*.bytes"))
		if len(files) == 1 {
			if fi, err := os.Stat(files[0]); err == nil {
				stored = fi.Size()
			}
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	second := startBob(t, "--listen", first.addr, "--state-dir", state, "--once")
	var got aliceResult
	select {
	case got = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("alice did not finish after bob came back")
	}
	if got.exitCode != 0 {
		t.Fatalf("alice exited %d after bob came back:\n%s", got.exitCode, got.stderr)
	}
	session := second.next(t, "session", 30*time.Second)
	if session["resumed"] != true {
		t.Errorf("bob's session line does not say it resumed: %v", session)
	}
	for _, k := range []string{"payload_bytes", "coded_bits", "heldout_bits", "test_loss_bits", "edl_bits", "checkpoints_matched"} {
		if num(t, got.report, k) != num(t, want.report, k) {
			t.Errorf("%s: resumed %v, uninterrupted %v", k, got.report[k], want.report[k])
		}
	}
	for _, k := range []string{"fingerprint", "labels_sha256"} {
		if str(t, got.report, k) != str(t, want.report, k) || str(t, session, k) != str(t, want.report, k) {
			t.Errorf("%s: resumed %v (bob %v), uninterrupted %v", k, got.report[k], session[k], want.report[k])
		}
	}
	if num(t, got.report, "reconnects") < 1 {
		t.Errorf("reconnects = %v", got.report["reconnects"])
	}
	if left, _ := filepath.Glob(filepath.Join(state, "*")); len(left) != 0 {
		t.Errorf("a finished transmission left state behind: %v", left)
	}
	t.Logf("uninterrupted run %v; bob killed holding %d bytes and restarted: %v payload bytes, %v sent again over %v reconnects",
		took, stored, got.report["payload_bytes"], got.report["retransmitted_bytes"], got.report["reconnects"])
}
