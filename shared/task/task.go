package task

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Matrix is a dense row-major matrix of examples.
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// Row returns row i as a slice of Data.
func (m *Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Inputs are the examples both sides hold. They carry no labels.
type Inputs struct {
	Train Matrix
	Test  Matrix
}

// Labels are what Alice alone knows.
type Labels struct {
	Train []int
	Test  []int
}

// NewInputs generates the spec's training and test inputs.
func NewInputs(s spec.Spec) (*Inputs, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("task: %w", err)
	}
	switch s.Task {
	case spec.TaskSynthetic:
		d := int(s.Dim)
		return &Inputs{
			Train: normalMatrix(rng.Derive(s.Seed, "train-inputs"), int(s.N), d),
			Test:  normalMatrix(rng.Derive(s.Seed, "test-inputs"), int(s.Test), d),
		}, nil
	case spec.TaskFile:
		return nil, fmt.Errorf("task: the file task's inputs come from its table: use NewFileInputs")
	}
	return nil, fmt.Errorf("task: unknown task %q", s.Task)
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
	if in.Train.Rows != int(s.N) || in.Test.Rows != int(s.Test) || in.Train.Cols != int(s.Dim) {
		return nil, fmt.Errorf("task: inputs do not match the spec (%d/%d rows of %d, spec n=%d test=%d dim=%d)",
			in.Train.Rows, in.Test.Rows, in.Train.Cols, s.N, s.Test, s.Dim)
	}
	switch s.Task {
	case spec.TaskSynthetic:
		k := int(s.Classes)
		teacher := normalMatrix(rng.Derive(s.Seed, "teacher"), k, int(s.Dim))
		return &Labels{
			Train: synthLabels(s, &teacher, &in.Train, "train"),
			Test:  synthLabels(s, &teacher, &in.Test, "test"),
		}, nil
	case spec.TaskFile:
		return nil, fmt.Errorf("task: the file task's labels come from its table: use NewFileLabels")
	}
	return nil, fmt.Errorf("task: unknown task %q", s.Task)
}

func synthLabels(s spec.Spec, teacher, x *Matrix, part string) []int {
	k := int(s.Classes)
	out := make([]int, x.Rows)
	if s.RandomLabels {
		src := rng.New(rng.Derive(s.Seed, part+"-random-labels"), 0)
		for i := range out {
			out[i] = src.IntN(k)
		}
		return out
	}
	noise := rng.New(rng.Derive(s.Seed, part+"-noise"), 0)
	for i := range out {
		row := x.Row(i)
		best, bestV := 0, detmath.Dot(teacher.Row(0), row)
		for c := 1; c < k; c++ {
			if v := detmath.Dot(teacher.Row(c), row); v > bestV {
				best, bestV = c, v
			}
		}
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
