package coder

import (
	"errors"
	"fmt"
)

// Precision limits. Frequencies of a table sum to exactly 1<<precision.
const (
	DefaultPrecision = 24
	MaxPrecision     = 24
	MinPrecision     = 1
)

// Sentinel errors.
var (
	// ErrNeedInput is returned by Decoder.Decode (and DecodeTarget) when
	// the buffered input may not cover the next symbol and CloseWrite has
	// not been called. The decoder's state is unchanged; Write more bytes
	// and call again.
	ErrNeedInput = errors.New("coder: need more input")

	// ErrTrailingData is returned (wrapped) by Decoder.Finish when the
	// stream holds bytes past the encoder's flush.
	ErrTrailingData = errors.New("coder: trailing data after end of stream")

	// ErrCorrupt is the sentinel wrapped by every *CorruptInputError.
	ErrCorrupt = errors.New("coder: corrupt input")

	// ErrFinished is returned by an Encoder after Finish, by a Decoder
	// after Finish, and by Decoder.Write after CloseWrite.
	ErrFinished = errors.New("coder: already finished")
)

// CorruptInputError reports a stream that no encoder of this format can
// have produced (for the symbols and frequency tables the decoder was
// given). Offset is the byte offset in the stream where the inconsistency
// was found.
type CorruptInputError struct {
	Offset int64
	Reason string
}

func (e *CorruptInputError) Error() string {
	return fmt.Sprintf("coder: corrupt input at byte offset %d: %s", e.Offset, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptInputError) Unwrap() error { return ErrCorrupt }

func checkPrecision(precision uint) error {
	if precision < MinPrecision || precision > MaxPrecision {
		return fmt.Errorf("coder: precision %d outside [%d, %d]", precision, MinPrecision, MaxPrecision)
	}
	return nil
}
