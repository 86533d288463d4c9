package task

import (
	"fmt"
	"sync"

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
	// Labels generates the labels of in's examples (nil with Inputs).
	Labels func(s spec.Spec, in *Inputs) (*Labels, error)
	// RandomLabels draws one split's labels for the random-labels control
	// (part: train, valid or test); nil: uniform over the classes.
	RandomLabels func(s spec.Spec, part string, n int) []int
}

var (
	regMu sync.RWMutex
	regs  = map[string]Registration{} // looked up by name only, never iterated
)

// Register adds a task. Two tasks of one name, Inputs without Labels (or
// the reverse) or a Section that package spec refuses are programming
// errors and panic, at program start.
func Register(r Registration) {
	if (r.Inputs == nil) != (r.Labels == nil) {
		panic(fmt.Sprintf("task: register %q: Inputs and Labels go together", r.Spec.Name))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := regs[r.Spec.Name]; dup {
		panic(fmt.Sprintf("task: register %q: registered twice", r.Spec.Name))
	}
	spec.RegisterTask(r.Spec)
	regs[r.Spec.Name] = r
}

// Lookup returns the registration of a task.
func Lookup(name string) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := regs[name]
	return r, ok
}
