package bob_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
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
)

// fuzzBob is one Bob shared by every fuzz execution (a fresh server per
// input would dominate the run time).
var fuzzBob struct {
	once sync.Once
	conn *grpc.ClientConn
	err  error
}

// FuzzBobMessages drives Bob with arbitrary message sequences built from the
// fuzz input: hellos (valid, resumed, or with a perturbed spec), segments
// (bytes of a valid stream or arbitrary, right or wrong offsets and CRCs),
// finishes with true or false fields, aborts and empty messages. Whatever
// the sequence, Bob must end the call with a status from the protocol's
// table, never Internal (a recovered panic), and never hang.
func FuzzBobMessages(f *testing.F) {
	sp := rawSpec()
	c := codeSpec(f, sp)
	for _, seed := range [][]byte{
		{0, 2, 2, 2, 3},          // hello, segments, finish
		{0, 2, 0},                // second hello
		{2},                      // segment before hello
		{0, 2, 0x12, 3},          // bad crc
		{1, 2, 3},                // perturbed spec
		{0, 2, 2, 4},             // abort
		{0, 5, 2, 0x22, 0x32, 3}, // empty message, odd offsets
		{6, 2, 2, 2, 2, 2, 3},    // resume hello
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		fuzzBob.once.Do(func() {
			lis := bufconn.Listen(1 << 20)
			gs := grpc.NewServer()
			wirepb.RegisterTransmissionServer(gs, bob.NewServer(bob.Config{Limits: bob.DefaultLimits(), IdleTimeout: 2 * time.Second}))
			go func() { _ = gs.Serve(lis) }()
			fuzzBob.conn, fuzzBob.err = grpc.NewClient("passthrough:///bufnet",
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
				grpc.WithTransportCredentials(insecure.NewCredentials()))
		})
		if fuzzBob.err != nil {
			t.Fatal(fuzzBob.err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := wirepb.NewTransmissionClient(fuzzBob.conn).Transmit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var off int64
		for i, b := range script {
			if i >= 64 {
				break
			}
			var m *wirepb.AliceMessage
			arg := int64(b >> 4)
			switch b & 0x0f {
			case 0, 6:
				m = helloMsg(sp)
				m.GetHello().SessionId = "fuzz"
				m.GetHello().Resume = b&0x0f == 6
			case 1:
				// Another spec's bytes under this spec's hash.
				other := sp
				other.Classes += arg - 8
				other.LR *= float64(arg)
				m = helloMsg(sp)
				m.GetHello().SpecCanonical = other.Canonical()
			case 2:
				n := 64 + arg*16
				data := c.data[min(off, int64(len(c.data))):min(off+n, int64(len(c.data)))]
				m = segMsg(off, data)
				off += int64(len(data))
			case 3:
				m = finishMsg(c, int64(len(c.data))-arg)
				m.GetFinish().MdlBytes = c.mdl - arg%2
			case 4:
				m = &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: arg, Reason: "fuzz"}}}
			case 5:
				m = &wirepb.AliceMessage{}
			default:
				// Arbitrary bytes at an arbitrary offset, with their true CRC
				// or a wrong one.
				data := []byte(script[i:min(len(script), i+int(arg)+1)])
				m = &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
					Offset: off + arg - 8, Data: data, Crc32C: wire.CRC(data) ^ uint32(b&1),
				}}}
			}
			if err := s.Send(m); err != nil {
				break // Bob ended the call; its status follows on Recv
			}
		}
		_ = s.CloseSend()
		for {
			_, err := s.Recv()
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) {
				return // a complete, valid transmission
			}
			switch code := status.Code(err); code {
			case codes.InvalidArgument, codes.FailedPrecondition, codes.DataLoss, codes.ResourceExhausted, codes.DeadlineExceeded:
				if code == codes.DeadlineExceeded && ctx.Err() != nil {
					t.Fatalf("bob hung on %x: %v", script, err)
				}
				return
			default:
				t.Fatalf("script %x: bob ended with %v", script, err)
			}
		}
	})
}
