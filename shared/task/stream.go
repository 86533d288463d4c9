package task

import (
	"fmt"
	"sync"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Streamed inputs. A seeded task's split is one random stream read in row
// order: row i is whatever the stream gives after rows 0..i−1, and a draw
// may take a variable number of words (rng.Source.Normal rejects), so row i
// cannot be computed alone. It can be generated sequentially through a
// window, which is how prequential coding reads it: a streamed Matrix keeps
// the last spec.InputWindowRows rows, in chunks of spec.InputChunkRows, and
// generates further chunks as they are asked for. A row before the window
// restarts the stream from the seed (an epoch of θ* training, a second
// pass over the test split): the cost is time, never memory, and the bits
// are the same, since dense and streamed matrices run the same fill.
//
// A chunk, once generated, is never written again: a row slice a reader
// holds stays valid after the window has moved past it (the garbage
// collector frees the chunk when no slice points into it), so no reader can
// see another's rows change. Reads are serialized by a mutex; two readers
// that walk the same split at different places (Alice's and Bob's sessions
// in one process) take a cursor each (Inputs.Fork), or they would restart
// each other's stream.

// filler generates the rows of one split, in order, from one source.
type filler struct {
	seed uint64 // the split's stream: rng.New(seed, 0)
	cols int
	// fill writes the next row, drawn from src, into row, which is zeroed.
	fill func(src *rng.Source, row []float64)
}

// dense generates all rows at once.
func (f filler) dense(rows int) Matrix {
	src := rng.New(f.seed, 0)
	m := Matrix{Rows: rows, Cols: f.cols, Data: make([]float64, rows*f.cols)}
	for i := range rows {
		f.fill(src, m.Data[i*f.cols:(i+1)*f.cols])
	}
	return m
}

// streamed returns the split as a streamed matrix of rows rows; s sizes
// its window.
func (f filler) streamed(s spec.Spec, rows int) Matrix {
	if rows == 0 {
		return f.dense(0)
	}
	chunk := int(s.InputChunkRows())
	return Matrix{Rows: rows, Cols: f.cols, stream: &stream{
		f: f, rows: rows, chunkRows: chunk, keep: int(s.InputWindowRows()) / chunk,
	}}
}

// stream is the state of a streamed matrix: the source positioned at row
// next, and the most recent chunks, oldest first.
type stream struct {
	f         filler
	rows      int
	chunkRows int
	keep      int // chunks kept in the window

	mu     sync.Mutex
	src    *rng.Source // nil before the first read
	next   int         // the row src generates next (a multiple of chunkRows, or rows)
	window []chunk
}

type chunk struct {
	first int
	data  []float64
}

// fork returns a stream over the same rows with a cursor of its own.
func (st *stream) fork() *stream {
	return &stream{f: st.f, rows: st.rows, chunkRows: st.chunkRows, keep: st.keep}
}

// row returns row i, generating the chunks up to it.
func (st *stream) row(i int) []float64 {
	if i < 0 || i >= st.rows {
		panic(fmt.Sprintf("task: row %d of a %d-row matrix", i, st.rows))
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if r := st.cached(i); r != nil {
		return r
	}
	if st.src == nil || i < st.next {
		// Behind the window: the stream starts again from its seed.
		clear(st.window)
		st.src, st.next, st.window = rng.New(st.f.seed, 0), 0, st.window[:0]
	}
	cols := st.f.cols
	for st.next <= i {
		n := min(st.chunkRows, st.rows-st.next)
		c := chunk{first: st.next, data: make([]float64, n*cols)}
		for r := range n {
			st.f.fill(st.src, c.data[r*cols:(r+1)*cols])
		}
		if len(st.window) == st.keep {
			// Drop the oldest without keeping it reachable from the array.
			copy(st.window, st.window[1:])
			st.window[len(st.window)-1] = chunk{}
			st.window = st.window[:len(st.window)-1]
		}
		st.window = append(st.window, c)
		st.next += n
	}
	return st.cached(i)
}

// cached returns row i if the window holds it.
func (st *stream) cached(i int) []float64 {
	if len(st.window) == 0 || i < st.window[0].first || i >= st.next {
		return nil
	}
	c := st.window[(i-st.window[0].first)/st.chunkRows]
	cols := st.f.cols
	r := i - c.first
	return c.data[r*cols : (r+1)*cols : (r+1)*cols]
}

// Streamed reports whether m generates its rows as they are read (Data is
// then nil; use Row).
func (m *Matrix) Streamed() bool { return m.stream != nil }

// fork gives a streamed matrix a cursor of its own; a dense one is shared.
func (m Matrix) fork() Matrix {
	if m.stream != nil {
		m.stream = m.stream.fork()
	}
	return m
}

// Fork returns the same inputs with cursors of their own, for a second
// reader that walks them independently of the first (see stream.go). Dense
// matrices are shared, not copied.
func (in *Inputs) Fork() *Inputs {
	return &Inputs{Train: in.Train.fork(), Valid: in.Valid.fork(), Test: in.Test.fork()}
}

// NewStreamInputs is NewInputs with a large seeded task's splits streamed:
// generated through a window as they are read, so that their memory does
// not grow with n (spec.Spec.InputsStreamed: above
// spec.StreamInputsAbove). The rows are bit for bit those of NewInputs.
// Smaller inputs, and tasks read from data (mnist), are built dense.
func NewStreamInputs(s spec.Spec) (*Inputs, error) {
	return newStreamInputs(s, s.InputsStreamed())
}

// newStreamInputs streams the seeded task's splits when stream is set
// (tests stream small specs).
func newStreamInputs(s spec.Spec, stream bool) (*Inputs, error) {
	if !stream || !s.InputsStreamable() {
		return NewInputs(s)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("task: %w", err)
	}
	return &Inputs{
		Train: fillerOf(s, "train").streamed(s, int(s.N)),
		Valid: fillerOf(s, "valid").streamed(s, int(s.Validation)),
		Test:  fillerOf(s, "test").streamed(s, int(s.Test)),
	}, nil
}

// BuildStream is Build with the inputs of NewStreamInputs and the labels
// of NewStreamLabels, read through the same cursors: Alice's view, for one
// session that codes the labels in order.
func BuildStream(s spec.Spec, data, test *Table) (*Inputs, *Labels, error) {
	if s.Task == spec.TaskFile {
		return Build(s, data, test)
	}
	in, err := NewStreamInputs(s)
	if err != nil {
		return nil, nil, err
	}
	labels, err := NewStreamLabels(s, in)
	if err != nil {
		return nil, nil, err
	}
	return in, labels, nil
}
