package bob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/edlwire/edlwire/proto/wirepb"
)

// Serve runs Bob on lis until ctx is done (then it drains running
// transmissions and returns nil) or, with once, until the first transmission
// ends (then it returns that transmission's error, if any).
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
	gs := grpc.NewServer(
		grpc.MaxRecvMsgSize(srv.cfg.MaxMessageBytes),
		grpc.MaxSendMsgSize(srv.cfg.MaxMessageBytes),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
	)
	wirepb.RegisterTransmissionServer(gs, srv)
	serveErr := make(chan error, 1)
	go func() { serveErr <- gs.Serve(lis) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("bob: serve: %w", err)
	case <-ctx.Done():
	case <-ended:
	}
	// Let the RPC's last messages and trailers reach Alice, then stop.
	stopped := make(chan struct{})
	go func() { gs.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		gs.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	return firstErr
}
