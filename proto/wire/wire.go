package wire

import (
	"hash/crc32"
)

// ProtocolVersion is the wire protocol version this build speaks; the proto
// package (edlwire.v3) and PROTOCOL.md carry the same number. It changes
// when a message's meaning or the coder's byte format changes. Version 3:
// the Hello carries the spec's canonical encoding instead of a protobuf
// mirror of its fields.
const ProtocolVersion = 3

// ResendAfterCRC ends Bob's DataLoss message for a segment whose CRC-32C
// does not match: he kept the bytes before it, and Alice resumes from them
// (the segment was corrupted in transit, not coded wrong).
const ResendAfterCRC = "corrupted in transit: resume and resend"

// DefaultMaxMessageBytes bounds one gRPC message in either direction.
const DefaultMaxMessageBytes = 4 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC is the CRC-32C of a segment's data.
func CRC(data []byte) uint32 { return crc32.Checksum(data, castagnoli) }
