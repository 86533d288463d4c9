package bob

import (
	"math"
	"time"

	"github.com/jonboulle/clockwork"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wirepb"
)

// Defaults of the limits that are not part of the spec.
const (
	// DefaultMaxSessions bounds concurrent transmissions: each holds a
	// model, its inputs and a decoder, up to the spec limits in size.
	DefaultMaxSessions = 32
	// DefaultMaxSessionsPerToken bounds the concurrent transmissions of
	// one token's holders: a quarter of the slots, so that one client
	// leaves room for others.
	DefaultMaxSessionsPerToken = 8
	// DefaultIdleTimeout ends a transmission that sends nothing for this
	// long. Alice sends a heartbeat (an empty segment) at least every
	// alice.HeartbeatEvery, far below it.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultDrainTimeout bounds how long a stopping Bob lets running
	// transmissions finish.
	DefaultDrainTimeout = time.Minute
)

// MemoryLimitMargin is what the bob command adds to --max-total-bytes for
// the Go runtime's soft memory limit (SoftMemoryLimit): room for what the
// budget does not count (the runtime, gRPC's per-connection buffers, the
// message being decoded, the garbage of a session just ended).
const MemoryLimitMargin = 64 << 20

// SoftMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// for a Bob whose transmissions hold at most maxTotalBytes by their
// estimates. The budget bounds the live bytes; without a limit the
// collector lets the heap grow to twice the live bytes (GOGC=100) before it
// collects, so Bob's resident memory would follow twice his budget. With
// it, the collector works harder as the heap nears the budget, and his
// resident memory stays within the budget plus MemoryLimitMargin.
func SoftMemoryLimit(maxTotalBytes int64) int64 {
	if maxTotalBytes <= 0 || maxTotalBytes > math.MaxInt64-MemoryLimitMargin {
		return math.MaxInt64
	}
	return maxTotalBytes + MemoryLimitMargin
}

// idleStream ends a transmission whose Alice has gone quiet: a Recv that
// waits longer than timeout returns DeadlineExceeded naming the flag. gRPC's
// keepalive cannot do this: it proves the connection is alive, not that
// Alice is doing anything with the session slot she holds.
type idleStream struct {
	wirepb.Transmission_TransmitServer
	timeout time.Duration
	clock   clockwork.Clock
}

type recvResult struct {
	msg *wirepb.AliceMessage
	err error
}

// Recv receives on its own goroutine so the wait can be abandoned. If it
// is, that goroutine stays blocked until the handler returns and gRPC ends
// the stream, which unblocks it; there is never more than one Recv at once.
func (s idleStream) Recv() (*wirepb.AliceMessage, error) {
	ch := make(chan recvResult, 1)
	go func() {
		m, err := s.Transmission_TransmitServer.Recv()
		ch <- recvResult{m, err}
	}()
	t := s.clock.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.msg, r.err
	case <-t.Chan():
		return nil, status.Errorf(codes.DeadlineExceeded, "bob: nothing received from alice for %v (idle-timeout)", s.timeout)
	}
}
