package alice

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/edlwire/edlwire/proto/wire"
)

// conn is the gRPC connection to Bob with its byte counters.
type conn struct {
	cc                  *grpc.ClientConn
	counter             wire.ByteCounter // gRPC messages, headers and trailers
	tcpRead, tcpWritten atomic.Int64     // the TCP connection
}

// dialBob sets up the connection to Bob (gRPC connects lazily, on the
// first call).
func dialBob(cfg *Config) (*conn, error) {
	c := &conn{}
	dial := cfg.Dial
	if dial == nil {
		dial = func(ctx context.Context, addr string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}
	}
	// The counting conn wraps the raw connection, under gRPC's TLS, so
	// tcp_bytes includes the TLS handshake and record overhead.
	dialer := func(ctx context.Context, addr string) (net.Conn, error) {
		nc, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		setUserTimeout(nc)
		return wire.CountingConn{Conn: nc, Read64: &c.tcpRead, Written64: &c.tcpWritten}, nil
	}
	creds := insecure.NewCredentials()
	if cfg.TLS != nil {
		creds = credentials.NewTLS(cfg.TLS)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(dialer),
		grpc.WithStatsHandler(&c.counter),
		grpc.WithKeepaliveParams(wire.ClientKeepalive()),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(wire.DefaultMaxMessageBytes),
			grpc.MaxCallSendMsgSize(wire.DefaultMaxMessageBytes)),
	}
	if len(cfg.Token) > 0 {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{token: string(cfg.Token), requireTLS: cfg.TLS != nil}))
	}
	if cfg.Interceptor != nil {
		opts = append(opts, grpc.WithStreamInterceptor(cfg.Interceptor))
	}
	cc, err := grpc.NewClient("passthrough:///"+cfg.Bob, opts...)
	if err != nil {
		return nil, fmt.Errorf("alice: connect to bob at %s: %w", cfg.Bob, err)
	}
	c.cc = cc
	return c, nil
}
