package alice

import (
	"context"
	"fmt"
	"strings"
)

// bearer sends the token as per-RPC credentials. It demands TLS whenever
// the connection has it; without TLS (loopback or --insecure, which the
// command checks) gRPC would otherwise refuse to send it at all.
type bearer struct {
	token      string
	requireTLS bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.requireTLS }

// explain adds the likely cause to an error from connecting to Bob. gRPC
// reports every TLS failure as Unavailable, like an unreachable host, and
// with TLS 1.3 a refused client certificate often shows only as a broken
// pipe: the text alone does not tell the user which flag is missing.
func (c *Config) explain(err error) error {
	msg := err.Error()
	tlsOn := c.TLS != nil
	clientCert := tlsOn && (len(c.TLS.Certificates) > 0 || c.TLS.GetClientCertificate != nil)
	var hint string
	switch {
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		hint = "bob serves plaintext: to a loopback address drop alice's --tls-* flags, to another give --insecure, on a network you trust only"
	case strings.Contains(msg, "certificate required"):
		hint = "bob requires a client certificate: give alice --tls-cert and --tls-key"
	case strings.Contains(msg, "unknown certificate authority"), strings.Contains(msg, "bad certificate"):
		hint = "bob does not trust alice's client certificate: it must be signed by the CA in bob's --tls-ca"
	case strings.Contains(msg, "x509:"):
		hint = "alice does not trust bob's certificate: check --tls-ca, and that the certificate names the host in --bob"
	case strings.Contains(msg, "server preface"), strings.Contains(msg, "broken pipe"), strings.Contains(msg, "connection reset"):
		switch {
		case !tlsOn:
			hint = "bob may be serving TLS: give alice --tls-ca (and --tls-cert, --tls-key if he requires client certificates)"
		case !clientCert:
			hint = "bob may require a client certificate: give alice --tls-cert and --tls-key"
		default:
			hint = "bob may not trust alice's client certificate: it must be signed by the CA in bob's --tls-ca"
		}
	}
	if hint == "" {
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}
