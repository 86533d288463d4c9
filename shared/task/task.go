package task

import (
	"errors"
	"fmt"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Matrix is a row-major matrix of examples: dense (Data holds every row)
// or streamed (Data is nil and rows are generated as they are read, see
// stream.go). Readers use Row and never modify a row.
type Matrix struct {
	Rows, Cols int
	Data       []float64
	stream     *stream
}

// Row returns row i: a slice of Data, or of the streamed window's chunk.
func (m *Matrix) Row(i int) []float64 {
	if m.stream != nil {
		return m.stream.row(i)
	}
	return m.Data[i*m.Cols : (i+1)*m.Cols]
}

// Inputs are the examples both sides hold. They carry no labels. Valid are
// the spec's Validation examples for early stopping θ*: never coded, never
// tested on.
type Inputs struct {
	Train Matrix
	Valid Matrix
	Test  Matrix
}

// Labels are what Alice alone knows.
type Labels struct {
	Train []int
	Valid []int
	Test  []int
}

// Build makes the spec's inputs and labels: generated from the seed for the
// built-in tasks, read from data (and test, the separate test file the spec
// may name) for the file task. It is Alice's view; Bob, who must never see
// a label, builds inputs alone.
func Build(s spec.Spec, data, test *Table) (*Inputs, *Labels, error) {
	var in *Inputs
	var labels *Labels
	var err error
	switch {
	case s.Task != spec.TaskFile:
		if in, err = NewInputs(s); err == nil {
			labels, err = NewLabels(s, in)
		}
	case data == nil:
		return nil, nil, errors.New("task: the file task needs its dataset (--data FILE)")
	case s.TestDataName != "" && test == nil:
		return nil, nil, errors.New("task: the spec names a test file: give it (--test-data FILE)")
	default:
		if in, err = NewFileInputsTest(s, data, test); err == nil {
			labels, err = NewFileLabelsTest(s, data, test)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return in, labels, nil
}

// NewInputs generates the spec's training and test inputs, with the
// generator its task registered.
func NewInputs(s spec.Spec) (*Inputs, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("task: %w", err)
	}
	r, ok := Lookup(s.Task)
	switch {
	case !ok:
		return nil, fmt.Errorf("task: unknown task %q", s.Task)
	case r.Inputs == nil:
		return nil, fmt.Errorf("task: the %s task's inputs come from its table: use NewFileInputs", s.Task)
	}
	return r.Inputs(s)
}

func normalMatrix(seed uint64, rows, cols int) Matrix {
	src := rng.New(seed, 0)
	m := Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
	for i := range m.Data {
		m.Data[i] = src.Normal()
	}
	return m
}

// NewLabels generates the labels of in's examples under the spec's hidden rule.
func NewLabels(s spec.Spec, in *Inputs) (*Labels, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("task: %w", err)
	}
	if in.Train.Rows != int(s.N) || in.Valid.Rows != int(s.Validation) || in.Test.Rows != int(s.Test) || in.Train.Cols != int(s.Dim) {
		return nil, fmt.Errorf("task: inputs do not match the spec (%d/%d/%d rows of %d, spec n=%d validation=%d test=%d dim=%d)",
			in.Train.Rows, in.Valid.Rows, in.Test.Rows, in.Train.Cols, s.N, s.Validation, s.Test, s.Dim)
	}
	r, ok := Lookup(s.Task)
	switch {
	case !ok:
		return nil, fmt.Errorf("task: unknown task %q", s.Task)
	case s.RandomLabels:
		random := r.RandomLabels
		if random == nil {
			random = randomLabels
		}
		return &Labels{
			Train: random(s, "train", in.Train.Rows),
			Valid: random(s, "valid", in.Valid.Rows),
			Test:  random(s, "test", in.Test.Rows),
		}, nil
	case r.Labels == nil:
		return nil, fmt.Errorf("task: the %s task's labels come from its table: use NewFileLabels", s.Task)
	}
	return r.Labels(s, in)
}

func synthLabels(s spec.Spec, teacher, x *Matrix, part string) []int {
	k := int(s.Classes)
	out := make([]int, x.Rows)
	noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
	for i := range out {
		best := argmaxRows(teacher, x.Row(i))
		// Both draws happen for every example so the noise stream stays
		// aligned with the example index whatever the noise level.
		u, repl := noise.Float64(), noise.IntN(k)
		if u < s.Noise {
			best = repl
		}
		out[i] = best
	}
	return out
}
