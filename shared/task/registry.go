package task

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/spec"
)

// Registration is everything the program knows about one task: its part of
// the spec (fields, flags, validation, memory: the Section, registered into
// package spec) and how to generate it. Adding a task is one file that
// calls Register from an init function, plus its test.
type Registration struct {
	Spec spec.Section
	// Inputs generates the inputs of a validated spec: the training,
	// validation and test splits. nil for a task whose examples come from
	// a table both sides read (the file task: NewFileInputs).
	Inputs func(s spec.Spec) (*Inputs, error)
	// Labels generates the labels of in's examples, held (nil with Inputs,
	// or when Rule is set).
	Labels func(s spec.Spec, in *Inputs) (*Labels, error)
	// Rule is the task's labelling as a rule (labels.go), which NewLabels
	// runs to the end of each split and NewStreamLabels as the labels are
	// read, so they need not be held. A task gives Rule or Labels.
	Rule func(s spec.Spec) LabelRule
	// RandomLabels is the labelling of the random-labels control; nil:
	// uniform over the classes.
	RandomLabels func(s spec.Spec) LabelRule
}

// Register adds a task: its section to package spec's registry, which also
// keeps the registration itself. Inputs without Labels (or the reverse), or
// a Section that package spec refuses (a name registered twice, ...), is a
// programming error and panics, at program start.
func Register(r Registration) {
	if (r.Inputs == nil) != (r.Labels == nil && r.Rule == nil) {
		panic(fmt.Sprintf("task: register %q: Inputs and Labels (or Rule) go together", r.Spec.Name))
	}
	sec := r.Spec
	sec.Impl = r
	spec.RegisterTask(sec)
}

// Lookup returns the registration of a task.
func Lookup(name string) (Registration, bool) {
	sec, ok := spec.TaskSection(name)
	r, isTask := sec.Impl.(Registration)
	return r, ok && isTask
}
