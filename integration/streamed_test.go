package integration

import (
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// A spec whose inputs pass spec.StreamInputsAbove (263 000 examples of 128
// numbers and 1 500 held out: 271 MB) is streamed by both processes, with
// validation, test and a θ* epoch, so each split is read again from its
// start: the wire run must give, to the bit, the figures of the same
// transmission computed in process on inputs held whole (task.Build, the
// dense path).
func TestStreamedInputsOverTheWireEqualDense(t *testing.T) {
	ctx := testContext(t)
	sp := spec.Default()
	sp.Seed, sp.N, sp.Dim, sp.Validation, sp.Test, sp.Epochs, sp.Patience, sp.CheckpointEvery = 11, 263_000, 128, 500, 1000, 1, 1, 50_000
	if !sp.InputsStreamed() {
		t.Fatalf("the spec's inputs (%d bytes) must be streamed", (sp.N+sp.Validation+sp.Test)*sp.Dim*8)
	}
	in, labels, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Train.Streamed() {
		t.Fatal("task.Build must hold the inputs: it is the reference")
	}
	side := func() *prequential.Session {
		s, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ref, err := transmit.Pipe(side(), side(), labels, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	want := ref.Figures

	b := startBob(t, "--once")
	res := runAlice(ctx, t, append([]string{"--bob", b.addr}, specArgs("seed", "11", "n", strconv.FormatInt(sp.N, 10), "dim", "128",
		"validation", "500", "test", "1000", "epochs", "1", "patience", "1", "checkpoint-every", "50000")...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := b.next(t, "session", 60*time.Second)
	fp := hex.EncodeToString(want.Final.Fingerprint[:])
	if got := str(t, res.report, "fingerprint"); got != fp || str(t, session, "fingerprint") != fp {
		t.Errorf("final fingerprint: alice %s, bob %v; held inputs give %s", got, session["fingerprint"], fp)
	}
	if got := str(t, res.report, "labels_sha256"); got != hex.EncodeToString(want.LabelsSHA256[:]) {
		t.Errorf("labels sha256 %s, held inputs give %x", got, want.LabelsSHA256)
	}
	if got := int64(num(t, res.report, "payload_bytes")); got != want.PayloadBytes {
		t.Errorf("payload %d bytes, held inputs give %d", got, want.PayloadBytes)
	}
	if got := num(t, res.report, "test_loss_bits"); got != want.TestLossBits {
		t.Errorf("test loss %v bits, held inputs give %v", got, want.TestLossBits)
	}
	if got := int64(num(t, res.report, "theta_epochs")); got != want.ThetaEpochs {
		t.Errorf("θ* epochs %d, held inputs give %d", got, want.ThetaEpochs)
	}
}
