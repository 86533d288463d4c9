package task

import (
	"fmt"
	"sync"

	"github.com/edlwire/edlwire/shared/spec"
)

// Labels as a rule. A seeded task's label i is a function of input row i
// and of draws from streams of the split's own ("<part>-noise", ...) that
// take the same draws for every example whatever the rows say. So a split's
// labels can be generated in order, one at a time, from the rows as they
// are read: nothing of the split needs to be held. NewLabels runs the rule
// over every row at once; NewStreamLabels runs it as Alice codes, reading
// each row through the cursor her session reads it with, so that the label
// costs no second generation of the row. Both run the same steps, and give
// the same labels.

// LabelStep labels the examples of one split in row order: each call takes
// the next example's input row and returns its label, advancing the split's
// own draws.
type LabelStep func(row []float64) int

// LabelRule is a task's labelling ready to run: its hidden rule's tables
// are built once, when the rule is made; each call starts one split (part:
// train, valid or test) at its first example, with draws of its own.
type LabelRule func(part string) LabelStep

// Part names one split of a task's examples.
type Part int

// The splits, in the order Alice codes them.
const (
	PartTrain Part = iota
	PartValid
	PartTest
)

// String is the split's name in its stream names ("train", "valid", "test").
func (p Part) String() string {
	switch p {
	case PartTrain:
		return "train"
	case PartValid:
		return "valid"
	case PartTest:
		return "test"
	}
	return fmt.Sprintf("Part(%d)", int(p))
}

// runStep labels n examples with step, row i of x for example i (x nil:
// the step reads no rows, as the random control's).
func runStep(step LabelStep, x *Matrix, n int) []int {
	out := make([]int, n)
	for i := range out {
		var row []float64
		if x != nil {
			row = x.Row(i)
		}
		out[i] = step(row)
	}
	return out
}

// denseLabels runs rule over every split of in.
func denseLabels(rule LabelRule, in *Inputs) *Labels {
	return &Labels{
		Train: runStep(rule(PartTrain.String()), &in.Train, in.Train.Rows),
		Valid: runStep(rule(PartValid.String()), &in.Valid, in.Valid.Rows),
		Test:  runStep(rule(PartTest.String()), &in.Test, in.Test.Rows),
	}
}

// NewStreamLabels is NewLabels with the labels generated as they are read
// (At), for a task with a label rule (the seeded tasks and the
// random-labels control); other tasks' labels are built by NewLabels. Row i
// of a split is read from in when label i is, through in's own cursor: give
// it the inputs of the session that codes the labels, which has just read
// the row. The labels are those of NewLabels, label for label.
func NewStreamLabels(s spec.Spec, in *Inputs) (*Labels, error) {
	rule, _, err := labelRule(s, in)
	if err != nil {
		return nil, err
	}
	if rule == nil {
		return NewLabels(s, in)
	}
	return &Labels{stream: &[3]labelStream{
		{rule: rule, part: PartTrain, x: in.Train},
		{rule: rule, part: PartValid, x: in.Valid},
		{rule: rule, part: PartTest, x: in.Test},
	}}, nil
}

// labelStream is one streamed split: its step, positioned at example next,
// and the last label it gave.
type labelStream struct {
	rule LabelRule
	part Part
	x    Matrix // the split's inputs: a copy sharing the cursor of the Inputs given

	mu   sync.Mutex
	step LabelStep // nil before the first read
	next int       // the example step labels next
	last int       // label next−1
}

// at returns label i. Reading on from the last label read is one step;
// reading again the last label costs nothing; reading behind it starts the
// split again from its first example (its rows are read again: time, not
// memory), and reading ahead steps through the labels between.
func (ls *labelStream) at(i int) int {
	if i < 0 || i >= ls.x.Rows {
		panic(fmt.Sprintf("task: label %d of a %d-example %s split", i, ls.x.Rows, ls.part))
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.step != nil && i == ls.next-1 {
		return ls.last
	}
	if ls.step == nil || i < ls.next {
		ls.step, ls.next = ls.rule(ls.part.String()), 0
	}
	for ; ls.next <= i; ls.next++ {
		ls.last = ls.step(ls.x.Row(ls.next))
	}
	return ls.last
}

// Streamed reports whether the labels are generated as they are read (the
// slices are then nil; use At).
func (l *Labels) Streamed() bool { return l.stream != nil }

// Len is the number of labels of split p.
func (l *Labels) Len(p Part) int {
	if l.stream != nil {
		return l.stream[p].x.Rows
	}
	return len(l.slice(p))
}

// At is label i of split p.
func (l *Labels) At(p Part, i int) int {
	if l.stream != nil {
		return l.stream[p].at(i)
	}
	return l.slice(p)[i]
}

// All is the whole of split p: the slice of dense labels (callers must not
// modify it), or a new slice generated from a streamed split.
func (l *Labels) All(p Part) []int {
	if l.stream == nil {
		return l.slice(p)
	}
	out := make([]int, l.Len(p))
	for i := range out {
		out[i] = l.At(p, i)
	}
	return out
}

func (l *Labels) slice(p Part) []int {
	switch p {
	case PartTrain:
		return l.Train
	case PartValid:
		return l.Valid
	case PartTest:
		return l.Test
	}
	panic(fmt.Sprintf("task: no split %v", p))
}
