package coder

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// countingReader records the most bytes read beyond the decoder's window
// (bytes read - (window start + 4)) after each symbol.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestReaderDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for trial := range 60 {
		k := []int{2, 10, 256}[trial%3]
		s := genScript(r, k, []uint{24, 12}[trial%2], r.IntN(400), []string{"sample", "uniform", "rare"}[trial%3])
		flushes := randomFlushes(r, len(s.syms), r.IntN(5))
		if trial%4 == 0 {
			flushes = nil
		}
		data, _ := encodeFlushes(t, r, s, flushes)
		readers := map[string]func() io.Reader{
			"whole":     func() io.Reader { return bytes.NewReader(data) },
			"onebyte":   func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
			"half":      func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			"dataerr":   func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
			"timeout":   func() io.Reader { return iotest.TimeoutReader(bytes.NewReader(data)) },
			"truncated": func() io.Reader { return bytes.NewReader(data[:max(0, len(data)-1)]) },
		}
		for name, mk := range readers {
			cr := &countingReader{r: mk()}
			rd, err := NewReaderDecoder(cr, s.prec)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			var derr error
			timeouts := 0
			fi := 0
			for derr == nil && (len(got) < len(s.syms) || fi < len(flushes)) {
				if fi < len(flushes) && flushes[fi] == len(got) {
					if derr = rd.Flush(); derr == nil {
						fi++
					}
				} else {
					var y int
					if y, derr = rd.Decode(s.freqs(len(got))); derr == nil {
						got = append(got, y)
					}
				}
				if errors.Is(derr, iotest.ErrTimeout) {
					timeouts++
					derr = nil // the state is unchanged: retrying continues
				}
				// Look-ahead bound: the window starts at byte shifts; at
				// most 4 + 3 bytes are read from there.
				if d := rd.Decoder(); cr.n > d.shifts+7 {
					t.Fatalf("%s: %d bytes read with the window at %d", name, cr.n, d.shifts)
				}
			}
			if derr == nil {
				derr = rd.Finish()
				if errors.Is(derr, iotest.ErrTimeout) {
					timeouts++
					derr = rd.Finish()
				}
			}
			if name == "truncated" {
				if len(data) > 0 && (derr == nil && equalInts(got, s.syms) || derr != nil && !isEOForCorrupt(derr) && !errors.Is(derr, ErrTrailingData)) {
					t.Fatalf("trial %d: truncated stream: %v", trial, derr)
				}
				continue
			}
			if derr != nil || !equalInts(got, s.syms) {
				t.Fatalf("trial %d %s: %v (%d of %d symbols)", trial, name, derr, len(got), len(s.syms))
			}
			if name == "timeout" && timeouts != 1 && len(data) > 0 {
				t.Fatalf("timeout reader: %d timeouts", timeouts)
			}
			if rd.BytesRead() != int64(len(data)) || cr.n != int64(len(data)) {
				t.Fatalf("%s: read %d bytes of %d", name, rd.BytesRead(), len(data))
			}
		}
	}
}

func TestReaderDecoderErrors(t *testing.T) {
	boom := errors.New("boom")
	rd, _ := NewReaderDecoder(iotest.ErrReader(boom), 8)
	if _, err := rd.Decode([]uint32{128, 128}); !errors.Is(err, boom) {
		t.Fatalf("read error: %v", err)
	}
	// A stream that ends before the symbols: io.ErrUnexpectedEOF.
	s := genScript(rand.New(rand.NewPCG(1, 1)), 256, 24, 100, "uniform")
	data := encodeScript(t, s, false)
	rd, _ = NewReaderDecoder(bytes.NewReader(data[:20]), 24)
	var err error
	for i := range s.syms {
		if _, err = rd.Decode(s.freqs(i)); err != nil {
			break
		}
	}
	if err == nil {
		err = rd.Finish()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short stream: %v", err)
	}
	// Trailing data, however long, is reported without reading it all.
	long := io.MultiReader(bytes.NewReader(data), bytes.NewReader(make([]byte, 1<<20)))
	rd, _ = NewReaderDecoder(long, 24)
	for i := range s.syms {
		if _, err := rd.Decode(s.freqs(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rd.Finish(); !errors.Is(err, ErrTrailingData) || rd.BytesRead() > int64(len(data))+100 {
		t.Fatalf("trailing data: %v after %d bytes", err, rd.BytesRead())
	}
	// A reader that never makes progress.
	rd, _ = NewReaderDecoder(iotest.ErrReader(nil), 24)
	if _, err := rd.Decode(s.freqs(0)); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("empty reads: %v", err)
	}
}
