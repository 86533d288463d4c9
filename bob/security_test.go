package bob_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wire/wiretest"
	"github.com/edlwire/edlwire/proto/wirepb"
)

// servedBob is bob.Serve itself, the same code path as the command, on an
// in-memory listener.
type servedBob struct {
	lis    *bufconn.Listener
	cancel context.CancelFunc
	done   chan error
}

func serveBob(t *testing.T, cfg bob.Config) *servedBob {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &servedBob{lis: bufconn.Listen(1 << 20), cancel: cancel, done: make(chan error, 1)}
	go func() { b.done <- bob.Serve(ctx, b.lis, cfg, false) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			t.Error("bob.Serve did not return within 10s of its context ending")
		}
	})
	return b
}

func (b *servedBob) conn(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return b.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// stream opens a Transmit call whose outgoing metadata carries kv.
func (b *servedBob) stream(t *testing.T, kv ...string) wirepb.Transmission_TransmitClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	if len(kv) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, kv...)
	}
	s, err := wirepb.NewTransmissionClient(b.conn(t)).Transmit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ended reads until the call ends and returns its status (OK on io.EOF).
func ended(s wirepb.Transmission_TransmitClient) *status.Status {
	for {
		if _, err := s.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return status.New(codes.OK, "")
			}
			return status.Convert(err)
		}
	}
}

func TestSecurityTokenInterceptor(t *testing.T) {
	b := serveBob(t, bob.Config{Token: []byte("s3cret-token")})
	for _, tc := range []struct {
		name string
		md   []string
		why  string // "" = accepted
	}{
		{"missing", nil, "no bearer token"},
		{"wrong", []string{"authorization", "Bearer s3cret-tokem"}, "wrong bearer token"},
		{"prefix of the right one", []string{"authorization", "Bearer s3cret"}, "wrong bearer token"},
		{"not bearer", []string{"authorization", "Basic s3cret-token"}, "not a bearer token"},
		{"twice", []string{"authorization", "Bearer s3cret-token", "authorization", "Bearer s3cret-token"}, "more than one"},
		{"right", []string{"authorization", "Bearer s3cret-token"}, ""},
		{"right, scheme in lower case", []string{"authorization", "bearer s3cret-token"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := b.stream(t, tc.md...)
			send(s, helloMsg(rawSpec()))
			m, err := s.Recv()
			if tc.why == "" {
				if err != nil || m.GetWelcome() == nil {
					t.Fatalf("right token: got %v, %v; want welcome", m, err)
				}
				return
			}
			st := status.Convert(err)
			if st.Code() != codes.Unauthenticated || !strings.Contains(st.Message(), tc.why) {
				t.Fatalf("got %v, want Unauthenticated mentioning %q", err, tc.why)
			}
		})
	}
}

// Probes hold no token: health is exempt, reflection is not.
func TestHealthAndReflectionWithToken(t *testing.T) {
	b := serveBob(t, bob.Config{Token: []byte("tok")})
	conn := b.conn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, svc := range []string{"", wirepb.Transmission_ServiceDesc.ServiceName} {
		r, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %q without token: %v, %v; want SERVING", svc, r, err)
		}
	}
	listServices := func(ctx context.Context) ([]string, error) {
		rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
		if err != nil {
			return nil, err
		}
		// A refused call shows on Send only as io.EOF; Recv has the status.
		_ = rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
		resp, err := rs.Recv()
		if err != nil {
			return nil, err
		}
		var names []string
		for _, s := range resp.GetListServicesResponse().GetService() {
			names = append(names, s.GetName())
		}
		return names, nil
	}
	if _, err := listServices(ctx); status.Code(err) != codes.Unauthenticated {
		t.Errorf("reflection without token: %v, want Unauthenticated", err)
	}
	names, err := listServices(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer tok"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "edlwire.v3.Transmission") || !strings.Contains(got, "grpc.health.v1.Health") {
		t.Errorf("reflection lists %q, want the transmission and health services", got)
	}
}

func TestMaxSessions(t *testing.T) {
	b := serveBob(t, bob.Config{MaxSessions: 2})
	first, second := b.stream(t), b.stream(t)
	welcome(t, first, rawSpec())
	welcome(t, second, rawSpec())

	third := b.stream(t)
	send(third, helloMsg(rawSpec()))
	if st := ended(third); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "max-sessions") {
		t.Fatalf("third concurrent transmission ended with %v, want ResourceExhausted naming max-sessions", st)
	}

	// A slot frees when a transmission ends, however it ends.
	_ = first.CloseSend()
	if st := ended(first); st.Code() != codes.InvalidArgument {
		t.Fatalf("first transmission ended with %v", st)
	}
	welcome(t, b.stream(t), rawSpec())
}

// The idle timeout runs on a fake clock that the test advances only once
// Bob has armed the timer of the receive it is about (wiretest.Clock counts
// them): the verdicts depend on the time advanced, never on how fast this
// machine runs the handler.
func TestIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	clock := wiretest.NewClock()
	b := serveBob(t, bob.Config{IdleTimeout: idle, MaxSessions: 1, Clock: clock})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// armedFor waits until Bob has armed the idle timer of receive number
	// n+1 counted from base: he has taken n messages and waits for more.
	armedFor := func(t *testing.T, base, n int64) {
		t.Helper()
		if err := clock.WaitArmed(ctx, base+n+1); err != nil {
			t.Fatalf("bob never waited for message %d: %v", n+1, err)
		}
	}
	idlesOut := func(t *testing.T, s wirepb.Transmission_TransmitClient) {
		t.Helper()
		clock.Advance(idle)
		st := ended(s)
		if st.Code() != codes.DeadlineExceeded || !strings.Contains(st.Message(), "idle-timeout") {
			t.Fatalf("idle stream ended with %v, want DeadlineExceeded naming idle-timeout", st)
		}
	}
	t.Run("before hello", func(t *testing.T) {
		base := clock.Armed()
		s := b.stream(t)
		armedFor(t, base, 0)
		idlesOut(t, s)
	})
	t.Run("after welcome", func(t *testing.T) {
		base := clock.Armed()
		s := b.stream(t)
		welcome(t, s, rawSpec())
		armedFor(t, base, 1)
		idlesOut(t, s)
	})
	t.Run("heartbeats keep it alive", func(t *testing.T) {
		base := clock.Armed()
		s := b.stream(t)
		welcome(t, s, rawSpec())
		// An empty segment one nanosecond before every timeout, for six
		// idle periods: alive throughout.
		for i := range int64(6) {
			armedFor(t, base, 1+i)
			clock.Advance(idle - time.Nanosecond)
			if err := s.Send(segMsg(0, nil)); err != nil {
				t.Fatalf("heartbeat %d refused: %v (%v)", i, err, ended(s))
			}
		}
		armedFor(t, base, 7)
		idlesOut(t, s) // and idle once they stop
	})
}

// On its context's end Serve stops taking transmissions but lets a running
// one finish; past the drain timeout it cuts it off.
func TestDrain(t *testing.T) {
	t.Run("running transmission finishes", func(t *testing.T) {
		b := serveBob(t, bob.Config{DrainTimeout: 10 * time.Second})
		s := b.stream(t)
		welcome(t, s, rawSpec())
		b.cancel()
		health := healthpb.NewHealthClient(b.conn(t))
		deadline := time.Now().Add(5 * time.Second)
		for {
			// A new connection is refused once the listener closes.
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			_, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
			cancel()
			if err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("bob still accepts calls on a new connection after his context ended")
			}
			time.Sleep(20 * time.Millisecond)
		}
		// The running transmission still has Bob's full attention.
		send(s, &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Abort{Abort: &wirepb.Abort{Example: 7, Reason: "drain test"}}})
		if st := ended(s); st.Code() != codes.DataLoss || !strings.Contains(st.Message(), "drain test") {
			t.Fatalf("running transmission ended with %v, want bob's DataLoss quoting the abort", st)
		}
		select {
		case err := <-b.done:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
			b.done <- nil // for the cleanup
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return once the last transmission ended")
		}
	})
	t.Run("drain timeout cuts off", func(t *testing.T) {
		b := serveBob(t, bob.Config{DrainTimeout: 200 * time.Millisecond})
		s := b.stream(t)
		welcome(t, s, rawSpec())
		start := time.Now()
		b.cancel()
		select {
		case err := <-b.done:
			if err != nil {
				t.Fatalf("Serve: %v", err)
			}
			b.done <- nil
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after its drain timeout")
		}
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("Serve returned after %v, before the drain timeout", d)
		}
		if st := ended(s); st.Code() == codes.OK {
			t.Error("a cut-off transmission ended OK")
		}
	})
}
