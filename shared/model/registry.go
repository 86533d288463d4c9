package model

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/spec"
)

// Registration is everything the program knows about one model family:
// its part of the spec (fields, flags, validation, parameter count: the
// Section, registered into package spec) and how to build it. Adding a
// family is one file that calls Register from an init function, plus its
// test; spec validation, the spec flags and the session construction find
// it through the registries.
type Registration struct {
	Spec spec.Section
	// New builds the family's model from a validated spec, with zero
	// parameters where it has any: New (and NewFromBase) then apply the
	// spec's initialization, base checkpoint and adapter to differentiable
	// models. A model must be Differentiable (trained by the spec's
	// optimizer: set Spec.Gradient) or Counting.
	New func(s spec.Spec) (Model, error)
	// External families have no New: the caller supplies the learner (a
	// predictor plugin, see prequential.Options.External).
	External bool
}

// Register adds a model family: its section to package spec's registry,
// which also keeps the registration itself. A family with neither New nor
// External, or a Section that package spec refuses (a name registered
// twice, ...), is a programming error and panics, at program start.
func Register(r Registration) {
	if (r.New == nil) != r.External {
		panic(fmt.Sprintf("model: register %q: exactly one of New and External", r.Spec.Name))
	}
	sec := r.Spec
	sec.Impl = r
	spec.RegisterModel(sec)
}

// Lookup returns the registration of a model family.
func Lookup(name string) (Registration, bool) {
	sec, ok := spec.ModelSection(name)
	r, isModel := sec.Impl.(Registration)
	return r, ok && isModel
}
