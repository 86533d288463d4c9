//go:build !linux

package alice

import "net"

// setUserTimeout is Linux-only (TCP_USER_TIMEOUT); elsewhere keepalive alone
// notices a dead link.
func setUserTimeout(net.Conn) {}
