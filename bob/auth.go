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

// tokenGuard checks the bearer token of every call but health checks. Bob
// may accept several tokens (one per client or team); the call's context
// then names which one it carried (tokenOf), for the per-token limit.
type tokenGuard struct {
	want [][32]byte // SHA-256 of each token
	log  *slog.Logger
}

func newTokenGuard(tokens [][]byte, log *slog.Logger) *tokenGuard {
	g := &tokenGuard{log: log}
	for _, t := range tokens {
		g.want = append(g.want, sha256.Sum256(t))
	}
	return g
}

// tokenKey is the context key of the index of the token a call carried.
type tokenKey struct{}

// tokenOf returns the index, among Bob's tokens, of the token the call
// carried; false when Bob checks no token.
func tokenOf(ctx context.Context) (int, bool) {
	i, ok := ctx.Value(tokenKey{}).(int)
	return i, ok
}

// tokenStream is a server stream whose context names its token.
type tokenStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s tokenStream) Context() context.Context { return s.ctx }

func (g *tokenGuard) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	i, err := g.check(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return handler(srv, tokenStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), tokenKey{}, i)})
}

func (g *tokenGuard) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if _, err := g.check(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

// check accepts exactly one "authorization: Bearer TOKEN" header with one
// of the right tokens, and returns which (-1 for a health check). It
// compares SHA-256 digests in constant time, against every token without
// stopping at a match, so neither a token's content, nor its length, nor
// its place in the list leaks through timing.
func (g *tokenGuard) check(ctx context.Context, method string) (int, error) {
	if strings.HasPrefix(method, healthPrefix) {
		return -1, nil
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
		found := -1
		for i, w := range g.want {
			eq := subtle.ConstantTimeCompare(got[:], w[:])
			found = subtle.ConstantTimeSelect(eq, i, found)
		}
		if found >= 0 {
			return found, nil
		}
		why = "wrong bearer token"
	}
	from := "unknown"
	if p, ok := peer.FromContext(ctx); ok {
		from = p.Addr.String()
	}
	g.log.Warn("call refused", "method", method, "peer", from, "reason", why)
	return -1, status.Errorf(codes.Unauthenticated, "bob: %s", why)
}
