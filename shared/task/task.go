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

// Labels are what Alice alone knows: dense (the three slices) or streamed
// (the slices are nil and each label is generated as it is read, through
// the inputs' rows: NewStreamLabels). Readers of either kind use Len, At
// and All.
type Labels struct {
	Train []int
	Valid []int
	Test  []int
	// stream generates the splits, in Part order, when non-nil.
	stream *[3]labelStream
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

// NewLabels generates the labels of in's examples under the spec's hidden
// rule, every split at once.
func NewLabels(s spec.Spec, in *Inputs) (*Labels, error) {
	rule, r, err := labelRule(s, in)
	switch {
	case err != nil:
		return nil, err
	case rule != nil:
		return denseLabels(rule, in), nil
	case r.Labels == nil:
		return nil, fmt.Errorf("task: the %s task's labels come from its table: use NewFileLabels", s.Task)
	}
	return r.Labels(s, in)
}

// labelRule checks the spec and in, and returns the rule that labels in:
// the task's (nil for a task whose labels come from its Labels alone) or,
// with RandomLabels, the random control's.
func labelRule(s spec.Spec, in *Inputs) (LabelRule, Registration, error) {
	if err := s.Validate(); err != nil {
		return nil, Registration{}, fmt.Errorf("task: %w", err)
	}
	if in.Train.Rows != int(s.N) || in.Valid.Rows != int(s.Validation) || in.Test.Rows != int(s.Test) || in.Train.Cols != int(s.Dim) {
		return nil, Registration{}, fmt.Errorf("task: inputs do not match the spec (%d/%d/%d rows of %d, spec n=%d validation=%d test=%d dim=%d)",
			in.Train.Rows, in.Valid.Rows, in.Test.Rows, in.Train.Cols, s.N, s.Validation, s.Test, s.Dim)
	}
	r, ok := Lookup(s.Task)
	switch {
	case !ok:
		return nil, r, fmt.Errorf("task: unknown task %q", s.Task)
	case s.RandomLabels:
		random := r.RandomLabels
		if random == nil {
			random = randomRule
		}
		return random(s), r, nil
	case r.Rule != nil:
		return r.Rule(s), r, nil
	}
	return nil, r, nil
}

// synthRule is the synthetic task's labels: the teacher's argmax, replaced
// with probability Noise by a uniform draw.
func synthRule(s spec.Spec) LabelRule {
	k := int(s.Classes)
	teacher := normalMatrix(rng.Derive(s.Seed, "teacher"), k, int(s.Dim))
	return func(part string) LabelStep {
		noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
		return func(row []float64) int {
			best := argmaxRows(&teacher, row)
			// Both draws happen for every example so the noise stream
			// stays aligned with the example index whatever the noise
			// level.
			u, repl := noise.Float64(), noise.IntN(k)
			if u < s.Noise {
				best = repl
			}
			return best
		}
	}
}
