package integration

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// rawConn is a hand-written gRPC client of a real Bob process: it speaks
// the wire protocol directly, without Alice's own checks, so a test can
// make it vanish mid-stream or send what Alice never would.
type rawConn struct {
	conn *grpc.ClientConn
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawConn{conn: conn}
}

// transmit opens one Transmit call.
func (r *rawConn) transmit(ctx context.Context, t *testing.T) wirepb.Transmission_TransmitClient {
	t.Helper()
	s, err := wirepb.NewTransmissionClient(r.conn).Transmit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// helloOf is the Hello Alice sends for sp, with the canonical bytes and
// their hash.
func helloOf(sp spec.Spec, id string) *wirepb.AliceMessage {
	h := sp.Hash()
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Hello{Hello: &wirepb.Hello{
		ProtocolVersion: wire.ProtocolVersion, SpecCanonical: sp.Canonical(), SpecHash: h[:], SessionId: id,
	}}}
}

func segmentOf(offset int64, data []byte) *wirepb.AliceMessage {
	return &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
		Offset: offset, Data: data, Crc32C: wire.CRC(data),
	}}}
}

// codedStream is the payload Alice sends for sp, computed with the shared
// core as she computes it (held-out coding on).
func codedStream(t *testing.T, sp spec.Spec) []byte {
	t.Helper()
	in, labels, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := prequential.NewWithOptions(sp, in, prequential.Options{HeldOut: true})
	if err != nil {
		t.Fatal(err)
	}
	snd, err := transmit.NewSender(sess, labels)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snd.Run(); err != nil {
		t.Fatal(err)
	}
	return snd.Stream()
}

// aliceCmd is an alice process the test starts and ends itself.
func aliceCmd(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, filepath.Join(binDir, "alice"), args...)
}

// waitLog waits until bob's stderr holds at least count lines containing
// msg, and returns how many it holds. It polls the log Bob writes as
// things happen; only the failure waits on a clock.
func (b *bobProc) waitLog(t *testing.T, msg string, count int, within time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if n := strings.Count(b.stderr.String(), msg); n >= count {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("bob logged %q %d times within %v, want %d\nstderr:\n%s", msg, strings.Count(b.stderr.String(), msg), within, count, b.stderr.String())
		}
		select {
		case <-b.done:
			t.Fatalf("bob exited waiting for %q: %v", msg, b.err)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
