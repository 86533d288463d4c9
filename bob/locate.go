package bob

import (
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/prequential"
)

// Locating a divergence (PROTOCOL.md rule 5a). After a checkpoint mismatch
// Alice bisects the examples since the last checkpoint that matched by
// asking Bob for his transcript after a given count; Bob answers from his
// session's window of recent transcripts (prequential.TranscriptAt), so he
// keeps no unbounded history. A run without a mismatch never asks.

// answerLocate answers one Locate from the session's transcript window: an
// empty transcript when Bob does not hold that count.
func answerLocate(stream wirepb.Transmission_TransmitServer, sess *prequential.Session, q *wirepb.Locate) error {
	ans := &wirepb.TranscriptAt{Example: q.GetExample(), Window: int64(sess.TranscriptWindow())}
	if t, ok := sess.TranscriptAt(q.GetExample()); ok {
		ans.Transcript = t[:]
	}
	return stream.Send(&wirepb.BobMessage{Msg: &wirepb.BobMessage_TranscriptAt{TranscriptAt: ans}})
}

// linger keeps a transmission Bob cannot go on with (cause: his decoding
// failed, or his final checkpoint differs from Alice's Finish) open while
// Alice locates the divergence that is its likely reason. He tells her so
// (Halt), answers her Locates, drops the segments and Finish still in
// flight, and ends with cause when she aborts (quoting her reason), closes
// the stream or breaks it. His idle timeout bounds the wait.
func linger(stream wirepb.Transmission_TransmitServer, sess *prequential.Session, cause error) error {
	why := status.Convert(cause).Message()
	if err := stream.Send(&wirepb.BobMessage{Msg: &wirepb.BobMessage_Halt{Halt: &wirepb.Halt{Example: sess.Index(), Reason: why}}}); err != nil {
		return cause
	}
	for {
		msg, err := stream.Recv()
		if err != nil {
			if status.Code(err) == codes.DeadlineExceeded {
				return status.Errorf(codes.DataLoss, "%s (then %s)", why, status.Convert(err).Message())
			}
			return cause
		}
		switch m := msg.GetMsg().(type) {
		case *wirepb.AliceMessage_Locate:
			if err := answerLocate(stream, sess, m.Locate); err != nil {
				return cause
			}
		case *wirepb.AliceMessage_Segment, *wirepb.AliceMessage_Finish:
			// Sent before Alice learned that Bob stopped.
		case *wirepb.AliceMessage_Abort:
			if strings.Contains(m.Abort.GetReason(), why) {
				// She only passes his own reason back.
				return status.Errorf(codes.DataLoss, "%s (alice aborted)", why)
			}
			return status.Errorf(codes.DataLoss, "%s; alice aborted at example %d: %s", why, m.Abort.GetExample(), m.Abort.GetReason())
		default:
			return cause
		}
	}
}

// lingerable reports whether a failure may be a divergence Alice can
// locate: data loss in decoding. (From a correct Alice, whose segments pass
// their CRC, nothing else makes Bob's decoding fail.)
func lingerable(err error) bool { return status.Code(err) == codes.DataLoss }
