package bob

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// healthPrefix is the health service's method prefix. It is exempt from the
// token so that probes, which hold no token, can see whether Bob serves;
// with mutual TLS they still need a client certificate.
const healthPrefix = "/grpc.health.v1.Health/"

// tokenGuard checks the bearer token of every call but health checks.
type tokenGuard struct {
	want [32]byte // SHA-256 of the token
	log  *slog.Logger
}

func newTokenGuard(token []byte, log *slog.Logger) *tokenGuard {
	return &tokenGuard{want: sha256.Sum256(token), log: log}
}

func (g *tokenGuard) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := g.check(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}

func (g *tokenGuard) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := g.check(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// check accepts exactly one "authorization: Bearer TOKEN" header with the
// right token. It compares SHA-256 digests in constant time, so neither the
// token's content nor its length leaks through timing.
func (g *tokenGuard) check(ctx context.Context, method string) error {
	if strings.HasPrefix(method, healthPrefix) {
		return nil
	}
	var why string
	vals := metadata.ValueFromIncomingContext(ctx, "authorization")
	const scheme = "bearer "
	switch {
	case len(vals) == 0:
		why = "no bearer token (alice needs --token-file or --token)"
	case len(vals) > 1:
		why = "more than one authorization header"
	case len(vals[0]) < len(scheme) || !strings.EqualFold(vals[0][:len(scheme)], scheme):
		why = "authorization header is not a bearer token"
	default:
		got := sha256.Sum256([]byte(vals[0][len(scheme):]))
		if subtle.ConstantTimeCompare(got[:], g.want[:]) == 1 {
			return nil
		}
		why = "wrong bearer token"
	}
	from := "unknown"
	if p, ok := peer.FromContext(ctx); ok {
		from = p.Addr.String()
	}
	g.log.Warn("call refused", "method", method, "peer", from, "reason", why)
	return status.Errorf(codes.Unauthenticated, "bob: %s", why)
}
