package alice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// bufBob serves a Bob over bufconn and returns a dialer for alice.Config.Dial
// and the channel of his session reports.
func bufBob(t *testing.T, cfg bob.Config) (func(context.Context, string) (net.Conn, error), chan bob.SessionReport) {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	reports := make(chan bob.SessionReport, 4)
	cfg.OnSession = func(r bob.SessionReport) { reports <- r }
	gs := grpc.NewServer()
	wirepb.RegisterTransmissionServer(gs, bob.NewServer(cfg))
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(func() {
		gs.Stop()
		_ = lis.Close()
	})
	return func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }, reports
}

func waitReport(t *testing.T, ch chan bob.SessionReport) bob.SessionReport {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("bob reported no session")
	}
	return bob.SessionReport{}
}

func aliceSpec() spec.Spec {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 3, 2500, 700, 4, 6
	sp.Init, sp.InitScale, sp.LR, sp.Batch, sp.CheckpointEvery = spec.InitNormal, 0.05, 0.4, 5, 600
	sp.Noise = 0.1
	return sp
}

// reference runs the shared core alone: the payload, final model and labels
// a transmission of sp must produce.
type reference struct {
	payload     int64 // every byte, held-out labels included
	mdl         int64 // the training pass's bytes
	final       prequential.Checkpoint
	checkpoints int64
	labels      []int
	testLoss    float64
	acct        prequential.Accounting
	modelBytes  []byte
}

func referenceRun(t *testing.T, sp spec.Spec) reference {
	t.Helper()
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	snd, err := transmit.NewSender(sess, lab)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := snd.Run()
	if err != nil {
		t.Fatal(err)
	}
	r.checkpoints = int64(len(snd.Checkpoints()))
	r.payload, r.mdl, r.final, r.labels, r.acct = fin.PayloadBytes, fin.MDLBytes, sess.LastCheckpoint(), lab.Train, sess.Accounting()
	// θ*'s test loss, computed apart from the session's own bookkeeping.
	if r.testLoss, err = edl.TestLossBits(sess.Model(), &in.Test, lab.Test); err != nil {
		t.Fatal(err)
	}
	if r.modelBytes, err = model.Encode(sess.Model()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunAgainstBobOverBufconn(t *testing.T) {
	softmax := aliceSpec()
	mlp := aliceSpec()
	mlp.Model, mlp.Hidden, mlp.Activation, mlp.N, mlp.LR = spec.ModelMLP, []int64{8}, spec.ActTanh, 1200, 0.2
	kt := aliceSpec()
	kt.Model, kt.Batch, kt.Test = spec.ModelKT, 1, 0
	for name, sp := range map[string]spec.Spec{"softmax": softmax, "mlp": mlp, "kt": kt} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			dial, reports := bufBob(t, bob.Config{
				Limits:    bob.DefaultLimits(),
				LabelsOut: filepath.Join(dir, "bob-labels.txt"),
				ModelOut:  filepath.Join(dir, "bob.model"),
			})
			const segBytes = 37
			rep, err := alice.Run(context.Background(), alice.Config{
				Bob: "bufnet", Spec: sp, SegmentBytes: segBytes, Timeout: time.Minute, Dial: dial,
				ModelOut: filepath.Join(dir, "alice.model"),
			})
			if err != nil {
				t.Fatalf("alice.Run: %v", err)
			}
			b := waitReport(t, reports)
			if b.Error != "" {
				t.Fatalf("bob's session failed: %s", b.Error)
			}

			// Bob's account equals Alice's.
			if b.N != rep.N || b.PayloadBytes != rep.PayloadBytes || b.CodedBits != rep.CodedBits ||
				b.Fingerprint != rep.Fingerprint || b.LabelsSHA256 != rep.LabelsSHA256 ||
				b.SpecHash != rep.SpecHash || b.SessionID != rep.SessionID || b.Checkpoints != rep.CheckpointsMatched {
				t.Errorf("bob's report disagrees with alice's:\n bob   %+v\n alice %+v", b, rep)
			}

			// And both equal the shared core run alone.
			ref := referenceRun(t, sp)
			specHash := sp.Hash()
			labelsSum := sha256.Sum256(edl.LabelBytes(ref.labels, int(sp.Classes)))
			if !rep.BobVerified || rep.N != sp.N || rep.Test != sp.Test || rep.Classes != sp.Classes || rep.Params != sp.NumParams() {
				t.Errorf("report sizes/verdict wrong: %+v", rep)
			}
			if rep.PayloadBytes != ref.payload || rep.CodedBits != 8*ref.mdl || rep.HeldOutBits != 8*(ref.payload-ref.mdl) {
				t.Errorf("payload %d bytes (MDL %d bits, held-out %d bits), reference %d bytes (MDL %d)", rep.PayloadBytes, rep.CodedBits, rep.HeldOutBits, ref.payload, ref.mdl)
			}
			if (sp.Test > 0) != (b.TestLossBits != nil) || (b.TestLossBits != nil && (*b.TestLossBits != *rep.TestLossBits || *b.EDLBits != *rep.EDLBits)) {
				t.Errorf("bob's verified test loss/EDL %v/%v, alice's %v/%v", b.TestLossBits, b.EDLBits, rep.TestLossBits, rep.EDLBits)
			}
			if want := (ref.payload + segBytes - 1) / segBytes; rep.Segments != want {
				t.Errorf("%d segments for %d bytes in pieces of %d, want %d", rep.Segments, ref.payload, segBytes, want)
			}
			if rep.Fingerprint != hex.EncodeToString(ref.final.Fingerprint[:]) {
				t.Errorf("fingerprint %s, reference %x", rep.Fingerprint, ref.final.Fingerprint)
			}
			if rep.LabelsSHA256 != hex.EncodeToString(labelsSum[:]) {
				t.Errorf("labels sha256 %s, reference %x", rep.LabelsSHA256, labelsSum)
			}
			if rep.SpecHash != hex.EncodeToString(specHash[:]) {
				t.Errorf("spec hash %s, want %x", rep.SpecHash, specHash)
			}
			if rep.CheckpointsMatched != ref.checkpoints {
				t.Errorf("%d checkpoints matched, the session takes %d", rep.CheckpointsMatched, ref.checkpoints)
			}
			if rep.IdealBits != ref.acct.IdealBits || rep.QuantizedIdealBits != ref.acct.QuantizedIdealBits {
				t.Errorf("ideal %v qideal %v; reference %v %v", rep.IdealBits, rep.QuantizedIdealBits, ref.acct.IdealBits, ref.acct.QuantizedIdealBits)
			}
			if sp.Test == 0 {
				// No held-out set: no test loss and no EDL are reported.
				if rep.TestLossBits != nil || rep.EDLBits != nil {
					t.Errorf("test = 0 but the report has test loss %v, edl %v", rep.TestLossBits, rep.EDLBits)
				}
			} else if rep.TestLossBits == nil || rep.EDLBits == nil {
				t.Errorf("test = %d but the report lacks test loss or edl", sp.Test)
			} else {
				if *rep.TestLossBits != ref.testLoss {
					t.Errorf("test loss %v, reference %v", *rep.TestLossBits, ref.testLoss)
				}
				if want := float64(rep.CodedBits) - float64(sp.N)*ref.testLoss; *rep.EDLBits != want {
					t.Errorf("edl %v, want %v", *rep.EDLBits, want)
				}
			}
			if rep.UniformBits != edl.UniformBits(sp.N, int(sp.Classes)) {
				t.Errorf("uniform bits %v", rep.UniformBits)
			}
			// Coded MDL is within a few bytes of the quantized ideal code length.
			if got := float64(rep.CodedBits); got < rep.QuantizedIdealBits || got > rep.QuantizedIdealBits+64 {
				t.Errorf("coded %v bits, quantized ideal %v", got, rep.QuantizedIdealBits)
			}

			// The files both sides wrote.
			am, err := os.ReadFile(filepath.Join(dir, "alice.model"))
			if err != nil {
				t.Fatal(err)
			}
			bm, err := os.ReadFile(filepath.Join(dir, "bob.model"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(am, bm) || !bytes.Equal(am, ref.modelBytes) {
				t.Error("alice's, bob's and the reference model files differ")
			}
			if fp := sha256.Sum256(am); hex.EncodeToString(fp[:]) != rep.Fingerprint {
				t.Error("fingerprint is not the SHA-256 of the model file")
			}
			lb, err := os.ReadFile(filepath.Join(dir, "bob-labels.txt"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(lb), "\n"), "\n")
			if len(lines) != len(ref.labels) {
				t.Fatalf("bob wrote %d labels, want %d", len(lines), len(ref.labels))
			}
			for i, l := range lines {
				if y, err := strconv.Atoi(l); err != nil || y != ref.labels[i] {
					t.Fatalf("bob's label %d is %q, want %d", i, l, ref.labels[i])
				}
			}
		})
	}
}

func TestRunRefusedByBobNamesTheLimit(t *testing.T) {
	dial, reports := bufBob(t, bob.Config{Limits: spec.Limits{MaxClasses: 3}})
	log := new(syncLog)
	_, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: aliceSpec(), Timeout: time.Minute, Dial: dial, Log: log.logger()})
	if err == nil {
		t.Fatal("alice succeeded against a bob whose limits refuse the spec")
	}
	for _, f := range []string{"bob", "FailedPrecondition", "classes: 4 exceeds the limit 3 (max-classes)"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
	noResume(t, log)
	if r := waitReport(t, reports); r.Error == "" || r.N != 0 {
		t.Errorf("bob's report %+v: want an error and no examples", r)
	}
}

func TestRunNobodyListening(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()

	sp := aliceSpec()
	log := new(syncLog)
	rep, err := alice.Run(context.Background(), alice.Config{Bob: addr, Spec: sp, Timeout: time.Minute, Log: log.logger()})
	if err == nil {
		t.Fatalf("alice succeeded with nobody at %s: %+v", addr, rep)
	}
	if !strings.Contains(err.Error(), "bob") {
		t.Errorf("error %q does not mention bob", err)
	}
	noResume(t, log)
}

func TestRunDialerError(t *testing.T) {
	dial := func(context.Context, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}
	}
	log := new(syncLog)
	_, err := alice.Run(context.Background(), alice.Config{Bob: "nowhere:1", Spec: aliceSpec(), Timeout: time.Minute, Dial: dial, Log: log.logger()})
	if err == nil || !strings.Contains(err.Error(), "bob") {
		t.Fatalf("error %v, want one mentioning bob", err)
	}
	noResume(t, log)
}

func TestConfigValidate(t *testing.T) {
	bad := aliceSpec()
	bad.Classes = 1
	_, err := alice.Run(context.Background(), alice.Config{Spec: bad, SegmentBytes: -1})
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, f := range []string{"--bob", "segment bytes", "classes"} {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

// Local (edl run) is Run without Bob: every field but the wire's and the
// session id is the same, θ* included.
func TestLocalEqualsRun(t *testing.T) {
	sp := aliceSpec()
	sp.Model, sp.Hidden, sp.Validation, sp.Epochs, sp.Patience = spec.ModelMLP, []int64{8}, 300, 5, 2
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	remote, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 512, Timeout: time.Minute, Dial: dial})
	if err != nil {
		t.Fatal(err)
	}
	waitReport(t, reports)
	local, _, err := alice.Local(alice.Config{Spec: sp})
	if err != nil {
		t.Fatal(err)
	}
	r, l := *remote, *local
	for _, p := range []*alice.Report{&r, &l} {
		p.SessionID, p.WireBytes, p.TCPBytes, p.Segments, p.CheckpointsMatched, p.BobVerified = "", 0, 0, 0, 0, false
		p.ElapsedSeconds, p.LabelsPerSecond = 0, 0
	}
	if !reflect.DeepEqual(r, l) {
		t.Fatalf("local report differs from the transmission's:\n local %+v\n run   %+v", l, r)
	}
	if l.ThetaEpochs == 0 || l.TestLossBits == nil {
		t.Fatalf("θ* did not run: %+v", l)
	}
}

// logger is a slog.Logger writing Alice's warnings into l.
func (l *syncLog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// noResume checks that Alice gave up at once: a refusal or an address
// where nothing listens is not a break she resumes from with back-off.
func noResume(t *testing.T, log *syncLog) {
	t.Helper()
	if strings.Contains(log.String(), "resuming") {
		t.Errorf("alice tried to resume:\n%s", log.String())
	}
}
