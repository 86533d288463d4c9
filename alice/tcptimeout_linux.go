package alice

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/edlwire/edlwire/proto/wire"
)

// setUserTimeout bounds how long the kernel keeps unacknowledged data on a
// dead link before failing the connection (TCP_USER_TIMEOUT), as gRPC does
// itself for a bare *net.TCPConn. Alice wraps her connection to count its
// bytes, which hides it from gRPC, so she sets it here: a cut link is then
// noticed after the keepalive timeout and resumed, rather than waited out by
// TCP's retransmissions.
func setUserTimeout(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	ms := int(wire.KeepaliveTimeout.Milliseconds())
	_ = raw.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, ms)
	})
}
