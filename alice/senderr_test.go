package alice

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
)

// endedStream is a link's stream that Bob has already ended: Send returns
// io.EOF, and Recv yields, once the gate opens, what Bob sent before
// ending it, then his status for good. It notes a second concurrent
// reader, which gRPC forbids.
type endedStream struct {
	wirepb.Transmission_TransmitClient
	gate    chan struct{}
	second  chan struct{}
	once    sync.Once
	readers atomic.Int32
	mu      sync.Mutex
	queue   []*wirepb.BobMessage
	status  error
}

func (s *endedStream) Send(*wirepb.AliceMessage) error { return io.EOF }

func (s *endedStream) Recv() (*wirepb.BobMessage, error) {
	if s.readers.Add(1) > 1 {
		s.once.Do(func() { close(s.second) })
	}
	defer s.readers.Add(-1)
	<-s.gate
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 {
		m := s.queue[0]
		s.queue = s.queue[1:]
		return m, nil
	}
	return nil, s.status
}

// Bob ends a link on a corrupted segment while one of his checkpoints is
// still unread, and Alice's next Send returns io.EOF. The status behind
// the EOF must come through the receiver, the stream's only reader: read
// from the sending goroutine as well, the stream handed that goroutine the
// checkpoint instead, and a resumable CRC error became a fatal bare "EOF"
// (TestCorruptedSegmentResumesCleanly failed so about one run in three).
func TestSendEOFTakesBobsStatusFromTheReceiver(t *testing.T) {
	led := newLedger()
	cp := prequential.Checkpoint{Example: 64}
	cp.Fingerprint[0], cp.Transcript[0] = 1, 2
	led.Record(cp)
	s := &endedStream{
		gate:   make(chan struct{}),
		second: make(chan struct{}),
		queue: []*wirepb.BobMessage{{Msg: &wirepb.BobMessage_Checkpoint{Checkpoint: &wirepb.Checkpoint{
			Example: cp.Example, Fingerprint: cp.Fingerprint[:], Transcript: cp.Transcript[:],
		}}}},
		status: status.Errorf(codes.DataLoss, "bob: segment at byte 640: crc32c fdc41521, header says 9d86a00c (%s)", wire.ResendAfterCRC),
	}
	l := &link{stream: s, cancel: func() {}, rx: newReceiver(s, led)}
	go l.rx.run()
	for s.readers.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	errc := make(chan error, 1)
	go func() {
		errc <- l.sendErr(context.Background(), "send segment at byte 704", l.stream.Send(&wirepb.AliceMessage{}))
	}()
	// A second reader shows up at once; give it the chance, then let
	// Bob's messages through.
	select {
	case <-s.second:
		t.Error("alice read the stream from two goroutines at once")
	case <-time.After(100 * time.Millisecond):
	}
	close(s.gate)
	var err error
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("sendErr did not return once the receiver had bob's status")
	}
	if !retryable(err) {
		t.Errorf("error %q is not retryable: a corrupted segment must cost a resume, not the transmission", err)
	}
	for _, want := range []string{"send segment at byte 704", "DataLoss", wire.ResendAfterCRC} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if got := led.Matched(); got != 1 {
		t.Errorf("%d checkpoints confirmed, want 1: bob's checkpoint went to the wrong reader", got)
	}
}
