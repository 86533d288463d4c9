package bob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/proto/wirepb"
)

// Serve runs Bob on lis until ctx is done or, with once, until the first
// transmission ends. Either way he then stops accepting transmissions,
// reports NOT_SERVING to health checks and lets the running ones finish for
// up to cfg.DrainTimeout before cutting them off. With once it returns that
// first transmission's error, if any; otherwise nil.
//
// Besides the Transmission service Bob registers the standard health
// service (grpc.health.v1, SERVING for "" and "edlwire.v3.Transmission"),
// which needs no token, and server reflection, which does when a token is
// set.
func Serve(ctx context.Context, lis net.Listener, cfg Config, once bool) error {
	var (
		mu       sync.Mutex
		firstErr error
		ended    = make(chan struct{})
		endOnce  sync.Once
	)
	user := cfg.OnSession
	cfg.OnSession = func(r SessionReport) {
		if user != nil {
			user(r)
		}
		if once {
			mu.Lock()
			if r.Error != "" {
				firstErr = errors.New(r.Error)
			}
			mu.Unlock()
			endOnce.Do(func() { close(ended) })
		}
	}
	srv := NewServer(cfg)
	gs, hs := newGRPCServer(srv)
	serveErr := make(chan error, 1)
	go func() { serveErr <- gs.Serve(lis) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("bob: serve: %w", err)
	case <-ctx.Done():
	case <-ended:
	}
	// Probes see NOT_SERVING first, so a load balancer stops sending Alices
	// here; GracefulStop then closes the listener and waits for running
	// transmissions, whose last messages and trailers still reach Alice.
	hs.Shutdown()
	srv.cfg.Log.Info("draining", "running", srv.Running(), "drain_timeout", srv.cfg.DrainTimeout)
	stopped := make(chan struct{})
	go func() { gs.GracefulStop(); close(stopped) }()
	timer := time.NewTimer(srv.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		srv.cfg.Log.Warn("drain timeout: cutting off running transmissions", "running", srv.Running(), "drain_timeout", srv.cfg.DrainTimeout)
		gs.Stop()
		<-stopped
	}
	mu.Lock()
	defer mu.Unlock()
	return firstErr
}

// newGRPCServer builds the gRPC server around srv: limits, keepalive,
// transport security, the token check, health and reflection.
func newGRPCServer(srv *Server) (*grpc.Server, *health.Server) {
	cfg := srv.cfg
	kp, ep := wire.ServerKeepalive()
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(cfg.MaxMessageBytes),
		grpc.MaxSendMsgSize(cfg.MaxMessageBytes),
		grpc.KeepaliveEnforcementPolicy(ep),
		grpc.KeepaliveParams(kp),
		// Without a bound, a peer that opens many streams on one connection
		// would only meet max-sessions after gRPC had set each one up.
		grpc.MaxConcurrentStreams(uint32(cfg.MaxSessions) + 8),
	}
	if cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg.TLS)))
	}
	if tokens := cfg.tokens(); len(tokens) > 0 {
		g := newTokenGuard(tokens, cfg.Log)
		opts = append(opts, grpc.ChainStreamInterceptor(g.stream), grpc.ChainUnaryInterceptor(g.unary))
	}
	gs := grpc.NewServer(opts...)
	wirepb.RegisterTransmissionServer(gs, srv)
	hs := health.NewServer()
	hs.SetServingStatus(wirepb.Transmission_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	return gs, hs
}
