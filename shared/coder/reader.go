package coder

import (
	"errors"
	"fmt"
	"io"
)

// ReaderDecoder decodes a stream pulled from an io.Reader. It reads only
// the bytes it must: when the decoder cannot decode the next symbol (or
// flush) with the bytes it has, it reads at most the bytes that make it
// Ready, so it never holds more than the decoder's look-ahead bound (7
// bytes before the first symbol of a stream or sub-stream; after that at
// most 3 bytes beyond the 4-byte window).
//
// The zero value is not usable; call NewReaderDecoder.
type ReaderDecoder struct {
	r   io.Reader
	d   *Decoder
	eof bool
	buf [8]byte
	n   int64 // bytes read from r
}

// maxEmptyReads bounds consecutive (0, nil) reads before giving up with
// io.ErrNoProgress.
const maxEmptyReads = 100

// NewReaderDecoder returns a decoder for frequency tables summing to
// 1<<precision that reads the stream from r.
func NewReaderDecoder(r io.Reader, precision uint) (*ReaderDecoder, error) {
	d, err := NewDecoder(precision)
	if err != nil {
		return nil, err
	}
	return &ReaderDecoder{r: r, d: d}, nil
}

// Decoder returns the underlying decoder (for Consumed, Precision, ...).
// Writing to it directly interleaves with the reader's bytes.
func (rd *ReaderDecoder) Decoder() *Decoder { return rd.d }

// BytesRead returns the number of bytes read from the reader.
func (rd *ReaderDecoder) BytesRead() int64 { return rd.n }

// fetch reads at most the bytes that make the decoder Ready (at least 1).
// io.EOF closes the decoder (bytes past the end read as zero; a stream too
// short for the symbols then fails with an error wrapping
// io.ErrUnexpectedEOF). Any other read error is returned wrapped, with the
// decoder's state unchanged, so a caller may retry.
func (rd *ReaderDecoder) fetch() error {
	if rd.eof {
		return nil
	}
	want := max(1, min(len(rd.buf), rd.d.need()-(len(rd.d.buf)-rd.d.r)))
	for empty := 0; ; empty++ {
		n, err := rd.r.Read(rd.buf[:want])
		if n < 0 || n > want {
			return fmt.Errorf("coder: reader returned %d bytes for a buffer of %d", n, want)
		}
		if n > 0 {
			rd.n += int64(n)
			rd.d.Write(rd.buf[:n])
		}
		switch {
		case errors.Is(err, io.EOF):
			rd.eof = true
			rd.d.CloseWrite()
			return nil
		case err != nil:
			return fmt.Errorf("coder: read: %w", err)
		case n > 0:
			return nil
		case empty >= maxEmptyReads:
			return fmt.Errorf("coder: read: %w", io.ErrNoProgress)
		}
	}
}

// Decode decodes the next symbol against freqs (as Decoder.Decode),
// reading from r as needed. A stream that ends too early gives an error
// wrapping io.ErrUnexpectedEOF; a read error is returned wrapped.
func (rd *ReaderDecoder) Decode(freqs []uint32) (int, error) {
	for {
		y, err := rd.d.Decode(freqs)
		if err != ErrNeedInput {
			return y, err
		}
		if err := rd.fetch(); err != nil {
			return 0, err
		}
	}
}

// DecodeCumulative is Decode with a prefix-sum table (as
// Decoder.DecodeCumulative).
func (rd *ReaderDecoder) DecodeCumulative(cum []uint32) (int, error) {
	for {
		y, err := rd.d.DecodeCumulative(cum)
		if err != ErrNeedInput {
			return y, err
		}
		if err := rd.fetch(); err != nil {
			return 0, err
		}
	}
}

// Flush ends a sub-stream (as Decoder.Flush), reading the flush bytes if
// they have not been read yet.
func (rd *ReaderDecoder) Flush() error {
	for {
		err := rd.d.Flush()
		if err != ErrNeedInput {
			return err
		}
		if err := rd.fetch(); err != nil {
			return err
		}
	}
}

// Finish reads to the end of the stream (at most a few bytes past the
// decoder's window: more means trailing data) and checks it as
// Decoder.Finish.
func (rd *ReaderDecoder) Finish() error {
	for extra := 0; !rd.eof; extra++ {
		if extra > 8 || rd.d.err != nil || rd.d.finished {
			// Bytes past the window: the stream runs on. Close and let
			// Finish report the trailing data.
			rd.d.CloseWrite()
			break
		}
		if err := rd.fetch(); err != nil {
			return err
		}
	}
	return rd.d.Finish()
}
