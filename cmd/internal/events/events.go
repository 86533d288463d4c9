package events

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// Event is one line of a stream, as the demo reads it back. Fields that do
// not belong to the line's kind are zero.
type Event struct {
	Event   string `json:"event"` // start, example, checkpoint
	Side    string `json:"side"`  // alice or bob
	Session string `json:"session,omitempty"`

	// start
	Task       string `json:"task,omitempty"`
	Model      string `json:"model,omitempty"`
	N          int64  `json:"n,omitempty"`
	Validation int64  `json:"validation,omitempty"`
	Test       int64  `json:"test,omitempty"`
	Classes    int64  `json:"classes,omitempty"`
	Dim        int64  `json:"dim,omitempty"`
	Keys       int64  `json:"keys,omitempty"`
	Precision  int64  `json:"precision,omitempty"`
	SpecHash   string `json:"spec_hash,omitempty"`

	// example
	Index int64     `json:"i"`
	Phase string    `json:"phase,omitempty"`
	Label int       `json:"y"`
	Probs []float64 `json:"p,omitempty"`
	Top   []int     `json:"top,omitempty"`
	Bits  float64   `json:"bits"`
	Bytes int64     `json:"bytes"`
	X     []float64 `json:"x,omitempty"`

	// checkpoint
	Example     int64  `json:"example,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Phases of an example.
const (
	PhaseTrain = "train" // the coded pass: its bits are the MDL
	PhaseValid = "valid" // validation labels, coded against the pass model (θ*'s early stopping)
	PhaseTest  = "test"  // test labels, coded against θ*: Bob verifies L_test from them
)

// MaxProbs is the most classes a line lists; with more, the MaxProbs most
// probable (always including the label) are given with their classes in
// "top".
const MaxProbs = 16

// MaxInput is the widest input a line carries (the 8×8 digits fit).
const MaxInput = 64

// FlushEvery is how often buffered lines reach the file.
const FlushEvery = 40 * time.Millisecond

// Writer is an open event file, shared by every Stream written to it.
type Writer struct {
	mu     sync.Mutex
	f      io.WriteCloser
	w      *bufio.Writer
	err    error
	stop   chan struct{}
	closed bool
	wg     sync.WaitGroup
}

// Create opens path for writing (creating or truncating a file; a pipe
// such as /dev/fd/3 works) and starts the flusher.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return NewWriter(f), nil
}

// NewWriter writes to wc, which Close closes.
func NewWriter(wc io.WriteCloser) *Writer {
	w := &Writer{f: wc, w: bufio.NewWriterSize(wc, 64<<10), stop: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(FlushEvery)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.mu.Lock()
				w.flushLocked()
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *Writer) flushLocked() {
	if w.err == nil && w.w.Buffered() > 0 {
		w.err = w.w.Flush()
	}
}

func (w *Writer) write(line []byte, flush bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.err != nil {
		return
	}
	if _, err := w.w.Write(line); err != nil {
		w.err = err
		return
	}
	if flush {
		w.flushLocked()
	}
}

// Close flushes, stops the flusher and closes the file. It returns the
// first write error: a watcher that went away does not stop a
// transmission, but its loss is reported at the end.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err
	}
	w.closed = true
	w.flushLocked()
	w.mu.Unlock()
	close(w.stop)
	w.wg.Wait()
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = err
	}
	if w.err != nil {
		return fmt.Errorf("events: %w", w.err)
	}
	return nil
}

// Stream returns the writer's view for one side (and, for Bob, one
// session). It is not safe for concurrent use; streams of one Writer may
// be used from different goroutines.
func (w *Writer) Stream(side, session string) *Stream {
	return &Stream{w: w, side: side, session: session}
}

// Stream writes one transmission's lines. Its methods are alice's and
// bob's Observer interfaces.
type Stream struct {
	w       *Writer
	side    string
	session string
	sp      spec.Spec
	in      *task.Inputs
	buf     []byte
	order   []int
}

func (s *Stream) head(kind string) []byte {
	b := append(s.buf[:0], `{"event":"`...)
	b = append(b, kind...)
	b = append(b, `","side":"`...)
	b = append(b, s.side...)
	b = append(b, '"')
	if s.session != "" {
		b = append(b, `,"session":`...)
		b = strconv.AppendQuote(b, s.session)
	}
	return b
}

func appendInt(b []byte, key string, v int64) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, v, 10)
}

func appendStr(b []byte, key, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendQuote(b, v)
}

// appendFloat writes v exactly (shortest representation that reads back
// to the same float64), or null for a NaN or infinity.
func appendFloat(b []byte, v float64, digits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', digits, 64)
}

// Start writes the transmission's start line; in is what the examples'
// inputs are read from.
func (s *Stream) Start(sp spec.Spec, in *task.Inputs) {
	s.sp, s.in = sp, in
	h := sp.Hash()
	b := s.head("start")
	b = appendStr(b, "task", sp.Task)
	b = appendStr(b, "model", sp.Model)
	b = appendInt(b, "n", sp.N)
	b = appendInt(b, "validation", sp.Validation)
	b = appendInt(b, "test", sp.Test)
	b = appendInt(b, "classes", sp.Classes)
	b = appendInt(b, "dim", sp.Dim)
	b = appendInt(b, "keys", sp.Keys)
	b = appendInt(b, "precision", sp.Precision)
	b = appendStr(b, "spec_hash", hex.EncodeToString(h[:]))
	b = append(b, "}\n"...)
	s.buf = b
	s.w.write(b, true)
}

// Example writes one coded or decoded label: i is its index in the
// stream, freqs the coder's frequencies it was coded with, bytes the coded
// stream's length so far.
func (s *Stream) Example(i int64, label int, freqs []uint32, bytes int64) {
	phase, x := s.locate(i)
	prec := float64(s.sp.Precision)
	if s.sp.Precision == 0 {
		prec = 24
	}
	scale := math.Exp2(-prec)
	b := s.head("example")
	b = appendInt(b, "i", i)
	b = appendStr(b, "phase", phase)
	b = appendInt(b, "y", int64(label))
	bits := math.NaN()
	if label >= 0 && label < len(freqs) && freqs[label] > 0 {
		bits = prec - math.Log2(float64(freqs[label]))
	}
	b = append(b, `,"bits":`...)
	b = appendFloat(b, bits, -1)
	b = appendInt(b, "bytes", bytes)
	b = append(b, `,"p":[`...)
	if len(freqs) <= MaxProbs {
		for k, f := range freqs {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, float64(f)*scale, 6)
		}
		b = append(b, ']')
	} else {
		top := s.top(freqs, label)
		for j, k := range top {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, float64(freqs[k])*scale, 6)
		}
		b = append(b, `],"top":[`...)
		for j, k := range top {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(k), 10)
		}
		b = append(b, ']')
	}
	if x != nil && len(x) <= MaxInput {
		b = append(b, `,"x":[`...)
		for j, v := range x {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, v, 6)
		}
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	s.buf = b
	s.w.write(b, false)
}

// top returns the MaxProbs most probable classes, most probable first
// (ties: lower class first), with label in place of the last if it is not
// among them.
func (s *Stream) top(freqs []uint32, label int) []int {
	if cap(s.order) < len(freqs) {
		s.order = make([]int, len(freqs))
	}
	o := s.order[:len(freqs)]
	for k := range o {
		o[k] = k
	}
	sort.SliceStable(o, func(a, b int) bool { return freqs[o[a]] > freqs[o[b]] })
	t := o[:MaxProbs]
	for _, k := range t {
		if k == label {
			return t
		}
	}
	if label >= 0 && label < len(freqs) {
		t[MaxProbs-1] = label
	}
	return t
}

// locate names example i's phase and returns its input row (nil when the
// inputs are unknown).
func (s *Stream) locate(i int64) (string, []float64) {
	n, v := s.sp.N, s.sp.Validation
	row := func(m *task.Matrix, r int64) []float64 {
		if s.in == nil || r < 0 || int(r) >= m.Rows {
			return nil
		}
		return m.Row(int(r))
	}
	switch {
	case i < n:
		if s.in == nil {
			return PhaseTrain, nil
		}
		return PhaseTrain, row(&s.in.Train, i)
	case i < n+v:
		if s.in == nil {
			return PhaseValid, nil
		}
		return PhaseValid, row(&s.in.Valid, i-n)
	default:
		if s.in == nil {
			return PhaseTest, nil
		}
		return PhaseTest, row(&s.in.Test, i-n-v)
	}
}

// Checkpoint writes a checkpoint line and flushes.
func (s *Stream) Checkpoint(cp prequential.Checkpoint) {
	b := s.head("checkpoint")
	b = appendInt(b, "example", cp.Example)
	b = appendStr(b, "fingerprint", hex.EncodeToString(cp.Fingerprint[:]))
	b = append(b, "}\n"...)
	s.buf = b
	s.w.write(b, true)
}
