package wire

import (
	"context"
	"net"
	"sync/atomic"

	"google.golang.org/grpc/stats"
)

// ByteCounter is a gRPC stats.Handler that adds up the wire length of every
// message, header and trailer in both directions: the bytes gRPC framed on
// top of HTTP/2 for the calls it sees. Attach it to one client connection (or
// per server) and read Sent/Received.
type ByteCounter struct {
	sent, received atomic.Int64
	msgsSent       atomic.Int64
	msgsReceived   atomic.Int64
}

// Sent is the bytes of messages, headers and trailers sent.
func (c *ByteCounter) Sent() int64 { return c.sent.Load() }

// Received is the bytes of messages, headers and trailers received.
func (c *ByteCounter) Received() int64 { return c.received.Load() }

// Messages is the number of messages sent and received.
func (c *ByteCounter) Messages() (sent, received int64) {
	return c.msgsSent.Load(), c.msgsReceived.Load()
}

func (c *ByteCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (c *ByteCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (c *ByteCounter) HandleConn(context.Context, stats.ConnStats)                       {}

// HandleRPC counts wire lengths.
func (c *ByteCounter) HandleRPC(_ context.Context, s stats.RPCStats) {
	switch s := s.(type) {
	case *stats.OutPayload:
		c.sent.Add(int64(s.WireLength))
		c.msgsSent.Add(1)
	case *stats.InPayload:
		c.received.Add(int64(s.WireLength))
		c.msgsReceived.Add(1)
	case *stats.InHeader:
		c.received.Add(int64(s.WireLength))
	case *stats.InTrailer:
		c.received.Add(int64(s.WireLength))
	case *stats.OutHeader:
		// grpc-go does not report the encoded size of outgoing headers; the
		// peer's InHeader does. The TCP totals of CountingConn include them.
	}
}

// CountingConn wraps a net.Conn and counts the bytes read and written: the
// transport total, HTTP/2 and TLS framing included.
type CountingConn struct {
	net.Conn
	Read64, Written64 *atomic.Int64
}

func (c CountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.Read64.Add(int64(n))
	return n, err
}

func (c CountingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.Written64.Add(int64(n))
	return n, err
}
