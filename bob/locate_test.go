package bob_test

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
)

func locateMsg(c int64) *wirepb.AliceMessage {
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Locate{Locate: &wirepb.Locate{Example: c}}}
}

// answer reads Bob's messages up to his next TranscriptAt, skipping
// checkpoints and a Halt.
func answer(t *testing.T, s wirepb.Transmission_TransmitClient) *wirepb.TranscriptAt {
	t.Helper()
	for {
		m, err := s.Recv()
		if err != nil {
			t.Fatalf("waiting for a transcript: %v", err)
		}
		if a := m.GetTranscriptAt(); a != nil {
			return a
		}
		if m.GetCheckpoint() == nil && m.GetHalt() == nil {
			t.Fatalf("unexpected %v while waiting for a transcript", m)
		}
	}
}

// Bob answers a Locate with his transcript after that many examples, equal
// to the core's own, and with none for a count he has not decoded (or
// never will); the transmission then finishes as usual.
func TestLocateAnswers(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	want := c.transcripts
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, c.data, 64)
	for _, q := range []int64{0, 1, 499, 500, 1234, 1800} {
		send(s, locateMsg(q))
		a := answer(t, s)
		if a.GetExample() != q || !bytes.Equal(a.GetTranscript(), want[q][:]) || a.GetWindow() != int64(prequential.DefaultTranscriptWindow(sp)) {
			t.Fatalf("locate %d: bob answered %d %x (window %d), want %x (window %d)", q, a.GetExample(), a.GetTranscript(), a.GetWindow(), want[q], prequential.DefaultTranscriptWindow(sp))
		}
	}
	for _, q := range []int64{-1, sp.N + 1, 1 << 40} {
		send(s, locateMsg(q))
		if a := answer(t, s); a.GetExample() != q || len(a.GetTranscript()) != 0 {
			t.Fatalf("locate %d: bob answered %d %x, want no transcript", q, a.GetExample(), a.GetTranscript())
		}
	}
	send(s, finishMsg(c, int64(len(c.data))))
	for {
		m, err := s.Recv()
		if err != nil {
			t.Fatalf("after the locates the transmission failed: %v", err)
		}
		if m.GetSummary() != nil {
			break
		}
	}
	if r := h.session(t); r.Error != "" || r.Checkpoints != int64(len(c.checkpoints)) {
		t.Fatalf("session %+v", r)
	}
}

// A stream Bob cannot decode to its end makes him say so (Halt) and wait:
// he answers Locates and ends at Alice's Abort, quoting her and himself.
func TestHaltWaitsForLocateAndAbort(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	want := c.transcripts
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	s := h.open(t)
	welcome(t, s, sp)
	keep := len(c.data) / 2
	sendSegments(s, c.data[:keep], 64)
	send(s, finishMsg(c, int64(keep)))
	var halt *wirepb.Halt
	for halt == nil {
		m, err := s.Recv()
		if err != nil {
			t.Fatalf("waiting for bob's halt: %v", err)
		}
		halt = m.GetHalt()
	}
	if halt.GetReason() == "" {
		t.Fatal("halt without a reason")
	}
	send(s, locateMsg(500))
	if a := answer(t, s); !bytes.Equal(a.GetTranscript(), want[500][:]) {
		t.Fatalf("locate 500 after the halt: %x, want %x", a.GetTranscript(), want[500])
	}
	const reason = "alice: models diverged at checkpoint 1 (example 500) from example 17"
	send(s, &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: 500, Reason: reason}}})
	expectStatus(t, s, true, codes.DataLoss, halt.GetReason(), "alice aborted at example 500", reason)
	h.session(t)
}
