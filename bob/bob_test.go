package bob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// bobHarness is one Bob served over an in-memory bufconn listener.
type bobHarness struct {
	lis      *bufconn.Listener
	sessions chan bob.SessionReport
}

func startBufBob(t *testing.T, cfg bob.Config) *bobHarness {
	t.Helper()
	h := &bobHarness{lis: bufconn.Listen(1 << 20), sessions: make(chan bob.SessionReport, 16)}
	cfg.OnSession = func(r bob.SessionReport) { h.sessions <- r }
	gs := grpc.NewServer()
	wirepb.RegisterTransmissionServer(gs, bob.NewServer(cfg))
	go func() { _ = gs.Serve(h.lis) }()
	t.Cleanup(func() {
		gs.Stop()
		_ = h.lis.Close()
	})
	return h
}

// open starts one Transmit call from a hand-written client.
func (h *bobHarness) open(t *testing.T) wirepb.Transmission_TransmitClient {
	t.Helper()
	return h.openCtx(t, context.Background())
}

// openCtx is open with a context the test may cancel (Alice vanishing).
func (h *bobHarness) openCtx(t *testing.T, parent context.Context) wirepb.Transmission_TransmitClient {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return h.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ctx, cancel := context.WithTimeout(parent, 30*time.Second)
	t.Cleanup(cancel)
	stream, err := wirepb.NewTransmissionClient(conn).Transmit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

// session waits for Bob's report of the transmission that just ended.
func (h *bobHarness) session(t *testing.T) bob.SessionReport {
	t.Helper()
	select {
	case r := <-h.sessions:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("bob reported no session")
	}
	return bob.SessionReport{}
}

func rawSpec() spec.Spec {
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim = 7, 2000, 0, 5, 8
	sp.Init, sp.InitScale, sp.LR, sp.Batch, sp.CheckpointEvery = spec.InitNormal, 0.1, 0.3, 4, 500
	sp.Noise = 0.2 // enough incompressible labels for several segments
	return sp
}

// coded is what Alice would send for a spec, computed with the shared core.
type coded struct {
	data        []byte
	checkpoints []prequential.Checkpoint
	final       prequential.Checkpoint
	labels      []int
	n           int64
	mdl         int64      // the training pass's bytes
	transcripts [][32]byte // the transcript after c examples, c = 0..n
}

func codeSpec(t testing.TB, sp spec.Spec) coded {
	t.Helper()
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true, TranscriptWindow: int(sp.N + sp.Validation + sp.Test)})
	if err != nil {
		t.Fatal(err)
	}
	snd, err := transmit.NewSender(sess, lab)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := snd.Run()
	if err != nil {
		t.Fatal(err)
	}
	c := coded{data: snd.Stream(), checkpoints: snd.Checkpoints(), mdl: fin.MDLBytes}
	if int64(len(c.data)) != fin.PayloadBytes {
		t.Fatalf("finish says %d bytes, stream has %d", fin.PayloadBytes, len(c.data))
	}
	if len(c.data) < 200 {
		t.Fatalf("test spec codes to only %d bytes; the tests need several segments", len(c.data))
	}
	c.final, c.labels, c.n = sess.LastCheckpoint(), lab.Train, sess.Index()
	for i := int64(0); i <= c.n; i++ {
		ts, ok := sess.TranscriptAt(i)
		if !ok {
			t.Fatalf("transcript after %d examples not kept", i)
		}
		c.transcripts = append(c.transcripts, ts)
	}
	return c
}

func helloMsg(sp spec.Spec) *wirepb.AliceMessage {
	h := sp.Hash()
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
		ProtocolVersion: wire.ProtocolVersion, SpecCanonical: sp.Canonical(), SpecHash: h[:], SessionId: "raw",
	}}}
}

func segMsg(offset int64, data []byte) *wirepb.AliceMessage {
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
		Offset: offset, Data: data, Crc32C: wire.CRC(data),
	}}}
}

func finishMsg(c coded, payload int64) *wirepb.AliceMessage {
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Finish{Finish: &wirepb.Finish{
		Examples: c.n, PayloadBytes: payload, Fingerprint: c.final.Fingerprint[:], Transcript: c.final.Transcript[:],
		MdlBytes: c.mdl,
	}}}
}

// send ignores Send's error: once Bob has ended the call, Send reports
// io.EOF and the status arrives on Recv.
func send(s wirepb.Transmission_TransmitClient, m *wirepb.AliceMessage) { _ = s.Send(m) }

// welcome sends a valid Hello and requires Welcome with the right hash.
func welcome(t *testing.T, s wirepb.Transmission_TransmitClient, sp spec.Spec) {
	t.Helper()
	send(s, helloMsg(sp))
	m, err := s.Recv()
	if err != nil {
		t.Fatalf("valid hello refused: %v", err)
	}
	h := sp.Hash()
	if w := m.GetWelcome(); w == nil || !bytes.Equal(w.GetSpecHash(), h[:]) || w.GetProtocolVersion() != wire.ProtocolVersion || w.GetSessionId() != "raw" {
		t.Fatalf("want welcome with hash %x, got %v", h[:], m)
	}
}

// sendSegments sends data in pieces of size bytes starting at offset 0.
func sendSegments(s wirepb.Transmission_TransmitClient, data []byte, size int) {
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		send(s, segMsg(int64(off), data[off:end]))
	}
}

// expectStatus reads Bob's messages (skipping checkpoints) until the call
// ends and requires the given code and message fragments. welcomeAllowed
// says whether Bob may have accepted the Hello.
func expectStatus(t *testing.T, s wirepb.Transmission_TransmitClient, welcomeAllowed bool, code codes.Code, fragments ...string) {
	t.Helper()
	_ = s.CloseSend()
	for {
		m, err := s.Recv()
		if err != nil {
			st, ok := status.FromError(err)
			if !ok || st.Code() != code {
				t.Fatalf("call ended with %v, want code %s", err, code)
			}
			for _, f := range fragments {
				if !strings.Contains(st.Message(), f) {
					t.Errorf("status message %q does not mention %q", st.Message(), f)
				}
			}
			return
		}
		switch {
		case m.GetCheckpoint() != nil:
		case m.GetHalt() != nil && code == codes.DataLoss:
			// Bob stopped and waits for Locates until the stream closes.
		case m.GetWelcome() != nil && welcomeAllowed:
		default:
			t.Fatalf("unexpected message before the error: %v", m)
		}
	}
}

// The raw client speaks the protocol correctly: Bob decodes every label,
// confirms every checkpoint Alice took and sums up what Alice would.
// This is the control for the violation tests below.
func TestRawClientValidTransmission(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	dir := t.TempDir()
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), LabelsOut: dir + "/labels.txt"})
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, c.data, 64)
	send(s, finishMsg(c, int64(len(c.data))))
	var cps []*wirepb.Checkpoint
	var sum *wirepb.Summary
	for sum == nil {
		m, err := s.Recv()
		if err != nil {
			t.Fatalf("valid transmission failed: %v", err)
		}
		switch {
		case m.GetCheckpoint() != nil:
			cps = append(cps, m.GetCheckpoint())
		case m.GetSummary() != nil:
			sum = m.GetSummary()
		default:
			t.Fatalf("unexpected %v", m)
		}
	}
	if _, err := s.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after summary: %v, want io.EOF (status OK)", err)
	}
	if len(cps) != len(c.checkpoints) {
		t.Fatalf("bob sent %d checkpoints, alice took %d", len(cps), len(c.checkpoints))
	}
	for i, cp := range cps {
		want := c.checkpoints[i]
		if cp.GetExample() != want.Example || !bytes.Equal(cp.GetFingerprint(), want.Fingerprint[:]) || !bytes.Equal(cp.GetTranscript(), want.Transcript[:]) {
			t.Errorf("checkpoint %d: bob %d %x, alice %d %x", i, cp.GetExample(), cp.GetFingerprint(), want.Example, want.Fingerprint)
		}
	}
	labelsSum := sha256.Sum256(edl.LabelBytes(c.labels, int(sp.Classes)))
	if sum.GetExamples() != sp.N || sum.GetPayloadBytes() != int64(len(c.data)) || sum.GetMdlBytes() != int64(len(c.data)) ||
		!bytes.Equal(sum.GetFingerprint(), c.final.Fingerprint[:]) || !bytes.Equal(sum.GetTranscript(), c.final.Transcript[:]) ||
		!bytes.Equal(sum.GetLabelsSha256(), labelsSum[:]) || sum.GetCheckpoints() != int64(len(c.checkpoints)) {
		t.Errorf("summary %v disagrees with alice's state", sum)
	}
	rep := h.session(t)
	specHash := sp.Hash()
	want := bob.SessionReport{
		Event: "session", SessionID: "raw", SpecHash: hex.EncodeToString(specHash[:]), N: sp.N,
		Params: sp.NumParams(), TrainableParams: sp.TrainableParams(),
		PayloadBytes: int64(len(c.data)), CodedBits: 8 * int64(len(c.data)),
		Fingerprint: hex.EncodeToString(c.final.Fingerprint[:]), LabelsSHA256: hex.EncodeToString(labelsSum[:]),
		Checkpoints: int64(len(c.checkpoints)),
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("session report\n got %+v\nwant %+v", rep, want)
	}
	// --labels-out: the n decoded labels, one per line, written as Bob
	// decoded them and renamed into place: nothing else is left.
	var lines strings.Builder
	for _, y := range c.labels[:sp.N] {
		fmt.Fprintf(&lines, "%d\n", y)
	}
	if got, err := os.ReadFile(dir + "/labels.txt"); err != nil || string(got) != lines.String() {
		t.Errorf("labels-out: %v; %d bytes, want the %d labels in %d bytes", err, len(got), sp.N, lines.Len())
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 1 {
		t.Errorf("labels-out's directory holds %d entries (%v), want labels.txt alone", len(ents), err)
	}
}

func TestFirstMessageNotHello(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})

	t.Run("segment", func(t *testing.T) {
		s := h.open(t)
		send(s, segMsg(0, c.data[:10]))
		expectStatus(t, s, false, codes.InvalidArgument, "hello")
		if r := h.session(t); r.Error == "" {
			t.Error("bob's session report has no error")
		}
	})
	t.Run("finish", func(t *testing.T) {
		s := h.open(t)
		send(s, finishMsg(c, int64(len(c.data))))
		expectStatus(t, s, false, codes.InvalidArgument, "hello")
		h.session(t)
	})
	t.Run("closed-without-a-message", func(t *testing.T) {
		s := h.open(t)
		expectStatus(t, s, false, codes.InvalidArgument, "hello")
		h.session(t)
	})
}

func TestSecondHello(t *testing.T) {
	sp := rawSpec()
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	s := h.open(t)
	welcome(t, s, sp)
	send(s, helloMsg(sp))
	expectStatus(t, s, false, codes.InvalidArgument, "hello")
}

func TestStreamClosedBeforeFinish(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, c.data, 64)
	expectStatus(t, s, false, codes.InvalidArgument, "finish")
}

// refusedHello sends hello and requires FailedPrecondition before any Welcome.
func refusedHello(t *testing.T, h *bobHarness, hello *wirepb.AliceMessage, fragments ...string) {
	t.Helper()
	s := h.open(t)
	send(s, hello)
	expectStatus(t, s, false, codes.FailedPrecondition, fragments...)
	if r := h.session(t); r.Error == "" || r.N != 0 {
		t.Errorf("bob's session report %+v: want an error and no examples", r)
	}
}

func TestWrongProtocolVersion(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	for _, v := range []uint32{0, 1, wire.ProtocolVersion + 1, wire.ProtocolVersion + 100} {
		m := helloMsg(rawSpec())
		m.GetHello().ProtocolVersion = v
		refusedHello(t, h, m, "protocol_version")
	}
}

func TestInvalidSpecNamesEveryField(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	sp := rawSpec()
	sp.Classes, sp.LR, sp.Batch = 1, -0.5, 0
	// The hash is the invalid spec's own: only validation can refuse it.
	refusedHello(t, h, helloMsg(sp), "classes", "lr", "batch")

	// No spec at all is refused by name, not a crash; so is one whose
	// bytes are not the canonical encoding, even under their own hash.
	m := helloMsg(rawSpec())
	m.GetHello().SpecCanonical = nil
	refusedHello(t, h, m, "spec_hash", "encoding")
	bad := bytes.Replace(rawSpec().Canonical(), []byte("\nlr="), []byte("\nlr=+"), 1)
	m = helloMsg(rawSpec())
	h2 := sha256.Sum256(bad)
	m.GetHello().SpecCanonical, m.GetHello().SpecHash = bad, h2[:]
	refusedHello(t, h, m, "lr", "not canonical")
}

func TestSpecOverLimitsNamesFieldAndFlag(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: spec.Limits{MaxClasses: 5, MaxDim: 4, MaxExamples: 100, MaxParams: 10}})
	sp := rawSpec()
	sp.Classes = 10
	refusedHello(t, h, helloMsg(sp),
		"classes: 10 exceeds the limit 5 (max-classes)",
		"dim: 8 exceeds the limit 4 (max-dim)",
		"n+test+validation: 2000 exceeds the limit 100 (max-examples)",
		"params: 90 exceeds the limit 10 (max-params)")

	// Exactly at the limits is accepted.
	h2 := startBufBob(t, bob.Config{Limits: spec.Limits{MaxClasses: 5, MaxDim: 8, MaxExamples: 2000, MaxParams: 45}})
	s := h2.open(t)
	welcome(t, s, rawSpec())

	// The training a spec asks for: the blockwise code's 10 epochs over
	// the 100 and then 200 labels before its block ends are 3 000 passes.
	blocks := rawSpec()
	blocks.Blocks, blocks.BlockEpochs, blocks.BlockPatience, blocks.BlockValid = []int64{100, 200}, 10, 3, 10
	h3 := startBufBob(t, bob.Config{Limits: spec.Limits{MaxTrainingPasses: 2999}})
	refusedHello(t, h3, helloMsg(blocks),
		"training passes (n, epochs·n, block_epochs·Σ block ends): 3000 exceeds the limit 2999 (max-training-passes)")
	h4 := startBufBob(t, bob.Config{Limits: spec.Limits{MaxTrainingPasses: 3000}})
	welcome(t, h4.open(t), blocks)
}

func TestSpecHashMismatch(t *testing.T) {
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	m := helloMsg(rawSpec())
	m.GetHello().SpecHash[0] ^= 1
	refusedHello(t, h, m, "spec_hash")

	// A hash of a different (valid) spec is a mismatch too.
	other := rawSpec()
	other.Seed = 8
	m = helloMsg(rawSpec())
	oh := other.Hash()
	m.GetHello().SpecHash = oh[:]
	refusedHello(t, h, m, "spec_hash")

	m = helloMsg(rawSpec())
	m.GetHello().SpecHash = nil
	refusedHello(t, h, m, "spec_hash")
}

func TestSegmentWithWrongOffset(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	for _, tc := range []struct {
		name   string
		offset int64
	}{{"gap", 65}, {"overlap", 63}, {"repeat", 0}, {"negative", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			s := h.open(t)
			welcome(t, s, sp)
			send(s, segMsg(0, c.data[:64]))
			send(s, segMsg(tc.offset, c.data[64:128]))
			expectStatus(t, s, false, codes.InvalidArgument, "expected byte 64")
			h.session(t)
		})
	}
	t.Run("first-segment-not-at-zero", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		send(s, segMsg(1, c.data[1:64]))
		expectStatus(t, s, false, codes.InvalidArgument, "expected byte 0")
		h.session(t)
	})
}

// A segment whose CRC does not match is DataLoss naming it; Bob keeps the
// bytes before it, so a resumed stream (Hello{resume}) starts there and
// the transmission ends as if nothing had happened.
func TestSegmentCRCMismatch(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})

	resumeAt := func(t *testing.T, want int64) {
		t.Helper()
		s := h.open(t)
		m := helloMsg(sp)
		m.GetHello().Resume = true
		send(s, m)
		r, err := s.Recv()
		if err != nil || r.GetWelcome() == nil || r.GetWelcome().GetResumeOffset() != want {
			t.Fatalf("resume: %v, %v; want welcome at byte %d", r, err, want)
		}
		for off := want; off < int64(len(c.data)); off += 64 {
			send(s, segMsg(off, c.data[off:min(off+64, int64(len(c.data)))]))
		}
		send(s, finishMsg(c, int64(len(c.data))))
		for {
			m, err := s.Recv()
			if err != nil {
				t.Fatalf("resumed transmission failed: %v", err)
			}
			if m.GetSummary() != nil {
				break
			}
		}
		if r := h.session(t); r.Error != "" || !r.Resumed || r.PayloadBytes != int64(len(c.data)) {
			t.Fatalf("bob's report after the resume: %+v", r)
		}
	}
	t.Run("wrong-crc", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		send(s, segMsg(0, c.data[:64]))
		m := segMsg(64, c.data[64:128])
		m.GetSegment().Crc32C ^= 0x80
		send(s, m)
		expectStatus(t, s, false, codes.DataLoss, "crc32c", "segment at byte 64", "resume and resend")
		resumeAt(t, 64)
	})
	t.Run("flipped-data-bit", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		data := append([]byte(nil), c.data[:64]...)
		m := segMsg(0, data)
		data[10] ^= 4 // after the CRC was computed
		send(s, m)
		expectStatus(t, s, false, codes.DataLoss, "crc32c", "segment at byte 0")
		resumeAt(t, 0)
	})
}

func TestFinishPayloadBytesDiffer(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	for _, delta := range []int64{-1, 1, 1000} {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data, 100)
		send(s, finishMsg(c, int64(len(c.data))+delta))
		expectStatus(t, s, true, codes.DataLoss, "payload bytes")
		if r := h.session(t); r.Error == "" {
			t.Error("bob's session report has no error")
		}
	}
}

func TestTruncatedStream(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	const seg = 100
	last := (len(c.data) - 1) / seg * seg // offset of the last segment

	t.Run("last-segment-dropped-finish-true-total", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data[:last], seg)
		send(s, finishMsg(c, int64(len(c.data))))
		expectStatus(t, s, true, codes.DataLoss)
		h.session(t)
	})
	// Finish agrees with the bytes sent, but they are not the whole stream:
	// Bob must find out from the coder or the fingerprint.
	for _, keep := range []int{len(c.data) - 1, last, len(c.data) / 2, 0} {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data[:keep], seg)
		send(s, finishMsg(c, int64(keep)))
		expectStatus(t, s, true, codes.DataLoss)
		if r := h.session(t); r.Error == "" {
			t.Errorf("kept %d of %d bytes: bob's session report has no error", keep, len(c.data))
		}
	}
}

func TestTrailingBytes(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	data := append(append([]byte(nil), c.data...), 0, 0)
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, data, 100)
	send(s, finishMsg(c, int64(len(data))))
	expectStatus(t, s, true, codes.DataLoss)
	h.session(t)
}

func TestFinishDisagreesWithDecoding(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	t.Run("fingerprint", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data, 100)
		m := finishMsg(c, int64(len(c.data)))
		m.GetFinish().Fingerprint = append([]byte(nil), c.final.Fingerprint[:]...)
		m.GetFinish().Fingerprint[31] ^= 1
		send(s, m)
		expectStatus(t, s, true, codes.DataLoss, "fingerprint")
		h.session(t)
	})
	t.Run("examples", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data, 100)
		m := finishMsg(c, int64(len(c.data)))
		m.GetFinish().Examples = c.n - 1
		send(s, m)
		expectStatus(t, s, true, codes.DataLoss, "examples")
		h.session(t)
	})
	// Alice claims a different MDL than the pass's bytes Bob counted.
	t.Run("mdl-bytes", func(t *testing.T) {
		s := h.open(t)
		welcome(t, s, sp)
		sendSegments(s, c.data, 100)
		m := finishMsg(c, int64(len(c.data)))
		m.GetFinish().MdlBytes = c.mdl - 1
		send(s, m)
		expectStatus(t, s, true, codes.DataLoss, "training pass took", fmt.Sprint(c.mdl))
		h.session(t)
	})
}

func TestAbortQuotesReason(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	dir := t.TempDir()
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), LabelsOut: dir + "/labels.txt"})
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, c.data[:200], 100)
	const reason = "alice: desync at example 1000: fingerprint ab (bob) != cd (alice)"
	send(s, &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: 1000, Reason: reason}}})
	expectStatus(t, s, true, codes.DataLoss, reason, "1000")
	if r := h.session(t); !strings.Contains(r.Error, reason) {
		t.Errorf("bob's session error %q does not quote the reason", r.Error)
	}
	// The labels decoded before the abort are not put out: --labels-out
	// is written only for a verified transmission, and its temporary file
	// is gone.
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Errorf("after an abort the labels-out directory holds %d entries (%v), want none", len(ents), err)
	}
}

// Bob's limits must hold for any int64 a peer sends: sizes whose sum or
// product overflows must still be refused. Bob would otherwise Welcome the
// spec (task.NewInputs makes a 0-length matrix of 2^62 rows, because
// rows*cols wraps to 0) and then panic on make([]int, 0, sp.N) in
// bob.go, taking the whole server process down: one Hello from any client
// crashes Bob. The check is done on Validate and Limits.Check directly so
// the test fails cleanly instead of crashing the test binary. (Both are now
// refused: Validate bounds every size, Check saturates instead of wrapping,
// and Bob recovers a handler panic as Internal.)
func TestLimitsHoldAgainstOverflow(t *testing.T) {
	lim := bob.DefaultLimits()

	sp := rawSpec()
	sp.N, sp.Test = 1<<62, 1<<62
	if sp.Validate() == nil && lim.Check(sp) == nil {
		t.Errorf("n=%d test=%d (n+test overflows int64) passes the default limits", sp.N, sp.Test)
	}

	sp = rawSpec()
	sp.Model, sp.Hidden, sp.Activation, sp.Dim, sp.Classes = spec.ModelMLP, []int64{1, 1<<62 + 23}, spec.ActReLU, 1, 2
	if sp.Validate() == nil && lim.Check(sp) == nil {
		t.Errorf("mlp hidden %v (NumParams wraps to %d) passes the default limits", sp.Hidden, sp.NumParams())
	}
}
