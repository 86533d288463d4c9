package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/edlwire/edlwire/proto/wirepb"
)

// TestFramingFigures measures the framing around the coded payload (issue 7,
// item 5): for the default spec at n = 10⁴, 10⁵, 10⁶ and a random-labels
// spec, plaintext and mutual TLS, payload_bytes against wire_bytes (gRPC
// messages and received headers) and tcp_bytes, and the gRPC framing split
// into Segment messages, Checkpoints, Finish and the rest (Hello, Welcome,
// Summary, response headers and trailers). The Segment, Checkpoint and
// Finish sizes are the protobuf sizes of messages with the report's
// numbers plus gRPC's 5-byte prefix (examples_end in a segment estimated
// by proportion, ±1 byte a segment); the rest is wire_bytes less those.
// Slow (about a minute): only with EDLWIRE_FRAMING=1.
//
//	EDLWIRE_FRAMING=1 go test -run FramingFigures -v ./integration/
func TestFramingFigures(t *testing.T) {
	if os.Getenv("EDLWIRE_FRAMING") == "" {
		t.Skip("framing figures: set EDLWIRE_FRAMING=1 (about a minute)")
	}
	ctx := testContext(t)
	p := newPKI(t, "127.0.0.1,localhost")
	plain := startBob(t)
	tlsBob := startBob(t, p.bobArgs()...)
	specs := []struct {
		name string
		args []string
	}{
		{"default n=10^4", specArgs("n", "10000")},
		{"default n=10^5", specArgs("n", "100000")},
		{"default n=10^6", specArgs("n", "1000000")},
		{"default n=10^6, checkpoint-every 10^5", specArgs("n", "1000000", "checkpoint-every", "100000")},
		{"random labels n=10^5", append([]string{"--random-labels"}, specArgs("n", "100000")...)},
	}
	var rows []string
	rows = append(rows, "| spec | transport | payload | segments | wire | wire−payload | of which Segment | Checkpoint | Finish | Hello+Welcome+Summary+headers | tcp | tcp−wire | framing/payload (wire, tcp) |",
		"| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, sp := range specs {
		for _, tr := range []struct {
			name string
			args []string
		}{{"plaintext", []string{"--bob", plain.addr}}, {"mutual TLS", append([]string{"--bob", tlsBob.addr}, p.aliceArgs()...)}} {
			res := runAlice(ctx, t, append(append([]string{"--quiet"}, tr.args...), sp.args...)...)
			if res.exitCode != 0 {
				t.Fatalf("%s over %s: alice exited %d:\n%s", sp.name, tr.name, res.exitCode, res.stderr)
			}
			r := res.report
			payload, segs := int64(num(t, r, "payload_bytes")), int64(num(t, r, "segments"))
			wireB, tcpB := int64(num(t, r, "wire_bytes")), int64(num(t, r, "tcp_bytes"))
			examples := int64(num(t, r, "n") + num(t, r, "validation") + num(t, r, "test"))
			seg := segmentFraming(payload, segs)
			cps := int64(num(t, r, "checkpoints_matched"))
			cp := cps * (5 + int64(proto.Size(&wirepb.BobMessage{Msg: &wirepb.BobMessage_Checkpoint{Checkpoint: &wirepb.Checkpoint{
				Example: int64(num(t, r, "n")), Fingerprint: make([]byte, 32), Transcript: make([]byte, 32)}}})))
			fin := 5 + int64(proto.Size(&wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Finish{Finish: &wirepb.Finish{
				Examples: examples, PayloadBytes: payload, Fingerprint: make([]byte, 32), Transcript: make([]byte, 32),
				MdlBytes: int64(num(t, r, "coded_bits")) / 8}}}))
			rest := wireB - payload - seg - cp - fin
			rows = append(rows, fmt.Sprintf("| %s | %s | %d | %d | %d | %d | %d | %d (%d) | %d | %d | %d | %d | %.2f%%, %.2f%% |",
				sp.name, tr.name, payload, segs, wireB, wireB-payload, seg, cp, cps, fin, rest, tcpB, tcpB-wireB,
				100*float64(wireB-payload)/float64(payload), 100*float64(tcpB-payload)/float64(payload)))
			if n := num(t, r, "n"); n >= 1e4 && !strings.Contains(sp.name, "random") && tr.name == "plaintext" {
				t.Logf("%s: gRPC framing %.2f%% of the payload", sp.name, 100*float64(wireB-payload)/float64(payload))
			}
		}
	}
	t.Logf("framing (bytes; both directions):\n%s", strings.Join(rows, "\n"))
}

// segmentFraming is the bytes Segment messages add to the payload they
// carry: gRPC's 5-byte prefix and the protobuf fields, for segs segments
// of at most the default 16 KiB cutting payload bytes in order.
func segmentFraming(payload, segs int64) int64 {
	if segs == 0 {
		return 0
	}
	size := (payload + segs - 1) / segs
	if segs > 1 {
		size = 16 << 10
	}
	var total int64
	for off := int64(0); off < payload; off += size {
		n := min(size, payload-off)
		m := &wirepb.AliceMessage{Msg: &wirepb.AliceMessage_Segment{Segment: &wirepb.Segment{
			Offset: off, Data: make([]byte, n), Crc32C: 1}}}
		total += 5 + int64(proto.Size(m)) - n
	}
	return total
}
